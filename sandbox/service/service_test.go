package service

import (
	"archive/zip"
	"bytes"
	"context"
	"crypto/tls"
	"crypto/x509"
	"database/sql"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"hash/crc32"
	"io/fs"
	"maps"
	"net/http"
	"os"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/shinsei-app/shinsei/api"
	"github.com/shinsei-app/shinsei/certcheck"
	"github.com/shinsei-app/shinsei/internal/fsx/fsxtest"
	"github.com/shinsei-app/shinsei/sandbox/pki"
	"github.com/shinsei-app/shinsei/sandbox/responder"
	"github.com/shinsei-app/shinsei/signer"
	"github.com/shinsei-app/shinsei/submit"
)

var arrivalPattern = regexp.MustCompile(`^\d{4}-\d{6}$`)

func TestServiceServesTheCatalogueAndItsDescription(t *testing.T) {
	e := newSvcEnv(t)
	r := e.do(testRequest{method: http.MethodGet, path: "/procedures"})
	var procs []submit.Procedure
	r.decode(t, &procs)
	levels := map[submit.AuthLevel]int{}
	for _, p := range procs {
		levels[p.Level]++
		if p.TitleJA == "" || len(p.Form.Fields) == 0 || len(p.Form.Applicant) == 0 || p.Form.MaxPackageBytes == 0 {
			t.Errorf("%s: incomplete procedure", p.ID)
		}
	}
	for _, l := range []submit.AuthLevel{submit.LevelNone, submit.LevelIDPW, submit.LevelSignature, submit.LevelIDPWSignature} {
		if levels[l] == 0 {
			t.Errorf("no procedure of level %s", l)
		}
	}
	r = e.do(testRequest{method: http.MethodGet, path: "/procedures/" + ProcBidQualification})
	var bid submit.Procedure
	r.decode(t, &bid)
	if !bid.CertificateLogin || bid.ProxyAllowed || bid.For[0] != submit.UserCompany {
		t.Errorf("bid qualification: %+v", bid)
	}
	if p := e.do(testRequest{method: http.MethodGet, path: "/procedures/no-such"}).problem(t); p.Reason != submit.ReasonUnknownProcedure {
		t.Errorf("unknown procedure: %s", p.Reason)
	}
	doc := e.do(testRequest{method: http.MethodGet, path: "/openapi.yaml"})
	if doc.status != http.StatusOK || !bytes.Equal(doc.body, api.OpenAPI) {
		t.Fatalf("openapi.yaml: status %d, %d bytes", doc.status, len(doc.body))
	}
}

func TestTheAPIDescriptionNamesEveryRouteReasonAndProcedure(t *testing.T) {
	text := string(api.OpenAPI)
	if !strings.HasPrefix(text, "openapi: 3.0") {
		t.Fatal("api/openapi.yaml is not an OpenAPI 3.0 document")
	}
	for _, path := range []string{"/procedures:", "/procedures/{id}:", "/procedures/{id}/applications:", "/challenges:",
		"/accounts:", "/sessions:", "/sessions/certificate:", "/sessions/current:", "/applications/{arrival}:", "/applications/{arrival}/archive:",
		"/notices/{id}:", "/notices/{id}/pdf:", "/validation:", "/ocsp:", "/ocsp/{request}:", "/openapi.yaml:", "/trust:",
		"/sandbox/applications:", "/sandbox/applications/{arrival}/status:",
		"/applications/{arrival}/withdrawal:", "/applications/{arrival}/amendments:", "/sandbox/applications/{arrival}/correction:"} {
		if !strings.Contains(text, "\n  "+path) {
			t.Errorf("path %s is not described", path)
		}
	}
	for reason := range reasonMessages {
		if !strings.Contains(text, "- "+string(reason)+"\n") {
			t.Errorf("reason %s is not in the Reason enum", reason)
		}
	}
	for _, p := range Catalogue() {
		if !strings.Contains(text, p.ID) {
			t.Errorf("procedure %s is not mentioned", p.ID)
		}
	}
}

func TestEachLevelAcceptsTheRightKindOfUser(t *testing.T) {
	e := newSvcEnv(t)
	c := e.creds
	resident := e.residentToken(c.resident)
	compID, compPW := e.account(c.corporate, submit.UserCompany)
	_ = compPW
	ch := e.challenge()
	r := e.postJSON("/sessions/certificate", submit.CertificateLogin{Challenge: ch, Signature: detachedSignature(t, c.corporate, []byte(ch))}, "")
	if r.status != http.StatusCreated {
		t.Fatalf("certificate login: %d %s", r.status, r.body)
	}
	var company submit.Session
	r.decode(t, &company)
	if company.AccountID != compID {
		t.Fatalf("certificate login gave account %s, want %s", company.AccountID, compID)
	}
	tests := []struct {
		name, proc, token, contentType string
		body                           []byte
		wantInquiry                    bool
	}{
		{"an anonymous resident files bulky waste collection without login or signature",
			ProcBulkyWaste, "", submit.MediaJSON, mustJSON(t, sampleForm(ProcBulkyWaste, nil)), true},
		{"a logged-in resident files a dog registration change unsigned",
			ProcDogRegistration, resident, submit.MediaJSON, mustJSON(t, sampleForm(ProcDogRegistration, nil)), false},
		{"a resident files a move-out notification signed with the JPKI certificate and no login",
			ProcMoveOut, "", submit.MediaASiCE, makePackage(t, c.resident, sampleForm(ProcMoveOut, nil), []byte("本人確認")), true},
		{"a logged-in resident files a child allowance claim signed by herself",
			ProcChildAllowance, resident, submit.MediaASiCE, makePackage(t, c.resident, sampleForm(ProcChildAllowance, nil)), false},
		{"a company logged in by certificate files a bidding qualification signed with its registry .p12",
			ProcBidQualification, company.Token, submit.MediaASiCE, makePackageWith(t, p12Credential(t, c.corporate), sampleForm(ProcBidQualification, nil)), false},
		{"an idpw procedure also takes a signed package",
			ProcDogRegistration, resident, submit.MediaASiCE, makePackage(t, c.resident, sampleForm(ProcDogRegistration, nil)), false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := e.submitApp(tt.proc, newKey(), tt.token, tt.contentType, tt.body)
			if r.status != http.StatusCreated {
				t.Fatalf("status %d: %s", r.status, r.body)
			}
			var rec submit.Receipt
			r.decode(t, &rec)
			if !arrivalPattern.MatchString(rec.ArrivalNumber) || rec.Procedure != tt.proc || rec.Status != submit.StatusReceived {
				t.Errorf("receipt %+v", rec)
			}
			if (rec.InquiryNumber != "") != tt.wantInquiry {
				t.Errorf("inquiry number %q, want one: %v", rec.InquiryNumber, tt.wantInquiry)
			}
			if rec.ReceivedAt.IsZero() || len(rec.PackageSHA256) != 64 {
				t.Errorf("receipt %+v", rec)
			}
		})
	}
	if n := len(e.stored()); n != len(tests) {
		t.Errorf("%d applications stored, want %d", n, len(tests))
	}
}

