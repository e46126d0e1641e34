//go:build cgo && linux

package flow_test

import (
	"context"
	"crypto/x509"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/shinsei-app/shinsei/flow"
	"github.com/shinsei-app/shinsei/internal/fsx/fsxtest"
	"github.com/shinsei-app/shinsei/internal/testenv"
	"github.com/shinsei-app/shinsei/pkcs11"
	"github.com/shinsei-app/shinsei/sandbox/kit"
	"github.com/shinsei-app/shinsei/sandbox/pki"
	"github.com/shinsei-app/shinsei/sandbox/service"
	"github.com/shinsei-app/shinsei/signer"
	"github.com/shinsei-app/shinsei/submit"
)

// proxyName is the proxy's name, as in the proxy's certificate.
const proxyName = "佐藤　次郎"

var (
	proxyOnce sync.Once
	proxyP12  []byte
	proxyErr  error
)

// proxyCredential is a second resident, the proxy, as a PKCS#12 file
// the service's registry knows.
func proxyCredential(t *testing.T, w *world) string {
	t.Helper()
	proxyOnce.Do(func() {
		var c *pki.Credential
		c, proxyErr = w.pki.IssueResident(pki.Resident{Name: proxyName, Sex: "1", BirthDate: "419900101", Address: "東京都千代田区九段南一丁目２番１号"}, pki.ResidentOptions{})
		if proxyErr != nil {
			return
		}
		w.reg.Record(w.pki.JPKISign, c.Cert)
		proxyP12, proxyErr = c.PKCS12(kit.P12Password)
	})
	if proxyErr != nil {
		t.Fatal(proxyErr)
	}
	return p12File(t, proxyP12)
}

var p12Secrets = map[flow.SecretKind]string{flow.SecretP12Password: kit.P12Password}

