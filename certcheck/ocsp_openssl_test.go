package certcheck_test

// openssl as the independent OCSP peer. openssl 3.0's `ocsp -port` takes
// a port number only and listens on every interface ([::]), so instead of
// running it as a server these tests put a loopback HTTP front in front of
// it: each request is handed to `openssl ocsp -index … -reqin … -respout …`,
// which decides, builds and signs the answer exactly as its server mode
// does (same make_ocsp_response code), nonce echo included. Every openssl
// process is waited for before its request ends, and killed when the
// client gives up.

import (
	"bytes"
	"context"
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/sha1"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/asn1"
	"encoding/base64"
	"encoding/pem"
	"fmt"
	"io"
	"math/big"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/shinsei-app/shinsei/certcheck"
	"github.com/shinsei-app/shinsei/internal/fsx/fsxtest"
	"github.com/shinsei-app/shinsei/internal/testenv/tool"
	"github.com/shinsei-app/shinsei/sandbox/pki"
	"github.com/shinsei-app/shinsei/sandbox/responder"
)

// ocspOpenSSLResponder is a loopback HTTP front for `openssl ocsp` in
// responder mode.
type ocspOpenSSLResponder struct {
	URL string
}

// startOpenSSLResponder serves OCSP from dir with the given openssl
// responder options (-index, -CA, -rsigner, -rkey, …) until the test ends.
// rewrite, when not nil, alters each request before openssl sees it.
func startOpenSSLResponder(t *testing.T, dir string, rewrite func([]byte) []byte, args ...string) *ocspOpenSSLResponder {
	t.Helper()
	openssl := tool.OpenSSL(t)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var req []byte
		var err error
		switch r.Method {
		case http.MethodPost:
			req, err = io.ReadAll(io.LimitReader(r.Body, 64<<10))
		case http.MethodGet:
			var s string
			if s, err = url.PathUnescape(r.URL.EscapedPath()[strings.LastIndex(r.URL.EscapedPath(), "/")+1:]); err == nil {
				req, err = base64.StdEncoding.DecodeString(s)
			}
		default:
			http.Error(w, "method", http.StatusMethodNotAllowed)
			return
		}
		if err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		if rewrite != nil {
			req = rewrite(req)
		}
		work, err := os.MkdirTemp(dir, "req-")
		if err != nil {
			http.Error(w, err.Error(), http.StatusInternalServerError)
			return
		}
		defer os.RemoveAll(work)
		reqFile, respFile := filepath.Join(work, "req.der"), filepath.Join(work, "resp.der")
		if err := os.WriteFile(reqFile, req, 0o600); err != nil {
			http.Error(w, err.Error(), http.StatusInternalServerError)
			return
		}
		cmd := exec.CommandContext(r.Context(), openssl, append(append([]string{"ocsp"}, args...), "-reqin", reqFile, "-respout", respFile)...)
		cmd.Dir = dir
		if out, err := cmd.CombinedOutput(); err != nil { // runs and waits; killed if the client gives up
			if r.Context().Err() != nil {
				return
			}
			t.Errorf("openssl ocsp %s: %v\n%s", strings.Join(args, " "), err, out)
			http.Error(w, "openssl failed", http.StatusInternalServerError)
			return
		}
		resp, err := os.ReadFile(respFile)
		if err != nil {
			http.Error(w, err.Error(), http.StatusInternalServerError)
			return
		}
		w.Header().Set("Content-Type", "application/ocsp-response")
		_, _ = w.Write(resp)
	}))
	t.Cleanup(srv.Close) // waits for requests in flight, and so for their openssl
	return &ocspOpenSSLResponder{URL: srv.URL}
}

func ocspWriteFile(t testing.TB, dir, name string, data []byte) {
	t.Helper()
	if err := os.WriteFile(filepath.Join(dir, name), data, 0o600); err != nil {
		t.Fatal(err)
	}
}

func ocspWriteCert(t testing.TB, dir, name string, c *x509.Certificate) {
	ocspWriteFile(t, dir, name, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: c.Raw}))
}

func ocspWriteKey(t testing.TB, dir, name string, key crypto.Signer) {
	t.Helper()
	der, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		t.Fatal(err)
	}
	ocspWriteFile(t, dir, name, pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der}))
}

