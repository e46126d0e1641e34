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

// tsaAt serves a time-stamp authority of cred dating its tokens now.
func tsaAt(t *testing.T, cred *pki.TSA) string {
	t.Helper()
	srv := httptest.NewServer(http.HandlerFunc(func(rw http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		req, err := timestamp.ParseRequest(body)
		if err != nil {
			http.Error(rw, err.Error(), http.StatusBadRequest)
			return
		}
		resp, err := responder.TimestampReply(cred, req, time.Now().Add(-time.Minute))
		if err != nil {
			http.Error(rw, err.Error(), http.StatusInternalServerError)
			return
		}
		_, _ = rw.Write(resp)
	}))
	t.Cleanup(srv.Close)
	return srv.URL
}

func TestANoticeWhoseTimestampAuthorityExpiredStaysValidWithAnArchiveTimestamp(t *testing.T) {
	w := getWorld(t)
	now := time.Now()
	// The signature's authority expires in a few seconds; the archive's
	// lasts ten years.
	expires := now.Add(3 * time.Second)
	short, err := w.pki.Private.IssueTSA("Short-lived TSA", now.Add(-time.Hour), expires)
	if err != nil {
		t.Fatal(err)
	}
	long, err := w.pki.Private.IssueTSA("Archive TSA", now.Add(-time.Hour), now.Add(10*365*24*time.Hour))
	if err != nil {
		t.Fatal(err)
	}
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
	stamped, archived := filepath.Join(dir, "stamped.asice"), filepath.Join(dir, "archived.asice")
	for _, p := range []string{stamped, archived} {
		if err := os.WriteFile(p, data, 0o600); err != nil {
			t.Fatal(err)
		}
		if n, err := signer.TimestampPackage(ctx, p, signer.TSA{URL: tsaAt(t, short)}); err != nil || n != 1 {
			t.Fatalf("time-stamp the notice: %d %v", n, err)
		}
	}
	if _, err := signer.ArchivePackage(ctx, archived, signer.TSA{URL: tsaAt(t, long)}); err != nil {
		t.Fatal(err)
	}
	// The official's certificate is revoked now, after both time-stamps.
	var issuer *pki.CA
	for _, ca := range []*pki.CA{w.pki.LGPKIApp, w.pki.LGPKIOrg, w.pki.Private, w.pki.Registrar} {
		if bytes.Equal(plain.Signer.RawIssuer, ca.Cert.RawSubject) {
			issuer = ca
		}
	}
	if issuer == nil {
		t.Fatal("the notice's issuer is not a sandbox CA")
	}
	w.reg.Record(issuer, plain.Signer)
	if issuer.Parent != nil {
		w.reg.Record(issuer.Parent, issuer.Cert)
	}
	if err := w.reg.Revoke(issuer, plain.Signer.SerialNumber, pki.ReasonAffiliationChanged, time.Now()); err != nil {
		t.Fatal(err)
	}
	// Then the signature's authority expires.
	time.Sleep(time.Until(expires.Add(1500 * time.Millisecond)))
	later := a
	tests := []struct {
		name      string
		path      string
		integrity flow.Level
		want      flow.Level
	}{
		{"with an archive time-stamp from before the authority expired, the notice is checked at its signature's time: green", archived, flow.Green, flow.Green},
		{"its signature time-stamp alone proves nothing once its authority expired: checked now, after the revocation, red", stamped, flow.Green, flow.Red},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rep, err := later.VerifyNotice(ctx, flow.NoticeRef{Path: tt.path})
			if err != nil {
				t.Fatal(err)
			}
			if rep.Integrity.Level != tt.integrity || rep.Revocation.Level != tt.want {
				t.Fatalf("integrity %+v, revocation %+v (check %+v); want %s, %s", rep.Integrity, rep.Revocation, rep.Check, tt.integrity, tt.want)
			}
		})
	}
}