func TestAProxyFilesWithThePrincipalsPowerOfAttorney(t *testing.T) {
	w := getWorld(t)
	svc := startService(t, w.pki, w.reg)
	a, _ := openApp(t, svc, w.pki, []*pkcs11.Library{testenv.SoftHSM(t)})
	ctx := context.Background()
	dir := fsxtest.TempDir(t)
	proxy := proxyCredential(t, w)

	signPOA := func(t *testing.T, name string, named submit.ProxyRef, procedure string) string {
		t.Helper()
		r := &recorder{pin: flowPIN}
		out := filepath.Join(dir, name)
		s, err := a.SignPowerOfAttorney(ctx, flow.PowerOfAttorneyRequest{Procedure: procedure, Proxy: named,
			Credential: residentToken(), Out: out}, r.callbacks())
		if err != nil {
			t.Fatal(err)
		}
		if r.pinCalls != 1 || s.Path != out {
			t.Fatalf("the principal was asked for the PIN %d times, want once; package %s", r.pinCalls, s.Path)
		}
		return out
	}
	byName := signPOA(t, "POA.asice", submit.ProxyRef{Name: proxyName}, service.ProcMoveOut)

	t.Run("the power of attorney is a package of its own, signed by the principal, with no form", func(t *testing.T) {
		poa, err := a.ReadPowerOfAttorney(ctx, byName)
		if err != nil {
			t.Fatal(err)
		}
		if !poa.Principal.Equal(w.resident.Cert) || poa.Document.Procedure != service.ProcMoveOut || poa.Document.Proxy.Name != proxyName {
			t.Fatalf("power of attorney %+v", poa.Document)
		}
		if poa.Document.Principal["name"] == nil || poa.Document.Principal["address"] == nil {
			t.Fatalf("the principal's block was not filled from the certificate: %v", poa.Document.Principal)
		}
	})

	t.Run("the proxy signs the principal's form once and the service receives it", func(t *testing.T) {
		r := &recorder{secrets: p12Secrets}
		proc, doc := form(t, a, service.ProcMoveOut, nil)
		s, err := a.Sign(ctx, flow.SignRequest{Procedure: proc.Procedure, Form: doc, FillApplicant: true, PowerOfAttorney: byName,
			Credential: flow.P12File(proxy), Out: filepath.Join(dir, "proxy.asice")}, r.callbacks())
		if err != nil {
			t.Fatal(err)
		}
		if r.secretCalls != 1 || r.okCall != 1 {
			t.Fatalf("asked %d passwords and %d confirmations, want one each", r.secretCalls, r.okCall)
		}
		if len(s.Filled) == 0 {
			t.Fatalf("the applicant block was not filled from the power of attorney's signer")
		}
		p := r.prechecks[0]
		if _, ok := p.Line(flow.LineIdentity, "name"); ok {
			t.Fatalf("a proxy's pre-check compares the applicant with the proxy's certificate: %+v", p.Lines)
		}
		for _, id := range []flow.LineID{flow.LinePrincipal, flow.LineProxy} {
			if l, ok := p.Line(id, ""); !ok || l.Level != flow.Green {
				t.Fatalf("line %s is %+v (found %v), want green", id, l, ok)
			}
		}
		rep, err := signer.Verify(ctx, s.Path, signer.VerifyOptions{Roots: w.pki.Roots()})
		if err != nil {
			t.Fatal(err)
		}
		if rep.Outcome() != signer.OutcomeValid || len(rep.Signatures) != 2 || !rep.Signatures[0].Signer.Equal(w.resident.Cert) {
			t.Fatalf("outcome %s, %d signatures", rep.Outcome(), len(rep.Signatures))
		}
		rec, err := a.Submit(ctx, flow.SubmitRequest{Signed: s}, r.callbacks())
		if err != nil {
			t.Fatal(err)
		}
		if rec.ArrivalNumber == "" || rec.InquiryNumber == "" {
			t.Fatalf("receipt %+v", rec)
		}
	})

	t.Run("a proxy named by account files from that account's session", func(t *testing.T) {
		acc, err := a.Register(ctx, flow.RegisterRequest{Credential: flow.P12File(proxy)}, (&recorder{secrets: p12Secrets}).callbacks())
		if err != nil {
			t.Fatal(err)
		}
		byAccount := signPOA(t, "POA-account.asice", submit.ProxyRef{Account: acc.ID}, service.ProcMoveOut)
		r := &recorder{secrets: p12Secrets}
		proc, doc := form(t, a, service.ProcMoveOut, nil)
		_, rec, err := a.SignAndSubmit(ctx, flow.SignRequest{Procedure: proc.Procedure, Form: doc, FillApplicant: true,
			PowerOfAttorney: byAccount, Credential: flow.P12File(proxy)}, "", r.callbacks())
		if err != nil {
			t.Fatal(err)
		}
		if rec.InquiryNumber != "" {
			t.Fatalf("the application was not filed in the proxy's session: %+v", rec)
		}
		if l, ok := r.prechecks[0].Line(flow.LineProxy, ""); !ok || l.Level != flow.Green {
			t.Fatalf("proxy line %+v", l)
		}
	})

	t.Run("what the service would refuse is refused before any password", func(t *testing.T) {
		for _, tc := range []struct {
			name      string
			procedure string
			poa       func(t *testing.T) string
			applicant bool // fill the applicant block from another person
			want      error
		}{
			{"a power of attorney for another procedure", service.ProcMoveOut, func(t *testing.T) string {
				return signPOA(t, "POA-bulky.asice", submit.ProxyRef{Name: proxyName}, service.ProcBulkyWaste)
			}, false, flow.ErrPowerOfAttorneyInvalid},
			{"a form whose applicant is not the principal", service.ProcMoveOut, func(*testing.T) string { return byName }, true, flow.ErrPrincipalNotApplicant},
			{"a package that is not a power of attorney", service.ProcMoveOut, func(t *testing.T) string {
				plain := filepath.Join(dir, "plain.asice")
				f := filepath.Join(dir, "plain.json")
				if err := os.WriteFile(f, []byte(`{"type":"letter"}`), 0o600); err != nil {
					t.Fatal(err)
				}
				cred := signer.Credential{Signer: w.resident.Key, Cert: w.resident.Cert}
				if _, err := signer.Build(ctx, plain, []signer.File{{Path: f}}, cred, signer.BuildOptions{}); err != nil {
					t.Fatal(err)
				}
				return plain
			}, false, flow.ErrPowerOfAttorneyInvalid},
		} {
			t.Run(tc.name, func(t *testing.T) {
				r := &recorder{secrets: p12Secrets}
				proc, doc := form(t, a, tc.procedure, nil)
				if tc.applicant {
					doc.Applicant = map[string]any{"name": proxyName, "birth_date": "1990-01-01", "sex": "男", "address": "東京都千代田区九段南一丁目２番１号"}
				}
				out := filepath.Join(dir, "refused.asice")
				_, err := a.Sign(ctx, flow.SignRequest{Procedure: proc.Procedure, Form: doc, FillApplicant: !tc.applicant, PowerOfAttorney: tc.poa(t),
					Credential: flow.P12File(proxy), Out: out}, r.callbacks())
				if !errors.Is(err, tc.want) {
					t.Fatalf("err %v, want %v", err, tc.want)
				}
				if r.secretCalls != 0 {
					t.Fatalf("the password was asked %d times", r.secretCalls)
				}
				if _, err := os.Stat(out); !errors.Is(err, os.ErrNotExist) {
					t.Fatal("a package was written")
				}
			})
		}
	})

	t.Run("a power of attorney for a procedure a proxy cannot file is refused before the PIN", func(t *testing.T) {
		for _, procedure := range []string{service.ProcChildAllowance, service.ProcDogRegistration} {
			r := &recorder{pin: flowPIN}
			_, err := a.SignPowerOfAttorney(ctx, flow.PowerOfAttorneyRequest{Procedure: procedure, Proxy: submit.ProxyRef{Name: proxyName},
				Credential: residentToken(), Out: filepath.Join(dir, "no.asice")}, r.callbacks())
			if !errors.Is(err, flow.ErrProxyNotAllowed) || r.pinCalls != 0 {
				t.Fatalf("%s: err %v after %d PIN prompts, want ErrProxyNotAllowed before any", procedure, err, r.pinCalls)
			}
		}
	})

	t.Run("a certificate that is not the named proxy's is a red pre-check line and nothing is signed", func(t *testing.T) {
		other := signPOA(t, "POA-other.asice", submit.ProxyRef{Name: "山田　一郎"}, service.ProcMoveOut)
		r := &recorder{secrets: p12Secrets}
		proc, doc := form(t, a, service.ProcMoveOut, nil)
		out := filepath.Join(dir, "wrong-proxy.asice")
		_, err := a.Sign(ctx, flow.SignRequest{Procedure: proc.Procedure, Form: doc, FillApplicant: true, PowerOfAttorney: other,
			Credential: flow.P12File(proxy), Out: out}, r.callbacks())
		var pe *flow.PrecheckError
		if !errors.As(err, &pe) {
			t.Fatalf("err %v, want a red pre-check", err)
		}
		if l, ok := pe.Precheck.Line(flow.LineProxy, ""); !ok || l.Level != flow.Red {
			t.Fatalf("proxy line %+v", l)
		}
		if _, err := os.Stat(out); !errors.Is(err, os.ErrNotExist) {
			t.Fatal("a package was written")
		}
	})

	t.Run("a power of attorney signed with a certificate of an untrusted issuer is a red pre-check line", func(t *testing.T) {
		elsewhere, err := pki.New(time.Now())
		if err != nil {
			t.Fatal(err)
		}
		stranger, err := elsewhere.IssueResident(pki.SampleResident(), pki.ResidentOptions{})
		if err != nil {
			t.Fatal(err)
		}
		data, err := json.Marshal(submit.PowerOfAttorney{Type: submit.PowerOfAttorneyType, Procedure: service.ProcMoveOut,
			Proxy: submit.ProxyRef{Name: proxyName}, IssuedAt: time.Now(), ValidUntil: submit.PowerOfAttorneyDefaultUntil(time.Now())})
		if err != nil {
			t.Fatal(err)
		}
		letter := filepath.Join(dir, submit.PowerOfAttorneyName)
		if err := os.WriteFile(letter, data, 0o600); err != nil {
			t.Fatal(err)
		}
		poa := filepath.Join(dir, "POA-stranger.asice")
		cred := signer.Credential{Signer: stranger.Key, Cert: stranger.Cert, Chain: []*x509.Certificate{stranger.Root}}
		if _, err := signer.Build(ctx, poa, []signer.File{{Path: letter}}, cred, signer.BuildOptions{Supporting: true}); err != nil {
			t.Fatal(err)
		}
		r := &recorder{secrets: p12Secrets}
		proc, doc := form(t, a, service.ProcMoveOut, nil)
		_, err = a.Sign(ctx, flow.SignRequest{Procedure: proc.Procedure, Form: doc, FillApplicant: true, PowerOfAttorney: poa,
			Credential: flow.P12File(proxy), Out: filepath.Join(dir, "stranger.asice")}, r.callbacks())
		var pe *flow.PrecheckError
		if !errors.As(err, &pe) {
			t.Fatalf("err %v, want a red pre-check", err)
		}
		if l, ok := pe.Precheck.Line(flow.LinePrincipal, ""); !ok || l.Level != flow.Red || l.Todo.IsZero() {
			t.Fatalf("principal line %+v", l)
		}
	})

	if apps, err := svc.Applications(ctx); err != nil || len(apps) != 2 {
		t.Fatalf("%d applications at the service (%v), want the two proxies' filings", len(apps), err)
	}
}
