//go:build cgo && linux

package flow_test

import (
	"bytes"
	"context"
	"crypto"
	"crypto/x509"
	"os"
	"path/filepath"
	"testing"
	"time"

	"golang.org/x/crypto/ocsp"

	"github.com/shinsei-app/shinsei/flow"
	"github.com/shinsei-app/shinsei/internal/fsx/fsxtest"
	"github.com/shinsei-app/shinsei/sandbox/pki"
	"github.com/shinsei-app/shinsei/sandbox/responder"
	"github.com/shinsei-app/shinsei/signer"
)

// withVAData copies the notice at src to dir/name with the validation
// data a validation authority va gives for every certificate of its path
// but the anchor (what the service adds to a signature on receipt).
func withVAData(t *testing.T, w *world, va *responder.Identity, src string, chain []*x509.Certificate, dir, name string) string {
	t.Helper()
	data, err := os.ReadFile(src)
	if err != nil {
		t.Fatal(err)
	}
	dst := filepath.Join(dir, name)
	if err := os.WriteFile(dst, data, 0o600); err != nil {
		t.Fatal(err)
	}
	vd := signer.ValidationData{Certs: append(append([]*x509.Certificate{}, chain...), va.Cert)}
	for i := 0; i+1 < len(chain); i++ {
		req, err := ocsp.CreateRequest(chain[i], chain[i+1], &ocsp.RequestOptions{Hash: crypto.SHA256})
		if err != nil {
			t.Fatal(err)
		}
		resp, err := responder.RespondVA(w.pki, w.reg, va, req)
		if err != nil {
			t.Fatal(err)
		}
		vd.OCSPs = append(vd.OCSPs, resp)
	}
	if n, err := signer.AddPackageValidationData(context.Background(), dst, vd); err != nil || n != 1 {
		t.Fatalf("add validation data: %d %v", n, err)
	}
	return dst
}

func TestANoticeThatCarriesItsSignersRevocationIsCheckedOffline(t *testing.T) {
	w := getWorld(t)
	svc := startService(t, w.pki, w.reg)
	a, _ := openApp(t, svc, w.pki, nil)
	ctx := context.Background()
	plain, err := a.VerifyNotice(ctx, noticeFrom(t, a, svc, w))
	if err != nil || plain.Signer == nil {
		t.Fatalf("the notice as issued: %+v, %v", plain, err)
	}
	// The VA knows what the sandbox CAs issued.
	chain := plain.Report.Chain
	for i := 0; i+1 < len(chain); i++ {
		for _, ca := range []*pki.CA{w.pki.LGPKIRoot, w.pki.LGPKIApp, w.pki.LGPKIOrg, w.pki.Private, w.pki.Registrar} {
			if bytes.Equal(chain[i].RawIssuer, ca.Cert.RawSubject) {
				w.reg.Record(ca, chain[i])
			}
		}
	}
	va, err := responder.NewVA("Notice Test VA", time.Now())
	if err != nil {
		t.Fatal(err)
	}
	other, err := responder.NewVA("Someone Else's VA", time.Now())
	if err != nil {
		t.Fatal(err)
	}
	dir := fsxtest.TempDir(t)
	carrying := withVAData(t, w, va, plain.Path, chain, dir, "carrying.asice")
	foreign := withVAData(t, w, other, plain.Path, chain, dir, "foreign.asice")

	// No service, no network: only what the notice carries can decide.
	offline, _ := openApp(t, svc, w.pki, nil, func(c *flow.Config) {
		c.ServiceURL, c.ServiceAnchors, c.Offline, c.ServiceVA = "", nil, true, va.Cert
	})
	tests := []struct {
		name       string
		path       string
		want       flow.Level
		wantSource string
	}{
		{"a notice that carries the configured VA's answers is green offline, from its embedded data", carrying, flow.Green, signer.RevocationSourceEmbedded},
		{"the notice without them cannot be decided offline: amber", plain.Path, flow.Amber, ""},
		{"answers of a VA that is not configured decide nothing: amber", foreign, flow.Amber, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rep, err := offline.VerifyNotice(ctx, flow.NoticeRef{Path: tt.path})
			if err != nil {
				t.Fatal(err)
			}
			if rep.Integrity.Level != flow.Green || rep.Revocation.Level != tt.want || rep.RevocationSource != tt.wantSource {
				t.Fatalf("integrity %+v, revocation %+v from %q; want %s from %q", rep.Integrity, rep.Revocation, rep.RevocationSource, tt.want, tt.wantSource)
			}
		})
	}

	t.Run("a signer revoked before the notice's proven time is red from the embedded data, offline", func(t *testing.T) {
		var issuer *pki.CA
		for _, ca := range []*pki.CA{w.pki.LGPKIApp, w.pki.LGPKIOrg, w.pki.Private, w.pki.Registrar} {
			if bytes.Equal(plain.Signer.RawIssuer, ca.Cert.RawSubject) {
				issuer = ca
			}
		}
		if err := w.reg.Revoke(issuer, plain.Signer.SerialNumber, pki.ReasonAffiliationChanged, time.Now().Add(-time.Minute)); err != nil {
			t.Fatal(err)
		}
		revoked := withVAData(t, w, va, plain.Path, chain, dir, "revoked.asice")
		rep, err := offline.VerifyNotice(ctx, flow.NoticeRef{Path: revoked})
		if err != nil {
			t.Fatal(err)
		}
		if rep.Revocation.Level != flow.Red || rep.RevocationSource != signer.RevocationSourceEmbedded || rep.OK() {
			t.Fatalf("revocation %+v from %q", rep.Revocation, rep.RevocationSource)
		}
	})
}