func TestSubmissionsAreRefusedForTheRightReason(t *testing.T) {
	e := newSvcEnv(t)
	c := e.creds
	resident := e.residentToken(c.resident)
	e.account(c.other, submit.UserResident)
	company := e.login(e.account(c.corporate, submit.UserCompany))

	// A second resident whose certificate the test revokes, holds or
	// leaves unknown: all the same person as c.resident, for identity.
	revoked := reissue(t, c.pki.JPKISign, c.resident)
	held := reissue(t, c.pki.JPKISign, c.resident)
	unknown := reissue(t, c.pki.JPKISign, c.resident)
	e.record(c.pki.JPKISign, revoked, held)
	if err := e.reg.Revoke(c.pki.JPKISign, revoked.Cert.SerialNumber, pki.ReasonAffiliationChanged, time.Now().Add(-time.Hour)); err != nil {
		t.Fatal(err)
	}
	if err := e.reg.Hold(c.pki.JPKISign, held.Cert.SerialNumber, time.Now().Add(-time.Hour)); err != nil {
		t.Fatal(err)
	}

	movedForm := sampleForm(ProcMoveOut, nil)
	movedForm.Applicant = residentApplicant()
	movedForm.Applicant["address"] = "東京都千代田区霞が関3-1-1"
	good := makePackage(t, c.resident, sampleForm(ProcMoveOut, nil))
	tampered := tamper(t, good)
	otherProc := sampleForm(ProcMoveOut, nil)
	otherProc.Procedure = ProcChildAllowance
	missing := sampleForm(ProcMoveOut, nil)
	delete(missing.Fields, "move_date")
	badChoice := sampleForm(ProcMoveOut, nil)
	badChoice.Fields["my_number_card"] = "わからない"
	tooMany := makePackage(t, c.resident, sampleForm(ProcBulkyWaste, nil), []byte("1"), []byte("2"), []byte("3"))

	tests := []struct {
		name, proc, token, contentType string
		body                           []byte
		status                         int
		reason                         submit.Reason
		detail                         string
	}{
		{"an idpw procedure without login", ProcDogRegistration, "", submit.MediaJSON,
			mustJSON(t, sampleForm(ProcDogRegistration, nil)), 401, submit.ReasonLoginRequired, ""},
		{"an idpw+signature procedure without login", ProcChildAllowance, "", submit.MediaASiCE,
			makePackage(t, c.resident, sampleForm(ProcChildAllowance, nil)), 401, submit.ReasonLoginRequired, ""},
		{"an expired or unknown session", ProcDogRegistration, "not-a-session-token", submit.MediaJSON,
			mustJSON(t, sampleForm(ProcDogRegistration, nil)), 401, submit.ReasonLoginRequired, "session"},
		{"a signature procedure sent unsigned", ProcMoveOut, "", submit.MediaJSON,
			mustJSON(t, sampleForm(ProcMoveOut, nil)), 422, submit.ReasonSignatureRequired, ""},
		{"an idpw+signature procedure sent unsigned after login", ProcChildAllowance, resident, submit.MediaJSON,
			mustJSON(t, sampleForm(ProcChildAllowance, nil)), 422, submit.ReasonSignatureRequired, ""},
		{"a no-proxy procedure signed by someone other than the account holder", ProcChildAllowance, resident, submit.MediaASiCE,
			makePackage(t, c.other, sampleForm(ProcChildAllowance, otherApplicant())), 403, submit.ReasonSignerNotHolder, ""},
		{"a revoked certificate", ProcMoveOut, "", submit.MediaASiCE,
			makePackage(t, revoked, sampleForm(ProcMoveOut, nil)), 422, submit.ReasonCertificateRevoked, "revoked"},
		{"a suspended certificate", ProcMoveOut, "", submit.MediaASiCE,
			makePackage(t, held, sampleForm(ProcMoveOut, nil)), 422, submit.ReasonCertificateRevoked, "on-hold"},
		{"a certificate the registry does not know (hard fail)", ProcMoveOut, "", submit.MediaASiCE,
			makePackage(t, unknown, sampleForm(ProcMoveOut, nil)), 422, submit.ReasonCertificateUnknown, ""},
		{"an expired certificate", ProcMoveOut, "", submit.MediaASiCE,
			makePackage(t, c.expired, sampleForm(ProcMoveOut, nil)), 422, submit.ReasonCertificateExpired, ""},
		{"a certificate from an untrusted CA", ProcMoveOut, "", submit.MediaASiCE,
			makePackage(t, c.private, sampleForm(ProcMoveOut, nil)), 422, submit.ReasonCertificateUntrusted, ""},
		{"an address that differs from the certificate", ProcMoveOut, "", submit.MediaASiCE,
			makePackage(t, c.resident, movedForm), 422, submit.ReasonIdentityMismatch, "applicant: address"},
		{"a package altered after signing", ProcMoveOut, "", submit.MediaASiCE,
			tampered, 422, submit.ReasonSignatureInvalid, "file-digest-mismatch"},
		{"an unknown procedure", "no-such-procedure", "", submit.MediaASiCE,
			good, 404, submit.ReasonUnknownProcedure, ""},
		{"a resident procedure signed with a company certificate", ProcMoveOut, "", submit.MediaASiCE,
			makePackage(t, c.corporate, sampleForm(ProcMoveOut, nil)), 422, submit.ReasonWrongCertificateType, ""},
		{"a company procedure signed with a JPKI certificate", ProcBidQualification, company, submit.MediaASiCE,
			makePackage(t, c.resident, sampleForm(ProcBidQualification, nil)), 422, submit.ReasonWrongCertificateType, ""},
		{"a company session on a residents' procedure", ProcDogRegistration, company, submit.MediaJSON,
			mustJSON(t, sampleForm(ProcDogRegistration, nil)), 403, submit.ReasonLoginRequired, "account"},
		{"a form for another procedure", ProcMoveOut, "", submit.MediaASiCE,
			makePackage(t, c.resident, otherProc), 422, submit.ReasonFormInvalid, "procedure"},
		{"a form without a required field", ProcMoveOut, "", submit.MediaASiCE,
			makePackage(t, c.resident, missing), 422, submit.ReasonFormInvalid, "fields.move_date: required"},
		{"a form with a choice not offered", ProcMoveOut, "", submit.MediaASiCE,
			makePackage(t, c.resident, badChoice), 422, submit.ReasonFormInvalid, "fields.my_number_card"},
		{"an unsigned form that is not JSON", ProcBulkyWaste, "", submit.MediaJSON,
			[]byte(`{"procedure": "bulky-waste-collection", "applicant": {`), 400, submit.ReasonBadRequest, "JSON"},
		{"more attachments than the procedure takes", ProcBulkyWaste, "", submit.MediaASiCE,
			tooMany, 422, submit.ReasonFormInvalid, "attachments"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := e.submitApp(tt.proc, newKey(), tt.token, tt.contentType, tt.body)
			p := r.problem(t)
			t.Logf("%d %s (%s)", r.status, p.Reason, p.Detail)
			if r.status != tt.status || p.Reason != tt.reason || !strings.Contains(p.Detail, tt.detail) {
				t.Fatalf("got %d %s (%s), want %d %s (%s)", r.status, p.Reason, p.Detail, tt.status, tt.reason, tt.detail)
			}
			for _, secret := range []string{"霞が関", "花子", "次郎", "1985", "0100-01-999999"} {
				if strings.Contains(string(r.body), secret) {
					t.Errorf("the refusal shows personal data %q: %s", secret, r.body)
				}
			}
		})
	}
	if recs := e.stored(); len(recs) != 0 {
		t.Errorf("refused submissions left %d applications", len(recs))
	}
	if files := e.packageFiles(); len(files) != 0 {
		t.Errorf("refused submissions left files: %v", files)
	}
}

