package responder

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/base64"
	"errors"
	"io"
	"math/big"
	"net/http"
	"net/url"
	"sync"
	"testing"
	"time"

	"golang.org/x/crypto/ocsp"

	"github.com/shinsei-app/shinsei/sandbox/pki"
)

var (
	testPKIOnce sync.Once
	testPKIVal  *pki.PKI
	testPKIErr  error
)

// sandboxPKI is one PKI for the package's tests.
func sandboxPKI(t testing.TB) *pki.PKI {
	t.Helper()
	testPKIOnce.Do(func() { testPKIVal, testPKIErr = pki.New(time.Now()) })
	if testPKIErr != nil {
		t.Fatal(testPKIErr)
	}
	return testPKIVal
}

var (
	respKeyOnce  sync.Once
	respKeyValue *rsa.PrivateKey
	respKeyErr   error
)

// respKey is one RSA key shared by the responder tests' certificates.
func respKey(t testing.TB) *rsa.PrivateKey {
	t.Helper()
	respKeyOnce.Do(func() { respKeyValue, respKeyErr = rsa.GenerateKey(rand.Reader, 2048) })
	if respKeyErr != nil {
		t.Fatal(respKeyErr)
	}
	return respKeyValue
}

func respStart(t *testing.T) *Server {
	t.Helper()
	rs, err := Start(context.Background(), sandboxPKI(t), pki.NewRegistry(), "")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = rs.Close() })
	return rs
}

func respIssue(t testing.TB, rs *Server, ca *pki.CA, style Style) *pki.Credential {
	t.Helper()
	cred, err := rs.IssueEndEntity(ca, EndEntity{CommonName: "responder test", Style: style, Key: respKey(t)})
	if err != nil {
		t.Fatal(err)
	}
	return cred
}

