package responder

import (
	"crypto/x509"
	"encoding/pem"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/shinsei-app/shinsei/internal/testenv/tool"
	"github.com/shinsei-app/shinsei/sandbox/pki"
)

func respWritePEM(t *testing.T, dir, name string, certs ...*x509.Certificate) string {
	t.Helper()
	var b []byte
	for _, c := range certs {
		b = append(b, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: c.Raw})...)
	}
	path := filepath.Join(dir, name)
	if err := os.WriteFile(path, b, 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

// TestOpenSSLAcceptsTheSandboxAnswers has openssl, an independent OCSP
// client, check the sandbox's answers: signature, responder authority
// (CA, delegate with id-kp-OCSPSigning, directly trusted VA), nonce and
// status.
func TestOpenSSLAcceptsTheSandboxAnswers(t *testing.T) {
	openssl := tool.OpenSSL(t)
	rs := respStart(t)
	p := rs.PKI
	tests := []struct {
		name  string
		ca    *pki.CA
		style Style
		trust []string // extra openssl options naming what to trust
		m     Misbehaviour
		want  string // the status openssl reports; "" when it must reject
	}{
		{"an answer signed by the CA itself", p.Private, StyleCA, nil, Behave, "good"},
		{"an answer signed by a delegate of an intermediate CA", p.LGPKIApp, StyleDelegated, nil, Behave, "revoked"},
		{"an answer from the directly trusted VA", p.Registrar, StyleVA, []string{"-VAfile", "va.pem"}, Behave, "good"},
		{"a forged answer is rejected by openssl too", p.Private, StyleCA, nil, MisbehaveForged, ""},
		{"an answer from an unauthorised responder is rejected by openssl too", p.Private, StyleCA, nil, MisbehaveUnauthorised, ""},
		{"an answer with another nonce is rejected by openssl too", p.Private, StyleCA, nil, MisbehaveWrongNonce, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			cred := respIssue(t, rs, tt.ca, tt.style)
			if tt.want == "revoked" {
				if err := rs.Registry.Revoke(tt.ca, cred.Cert.SerialNumber, pki.ReasonKeyCompromise, time.Now().Add(-time.Hour)); err != nil {
					t.Fatal(err)
				}
			}
			root := tt.ca
			for root.Parent != nil {
				root = root.Parent
			}
			respWritePEM(t, dir, "ee.pem", cred.Cert)
			respWritePEM(t, dir, "issuer.pem", tt.ca.Cert)
			respWritePEM(t, dir, "root.pem", root.Cert)
			respWritePEM(t, dir, "chain.pem", append([]*x509.Certificate{tt.ca.Cert}, cred.Intermediates...)...)
			respWritePEM(t, dir, "va.pem", rs.VA.Cert)
			rs.SetMisbehaviour(tt.m)
			defer rs.SetMisbehaviour(Behave)
			// openssl is the client: it sends the request (with a nonce)
			// over loopback and checks the answer.
			args := []string{"ocsp", "-issuer", "issuer.pem", "-cert", "ee.pem", "-nonce", "-url", rs.OCSPURL(tt.ca, tt.style),
				"-timeout", "10", "-CAfile", "root.pem", "-verify_other", "chain.pem"}
			cmd := exec.Command(openssl, append(args, tt.trust...)...)
			cmd.Dir = dir
			outBytes, err := cmd.CombinedOutput()
			out := string(outBytes)
			if tt.want == "" {
				if err == nil && !strings.Contains(out, "WARNING") {
					t.Fatalf("openssl accepted a bad answer:\n%s", out)
				}
				return
			}
			if err != nil {
				t.Fatalf("openssl %s: %v\n%s", strings.Join(args, " "), err, out)
			}
			if !strings.Contains(out, "Response verify OK") || !strings.Contains(out, "ee.pem: "+tt.want) {
				t.Fatalf("openssl says:\n%s", out)
			}
			if strings.Contains(out, "WARNING") {
				t.Fatalf("openssl warns (nonce not echoed?):\n%s", out)
			}
		})
	}
}