func TestTheIdentityMismatchNamesTheFieldsInJapanese(t *testing.T) {
	e := newSvcEnv(t)
	form := sampleForm(ProcMoveOut, nil)
	form.Applicant["birth_date"] = "1985-04-16"
	form.Applicant["address"] = "東京都港区芝公園4-2-8"
	r := e.submitApp(ProcMoveOut, newKey(), "", submit.MediaASiCE, makePackage(t, e.creds.resident, form))
	p := r.problem(t)
	if p.Detail != "applicant: birth_date,address" || !strings.Contains(p.MessageJA, "「生年月日」「住所」") ||
		!strings.Contains(p.MessageEN, "date of birth, address") || strings.Contains(string(r.body), "芝公園") {
		t.Errorf("%+v", p)
	}
}

// tamper changes the move date in a package's form in place and fixes
// the ZIP CRCs, so that only the signature's manifest can tell.
func tamper(t *testing.T, pkg []byte) []byte {
	t.Helper()
	zr, err := zip.NewReader(bytes.NewReader(pkg), int64(len(pkg)))
	if err != nil {
		t.Fatal(err)
	}
	var form *zip.File
	for _, f := range zr.File {
		if f.Name == "form.json" {
			form = f
		}
	}
	out := bytes.Clone(pkg)
	if form == nil || bytes.Count(out, []byte("2026-06-30")) != 1 {
		t.Fatal("no form with the move date")
	}
	out = bytes.Replace(out, []byte("2026-06-30"), []byte("2026-07-31"), 1)
	off, err := form.DataOffset()
	if err != nil {
		t.Fatal(err)
	}
	oldCRC := binary.LittleEndian.AppendUint32(nil, form.CRC32)
	newCRC := binary.LittleEndian.AppendUint32(nil, crc32.ChecksumIEEE(out[off:off+int64(form.UncompressedSize64)]))
	if bytes.Count(out, oldCRC) != 2 {
		t.Fatal("the form's CRC is not found exactly twice")
	}
	return bytes.ReplaceAll(out, oldCRC, newCRC)
}

