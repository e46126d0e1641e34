package service

import (
	"bytes"
	"encoding/json"
	"net/http"
	"testing"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/shinsei-app/shinsei/identity"
	"github.com/shinsei-app/shinsei/submit"
)

// FuzzDecodeRequest feeds arbitrary bytes to every request decoder of the
// service — login, certificate login, validation, registration form,
// application form (as a body and from a package) against every
// procedure's schema and then the identity check, the sandbox advance,
// and the Idempotency-Key header — and checks that each either accepts
// input that satisfies its contract or refuses it with a known reason, a
// 4xx status and a short printable detail.
func FuzzDecodeRequest(f *testing.F) {
	for _, proc := range Catalogue() {
		form, _ := json.Marshal(sampleForm(proc.ID, nil))
		f.Add(uint8(4), form)
		f.Add(uint8(4|8), form)
	}
	f.Add(uint8(0), []byte(`{"account_id":"R0123456789","password":"correct horse battery"}`))
	f.Add(uint8(0), []byte(`{"account_id":"R1","password":12}`))
	f.Add(uint8(1), []byte(`{"challenge":"abc","signature":"MIIB"}`))
	f.Add(uint8(2), []byte(`{"certificate":"MIIBIjAN"}`))
	f.Add(uint8(3), []byte(`{"type":"registration","challenge":"x","user_type":"resident","password":"twelve chars!"}`))
	f.Add(uint8(3), []byte(`{"type":"registration","challenge":"x","user_type":"company","email":"a@b.jp"}`))
	f.Add(uint8(5), []byte(`{"status":"completed","notice":{"title_ja":"通知","title_en":"Notice"}}`))
	f.Add(uint8(6), []byte("0123456789abcdef_-XYZ"))
	f.Add(uint8(4), []byte(`{"procedure":"move-out-notification","applicant":{"sex":2},"fields":{"members":1e309}}`))
	f.Add(uint8(4), []byte("{\"procedure\":\"\xff\"}"))
	f.Add(uint8(0), []byte(`[{"a":`))

	procs := Catalogue()
	// SampleResident as identity reads the certificate.
	person := &identity.Person{Name: "高橋　花子", NameFlags: []bool{true, false, false, false, false}, Sex: identity.SexFemale,
		BirthDate: identity.BirthDate{Era: identity.EraShowa, Date: time.Date(1985, 4, 15, 0, 0, 0, 0, time.UTC)},
		Address:   "東京都千代田区霞が関二丁目１番２号"}
	corp := &identity.Corporation{Name: "株式会社サンドボックス商事", Number: "0100-01-999999"}

	f.Fuzz(func(t *testing.T, kind uint8, data []byte) {
		check := func(p *apiProblem) {
			t.Helper()
			if p == nil {
				return
			}
			if _, known := reasonMessages[p.Problem.Reason]; !known || p.Status < 400 || p.Status > 499 {
				t.Fatalf("refusal %s with status %d", p.Problem.Reason, p.Status)
			}
			d := p.Problem.Detail
			if len(d) > 200 || !utf8.ValidString(d) || p.Problem.MessageJA == "" || p.Problem.MessageEN == "" {
				t.Fatalf("detail %q", d)
			}
			for _, r := range d {
				if unicode.IsControl(r) || r == '<' || r == '"' {
					t.Fatalf("detail %q has %q", d, r)
				}
			}
		}
		switch kind % 7 {
		case 0:
			l, p := decodeLogin(bytes.NewReader(data), maxJSON)
			check(p)
			if p == nil && (l.AccountID == "" || l.Password == "") {
				t.Fatalf("accepted a login without ID or password: %+v", l)
			}
		case 1:
			c, p := decodeCertificateLogin(bytes.NewReader(data), maxJSON)
			check(p)
			if p == nil && (c.Challenge == "" || len(c.Signature) == 0) {
				t.Fatal("accepted a certificate login without challenge or signature")
			}
		case 2:
			v, p := decodeValidation(bytes.NewReader(data), maxJSON)
			check(p)
			if p == nil && len(v.Certificate) == 0 {
				t.Fatal("accepted a validation request without a certificate")
			}
		case 3:
			reg, p := decodeRegistration(data)
			check(p)
			if p == nil {
				n := utf8.RuneCountInString(reg.Password)
				if reg.Type != "registration" || reg.Challenge == "" || reg.Password != "" && (n < minPassword || n > maxPassword) ||
					reg.UserType != submit.UserResident && reg.UserType != submit.UserCompany {
					t.Fatalf("accepted %+v", reg)
				}
			}
		case 4:
			for i := range procs {
				proc := &procs[i]
				doc, p := decodeForm(data, proc, kind&8 != 0)
				check(p)
				if p != nil {
					continue
				}
				if doc.Procedure != proc.ID {
					t.Fatalf("accepted a form for %q as %s", doc.Procedure, proc.ID)
				}
				for _, f := range proc.Form.Fields {
					if f.Required && doc.Fields[f.Name] == nil {
						t.Fatalf("accepted a form without %s", f.Name)
					}
				}
				// An accepted form is accepted again after a round trip.
				again, err := json.Marshal(doc)
				if err != nil {
					t.Fatal(err)
				}
				if _, p := decodeForm(again, proc, false); p != nil {
					t.Fatalf("the re-encoded form is refused: %v", p)
				}
				v := &verifiedPackage{person: person}
				if proc.For[0] == submit.UserCompany {
					v = &verifiedPackage{corp: corp}
				}
				if p := v.checkIdentity(doc); p != nil {
					check(p)
				}
			}
		case 5:
			var adv SandboxAdvance
			check(decodeJSONBytes(data, &adv))
		case 6:
			h := http.Header{}
			h.Set(submit.HeaderIdemKey, string(data))
			k, p := idempotencyKey(h)
			check(p)
			if p == nil && (len(k) < minIdemKey || len(k) > maxIdemKey) {
				t.Fatalf("accepted key %q", k)
			}
		}
	})
}