// ocspIndexLine is a line of openssl's CA index for cert.
func ocspIndexLine(cert *x509.Certificate, revokedAt time.Time, reason string) string {
	const layout = "060102150405Z"
	status, rev := "V", ""
	if reason != "" {
		status, rev = "R", revokedAt.UTC().Format(layout)+","+reason
	}
	return fmt.Sprintf("%s\t%s\t%s\t%X\tunknown\t/CN=%s\n", status, cert.NotAfter.UTC().Format(layout), rev, cert.SerialNumber.Bytes(), cert.Subject.CommonName)
}

// ocspSelfSignedResponder makes a responder certificate no CA issued.
func ocspSelfSignedResponder(t testing.TB) (*x509.Certificate, *ecdsa.PrivateKey) {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(7), Subject: pkix.Name{CommonName: "Impostor OCSP Responder"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour),
		KeyUsage: x509.KeyUsageDigitalSignature, ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageOCSPSigning},
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	cert, err := x509.ParseCertificate(der)
	if err != nil {
		t.Fatal(err)
	}
	return cert, key
}

// ocspOpenSSLFixture is a CA with three certificates — one valid, one
// revoked for keyCompromise, one the CA's index does not list — known
// alike to openssl (index.txt) and to a sandbox registry.
type ocspOpenSSLFixture struct {
	dir                    string
	ca                     *pki.CA
	good, revoked, missing *x509.Certificate
	revokedAt              time.Time
	rs                     *responder.Server
}

func newOCSPOpenSSLFixture(t *testing.T) *ocspOpenSSLFixture {
	t.Helper()
	tool.OpenSSL(t)
	p := ocspPKI(t)
	f := &ocspOpenSSLFixture{dir: fsxtest.TempDir(t), ca: p.LGPKIApp, revokedAt: time.Now().Add(-3 * time.Hour).UTC().Truncate(time.Second)}
	issue := func(name string) *x509.Certificate {
		cred, err := f.ca.IssueForKey(&x509.Certificate{
			Subject:   pkix.Name{Country: []string{"JP"}, Organization: []string{"Shinsei OCSP test"}, CommonName: name},
			NotBefore: time.Now().Add(-24 * time.Hour), NotAfter: time.Now().Add(30 * 24 * time.Hour),
			KeyUsage: x509.KeyUsageDigitalSignature | x509.KeyUsageContentCommitment,
		}, ocspLeafKey(t))
		if err != nil {
			t.Fatal(err)
		}
		return cred.Cert
	}
	f.good, f.revoked, f.missing = issue("good"), issue("revoked"), issue("missing")
	ocspWriteFile(t, f.dir, "index.txt", []byte(ocspIndexLine(f.good, time.Time{}, "")+ocspIndexLine(f.revoked, f.revokedAt, "keyCompromise")))
	ocspWriteCert(t, f.dir, "ca.pem", f.ca.Cert)
	ocspWriteKey(t, f.dir, "ca.key", f.ca.Key)

	reg := pki.NewRegistry()
	reg.Record(f.ca, f.good)
	reg.Record(f.ca, f.revoked)
	if err := reg.Revoke(f.ca, f.revoked.SerialNumber, pki.ReasonKeyCompromise, f.revokedAt); err != nil {
		t.Fatal(err)
	}
	var err error
	if f.rs, err = responder.Start(context.Background(), p, reg, "127.0.0.1:0"); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = f.rs.Close() })
	return f
}

// responder starts openssl answering for the fixture's CA, signing as
// rsigner (a file in dir, or "ca") with extra options.
func (f *ocspOpenSSLFixture) responder(t *testing.T, rsigner string, extra ...string) string {
	t.Helper()
	return f.rewritingResponder(t, nil, rsigner, extra...)
}

func (f *ocspOpenSSLFixture) rewritingResponder(t *testing.T, rewrite func([]byte) []byte, rsigner string, extra ...string) string {
	t.Helper()
	args := []string{"-index", "index.txt", "-CA", "ca.pem", "-rsigner", rsigner + ".pem", "-rkey", rsigner + ".key"}
	return startOpenSSLResponder(t, f.dir, rewrite, append(args, extra...)...).URL
}