func TestRegistrationBySignedRequestIssuesAnIDAndPassword(t *testing.T) {
	e := newSvcEnv(t)
	c := e.creds

	t.Run("a resident without a password gets an initial one shown once", func(t *testing.T) {
		r := e.register(c.other, submit.UserResident, "")
		var a submit.Account
		r.decode(t, &a)
		if r.status != http.StatusCreated || !strings.HasPrefix(a.AccountID, "R") || len(a.InitialPassword) < 12 || a.UserType != submit.UserResident {
			t.Fatalf("%d %+v", r.status, a)
		}
		e.login(a.AccountID, a.InitialPassword)
	})
	t.Run("a company chooses its password", func(t *testing.T) {
		r := e.register(c.corporate, submit.UserCompany, "company password 2026")
		var a submit.Account
		r.decode(t, &a)
		if r.status != http.StatusCreated || !strings.HasPrefix(a.AccountID, "C") || a.InitialPassword != "" {
			t.Fatalf("%d %+v", r.status, a)
		}
		e.login(a.AccountID, "company password 2026")
	})
	t.Run("registering again with the same identity without asking to reset changes nothing", func(t *testing.T) {
		id, old := e.account(c.resident, submit.UserResident)
		token := e.login(id, old)
		r := e.register(c.resident, submit.UserResident, "a brand new password")
		if p := r.problem(t); r.status != http.StatusConflict || p.Reason != submit.ReasonAccountExists || p.Detail != id {
			t.Fatalf("%d %s, want 409 account-exists naming %s", r.status, r.body, id)
		}
		e.login(id, old)
		if r := e.do(testRequest{method: http.MethodGet, path: "/applications/2026-000001", token: token}); r.status == http.StatusUnauthorized {
			t.Errorf("the session ended though nothing was reset: %s", r.body)
		}
	})
	t.Run("registering again with the same identity, asking to reset, resets the same account", func(t *testing.T) {
		id, old := e.account(c.resident, submit.UserResident)
		token := e.login(id, old)
		r := e.registerReset(c.resident, submit.UserResident, "a brand new password", true)
		var a submit.Account
		r.decode(t, &a)
		if r.status != http.StatusOK || a.AccountID != id {
			t.Fatalf("%d %+v, want 200 and %s", r.status, a, id)
		}
		if r := e.postJSON("/sessions", submit.Login{AccountID: id, Password: old}, ""); r.status != http.StatusUnauthorized {
			t.Errorf("the old password still works: %d", r.status)
		}
		if r := e.do(testRequest{method: http.MethodGet, path: "/applications/2026-000001", token: token}); r.problem(t).Reason != submit.ReasonLoginRequired {
			t.Errorf("the old session survived the reset: %s", r.body)
		}
		e.login(id, "a brand new password")
	})
	t.Run("the account holds the certificate's identity, never the password", func(t *testing.T) {
		id, pw := e.account(c.resident, submit.UserResident)
		a, err := e.svc.store.account(context.Background(), id)
		if err != nil {
			t.Fatal(err)
		}
		want := personRecord{Name: "高橋　花子", NameFlags: "10000", BirthDate: "1985-04-15", Sex: "2", Address: "東京都千代田区霞が関二丁目１番２号"}
		if a.Person != want || !strings.HasPrefix(a.PasswordHash, "$argon2id$v=19$m=19456,t=2,p=1$") {
			t.Errorf("stored %+v / %s", a.Person, a.PasswordHash[:30])
		}
		if fmt.Sprintf("%v %+v", a, a) != "service.account{redacted} service.account{redacted}" {
			t.Error("an account prints its fields")
		}
		for _, f := range []string{e.dbPath, e.dbPath + "-wal"} {
			data, _ := os.ReadFile(f)
			if bytes.Contains(data, []byte(pw)) {
				t.Errorf("%s holds the password in clear", f)
			}
		}
	})

	refusals := []struct {
		name   string
		send   func() response
		status int
		reason submit.Reason
	}{
		{"a challenge used twice", func() response {
			reg := submit.Registration{Type: "registration", Challenge: e.challenge(), UserType: submit.UserResident}
			pkg := makePackage(t, c.resident, reg)
			e.do(testRequest{method: http.MethodPost, path: "/accounts", contentType: submit.MediaASiCE, body: pkg})
			return e.do(testRequest{method: http.MethodPost, path: "/accounts", contentType: submit.MediaASiCE, body: pkg})
		}, 400, submit.ReasonChallengeInvalid},
		{"a challenge that expired", func() response {
			reg := submit.Registration{Type: "registration", Challenge: e.challenge(), UserType: submit.UserResident}
			pkg := makePackage(t, c.resident, reg)
			e.clock.advance(6 * time.Minute)
			defer e.clock.advance(-6 * time.Minute)
			return e.do(testRequest{method: http.MethodPost, path: "/accounts", contentType: submit.MediaASiCE, body: pkg})
		}, 400, submit.ReasonChallengeInvalid},
		{"a challenge never issued", func() response {
			reg := submit.Registration{Type: "registration", Challenge: "made-up", UserType: submit.UserResident}
			return e.do(testRequest{method: http.MethodPost, path: "/accounts", contentType: submit.MediaASiCE, body: makePackage(t, c.resident, reg)})
		}, 400, submit.ReasonChallengeInvalid},
		{"a password shorter than 12 characters", func() response {
			return e.register(c.resident, submit.UserResident, "short")
		}, 422, submit.ReasonFormInvalid},
		{"a JPKI certificate registering a company", func() response {
			return e.register(c.resident, submit.UserCompany, "")
		}, 422, submit.ReasonWrongCertificateType},
		{"an untrusted certificate", func() response {
			return e.register(c.private, submit.UserResident, "")
		}, 422, submit.ReasonCertificateUntrusted},
		{"an unsigned request", func() response {
			return e.postJSON("/accounts", submit.Registration{Type: "registration", Challenge: e.challenge(), UserType: submit.UserResident}, "")
		}, 415, submit.ReasonUnsupportedMedia},
	}
	for _, tt := range refusals {
		t.Run("refuses "+tt.name, func(t *testing.T) {
			r := tt.send()
			if p := r.problem(t); r.status != tt.status || p.Reason != tt.reason {
				t.Errorf("got %d %s (%s), want %d %s", r.status, p.Reason, p.Detail, tt.status, tt.reason)
			}
		})
	}
	t.Run("refuses a revoked certificate", func(t *testing.T) {
		if err := e.reg.Revoke(c.pki.JPKISign, c.other.Cert.SerialNumber, pki.ReasonKeyCompromise, time.Now()); err != nil {
			t.Fatal(err)
		}
		r := e.register(c.other, submit.UserResident, "")
		if p := r.problem(t); p.Reason != submit.ReasonCertificateRevoked {
			t.Errorf("got %s", p.Reason)
		}
	})
}

func TestLoginIsThrottledPerClientAddress(t *testing.T) {
	t.Run("failures", func(t *testing.T) {
		e := newSvcEnv(t, func(c *Config) { c.Limits.IPFailures = 3 })
		id, pw := e.account(e.creds.resident, submit.UserResident)
		for i := range 3 {
			r := e.postJSON("/sessions", submit.Login{AccountID: fmt.Sprintf("R%010d", i), Password: "guessing guessing"}, "")
			if r.status != 401 {
				t.Fatalf("guess %d: %d %s", i, r.status, r.body)
			}
		}
		r := e.postJSON("/sessions", submit.Login{AccountID: id, Password: pw}, "")
		if p := r.problem(t); r.status != 429 || p.Reason != submit.ReasonRateLimited || r.header.Get("Retry-After") == "" {
			t.Fatalf("after the failures: %d %s", r.status, p.Reason)
		}
		e.clock.advance(15 * time.Minute)
		e.login(id, pw)
	})
	t.Run("requests", func(t *testing.T) {
		e := newSvcEnv(t, func(c *Config) { c.Limits.IPRequests = 4 })
		for range 4 {
			e.challenge()
		}
		r := e.do(testRequest{method: http.MethodPost, path: "/challenges"})
		if p := r.problem(t); r.status != 429 || p.Reason != submit.ReasonRateLimited || r.header.Get("Retry-After") == "" {
			t.Fatalf("%d %s", r.status, p.Reason)
		}
	})
}

func TestCertificateLoginByARegisteredCompany(t *testing.T) {
	e := newSvcEnv(t)
	c := e.creds
	login := func(cred *pki.Credential, content func(ch string) []byte) response {
		ch := e.challenge()
		return e.postJSON("/sessions/certificate", submit.CertificateLogin{Challenge: ch, Signature: detachedSignature(t, cred, content(ch))}, "")
	}
	asText := func(ch string) []byte { return []byte(ch) }

	if r := login(c.corporate, asText); r.problem(t).Reason != submit.ReasonInvalidCredentials || r.status != 401 {
		t.Fatalf("before registration: %d %s", r.status, r.body)
	}
	id, _ := e.account(c.corporate, submit.UserCompany)
	r := login(c.corporate, asText)
	var s submit.Session
	r.decode(t, &s)
	if r.status != http.StatusCreated || s.AccountID != id || s.Token == "" || !s.ExpiresAt.After(time.Now()) {
		t.Fatalf("%d %+v", r.status, s)
	}
	if r := e.submitApp(ProcBidQualification, newKey(), s.Token, submit.MediaASiCE,
		makePackage(t, c.corporate, sampleForm(ProcBidQualification, nil))); r.status != http.StatusCreated {
		t.Fatalf("submission after certificate login: %d %s", r.status, r.body)
	}

	t.Run("a challenge is single use", func(t *testing.T) {
		ch := e.challenge()
		body := submit.CertificateLogin{Challenge: ch, Signature: detachedSignature(t, c.corporate, []byte(ch))}
		e.postJSON("/sessions/certificate", body, "")
		if r := e.postJSON("/sessions/certificate", body, ""); r.problem(t).Reason != submit.ReasonChallengeInvalid {
			t.Errorf("%d %s", r.status, r.body)
		}
	})
	t.Run("a signature over other content is refused", func(t *testing.T) {
		r := login(c.corporate, func(string) []byte { return []byte("something else") })
		if p := r.problem(t); p.Reason != submit.ReasonSignatureInvalid {
			t.Errorf("%d %s", r.status, p.Reason)
		}
	})
	t.Run("a JPKI certificate is the wrong kind", func(t *testing.T) {
		if p := login(c.resident, asText).problem(t); p.Reason != submit.ReasonWrongCertificateType {
			t.Errorf("%s", p.Reason)
		}
	})
	t.Run("a suspended registry certificate is refused", func(t *testing.T) {
		if err := e.reg.Hold(c.pki.Registrar, c.corporate.Cert.SerialNumber, time.Now()); err != nil {
			t.Fatal(err)
		}
		defer e.reg.Release(c.pki.Registrar, c.corporate.Cert.SerialNumber)
		if p := login(c.corporate, asText).problem(t); p.Reason != submit.ReasonCertificateRevoked {
			t.Errorf("%s", p.Reason)
		}
	})
	t.Run("garbage instead of a signature is a bad request", func(t *testing.T) {
		r := e.postJSON("/sessions/certificate", submit.CertificateLogin{Challenge: e.challenge(), Signature: []byte("garbage")}, "")
		if p := r.problem(t); r.status != 400 || p.Reason != submit.ReasonBadRequest {
			t.Errorf("%d %s", r.status, p.Reason)
		}
	})
}

