package service

import (
	"context"
	"encoding/json"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/shinsei-app/shinsei/internal/fsx/fsxtest"
	"github.com/shinsei-app/shinsei/sandbox/pki"
	"github.com/shinsei-app/shinsei/signer"
	"github.com/shinsei-app/shinsei/submit"
)

// powerOfAttorney is a power of attorney for proc naming proxy.
func powerOfAttorney(proc string, proxy submit.ProxyRef) submit.PowerOfAttorney {
	issued := time.Now().Add(-time.Hour).Truncate(time.Second)
	return submit.PowerOfAttorney{Type: submit.PowerOfAttorneyType, Procedure: proc, Principal: residentApplicant(),
		Proxy: proxy, IssuedAt: issued, ValidUntil: submit.PowerOfAttorneyDefaultUntil(issued)}
}

// makeProxyPackage signs poa with principal into a power of attorney
// package and carries it into an application of form signed by proxy.
func makeProxyPackage(tb testing.TB, principal, proxy *pki.Credential, poa any, form any) []byte {
	tb.Helper()
	dir := fsxtest.TempDir(tb)
	data, err := json.Marshal(poa)
	if err != nil {
		tb.Fatal(err)
	}
	letter := filepath.Join(dir, submit.PowerOfAttorneyName)
	if err := os.WriteFile(letter, data, 0o600); err != nil {
		tb.Fatal(err)
	}
	poaPkg := filepath.Join(dir, "POA.asice")
	if _, err := signer.Build(context.Background(), poaPkg, []signer.File{{Path: letter}}, signerCred(principal), signer.BuildOptions{Supporting: true}); err != nil {
		tb.Fatal(err)
	}
	formData, err := json.Marshal(form)
	if err != nil {
		tb.Fatal(err)
	}
	formPath := filepath.Join(dir, "form.json")
	if err := os.WriteFile(formPath, formData, 0o600); err != nil {
		tb.Fatal(err)
	}
	out := filepath.Join(dir, "app.asice")
	if _, err := signer.Build(context.Background(), out, []signer.File{{Path: formPath}}, signerCred(proxy), signer.BuildOptions{Carry: []string{poaPkg}}); err != nil {
		tb.Fatal(err)
	}
	pkg, err := os.ReadFile(out)
	if err != nil {
		tb.Fatal(err)
	}
	return pkg
}

func TestAProxyFilesWithThePrincipalsPowerOfAttorney(t *testing.T) {
	e := newSvcEnv(t)
	c := e.creds
	byName := submit.ProxyRef{Name: "佐藤　次郎"}
	t.Run("a proxy named in the power of attorney files a move-out notification without a session", func(t *testing.T) {
		pkg := makeProxyPackage(t, c.resident, c.other, powerOfAttorney(ProcMoveOut, byName), sampleForm(ProcMoveOut, nil))
		r := e.submitApp(ProcMoveOut, newKey(), "", submit.MediaASiCE, pkg)
		if r.status != http.StatusCreated {
			t.Fatalf("status %d: %s", r.status, r.body)
		}
		var rec submit.Receipt
		r.decode(t, &rec)
		if rec.InquiryNumber == "" {
			t.Fatalf("a filing without a session has no inquiry number: %+v", rec)
		}
	})
	t.Run("a proxy named by account files in that account's session", func(t *testing.T) {
		id, pw := e.account(c.other, submit.UserResident)
		token := e.login(id, pw)
		pkg := makeProxyPackage(t, c.resident, c.other, powerOfAttorney(ProcMoveOut, submit.ProxyRef{Account: id}), sampleForm(ProcMoveOut, nil))
		if r := e.submitApp(ProcMoveOut, newKey(), token, submit.MediaASiCE, pkg); r.status != http.StatusCreated {
			t.Fatalf("status %d: %s", r.status, r.body)
		}
	})
	if n := len(e.stored()); n != 2 {
		t.Fatalf("%d applications stored, want 2", n)
	}
}

