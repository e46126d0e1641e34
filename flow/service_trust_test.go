//go:build cgo && linux

package flow_test

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/shinsei-app/shinsei/certcheck"
	"github.com/shinsei-app/shinsei/flow"
	"github.com/shinsei-app/shinsei/internal/fsx/fsxtest"
	"github.com/shinsei-app/shinsei/sandbox/kit"
	"github.com/shinsei-app/shinsei/sandbox/pki"
)

// A configuration that names only the service (and the anchors of its
// TLS) pre-checks like the service will: the signer anchors and the
// validation authority come from the service's catalogue.
func TestWithOnlyTheServiceConfiguredThePrecheckUsesTheCataloguesAnchorsAndValidationAuthority(t *testing.T) {
	w := getWorld(t)
	svc := startService(t, w.pki, w.reg)
	onlyService := func(c *flow.Config) { c.TrustAnchors, c.ServiceVA, c.Intermediates = nil, nil, nil }
	ctx := context.Background()
	dir := fsxtest.TempDir(t)
	form := filepath.Join(dir, "form.txt")
	if err := os.WriteFile(form, []byte("any format"), 0o600); err != nil {
		t.Fatal(err)
	}
	sign := func(t *testing.T, a *flow.App, p12 []byte) (*flow.Signed, error, *recorder, string) {
		r := &recorder{secrets: map[flow.SecretKind]string{flow.SecretP12Password: kit.P12Password}}
		out := filepath.Join(fsxtest.TempDir(t), "app.asice")
		signed, err := a.SignFiles(ctx, flow.SignFilesRequest{Files: []string{form}, Credential: flow.P12File(p12File(t, p12)), Out: out},
			flow.Callbacks{Secret: r.callbacks().Secret})
		return signed, err, r, out
	}
	// A certificate of the private CA, which the service's /validation
	// knows but whose root the service does not accept for signers.
	private, err := w.pki.IssuePrivate("Shinsei flow private signer")
	if err != nil {
		t.Fatal(err)
	}
	w.reg.Record(w.pki.Private, private.Cert)
	privateP12, err := private.PKCS12(kit.P12Password)
	if err != nil {
		t.Fatal(err)
	}

	t.Run("a revoked certificate is red on revocation, answered by the catalogue's validation authority, and nothing is written", func(t *testing.T) {
		a, _ := openApp(t, svc, w.pki, nil, onlyService)
		_, err, r, out := sign(t, a, w.revokedP12)
		var pe *flow.PrecheckError
		if !errors.As(err, &pe) || r.secretCalls != 1 {
			t.Fatalf("err %v, password asked %d times; want a PrecheckError after one", err, r.secretCalls)
		}
		if l, ok := pe.Precheck.Line(flow.LineRevocation, ""); !ok || l.Level != flow.Red {
			t.Errorf("revocation line %+v", l)
		}
		res := pe.Precheck.Cert
		if res == nil || len(res.Path) < 2 || res.Path[0].Revocation.Status != certcheck.StatusRevoked || res.Path[0].Revocation.Source != "va" {
			t.Errorf("certificate result %+v; want a path to the catalogue's anchor and the VA's revoked", res)
		}
		if pe.Precheck.TrustNotChecked {
			t.Error("the pre-check says trust was not checked")
		}
		if _, err := os.Stat(out); err == nil {
			t.Error("a package was written")
		}
	})
	t.Run("a certificate whose root the service does not accept is red as untrusted", func(t *testing.T) {
		a, _ := openApp(t, svc, w.pki, nil, onlyService)
		_, err, _, out := sign(t, a, privateP12)
		var pe *flow.PrecheckError
		if !errors.As(err, &pe) {
			t.Fatalf("err %v, want a PrecheckError", err)
		}
		if l, ok := pe.Precheck.Line(flow.LineCertificate, ""); !ok || l.Level != flow.Red || pe.Precheck.Cert.Reason != certcheck.ReasonUntrusted {
			t.Errorf("certificate line %+v, reason %s", l, pe.Precheck.Cert.Reason)
		}
		if _, err := os.Stat(out); err == nil {
			t.Error("a package was written")
		}
	})
	t.Run("a good certificate signs, checked to the catalogue's anchor and by its validation authority", func(t *testing.T) {
		a, _ := openApp(t, svc, w.pki, nil, onlyService)
		signed, err, _, _ := sign(t, a, w.corpP12)
		if err != nil {
			t.Fatal(err)
		}
		p := signed.Precheck
		if p == nil || p.TrustNotChecked || p.Cert == nil || len(p.Cert.Path) < 2 || !p.Cert.Path[len(p.Cert.Path)-1].Cert.Equal(w.pki.Registrar.Cert) {
			t.Fatalf("precheck %+v", p)
		}
		if rv := p.Cert.Path[0].Revocation; rv.Status != certcheck.StatusGood || rv.Source != "va" {
			t.Errorf("revocation %+v, want good from the VA", rv)
		}
	})
	t.Run("the window's pre-check of a revoked card certificate is red the same way", func(t *testing.T) {
		a, _ := openApp(t, svc, w.pki, nil, onlyService)
		p := a.Precheck(ctx, w.revoked.Cert, nil, nil)
		if l, ok := p.Line(flow.LineRevocation, ""); !ok || l.Level != flow.Red || p.OK() {
			t.Errorf("revocation line %+v", l)
		}
	})
	t.Run("what the configuration gives comes first: its own anchors are kept", func(t *testing.T) {
		other, err := pki.New(time.Now())
		if err != nil {
			t.Fatal(err)
		}
		a, _ := openApp(t, svc, w.pki, nil, func(c *flow.Config) { c.TrustAnchors, c.ServiceVA = other.Roots(), nil })
		p := a.Precheck(ctx, w.corp.Cert, nil, nil)
		if p.Cert == nil || p.Cert.Reason != certcheck.ReasonUntrusted {
			t.Errorf("with anchors of another PKI configured, the result is %+v; want untrusted", p.Cert)
		}
	})
}