// otherIssuerKeyHash rewrites a SHA-1 request so that its issuer key hash
// is not the CA's: openssl then answers about a CertID that is not ours.
func (f *ocspOpenSSLFixture) otherIssuerKeyHash(t *testing.T) func([]byte) []byte {
	var spki struct {
		Algorithm pkix.AlgorithmIdentifier
		Key       asn1.BitString
	}
	if _, err := asn1.Unmarshal(f.ca.Cert.RawSubjectPublicKeyInfo, &spki); err != nil {
		t.Fatal(err)
	}
	sum := sha1.Sum(spki.Key.RightAlign())
	other := sum
	other[0] ^= 0xff
	return func(req []byte) []byte {
		if !bytes.Contains(req, sum[:]) {
			t.Errorf("the request does not carry the CA's SHA-1 key hash")
		}
		return bytes.Replace(req, sum[:], other[:], 1)
	}
}

func TestOCSPSourceAgreesWithOpenSSL(t *testing.T) {
	f := newOCSPOpenSSLFixture(t)
	delegate, err := f.rs.Delegate(f.ca)
	if err != nil {
		t.Fatal(err)
	}
	ocspWriteCert(t, f.dir, "delegate.pem", delegate.Cert)
	ocspWriteKey(t, f.dir, "delegate.key", delegate.Key)
	ocspWriteCert(t, f.dir, "va.pem", f.rs.VA.Cert)
	ocspWriteKey(t, f.dir, "va.key", f.rs.VA.Key)

	peers := []struct {
		name   string
		source func(t *testing.T) certcheck.Source
	}{
		{"openssl signing as the CA", func(t *testing.T) certcheck.Source {
			return ocspNewSource(t, certcheck.OCSPOptions{URL: f.responder(t, "ca"), Nonce: true})
		}},
		{"openssl signing as the CA, without certificates, answering by GET", func(t *testing.T) certcheck.Source {
			return ocspNewSource(t, certcheck.OCSPOptions{URL: f.responder(t, "ca", "-resp_no_certs", "-ndays", "1")})
		}},
		{"openssl signing as a delegated responder", func(t *testing.T) certcheck.Source {
			return ocspNewSource(t, certcheck.OCSPOptions{URL: f.responder(t, "delegate"), Nonce: true, Hash: crypto.SHA256})
		}},
		{"openssl signing as the VA, named by key hash", func(t *testing.T) certcheck.Source {
			src, err := certcheck.NewVASource(certcheck.VAOptions{URL: f.responder(t, "va", "-resp_key_id", "-resp_no_certs", "-nmin", "30"),
				Responder: f.rs.VA.Cert, OCSP: certcheck.OCSPOptions{Nonce: true}})
			if err != nil {
				t.Fatal(err)
			}
			return src
		}},
		{"the sandbox CA responder", func(t *testing.T) certcheck.Source {
			return ocspNewSource(t, certcheck.OCSPOptions{URL: f.rs.OCSPURL(f.ca, responder.StyleCA), Nonce: true})
		}},
		{"the sandbox delegated responder", func(t *testing.T) certcheck.Source {
			return ocspNewSource(t, certcheck.OCSPOptions{URL: f.rs.OCSPURL(f.ca, responder.StyleDelegated), Nonce: true, Hash: crypto.SHA256})
		}},
		{"the sandbox VA", func(t *testing.T) certcheck.Source { return ocspNewVA(t, f.rs, certcheck.OCSPOptions{Nonce: true}) }},
	}
	certs := []struct {
		name   string
		cert   *x509.Certificate
		status certcheck.Status
		reason string
	}{
		{"a listed valid certificate is good", f.good, certcheck.StatusGood, ""},
		{"a certificate revoked for keyCompromise is revoked with that reason and time", f.revoked, certcheck.StatusRevoked, "keyCompromise"},
		{"a serial the index does not list is unknown", f.missing, certcheck.StatusUnknown, ""},
	}
	for _, peer := range peers {
		t.Run(peer.name, func(t *testing.T) {
			src := peer.source(t)
			for _, c := range certs {
				t.Run(c.name, func(t *testing.T) {
					r, ok := src.Check(context.Background(), ocspQuery(c.cert, f.ca))
					if !ok || r.Status != c.status || r.Reason != c.reason {
						t.Fatalf("got ok=%v %+v, want %s %s", ok, r, c.status, c.reason)
					}
					if c.status == certcheck.StatusRevoked && !r.RevokedAt.Equal(f.revokedAt) {
						t.Fatalf("revoked at %v, want %v", r.RevokedAt, f.revokedAt)
					}
					if c.status == certcheck.StatusUnknown && !strings.Contains(r.Detail, "does not know") {
						t.Fatalf("detail %q", r.Detail)
					}
				})
			}
		})
	}
}