func TestLogoutEndsTheSession(t *testing.T) {
	e := newSvcEnv(t)
	token := e.residentToken(e.creds.resident)
	if r := e.do(testRequest{method: http.MethodDelete, path: "/sessions/current", token: token}); r.status != http.StatusNoContent {
		t.Fatalf("%d %s", r.status, r.body)
	}
	for _, tok := range []string{token, ""} {
		r := e.do(testRequest{method: http.MethodDelete, path: "/sessions/current", token: tok})
		if p := r.problem(t); r.status != 401 || p.Reason != submit.ReasonLoginRequired {
			t.Errorf("token %q: %d %s", tok, r.status, p.Reason)
		}
	}
	if r := e.submitApp(ProcDogRegistration, newKey(), token, submit.MediaJSON, mustJSON(t, sampleForm(ProcDogRegistration, nil))); r.status != 401 {
		t.Errorf("a submission with the ended session: %d", r.status)
	}
}

func TestTheSameIdempotencyKeyStoresOneApplication(t *testing.T) {
	e := newSvcEnv(t)
	pkg := makePackage(t, e.creds.resident, sampleForm(ProcMoveOut, nil))
	key := newKey()
	first := e.submitApp(ProcMoveOut, key, "", submit.MediaASiCE, pkg)
	again := e.submitApp(ProcMoveOut, key, "", submit.MediaASiCE, pkg)
	if first.status != http.StatusCreated || again.status != http.StatusOK || !bytes.Equal(first.body, again.body) {
		t.Fatalf("first %d %s\nagain %d %s", first.status, first.body, again.status, again.body)
	}
	other := makePackage(t, e.creds.resident, sampleForm(ProcMoveOut, nil), []byte("another attachment"))
	r := e.submitApp(ProcMoveOut, key, "", submit.MediaASiCE, other)
	if p := r.problem(t); r.status != http.StatusConflict || p.Reason != submit.ReasonIdempotencyConflict {
		t.Fatalf("same key, other body: %d %s", r.status, p.Reason)
	}
	if n := len(e.stored()); n != 1 {
		t.Fatalf("%d applications stored, want 1", n)
	}

	t.Run("concurrent duplicates store one row", func(t *testing.T) {
		key := newKey()
		body := mustJSON(t, sampleForm(ProcBulkyWaste, nil))
		const n = 12
		statuses := make([]int, n)
		bodies := make([][]byte, n)
		var wg sync.WaitGroup
		start := make(chan struct{})
		for i := range n {
			wg.Go(func() {
				<-start
				r := e.submitApp(ProcBulkyWaste, key, "", submit.MediaJSON, body)
				statuses[i], bodies[i] = r.status, r.body
			})
		}
		close(start)
		wg.Wait()
		created := 0
		for i, s := range statuses {
			switch s {
			case http.StatusCreated:
				created++
			case http.StatusOK:
			default:
				t.Errorf("request %d: %d %s", i, s, bodies[i])
			}
			if !bytes.Equal(bodies[i], bodies[0]) {
				t.Errorf("request %d got another receipt: %s", i, bodies[i])
			}
		}
		if created != 1 {
			t.Errorf("%d requests created an application, want 1", created)
		}
		if n := len(e.stored()); n != 2 {
			t.Errorf("%d applications stored, want 2", n)
		}
	})
	t.Run("another key for the same unsigned form is another application", func(t *testing.T) {
		// A signed package is recognised by its signature (replay_test.go);
		// an unsigned form has none, and two equal forms are two filings.
		form := mustJSON(t, sampleForm(ProcBulkyWaste, nil))
		r1 := e.submitApp(ProcBulkyWaste, newKey(), "", submit.MediaJSON, form)
		r2 := e.submitApp(ProcBulkyWaste, newKey(), "", submit.MediaJSON, form)
		var a, b submit.Receipt
		r1.decode(t, &a)
		r2.decode(t, &b)
		if r1.status != http.StatusCreated || r2.status != http.StatusCreated || a.ArrivalNumber == b.ArrivalNumber {
			t.Errorf("%d %s\n%d %s", r1.status, r1.body, r2.status, r2.body)
		}
	})
	t.Run("keys are per account", func(t *testing.T) {
		token := e.residentToken(e.creds.resident)
		form := mustJSON(t, sampleForm(ProcDogRegistration, nil))
		r1 := e.submitApp(ProcDogRegistration, key, token, submit.MediaJSON, form)
		if r1.status != http.StatusCreated {
			t.Errorf("the anonymous key blocked the account's: %d %s", r1.status, r1.body)
		}
	})
}

