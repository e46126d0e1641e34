//go:build cgo

package sandbox

import (
	"bytes"
	"context"
	"crypto"
	"crypto/tls"
	"crypto/x509"
	"encoding/json"
	"io"
	"net/http"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"golang.org/x/crypto/ocsp"

	"github.com/shinsei-app/shinsei/sandbox/kit"
	"github.com/shinsei-app/shinsei/sandbox/pki"
	"github.com/shinsei-app/shinsei/sandbox/vcard"
	"github.com/shinsei-app/shinsei/submit"
)

// post sends body to the service's path and returns the status and body.
func post(t *testing.T, w *World, path, contentType string, body []byte) (int, []byte) {
	t.Helper()
	roots := x509.NewCertPool()
	for _, c := range w.ServiceAnchors() {
		roots.AddCert(c)
	}
	client := &http.Client{Timeout: time.Minute, Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: roots}}}
	resp, err := client.Post(w.URL()+submit.APIPrefix+path, contentType, bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	out, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, out
}

func TestACardIssuedFromServesPKIIsKnownToItsServiceAndRevokedWhenItsScenarioSaysSo(t *testing.T) {
	dir := t.TempDir()
	w, err := Start(context.Background(), InDir(dir, Options{Kit: kit.Options{SoftHSMModule: filepath.Join(dir, "no-softhsm.so"), SoftHSMOptional: true}}))
	if err != nil {
		t.Fatal(err)
	}
	defer w.Close()

	// As 'shinsei-sandbox card --sandbox DIR' does in its own process: the
	// saved PKI, and a registry of its own on the shared file.
	p, err := pki.Load(filepath.Join(dir, "pki"), time.Now())
	if err != nil {
		t.Fatal(err)
	}
	reg := pki.NewRegistry()
	if err := reg.ShareFile(filepath.Join(dir, "pki", RegistryFileName)); err != nil {
		t.Fatal(err)
	}
	issuer, err := vcard.NewIssuer(p, reg)
	if err != nil {
		t.Fatal(err)
	}
	card := func(s vcard.Scenario) *pki.Credential {
		c, err := issuer.Issue(s)
		if err != nil {
			t.Fatal(err)
		}
		return c.SignatureCredential()
	}
	healthy, revoked := card(vcard.ScenarioHealthy), card(vcard.ScenarioRevoked)

	tests := []struct {
		name       string
		cred       *pki.Credential
		validation string
		ocsp       int
		submit     int
		reason     submit.Reason
	}{
		{"the healthy card", healthy, "good", ocsp.Good, http.StatusCreated, ""},
		{"the revoked card", revoked, "revoked", ocsp.Revoked, http.StatusUnprocessableEntity, submit.ReasonCertificateRevoked},
	}
	for i, tc := range tests {
		t.Run(tc.name+" is answered "+tc.validation+" by the service's validation and OCSP", func(t *testing.T) {
			body, _ := json.Marshal(submit.ValidationRequest{Certificate: tc.cred.Cert.Raw})
			status, out := post(t, w, "/validation", submit.MediaJSON, body)
			var v submit.Validation
			if err := json.Unmarshal(out, &v); status != http.StatusOK || err != nil || v.Status != tc.validation {
				t.Errorf("validation: %d %s, want %s", status, out, tc.validation)
			}
			req, err := ocsp.CreateRequest(tc.cred.Cert, w.PKI.JPKISign.Cert, &ocsp.RequestOptions{Hash: crypto.SHA256})
			if err != nil {
				t.Fatal(err)
			}
			status, out = post(t, w, "/ocsp", "application/ocsp-request", req)
			resp, err := ocsp.ParseResponse(out, nil)
			if status != http.StatusOK || err != nil || resp.Status != tc.ocsp {
				t.Errorf("OCSP: %d, %+v, %v; want status %d", status, resp, err, tc.ocsp)
			}
		})
		t.Run(tc.name+"'s signature goes through to the submission's answer", func(t *testing.T) {
			form := strings.Replace(moveOut, "2026-12-20", []string{"2026-12-22", "2026-12-23"}[i], 1)
			status, body := file(t, w, sign(t, tc.cred, form))
			if status != tc.submit || (tc.reason != "" && !strings.Contains(body, string(tc.reason))) {
				t.Errorf("%d %s, want %d %s", status, body, tc.submit, tc.reason)
			}
		})
	}
}
