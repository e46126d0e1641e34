//go:build cgo && linux

package flow_test

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/digitorus/timestamp"

	"github.com/shinsei-app/shinsei/flow"
	"github.com/shinsei-app/shinsei/internal/fsx/fsxtest"
	"github.com/shinsei-app/shinsei/sandbox/pki"
	"github.com/shinsei-app/shinsei/sandbox/responder"
	"github.com/shinsei-app/shinsei/signer"
)

func TestANoticeTimestampedBeforeItsSignerWasRevokedStaysValid(t *testing.T) {
	w := getWorld(t)
	tsa, err := w.pki.Private.IssueTSA("Notice Test TSA", time.Now().Add(-time.Hour), time.Now().Add(time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(http.HandlerFunc(func(rw http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		req, err := timestamp.ParseRequest(body)
		if err != nil {
			http.Error(rw, err.Error(), http.StatusBadRequest)
			return
		}
		resp, err := responder.TimestampReply(tsa, req, time.Now().Add(-time.Minute))
		if err != nil {
			http.Error(rw, err.Error(), http.StatusInternalServerError)
			return
		}
		_, _ = rw.Write(resp)
	}))
	t.Cleanup(srv.Close)
	svc := startService(t, w.pki, w.reg)
	a, _ := openApp(t, svc, w.pki, nil)
	ctx := context.Background()
	plain, err := a.VerifyNotice(ctx, noticeFrom(t, a, svc, w))
	if err != nil || plain.Signer == nil {
		t.Fatalf("the notice as issued: %+v, %v", plain, err)
	}
	data, err := os.ReadFile(plain.Path)
	if err != nil {
		t.Fatal(err)
	}
	dir := fsxtest.TempDir(t)
	unstamped, stamped := filepath.Join(dir, "notice.asice"), filepath.Join(dir, "stamped.asice")
	for _, p := range []string{unstamped, stamped} {
		if err := os.WriteFile(p, data, 0o600); err != nil {
			t.Fatal(err)
		}
	}
	if n, err := signer.TimestampPackage(ctx, stamped, signer.TSA{URL: srv.URL}); err != nil || n != 1 {
		t.Fatalf("time-stamp the notice: %d %v", n, err)
	}
	// The official's certificate is revoked now, after the time-stamp.
	var issuer *pki.CA
	for _, ca := range []*pki.CA{w.pki.LGPKIApp, w.pki.LGPKIOrg, w.pki.Private, w.pki.Registrar} {
		if bytes.Equal(plain.Signer.RawIssuer, ca.Cert.RawSubject) {
			issuer = ca
		}
	}
	if issuer == nil {
		t.Fatal("the notice's issuer is not a sandbox CA")
	}
	// The VA knows what its CAs issued.
	w.reg.Record(issuer, plain.Signer)
	if issuer.Parent != nil {
		w.reg.Record(issuer.Parent, issuer.Cert)
	}
	if err := w.reg.Revoke(issuer, plain.Signer.SerialNumber, pki.ReasonAffiliationChanged, time.Now()); err != nil {
		t.Fatal(err)
	}
	later, _ := openApp(t, svc, w.pki, nil, func(c *flow.Config) { c.Now = func() time.Time { return time.Now().Add(time.Second) } })
	tests := []struct {
		name string
		path string
		want flow.Level
	}{
		{"the time-stamped notice is checked at its proven time, before the revocation: green", stamped, flow.Green},
		{"the same notice without a time-stamp is checked now, after the revocation: red", unstamped, flow.Red},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rep, err := later.VerifyNotice(ctx, flow.NoticeRef{Path: tt.path})
			if err != nil {
				t.Fatal(err)
			}
			if rep.Revocation.Level != tt.want {
				t.Fatalf("revocation %+v (check %+v), want %s", rep.Revocation, rep.Check, tt.want)
			}
		})
	}
}