func TestStatusInquiryAndSignedNotices(t *testing.T) {
	e := newSvcEnv(t, func(c *Config) { c.AdminAddr = "127.0.0.1:0" })
	r := e.submitApp(ProcBulkyWaste, newKey(), "", submit.MediaJSON, mustJSON(t, sampleForm(ProcBulkyWaste, nil)))
	var anon submit.Receipt
	r.decode(t, &anon)
	token := e.residentToken(e.creds.resident)
	r = e.submitApp(ProcChildAllowance, newKey(), token, submit.MediaASiCE, makePackage(t, e.creds.resident, sampleForm(ProcChildAllowance, nil)))
	var owned submit.Receipt
	r.decode(t, &owned)
	stranger := e.residentToken(e.creds.other)

	get := func(arrival, token, inquiry string) response {
		h := map[string]string{}
		if inquiry != "" {
			h[submit.HeaderInquiry] = inquiry
		}
		return e.do(testRequest{method: http.MethodGet, path: "/applications/" + arrival, token: token, header: h})
	}
	tests := []struct {
		name, arrival, token, inquiry string
		status                        int
		reason                        submit.Reason
	}{
		{"the anonymous applicant with the inquiry number", anon.ArrivalNumber, "", anon.InquiryNumber, 200, ""},
		{"the inquiry number typed without hyphens", anon.ArrivalNumber, "", strings.ReplaceAll(anon.InquiryNumber, "-", ""), 200, ""},
		{"a wrong inquiry number", anon.ArrivalNumber, "", "0000-0000-0000", 404, submit.ReasonNotFound},
		{"neither a session nor an inquiry number", anon.ArrivalNumber, "", "", 401, submit.ReasonLoginRequired},
		{"the owner's session", owned.ArrivalNumber, token, "", 200, ""},
		{"another account's session", owned.ArrivalNumber, stranger, "", 404, submit.ReasonNotFound},
		{"an inquiry number for an application filed with a session", owned.ArrivalNumber, "", anon.InquiryNumber, 404, submit.ReasonNotFound},
		{"an arrival number that does not exist", "2026-999999", token, "", 404, submit.ReasonNotFound},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := get(tt.arrival, tt.token, tt.inquiry)
			if r.status != tt.status {
				t.Fatalf("%d %s", r.status, r.body)
			}
			if tt.reason != "" {
				if p := r.problem(t); p.Reason != tt.reason {
					t.Fatalf("%s", p.Reason)
				}
				return
			}
			var st submit.ApplicationStatus
			r.decode(t, &st)
			if st.ArrivalNumber != tt.arrival || st.Status != submit.StatusReceived {
				t.Errorf("%+v", st)
			}
		})
	}

	adv := SandboxAdvance{Status: submit.StatusCompleted, Notice: &SandboxNotice{TitleJA: "児童手当認定通知書", TitleEN: "Notice of child allowance", BodyJA: "認定しました。"}}
	r = e.do(testRequest{method: http.MethodPost, path: "/sandbox/applications/" + owned.ArrivalNumber + "/status",
		contentType: submit.MediaJSON, body: mustJSON(t, adv), token: e.svc.AdminToken()})
	if r.status != http.StatusOK {
		t.Fatalf("advance: %d %s", r.status, r.body)
	}
	r = get(owned.ArrivalNumber, token, "")
	var st submit.ApplicationStatus
	r.decode(t, &st)
	if st.Status != submit.StatusCompleted || len(st.Notices) != 1 || st.Notices[0].TitleJA != "児童手当認定通知書" {
		t.Fatalf("%+v", st)
	}
	noticePath := "/notices/" + st.Notices[0].ID
	if r := e.do(testRequest{method: http.MethodGet, path: noticePath, token: stranger}); r.status != 404 {
		t.Errorf("a stranger got the notice: %d", r.status)
	}
	if r := e.do(testRequest{method: http.MethodGet, path: "/notices/Nnosuchnotice", token: token}); r.status != 404 {
		t.Errorf("a missing notice: %d", r.status)
	}
	r = e.do(testRequest{method: http.MethodGet, path: noticePath, token: token})
	if r.status != 200 || r.header.Get("Content-Type") != submit.MediaASiCE {
		t.Fatalf("notice: %d %s", r.status, r.header.Get("Content-Type"))
	}
	path := fsxtest.TempDir(t) + "/notice.asice"
	if err := os.WriteFile(path, r.body, 0o600); err != nil {
		t.Fatal(err)
	}
	rep, err := signer.Verify(context.Background(), path, signer.VerifyOptions{Roots: []*x509.Certificate{e.creds.pki.LGPKIRoot.Cert}})
	if err != nil {
		t.Fatal(err)
	}
	if !rep.OK() || rep.Signer.Subject.CommonName != "千代田区長" || certcheck.DomainOf(rep.Chain[len(rep.Chain)-1]) != certcheck.DomainLGPKI {
		t.Errorf("notice verification: %+v", rep)
	}

	bad := e.do(testRequest{method: http.MethodPost, path: "/sandbox/applications/" + owned.ArrivalNumber + "/status",
		contentType: submit.MediaJSON, body: []byte(`{"status": "lost"}`), token: e.svc.AdminToken()})
	if p := bad.problem(t); bad.status != 400 || p.Detail != "status" {
		t.Errorf("a made-up status: %d %s", bad.status, p.Detail)
	}
}

