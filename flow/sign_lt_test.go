//go:build cgo && linux

package flow_test

import (
	"context"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/shinsei-app/shinsei/certcheck"
	"github.com/shinsei-app/shinsei/flow"
	"github.com/shinsei-app/shinsei/internal/fsx/fsxtest"
	"github.com/shinsei-app/shinsei/sandbox/kit"
	"github.com/shinsei-app/shinsei/sandbox/pki"
	"github.com/shinsei-app/shinsei/sandbox/responder"
	"github.com/shinsei-app/shinsei/sandbox/service"
	"github.com/shinsei-app/shinsei/signer"
)

func TestASignatureCarriesThePrecheckValidationDataWhereTheIssuerAllowsIt(t *testing.T) {
	w := getWorld(t)
	rs, err := responder.Start(context.Background(), w.pki, pki.NewRegistry(), "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = rs.Close() })
	svc := startService(t, w.pki, w.reg)
	a, _ := openApp(t, svc, w.pki, nil, func(c *flow.Config) { c.Offline, c.TSAURL = false, rs.TSAURL() })
	ctx := context.Background()
	dir := fsxtest.TempDir(t)
	formPath := filepath.Join(dir, "form.txt")
	if err := os.WriteFile(formPath, []byte("A form in any format."), 0o600); err != nil {
		t.Fatal(err)
	}
	issue := func(t *testing.T, ca *pki.CA, style responder.Style) flow.CredentialChoice {
		t.Helper()
		cred, err := rs.IssueEndEntity(ca, responder.EndEntity{CommonName: "LT flow", Style: style})
		if err != nil {
			t.Fatal(err)
		}
		cred.Root = ca.Cert
		p12, err := cred.PKCS12(kit.P12Password)
		if err != nil {
			t.Fatal(err)
		}
		return flow.P12File(p12File(t, p12))
	}
	secrets := map[flow.SecretKind]string{flow.SecretP12Password: kit.P12Password}
	// sign is shinseictl's use case (SignFiles).
	sign := func(t *testing.T, ca *pki.CA, style responder.Style) *flow.Signed {
		t.Helper()
		signed, err := a.SignFiles(ctx, flow.SignFilesRequest{Files: []string{formPath}, Credential: issue(t, ca, style),
			Out: filepath.Join(fsxtest.TempDir(t), "app.asice")}, (&recorder{secrets: secrets}).callbacks())
		if err != nil {
			t.Fatal(err)
		}
		if !signed.Timestamped {
			t.Fatalf("not time-stamped: %v", signed.TimestampNote)
		}
		return signed
	}
	verifyLater := func(t *testing.T, path string) *signer.Report {
		t.Helper()
		rep, err := signer.Verify(ctx, path, signer.VerifyOptions{Roots: w.pki.Roots(), At: time.Now().AddDate(2, 6, 0) /* the certificate expired, the time-stamp authority not yet */})
		if err != nil {
			t.Fatal(err)
		}
		return rep
	}

	t.Run("a JPKI signature carries none, though its responder answered the pre-check", func(t *testing.T) {
		signed := sign(t, w.pki.JPKISign, responder.StyleCA)
		if signed.ValidationData {
			t.Fatal("JPKI revocation data went into the signature")
		}
		if l, ok := signed.Precheck.Line(flow.LineRevocation, ""); !ok || l.Level != flow.Green {
			t.Fatalf("the pre-check's revocation line: %+v", l)
		}
		if rep := verifyLater(t, signed.Path); rep.Revocation != nil || rep.OCSPResponses != 0 {
			t.Fatalf("the JPKI signature carries revocation data: %+v", rep.Revocation)
		}
	})
	t.Run("the window's use case (Sign) carries a registry CA's OCSP answer too", func(t *testing.T) {
		proc, doc := form(t, a, service.ProcBidQualification, w.corp.Cert) // the applicant block of the sample company
		r := &recorder{secrets: secrets}
		signed, err := a.Sign(ctx, flow.SignRequest{Procedure: proc.Procedure, Form: doc, Credential: issue(t, w.pki.Registrar, responder.StyleCA)}, r.callbacks())
		if err != nil {
			t.Fatal(err)
		}
		if !signed.ValidationData || !signed.Timestamped || signed.Precheck.Cert.Domain != certcheck.DomainRegistry {
			t.Fatalf("validation data %v, time-stamped %v, domain %s", signed.ValidationData, signed.Timestamped, signed.Precheck.Cert.Domain)
		}
		if rep := verifyLater(t, signed.Path); rep.Outcome() != signer.OutcomeValid || rep.Revocation == nil || !rep.Revocation.Check.OK {
			t.Fatalf("%s %+v", rep.Outcome(), rep.Revocation)
		}
	})
	t.Run("a private CA's OCSP answer and the chain go into the signature, and prove it good with every responder stopped", func(t *testing.T) {
		signed := sign(t, w.pki.Private, responder.StyleDelegated)
		if !signed.ValidationData {
			t.Fatal("the signature carries no validation data")
		}
		if err := rs.Close(); err != nil {
			t.Fatal(err)
		}
		rep := verifyLater(t, signed.Path)
		if rep.Outcome() != signer.OutcomeValid || rep.Revocation == nil || !rep.Revocation.Check.OK || rep.Revocation.Path[0].Kind != "ocsp" {
			t.Fatalf("after the certificate expired: %s %+v, revocation %+v", rep.Outcome(), rep.Certificate, rep.Revocation)
		}
	})
}
