package signer

import (
	"bytes"
	"context"
	"crypto"
	"crypto/sha256"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/hex"
	"encoding/pem"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/digitorus/timestamp"

	"github.com/shinsei-app/shinsei/internal/fsx/fsxtest"
	"github.com/shinsei-app/shinsei/sandbox/pki"
)

var (
	tsaOnce  sync.Once
	tsaCred  *pki.TSA
	tsaNoEKU *pki.TSA
	tsaErr   error
)

// testTSAs returns a time-stamp authority issued by the sandbox private
// CA (critical id-kp-timeStamping) and one without the extended key
// usage.
func testTSAs(t testing.TB) (good *pki.TSA, noEKU *pki.TSA) {
	t.Helper()
	f := testFixtures(t)
	tsaOnce.Do(func() {
		now := time.Now()
		if tsaCred, tsaErr = f.pki.Private.IssueTSA("Test TSA", now.Add(-10*365*24*time.Hour), now.Add(10*365*24*time.Hour)); tsaErr != nil {
			return
		}
		var c *pki.Credential
		c, tsaErr = f.pki.Private.Issue(&x509.Certificate{Subject: pkix.Name{CommonName: "Not a TSA"},
			NotBefore: now.Add(-time.Hour), NotAfter: now.Add(time.Hour), KeyUsage: x509.KeyUsageDigitalSignature})
		if tsaErr == nil {
			tsaNoEKU = &pki.TSA{Cert: c.Cert, Key: c.Key}
		}
	})
	if tsaErr != nil {
		t.Fatal(tsaErr)
	}
	return tsaCred, tsaNoEKU
}

// tsaServer answers time-stamp requests with tokens by cred at the time
// clock returns (now when nil).
func tsaServer(t testing.TB, cred *pki.TSA, clock func() time.Time) *httptest.Server {
	t.Helper()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		req, err := timestamp.ParseRequest(body)
		if err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		at := time.Now()
		if clock != nil {
			at = clock()
		}
		ts := timestamp.Timestamp{HashAlgorithm: req.HashAlgorithm, HashedMessage: req.HashedMessage, Time: at,
			Nonce: req.Nonce, Policy: []int{1, 2, 3, 4}, AddTSACertificate: true}
		resp, err := ts.CreateResponseWithOpts(cred.Cert, cred.Key, crypto.SHA256)
		if err != nil {
			http.Error(w, err.Error(), http.StatusInternalServerError)
			return
		}
		w.Header().Set("Content-Type", "application/timestamp-reply")
		_, _ = w.Write(resp)
	}))
	t.Cleanup(srv.Close)
	return srv
}

// buildWith builds the sample package signed by c, asking tsa.
func buildWith(t testing.TB, c *pki.Credential, tsa *TSA) (string, *BuildResult) {
	t.Helper()
	dir := fsxtest.TempDir(t)
	out := filepath.Join(dir, "application.asice")
	res, err := Build(context.Background(), out, sampleFiles(t, dir), credential(c), BuildOptions{TSA: tsa})
	if err != nil {
		t.Fatalf("a TSA must never fail the signature: %v", err)
	}
	return out, res
}

// tokenOf returns the signature value and the first
// signature-time-stamp token of the package's signature.
func tokenOf(t testing.TB, pkg string) (sigValue, token []byte) {
	t.Helper()
	p7, err := parseSignature(entryData(t, readEntries(t, pkg), signatureName))
	if err != nil {
		t.Fatal(err)
	}
	for _, a := range p7.Signers[0].UnauthenticatedAttributes {
		if a.Type.Equal(oidSignatureTimeStampToken) {
			return p7.Signers[0].EncryptedDigest, a.Value.Bytes
		}
	}
	t.Fatal("no signature-time-stamp attribute")
	return nil, nil
}

func writePEM(t testing.TB, dir, name string, certs ...*x509.Certificate) string {
	t.Helper()
	var b bytes.Buffer
	for _, c := range certs {
		_ = pem.Encode(&b, &pem.Block{Type: "CERTIFICATE", Bytes: c.Raw})
	}
	return writeFile(t, dir, name, b.Bytes())
}