func TestBadInputGetsAReasonAndNothingIsStored(t *testing.T) {
	e := newSvcEnv(t, func(c *Config) { c.Limits.MaxPackageBytes = 256 << 10 })
	c := e.creds
	good := makePackage(t, c.resident, sampleForm(ProcMoveOut, nil))
	big := makePackage(t, c.resident, sampleForm(ProcMoveOut, nil), bytes.Repeat([]byte("x"), 300<<10))
	post := func(path, ct string, body []byte, h map[string]string) response {
		return e.do(testRequest{method: http.MethodPost, path: path, contentType: ct, body: body, header: h})
	}
	key := map[string]string{submit.HeaderIdemKey: "bad-input-key-0001"}
	apps := "/procedures/" + ProcMoveOut + "/applications"
	tests := []struct {
		name   string
		send   func() response
		status int
		reason submit.Reason
		detail string
	}{
		{"malformed JSON", func() response { return post("/sessions", submit.MediaJSON, []byte(`{"account_id": "R1",`), nil) },
			400, submit.ReasonBadRequest, "JSON"},
		{"a field of the wrong type", func() response {
			return post("/sessions", submit.MediaJSON, []byte(`{"account_id": "R1", "password": 12}`), nil)
		}, 400, submit.ReasonBadRequest, "password: wrong type"},
		{"an unknown field", func() response {
			return post("/sessions", submit.MediaJSON, []byte(`{"account_id": "R1", "password": "x", "admin": true}`), nil)
		}, 400, submit.ReasonBadRequest, "unknown field admin"},
		{"a missing field", func() response { return post("/sessions", submit.MediaJSON, []byte(`{"account_id": "R1"}`), nil) },
			400, submit.ReasonBadRequest, "password: required"},
		{"two JSON values", func() response {
			return post("/sessions", submit.MediaJSON, []byte(`{"account_id": "R1", "password": "x"} {}`), nil)
		}, 400, submit.ReasonBadRequest, "after"},
		{"a JSON body over 1 MiB", func() response {
			return post("/sessions", submit.MediaJSON, append([]byte(`{"account_id": "`), bytes.Repeat([]byte("a"), 2<<20)...), nil)
		}, 413, submit.ReasonTooLarge, ""},
		{"a package over the limit", func() response { return post(apps, submit.MediaASiCE, big, key) },
			413, submit.ReasonTooLarge, ""},
		{"a zip bomb", func() response { return post(apps, submit.MediaASiCE, zipBomb(t), key) },
			400, submit.ReasonBadRequest, "package"},
		{"bytes that are not a ZIP", func() response { return post(apps, submit.MediaASiCE, []byte("PK\x03\x04 not really"), key) },
			400, submit.ReasonBadRequest, "package"},
		{"an empty package", func() response { return post(apps, submit.MediaASiCE, nil, key) },
			400, submit.ReasonBadRequest, "empty"},
		{"a package sent as text/plain", func() response { return post(apps, "text/plain", good, key) },
			415, submit.ReasonUnsupportedMedia, ""},
		{"a package without Content-Type", func() response { return post(apps, "", good, key) },
			415, submit.ReasonUnsupportedMedia, ""},
		{"JSON in another charset", func() response {
			return post("/sessions", "application/json; charset=shift_jis", []byte(`{}`), nil)
		}, 415, submit.ReasonUnsupportedMedia, "charset"},
		{"a submission without Idempotency-Key", func() response { return post(apps, submit.MediaASiCE, good, nil) },
			400, submit.ReasonBadRequest, submit.HeaderIdemKey},
		{"an Idempotency-Key too short", func() response {
			return post(apps, submit.MediaASiCE, good, map[string]string{submit.HeaderIdemKey: "short"})
		}, 400, submit.ReasonBadRequest, submit.HeaderIdemKey},
		{"an Idempotency-Key with odd characters", func() response {
			return post(apps, submit.MediaASiCE, good, map[string]string{submit.HeaderIdemKey: "0123456789abcdef/../"})
		}, 400, submit.ReasonBadRequest, submit.HeaderIdemKey},
		{"a method the endpoint does not take", func() response { return e.do(testRequest{method: http.MethodPut, path: "/procedures"}) },
			405, submit.ReasonBadRequest, "method"},
		{"a path that does not exist", func() response { return e.do(testRequest{method: http.MethodGet, path: "/nothing/here"}) },
			404, submit.ReasonNotFound, ""},
		{"a certificate that is not DER", func() response {
			return post("/validation", submit.MediaJSON, mustJSON(t, submit.ValidationRequest{Certificate: []byte("nope")}), nil)
		}, 400, submit.ReasonBadRequest, "certificate"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := tt.send()
			p := r.problem(t)
			if r.status != tt.status || p.Reason != tt.reason || !strings.Contains(p.Detail, tt.detail) {
				t.Fatalf("got %d %s (%s), want %d %s (%s)", r.status, p.Reason, p.Detail, tt.status, tt.reason, tt.detail)
			}
		})
	}
	if recs := e.stored(); len(recs) != 0 {
		t.Errorf("%d applications stored", len(recs))
	}
	if files := e.packageFiles(); len(files) != 0 {
		t.Errorf("files left: %v", files)
	}
}

// zipBomb is an ASiC-E-looking ZIP whose form expands 1000:1 to 64 MiB.
func zipBomb(t *testing.T) []byte {
	t.Helper()
	var out bytes.Buffer
	zw := zip.NewWriter(&out)
	w, err := zw.CreateHeader(&zip.FileHeader{Name: "mimetype", Method: zip.Store})
	if err != nil {
		t.Fatal(err)
	}
	w.Write([]byte(submit.MediaASiCE))
	w, err = zw.CreateHeader(&zip.FileHeader{Name: "form.json", Method: zip.Deflate})
	if err != nil {
		t.Fatal(err)
	}
	zeros := make([]byte, 1<<20)
	for range 64 {
		w.Write(zeros)
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return out.Bytes()
}

func TestValidationAndOCSPAnswerAsTheRegisteredVerifier(t *testing.T) {
	e := newSvcEnv(t)
	c := e.creds
	if err := e.reg.Revoke(c.pki.Registrar, c.corporate.Cert.SerialNumber, pki.ReasonKeyCompromise, time.Now().Add(-time.Hour)); err != nil {
		t.Fatal(err)
	}
	unrecorded := reissue(t, c.pki.JPKISign, c.resident)
	tests := []struct {
		name   string
		cert   *x509.Certificate
		status string
		reason string
	}{
		{"a JPKI certificate in good standing", c.resident.Cert, "good", ""},
		{"a revoked registry certificate", c.corporate.Cert, "revoked", "keyCompromise"},
		{"a JPKI certificate the registry never saw", unrecorded.Cert, "unknown", ""},
		{"an expired certificate still has a revocation status", c.expired.Cert, "good", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := e.postJSON("/validation", submit.ValidationRequest{Certificate: tt.cert.Raw}, "")
			var v submit.Validation
			r.decode(t, &v)
			if r.status != 200 || v.Status != tt.status || v.Reason != tt.reason || v.CheckedAt.IsZero() {
				t.Errorf("%d %+v", r.status, v)
			}
		})
	}
	t.Run("a certificate from outside the sandbox is refused", func(t *testing.T) {
		r := e.postJSON("/validation", submit.ValidationRequest{Certificate: e.svc.ServerCert().Raw[:0:0]}, "")
		if r.status != 400 {
			t.Errorf("empty certificate: %d", r.status)
		}
		foreign := selfSigned(t)
		r = e.postJSON("/validation", submit.ValidationRequest{Certificate: foreign.Raw}, "")
		if p := r.problem(t); p.Reason != submit.ReasonCertificateUntrusted {
			t.Errorf("%s", p.Reason)
		}
	})
	t.Run("the OCSP endpoint answers as a VA that certcheck accepts", func(t *testing.T) {
		for _, nonce := range []bool{false, true} {
			src, err := certcheck.NewVASource(certcheck.VAOptions{URL: e.api + "/ocsp", Responder: e.svc.VACert(),
				OCSP: certcheck.OCSPOptions{FetchOptions: certcheck.FetchOptions{HTTPClient: e.client}, Nonce: nonce, Hash: 0}})
			if err != nil {
				t.Fatal(err)
			}
			for cert, want := range map[*x509.Certificate]certcheck.Status{c.resident.Cert: certcheck.StatusGood, c.corporate.Cert: certcheck.StatusRevoked} {
				issuer := c.pki.JPKISign.Cert
				if cert == c.corporate.Cert {
					issuer = c.pki.Registrar.Cert
				}
				rev, ok := src.Check(context.Background(), certcheck.Query{Cert: cert, Issuer: issuer, At: time.Now()})
				if !ok || rev.Status != want {
					t.Errorf("nonce %v: %v %+v, want %s", nonce, ok, rev, want)
				}
			}
		}
	})
}