func TestProxyFilingsAreRefusedForTheRightReason(t *testing.T) {
	e := newSvcEnv(t)
	c := e.creds
	otherID, otherPW := e.account(c.other, submit.UserResident)
	otherToken := e.login(otherID, otherPW)
	byName := submit.ProxyRef{Name: "佐藤　次郎"}
	revoked := reissue(t, c.pki.JPKISign, c.resident)
	e.record(c.pki.JPKISign, revoked)
	if err := e.reg.Revoke(c.pki.JPKISign, revoked.Cert.SerialNumber, pki.ReasonKeyCompromise, time.Now().Add(-time.Hour)); err != nil {
		t.Fatal(err)
	}
	noType := powerOfAttorney(ProcMoveOut, byName)
	noType.Type = "letter"
	both := powerOfAttorney(ProcMoveOut, submit.ProxyRef{Name: "佐藤　次郎", Account: otherID})
	// The proxy signs the power of attorney as an attachment: one
	// signature only.
	selfSigned := func() []byte {
		dir := fsxtest.TempDir(t)
		form := filepath.Join(dir, "form.json")
		letter := filepath.Join(dir, submit.PowerOfAttorneyName)
		data, _ := json.Marshal(sampleForm(ProcMoveOut, nil))
		poa, _ := json.Marshal(powerOfAttorney(ProcMoveOut, byName))
		if err := os.WriteFile(form, data, 0o600); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(letter, poa, 0o600); err != nil {
			t.Fatal(err)
		}
		out := filepath.Join(dir, "one.asice")
		if _, err := signer.Build(context.Background(), out, []signer.File{{Path: form}, {Path: letter}}, signerCred(c.other), signer.BuildOptions{}); err != nil {
			t.Fatal(err)
		}
		b, err := os.ReadFile(out)
		if err != nil {
			t.Fatal(err)
		}
		return b
	}()

	for _, tt := range []struct {
		name, proc, token string
		body              []byte
		status            int
		reason            submit.Reason
		detail            string
	}{
		{"an idpw+signature procedure filed by a proxy", ProcChildAllowance, otherToken,
			makeProxyPackage(t, c.resident, c.other, powerOfAttorney(ProcChildAllowance, byName), sampleForm(ProcChildAllowance, nil)),
			403, submit.ReasonProxyNotAllowed, "procedure"},
		{"a procedure the catalogue does not open to proxies", ProcDogRegistration, otherToken,
			makeProxyPackage(t, c.resident, c.other, powerOfAttorney(ProcDogRegistration, byName), sampleForm(ProcDogRegistration, nil)),
			403, submit.ReasonProxyNotAllowed, "procedure"},
		{"a power of attorney for another procedure", ProcMoveOut, "",
			makeProxyPackage(t, c.resident, c.other, powerOfAttorney(ProcBulkyWaste, byName), sampleForm(ProcMoveOut, nil)),
			422, submit.ReasonPowerOfAttorneyInvalid, "procedure"},
		{"a power of attorney signed by someone other than the applicant", ProcMoveOut, "",
			makeProxyPackage(t, c.other, c.other, powerOfAttorney(ProcMoveOut, byName), sampleForm(ProcMoveOut, nil)),
			422, submit.ReasonPrincipalNotApplicant, "applicant/principal: name"},
		{"a proxy whose certificate is not the named proxy's", ProcMoveOut, "",
			makeProxyPackage(t, c.resident, c.resident, powerOfAttorney(ProcMoveOut, byName), sampleForm(ProcMoveOut, nil)),
			403, submit.ReasonProxyNotSubmitter, "proxy: name"},
		{"a proxy named by account filing without a session", ProcMoveOut, "",
			makeProxyPackage(t, c.resident, c.other, powerOfAttorney(ProcMoveOut, submit.ProxyRef{Account: otherID}), sampleForm(ProcMoveOut, nil)),
			403, submit.ReasonProxyNotSubmitter, "proxy: account"},
		{"a power of attorney naming the proxy twice over", ProcMoveOut, "",
			makeProxyPackage(t, c.resident, c.other, both, sampleForm(ProcMoveOut, nil)),
			422, submit.ReasonPowerOfAttorneyInvalid, "proxy"},
		{"a document that is no power of attorney", ProcMoveOut, "",
			makeProxyPackage(t, c.resident, c.other, noType, sampleForm(ProcMoveOut, nil)),
			422, submit.ReasonPowerOfAttorneyInvalid, "type"},
		{"a power of attorney the proxy signed alone", ProcMoveOut, "",
			selfSigned, 422, submit.ReasonPowerOfAttorneyInvalid, "two signatures"},
		{"a power of attorney signed with a revoked certificate", ProcMoveOut, "",
			makeProxyPackage(t, revoked, c.other, powerOfAttorney(ProcMoveOut, byName), sampleForm(ProcMoveOut, nil)),
			422, submit.ReasonCertificateRevoked, "revoked"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			r := e.submitApp(tt.proc, newKey(), tt.token, submit.MediaASiCE, tt.body)
			p := r.problem(t)
			if r.status != tt.status || p.Reason != tt.reason || !strings.Contains(p.Detail, tt.detail) {
				t.Fatalf("got %d %s (%s), want %d %s (%s)", r.status, p.Reason, p.Detail, tt.status, tt.reason, tt.detail)
			}
			if p.MessageJA == "" || p.MessageEN == "" {
				t.Fatalf("the refusal has no message: %+v", p)
			}
			for _, secret := range []string{"霞が関", "花子", "次郎", "1985"} {
				if strings.Contains(string(r.body), secret) {
					t.Errorf("the refusal shows personal data %q: %s", secret, r.body)
				}
			}
		})
	}
	if recs := e.stored(); len(recs) != 0 {
		t.Errorf("refused proxy filings left %d applications", len(recs))
	}
}