func TestOCSPSourceRejectsBadOpenSSLAnswers(t *testing.T) {
	f := newOCSPOpenSSLFixture(t)
	impostor, impostorKey := ocspSelfSignedResponder(t)
	ocspWriteCert(t, f.dir, "impostor.pem", impostor)
	ocspWriteKey(t, f.dir, "impostor.key", impostorKey)
	// A certificate the CA issued, but not for signing OCSP answers.
	ocspWriteCert(t, f.dir, "notocsp.pem", f.good)
	ocspWriteKey(t, f.dir, "notocsp.key", ocspLeafKey(t))
	// Enough certificates in the answer to pass 1 MiB.
	var many []byte
	for n := 0; n < (5<<20)/4/len(f.good.Raw)+1; n++ {
		many = append(many, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: f.good.Raw})...)
	}
	ocspWriteFile(t, f.dir, "many.pem", many)

	later := func() time.Time { return time.Now().Add(40 * time.Minute) }
	muchLater := func() time.Time { return time.Now().Add(3 * time.Hour) }
	tests := []struct {
		name     string
		rsigner  string
		args     []string
		opts     certcheck.OCSPOptions
		sentinel error
		detail   string
		// otherKeyHash alters the request's issuer key hash before openssl sees it.
		otherKeyHash bool
	}{
		{"a forged answer with the signer's certificate is rejected", "ca", []string{"-badsig"}, certcheck.OCSPOptions{}, certcheck.ErrOCSPSignature, "", false},
		{"a forged answer without certificates is rejected", "ca", []string{"-badsig", "-resp_no_certs"}, certcheck.OCSPOptions{}, certcheck.ErrOCSPSignature, "CA", false},
		{"an answer whose nextUpdate has passed is rejected", "ca", []string{"-nmin", "1"}, certcheck.OCSPOptions{Now: later}, certcheck.ErrOCSPStale, "nextUpdate", false},
		{"an answer without nextUpdate older than the max age is rejected", "ca", nil, certcheck.OCSPOptions{Now: muchLater}, certcheck.ErrOCSPStale, "no nextUpdate", false},
		{"an answer signed by a responder the CA did not authorise is rejected", "impostor", nil, certcheck.OCSPOptions{}, certcheck.ErrOCSPUnauthorized, "Impostor", false},
		{"an answer signed by a CA-issued certificate without OCSPSigning is rejected", "notocsp", nil, certcheck.OCSPOptions{}, certcheck.ErrOCSPNotOCSPSigning, "", false},
		// openssl 3.0's -rcid also writes serial number 0 into the CertID;
		// either difference is a CertID mismatch.
		{"an answer with a SHA-256 CertID to a SHA-1 request is rejected", "ca", []string{"-rcid", "sha256"}, certcheck.OCSPOptions{}, certcheck.ErrOCSPCertIDMismatch, "", false},
		{"an answer over 1 MiB is rejected", "ca", []string{"-rother", "many.pem"}, certcheck.OCSPOptions{}, certcheck.ErrOCSPTooLarge, "", false},
		{"an answer about another issuer's key is rejected", "ca", nil, certcheck.OCSPOptions{}, certcheck.ErrOCSPCertIDMismatch, "issuer key hash", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			opts := tt.opts
			var rewrite func([]byte) []byte
			if tt.otherKeyHash {
				rewrite = f.otherIssuerKeyHash(t)
			}
			opts.URL = f.rewritingResponder(t, rewrite, tt.rsigner, tt.args...)
			opts.Nonce = true
			r, ok := ocspNewSource(t, opts).Check(context.Background(), ocspQuery(f.good, f.ca))
			ocspWantRejected(t, r, ok, tt.sentinel)
			if !strings.Contains(r.Detail, tt.detail) {
				t.Fatalf("detail %q should mention %q", r.Detail, tt.detail)
			}
			t.Logf("detail: %s", r.Detail)
		})
	}
}