// opensslAccepts checks the package with openssl: the token with
// 'openssl ts -verify' over the signature value, and the signature with
// its unsigned attribute with 'openssl cms -verify'.
func opensslAccepts(t *testing.T, pkg string, signerRoot, tsaCert *x509.Certificate) {
	t.Helper()
	requireOpenSSL(t)
	f := testFixtures(t)
	dir := fsxtest.TempDir(t)
	sigValue, token := tokenOf(t, pkg)
	sum := sha256.Sum256(sigValue)
	tok := writeFile(t, dir, "token.der", token)
	root := writePEM(t, dir, "root.pem", f.pki.Private.Cert)
	untrusted := writePEM(t, dir, "tsa.pem", tsaCert)
	out := run(t, "openssl", "ts", "-verify", "-digest", hex.EncodeToString(sum[:]), "-in", tok, "-token_in",
		"-CAfile", root, "-untrusted", untrusted)
	if !strings.Contains(string(out), "Verification: OK") {
		t.Fatalf("openssl ts -verify: %s", out)
	}
	entries := readEntries(t, pkg)
	sig := writeFile(t, dir, "signature.p7s", entryData(t, entries, signatureName))
	manifest := writeFile(t, dir, "manifest.xml", entryData(t, entries, manifestName))
	run(t, "openssl", "cms", "-verify", "-binary", "-inform", "DER", "-in", sig, "-content", manifest,
		"-CAfile", writePEM(t, dir, "signer-root.pem", signerRoot), "-purpose", "any", "-out", os.DevNull)
}

func TestSignatureTimestampIsAddedRightAfterSigning(t *testing.T) {
	f := testFixtures(t)
	good, _ := testTSAs(t)
	srv := tsaServer(t, good, nil)
	pkg, res := buildWith(t, f.official, &TSA{URL: srv.URL})
	if !res.Timestamped || res.TimestampErr != nil {
		t.Fatalf("want a time-stamped signature, got %v", res.TimestampErr)
	}
	rep, err := Verify(context.Background(), pkg, f.opts())
	if err != nil {
		t.Fatal(err)
	}
	if rep.Outcome() != OutcomeValid || len(rep.Timestamps) != 1 || !rep.Timestamps[0].Check.OK {
		t.Fatalf("want valid with one good token, got %s %+v %+v %+v", rep.Outcome(), rep.Timestamps, rep.Certificate, rep.Undecided)
	}
	if rep.ProvenTime == nil || !strings.Contains(rep.Certificate.Detail, "signed no later than") || !strings.Contains(rep.Certificate.Detail, "Test TSA") {
		t.Fatalf("want the proven time and its authority said, got %q", rep.Certificate.Detail)
	}
	if len(rep.Unsigned) != 1 || rep.Unsigned[0] != "signature-time-stamp" {
		t.Fatalf("unsigned attributes: %v", rep.Unsigned)
	}
	t.Run("openssl accepts the token and the signature with it", func(t *testing.T) {
		opensslAccepts(t, pkg, f.official.Root, good.Cert)
	})
}

func TestVerificationAtTheTimeATimestampProves(t *testing.T) {
	f := testFixtures(t)
	good, _ := testTSAs(t)
	expiry := f.official.Cert.NotAfter
	stamped, _ := buildWith(t, f.official, &TSA{URL: tsaServer(t, good, nil).URL})
	late, _ := buildWith(t, f.official, &TSA{URL: tsaServer(t, good, func() time.Time { return expiry.Add(24 * time.Hour) }).URL})
	plain, _ := buildWith(t, f.official, nil)
	tests := []struct {
		name    string
		pkg     string
		at      time.Time
		outcome string
		reason  string
	}{
		{"a package time-stamped before its certificate expired is valid a year after expiry", stamped, expiry.Add(365 * 24 * time.Hour), OutcomeValid, ""},
		{"the same package without a time-stamp is invalid after expiry", plain, expiry.Add(365 * 24 * time.Hour), OutcomeInvalid, "expired"},
		{"a time-stamp after expiry proves nothing for the certificate", late, expiry.Add(365 * 24 * time.Hour), OutcomeInvalid, "expired"},
		{"a time-stamped package checked before expiry is valid", stamped, time.Time{}, OutcomeValid, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			opts := f.opts()
			opts.At = tt.at
			rep, err := Verify(context.Background(), tt.pkg, opts)
			if err != nil {
				t.Fatal(err)
			}
			if rep.Outcome() != tt.outcome || rep.Certificate.Reason != tt.reason {
				t.Fatalf("got %s %+v, want %s %s; timestamps %+v", rep.Outcome(), rep.Certificate, tt.outcome, tt.reason, rep.Timestamps)
			}
		})
	}
}