func respPost(t testing.TB, u string, body []byte) *http.Response {
	t.Helper()
	resp, err := http.Post(u, "application/ocsp-request", bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	return resp
}

func respReadAll(t testing.TB, resp *http.Response) []byte {
	t.Helper()
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestIssuedCertificatesPointAtTheRunningResponders(t *testing.T) {
	rs := respStart(t)
	cred := respIssue(t, rs, rs.PKI.LGPKIApp, StyleDelegated)
	c := cred.Cert
	if len(c.OCSPServer) != 1 || c.OCSPServer[0] != rs.URL+"/ocsp/lgpki-app/delegated" {
		t.Fatalf("AIA OCSP %v", c.OCSPServer)
	}
	if len(c.CRLDistributionPoints) != 1 || c.CRLDistributionPoints[0] != rs.URL+"/crl/lgpki-app.crl" {
		t.Fatalf("CRL DP %v", c.CRLDistributionPoints)
	}
	if st, _ := rs.Registry.Status(rs.PKI.LGPKIApp, c.SerialNumber); st != pki.CertGood {
		t.Fatalf("an issued certificate must be recorded as good, got %v", st)
	}
	resp, err := http.Get(c.IssuingCertificateURL[0])
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(respReadAll(t, resp), rs.PKI.LGPKIApp.Cert.Raw) {
		t.Fatal("the CA certificate URL must serve the issuing CA's certificate")
	}
}

func TestRespondersAnswerInEachStyle(t *testing.T) {
	rs := respStart(t)
	p := rs.PKI
	revokedAt := time.Now().Add(-time.Hour).UTC().Truncate(time.Second)
	tests := []struct {
		name   string
		ca     *pki.CA
		style  Style
		state  pki.CertStatus
		status int
		get    bool
	}{
		{"the CA itself answers good by POST", p.Private, StyleCA, pki.CertGood, ocsp.Good, false},
		{"the CA itself answers revoked by GET", p.Private, StyleCA, pki.CertRevoked, ocsp.Revoked, true},
		{"a delegated responder answers on hold", p.LGPKIApp, StyleDelegated, pki.CertOnHold, ocsp.Revoked, false},
		{"a delegated responder answers unknown for a serial it never issued", p.LGPKIApp, StyleDelegated, pki.CertUnknown, ocsp.Unknown, true},
		{"the VA answers for a registry certificate", p.Registrar, StyleVA, pki.CertGood, ocsp.Good, false},
		{"the VA answers revoked for an LGPKI certificate by GET", p.LGPKIOrg, StyleVA, pki.CertRevoked, ocsp.Revoked, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cred := respIssue(t, rs, tt.ca, tt.style)
			issuer := tt.ca.Cert
			switch tt.state {
			case pki.CertRevoked:
				if err := rs.Registry.Revoke(tt.ca, cred.Cert.SerialNumber, pki.ReasonKeyCompromise, revokedAt); err != nil {
					t.Fatal(err)
				}
			case pki.CertOnHold:
				if err := rs.Registry.Hold(tt.ca, cred.Cert.SerialNumber, revokedAt); err != nil {
					t.Fatal(err)
				}
			case pki.CertUnknown:
				// Ask about a serial the CA never issued.
				other := *cred.Cert
				other.SerialNumber = new(big.Int).Add(cred.Cert.SerialNumber, big.NewInt(1))
				cred = &pki.Credential{Cert: &other}
			}
			req, err := ocsp.CreateRequest(cred.Cert, issuer, nil)
			if err != nil {
				t.Fatal(err)
			}
			u := rs.OCSPURL(tt.ca, tt.style)
			var resp *http.Response
			if tt.get {
				resp, err = http.Get(u + "/" + url.QueryEscape(base64.StdEncoding.EncodeToString(req)))
				if err != nil {
					t.Fatal(err)
				}
			} else {
				resp = respPost(t, u, req)
			}
			der := respReadAll(t, resp)
			verifyWith := issuer
			if tt.style == StyleVA {
				verifyWith = nil // the VA is not certified by the CA
			}
			r, err := ocsp.ParseResponseForCert(der, cred.Cert, verifyWith)
			if err != nil {
				t.Fatal(err)
			}
			switch tt.style {
			case StyleVA:
				if err := r.CheckSignatureFrom(rs.VA.Cert); err != nil {
					t.Fatalf("the VA must sign: %v", err)
				}
				if len(r.ResponderKeyHash) == 0 || r.Certificate != nil {
					t.Fatal("the VA is named by key hash and includes no certificate")
				}
			case StyleDelegated:
				d, err := rs.Delegate(tt.ca)
				if err != nil {
					t.Fatal(err)
				}
				if r.Certificate == nil || !r.Certificate.Equal(d.Cert) {
					t.Fatal("a delegated answer must include the delegate's certificate")
				}
				if len(d.Cert.ExtKeyUsage) != 1 || d.Cert.ExtKeyUsage[0] != x509.ExtKeyUsageOCSPSigning {
					t.Fatalf("delegate EKU %v", d.Cert.ExtKeyUsage)
				}
			}
			if r.Status != tt.status {
				t.Fatalf("status %d, want %d", r.Status, tt.status)
			}
			if tt.state == pki.CertOnHold && r.RevocationReason != ocsp.CertificateHold {
				t.Fatalf("reason %d, want certificateHold", r.RevocationReason)
			}
			if tt.state == pki.CertRevoked && (r.RevocationReason != ocsp.KeyCompromise || !r.RevokedAt.Equal(revokedAt)) {
				t.Fatalf("revoked %v for %d, want %v keyCompromise", r.RevokedAt, r.RevocationReason, revokedAt)
			}
			if got := r.NextUpdate.Sub(r.ThisUpdate); got != OCSPValidity {
				t.Fatalf("nextUpdate - thisUpdate = %v", got)
			}
		})
	}
}

func TestRespondersMisbehaveWhenTold(t *testing.T) {
	rs := respStart(t)
	cred := respIssue(t, rs, rs.PKI.Private, StyleCA)
	req, err := ocsp.CreateRequest(cred.Cert, rs.PKI.Private.Cert, nil)
	if err != nil {
		t.Fatal(err)
	}
	u := rs.OCSPURL(rs.PKI.Private, StyleCA)
	parse := func(t *testing.T) (*ocsp.Response, error) {
		return ocsp.ParseResponseForCert(respReadAll(t, respPost(t, u, req)), cred.Cert, rs.PKI.Private.Cert)
	}
	tests := []struct {
		name  string
		m     Misbehaviour
		check func(t *testing.T)
	}{
		{"a stale answer's nextUpdate has passed", MisbehaveStale, func(t *testing.T) {
			r, err := parse(t)
			if err != nil || !r.NextUpdate.Before(time.Now()) {
				t.Fatalf("%v %v", r, err)
			}
		}},
		{"a forged answer does not verify", MisbehaveForged, func(t *testing.T) {
			if _, err := parse(t); err == nil {
				t.Fatal("a forged answer verified")
			}
		}},
		{"an answer about the wrong serial does not match the certificate", MisbehaveWrongSerial, func(t *testing.T) {
			if _, err := parse(t); err == nil {
				t.Fatal("want no matching response")
			}
		}},
		{"try later is an OCSP error status", MisbehaveTryLater, func(t *testing.T) {
			var re ocsp.ResponseError
			if _, err := parse(t); !errors.As(err, &re) || re.Status != ocsp.TryLater {
				t.Fatalf("%v", err)
			}
		}},
		{"HTTP 500 is an HTTP error", MisbehaveHTTP500, func(t *testing.T) {
			resp := respPost(t, u, req)
			respReadAll(t, resp)
			if resp.StatusCode != http.StatusInternalServerError {
				t.Fatalf("status %d", resp.StatusCode)
			}
		}},
		{"an oversized answer is over 2 MiB", MisbehaveOversized, func(t *testing.T) {
			if n := len(respReadAll(t, respPost(t, u, req))); n < OversizedBytes {
				t.Fatalf("%d bytes", n)
			}
		}},
		{"garbage does not parse", MisbehaveGarbage, func(t *testing.T) {
			if _, err := parse(t); err == nil {
				t.Fatal("garbage parsed")
			}
		}},
		{"a redirect loop redirects to itself", MisbehaveRedirectLoop, func(t *testing.T) {
			c := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
			resp, err := c.Post(u, "application/ocsp-request", bytes.NewReader(req))
			if err != nil {
				t.Fatal(err)
			}
			respReadAll(t, resp)
			if resp.StatusCode != http.StatusFound || resp.Header.Get("Location") != "/ocsp/private/ca" {
				t.Fatalf("%d %q", resp.StatusCode, resp.Header.Get("Location"))
			}
		}},
		{"a slow answer does not come within a short timeout", MisbehaveSlow, func(t *testing.T) {
			c := &http.Client{Timeout: 200 * time.Millisecond}
			start := time.Now()
			if _, err := c.Post(u, "application/ocsp-request", bytes.NewReader(req)); err == nil {
				t.Fatal("a slow answer came")
			}
			if time.Since(start) > 5*time.Second {
				t.Fatal("the client timeout was not honoured")
			}
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rs.SetMisbehaviour(tt.m)
			defer rs.SetMisbehaviour(Behave)
			tt.check(t)
		})
	}
}

func TestRespondersServeEachCAsCRL(t *testing.T) {
	rs := respStart(t)
	cred := respIssue(t, rs, rs.PKI.LGPKIOrg, StyleCA)
	if err := rs.Registry.Revoke(rs.PKI.LGPKIOrg, cred.Cert.SerialNumber, pki.ReasonAffiliationChanged, time.Now()); err != nil {
		t.Fatal(err)
	}
	resp, err := http.Get(cred.Cert.CRLDistributionPoints[0])
	if err != nil {
		t.Fatal(err)
	}
	crl, err := x509.ParseRevocationList(respReadAll(t, resp))
	if err != nil {
		t.Fatal(err)
	}
	if err := crl.CheckSignatureFrom(rs.PKI.LGPKIOrg.Cert); err != nil {
		t.Fatal(err)
	}
	if len(crl.RevokedCertificateEntries) != 1 || crl.RevokedCertificateEntries[0].SerialNumber.Cmp(cred.Cert.SerialNumber) != 0 ||
		crl.RevokedCertificateEntries[0].ReasonCode != int(pki.ReasonAffiliationChanged) {
		t.Fatal("the CRL must list the revoked certificate with its reason")
	}
}

func TestRespondersStopWhenTheContextEndsAndCutSlowRequestsShort(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	rs, err := Start(ctx, sandboxPKI(t), pki.NewRegistry(), "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	rs.SetMisbehaviour(MisbehaveSlow)
	done := make(chan error, 1)
	go func() {
		resp, err := http.Post(rs.VAURL(), "application/ocsp-request", bytes.NewReader([]byte{0x30, 0x00}))
		if err == nil {
			resp.Body.Close()
		}
		done <- err
	}()
	time.Sleep(100 * time.Millisecond)
	cancel()
	select {
	case <-done:
	case <-time.After(5 * time.Second):
		t.Fatal("a slow request outlived the server")
	}
	if err := rs.Close(); err != nil {
		t.Fatalf("Close after the context ended: %v", err)
	}
	if _, err := http.Get(rs.CRLURL(rs.PKI.Private)); err == nil {
		t.Fatal("the server still answers after its context ended")
	}
}