func TestTheServiceSpeaksTLS12OrLaterWithAnLGPKICertificate(t *testing.T) {
	e := newSvcEnv(t)
	leaf := e.svc.ServerCert()
	if _, err := leaf.Verify(x509.VerifyOptions{Roots: pool(e.svc.CACert()), Intermediates: pool(e.creds.pki.LGPKIApp.Cert),
		DNSName: "127.0.0.1", KeyUsages: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth}}); err != nil {
		t.Errorf("server certificate: %v", err)
	}
	dial := func(cfg *tls.Config) error {
		conn, err := tls.Dial("tcp", strings.TrimPrefix(e.svc.URL(), "https://"), cfg)
		if err == nil {
			conn.Close()
		}
		return err
	}
	if err := dial(&tls.Config{RootCAs: pool(e.svc.CACert()), MaxVersion: tls.VersionTLS11, MinVersion: tls.VersionTLS10}); err == nil {
		t.Error("a TLS 1.1 handshake succeeded")
	}
	if err := dial(&tls.Config{RootCAs: pool(e.creds.pki.Private.Cert)}); err == nil {
		t.Error("a client trusting another CA connected")
	}
	if err := dial(&tls.Config{RootCAs: pool(e.svc.CACert()), MinVersion: tls.VersionTLS12, MaxVersion: tls.VersionTLS12}); err != nil {
		t.Errorf("TLS 1.2: %v", err)
	}
}

func selfSigned(t *testing.T) *x509.Certificate {
	t.Helper()
	r, err := responder.NewVA("Foreign", time.Now())
	if err != nil {
		t.Fatal(err)
	}
	return r.Cert
}

func TestTheDatabaseSurvivesARestartAndMigratesOnce(t *testing.T) {
	e := newSvcEnv(t)
	id, pw := e.account(e.creds.resident, submit.UserResident)
	r := e.submitApp(ProcBulkyWaste, newKey(), "", submit.MediaJSON, mustJSON(t, sampleForm(ProcBulkyWaste, nil)))
	var rec submit.Receipt
	r.decode(t, &rec)
	if err := e.svc.Close(); err != nil {
		t.Fatal(err)
	}
	e.start(Config{PKI: e.creds.pki, Registry: e.reg, DBPath: e.dbPath, Official: e.creds.official})
	e.login(id, pw)
	r = e.do(testRequest{method: http.MethodGet, path: "/applications/" + rec.ArrivalNumber, header: map[string]string{submit.HeaderInquiry: rec.InquiryNumber}})
	if r.status != 200 {
		t.Fatalf("after restart: %d %s", r.status, r.body)
	}
	r = e.submitApp(ProcBulkyWaste, newKey(), "", submit.MediaJSON, mustJSON(t, sampleForm(ProcBulkyWaste, nil)))
	var next submit.Receipt
	r.decode(t, &next)
	if next.ArrivalNumber <= rec.ArrivalNumber {
		t.Errorf("arrival numbers went from %s to %s", rec.ArrivalNumber, next.ArrivalNumber)
	}
	db, err := sql.Open("sqlite", e.dbPath)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var n int
	files, _ := fs.Glob(migrationFS, "migrations/*.sql")
	if err := db.QueryRow(`SELECT count(*) FROM schema_migrations`).Scan(&n); err != nil || n != len(files) || n == 0 {
		t.Errorf("schema_migrations: %d rows, %v; want one per migration (%d)", n, err, len(files))
	}
}

func TestTheLogCarriesNoSecretsOrPersonalData(t *testing.T) {
	e := newSvcEnv(t)
	id, pw := e.account(e.creds.resident, submit.UserResident)
	token := e.login(id, pw)
	e.postJSON("/sessions", submit.Login{AccountID: id, Password: "a wrong password"}, "")
	r := e.submitApp(ProcChildAllowance, newKey(), token, submit.MediaASiCE, makePackage(t, e.creds.resident, sampleForm(ProcChildAllowance, nil)))
	if r.status != 201 {
		t.Fatalf("%d %s", r.status, r.body)
	}
	form := sampleForm(ProcMoveOut, nil)
	form.Applicant["address"] = "東京都港区芝公園4-2-8"
	e.submitApp(ProcMoveOut, newKey(), "", submit.MediaASiCE, makePackage(t, e.creds.resident, form))
	logs := e.logs.String()
	if !strings.Contains(logs, "route=/api/v1/procedures/{id}/applications") || !strings.Contains(logs, "reason=identity-mismatch") {
		t.Errorf("the log lacks the requests:\n%s", logs)
	}
	for _, secret := range []string{pw, "a wrong password", token, "花子", "霞が関", "芝公園", "1985", "サンドボックス銀行"} {
		if strings.Contains(logs, secret) {
			t.Errorf("the log holds %q", secret)
		}
	}
}

func TestARequestBodyIsDecodedStrictly(t *testing.T) {
	var v submit.Login
	tests := []struct {
		name, body, detail string
	}{
		{"an empty body", "", "empty body"},
		{"only spaces", "  \n", "empty body"},
		{"an array instead of an object", "[]", "not a JSON object"},
		{"a truncated object", `{"account_id":`, "JSON"},
		{"invalid UTF-8", "{\"account_id\": \"\xff\"}", "UTF-8"},
		{"a hostile field name is not echoed", `{"<script>": 1}`, "unknown field (a field)"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := decodeJSONBytes([]byte(tt.body), &v)
			if p == nil || p.Problem.Reason != submit.ReasonBadRequest || !strings.Contains(p.Problem.Detail, tt.detail) {
				t.Errorf("%v, want detail %q", p, tt.detail)
			}
		})
	}
	var doc submit.FormDocument
	if p := decodeJSONBytes([]byte(`{"procedure":"x","applicant":{},"fields":{"n": 1.5}}`), &doc); p != nil {
		t.Fatal(p)
	}
	if _, ok := doc.Fields["n"].(json.Number); !ok {
		t.Errorf("numbers are %T, want json.Number", doc.Fields["n"])
	}
}

func TestEverySampleFormFitsItsProceduresSchema(t *testing.T) {
	for _, proc := range Catalogue() {
		t.Run(proc.ID, func(t *testing.T) {
			applicant := residentApplicant()
			if slices.Contains(proc.For, submit.UserCompany) && !slices.Contains(proc.For, submit.UserResident) {
				applicant = companyApplicant()
			}
			maps.DeleteFunc(applicant, func(k string, _ any) bool { return !slices.Contains(proc.Form.Applicant, k) })
			data, err := json.Marshal(submit.FormDocument{Procedure: proc.ID, Applicant: applicant, Fields: SampleFields(proc.ID)})
			if err != nil {
				t.Fatal(err)
			}
			if _, p := decodeForm(data, &proc, false); p != nil {
				t.Errorf("the sample form is refused: %s", p.Problem.Detail)
			}
		})
	}
}