// withToken returns the BES package plain with token added to its
// signature as signature-time-stamp.
func withToken(t *testing.T, plain string, token []byte) string {
	t.Helper()
	return rewrite(t, plain, func(es []entry) []entry {
		for i, e := range es {
			if e.Name == signatureName {
				sig, err := AddSignatureTimestamp(e.Data, token)
				if err != nil {
					t.Fatal(err)
				}
				es[i].Data = sig
			}
		}
		return es
	})
}

func TestTimestampsThatDoNotHoldHaveTheirOwnResult(t *testing.T) {
	f := testFixtures(t)
	good, noEKU := testTSAs(t)
	pkg, _ := buildWith(t, f.official, &TSA{URL: tsaServer(t, good, nil).URL})
	_, token := tokenOf(t, pkg)
	// Another signer: RSA signatures of the same manifest in the same
	// second are the same bytes.
	plain, _ := buildWith(t, f.corporate, nil)
	tampered := bytes.Clone(token)
	i := bytes.Index(tampered, []byte{0x18, 0x0f}) // genTime, GeneralizedTime
	if i < 0 {
		t.Fatal("no genTime in the token")
	}
	tampered[i+5] ^= 1 // another year
	notTSA, _ := buildWith(t, f.official, &TSA{URL: tsaServer(t, noEKU, nil).URL})
	tests := []struct {
		name   string
		pkg    string
		reason string
	}{
		{"a tampered token is not intact", withToken(t, plain, tampered), ReasonTimestampInvalid},
		{"a token over another signature's value is over other data", withToken(t, plain, token), ReasonTimestampImprintMismatch},
		{"a token by a certificate without id-kp-timeStamping is not by a time-stamp authority", notTSA, ReasonTimestampNotTSA},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rep, err := Verify(context.Background(), tt.pkg, f.opts())
			if err != nil {
				t.Fatal(err)
			}
			if len(rep.Timestamps) != 1 || rep.Timestamps[0].Check.Reason != tt.reason {
				t.Fatalf("want %s, got %+v", tt.reason, rep.Timestamps)
			}
			if rep.ProvenTime != nil || rep.Outcome() != OutcomeUndecided || len(rep.Undecided) == 0 || rep.Undecided[0].Reason != tt.reason {
				t.Fatalf("a token that does not hold proves nothing and is undecided: %s %+v", rep.Outcome(), rep.Undecided)
			}
		})
	}
	t.Run("a token whose authority does not chain to the anchors is untrusted", func(t *testing.T) {
		opts := f.opts()
		opts.Roots = []*x509.Certificate{f.pki.JPKISign.Cert, f.pki.Registrar.Cert, f.pki.LGPKIRoot.Cert}
		rep, err := Verify(context.Background(), pkg, opts)
		if err != nil {
			t.Fatal(err)
		}
		if len(rep.Timestamps) != 1 || rep.Timestamps[0].Check.Reason != ReasonTimestampUntrusted {
			t.Fatalf("want %s, got %+v", ReasonTimestampUntrusted, rep.Timestamps)
		}
		if rep.ProvenTime != nil || rep.Outcome() != OutcomeValid || len(rep.Undecided) != 0 {
			t.Fatalf("an untrusted authority proves no time, and the signature stands as CAdES-BES: %s %+v", rep.Outcome(), rep.Undecided)
		}
	})
}
