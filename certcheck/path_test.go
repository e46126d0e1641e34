package certcheck_test

import (
	"crypto/x509"
	"encoding/pem"
	"errors"
	"os"
	"path/filepath"
	"runtime"
	"sync"
	"testing"
	"time"

	"github.com/shinsei-app/shinsei/certcheck"
	"github.com/shinsei-app/shinsei/internal/fsx/fsxtest"
	"github.com/shinsei-app/shinsei/sandbox/pki"
)

var (
	pkiOnce   sync.Once
	sharedPKI *pki.PKI
	pkiErr    error
)

func testPKI(t *testing.T) *pki.PKI {
	t.Helper()
	pkiOnce.Do(func() { sharedPKI, pkiErr = pki.New(time.Now()) })
	if pkiErr != nil {
		t.Fatal(pkiErr)
	}
	return sharedPKI
}

func TestVerifyPath(t *testing.T) {
	p := testPKI(t)
	resident, err := p.IssueResident(pki.SampleResident(), pki.ResidentOptions{})
	if err != nil {
		t.Fatal(err)
	}
	old, err := p.IssueResident(pki.SampleResident(), pki.ResidentOptions{OldGeneration: true})
	if err != nil {
		t.Fatal(err)
	}
	corp, err := p.IssueCorporate(pki.SampleCorporation())
	if err != nil {
		t.Fatal(err)
	}
	official, err := p.IssueOfficial("千代田区長")
	if err != nil {
		t.Fatal(err)
	}
	both := certcheck.Options{Roots: p.Roots()}
	tests := []struct {
		name    string
		cred    *pki.Credential
		opts    certcheck.Options
		reason  certcheck.Reason
		chainTo int // length of the path when accepted
	}{
		{"a resident certificate chains to the current JPKI root", resident, both, "", 2},
		{"a certificate under the expired root generation is expired at its root", old, both, certcheck.ReasonExpired, 0},
		{"a resident certificate with no anchor configured is untrusted", resident, certcheck.Options{}, certcheck.ReasonUntrusted, 0},
		{"a resident certificate is rejected under the other generation's root alone", resident, certcheck.Options{Roots: []*x509.Certificate{p.JPKISignOld.Cert}}, certcheck.ReasonUntrusted, 0},
		{"a certificate checked before it was issued is not yet valid", resident, certcheck.Options{Roots: p.Roots(), At: resident.Cert.NotBefore.Add(-time.Hour)}, certcheck.ReasonNotYetValid, 0},
		{"a certificate checked after its end is expired", resident, certcheck.Options{Roots: p.Roots(), At: resident.Cert.NotAfter.Add(time.Hour)}, certcheck.ReasonExpired, 0},
		{"a corporate certificate with the critical registrar extension is accepted", corp, both, "", 2},
		{"an official certificate chains through its organization CA", official, certcheck.Options{Roots: p.Roots(), Intermediates: official.Intermediates}, "", 3},
		{"an official certificate without its intermediate is untrusted", official, both, certcheck.ReasonUntrusted, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			chain, err := certcheck.VerifySigning(tt.cred.Cert, tt.opts)
			if tt.reason == "" {
				if err != nil {
					t.Fatalf("want accepted, got %v", err)
				}
				if len(chain) != tt.chainTo || chain[0] != tt.cred.Cert {
					t.Fatalf("path of %d certificates, want %d starting at the leaf", len(chain), tt.chainTo)
				}
				return
			}
			var ce *certcheck.Error
			if !errors.As(err, &ce) || ce.Reason != tt.reason {
				t.Fatalf("want %s, got %v", tt.reason, err)
			}
		})
	}
}

func TestTheSystemTrustStoreIsUsedOnlyWhenAsked(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("SSL_CERT_FILE does not reach the Windows store (TestOnWindowsTheSystemRootsAreTheUsersRootStore uses the user's ROOT store)")
	}
	p := testPKI(t)
	cred, err := p.IssuePrivate("service.example")
	if err != nil {
		t.Fatal(err)
	}
	store := filepath.Join(fsxtest.TempDir(t), "system.pem")
	if err := os.WriteFile(store, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: p.Private.Cert.Raw}), 0o644); err != nil {
		t.Fatal(err)
	}
	// Go reads the system store once per process, from SSL_CERT_FILE when set.
	t.Setenv("SSL_CERT_FILE", store)
	if _, err := certcheck.VerifyPath(cred.Cert, certcheck.Options{}); err == nil {
		t.Fatal("without SystemRoots the system store must not be trusted")
	}
	chain, err := certcheck.VerifyPath(cred.Cert, certcheck.Options{SystemRoots: true})
	if err != nil {
		t.Fatalf("with SystemRoots the store's CA must be an anchor: %v", err)
	}
	if len(chain) != 2 {
		t.Fatalf("path of %d certificates", len(chain))
	}
}

func TestEveryCertificateOnThePathIsNamedByItsSerialsFullSHA256(t *testing.T) {
	p := testPKI(t)
	resident, err := p.IssueResident(pki.SampleResident(), pki.ResidentOptions{})
	if err != nil {
		t.Fatal(err)
	}
	res := certcheck.Check(t.Context(), resident.Cert, certcheck.Options{Roots: p.Roots(), Sources: []certcheck.Source{certcheck.JPKISource{}}})
	if len(res.Path) == 0 {
		t.Fatalf("no path: %+v", res)
	}
	for _, c := range res.Path {
		if c.SerialSHA != certcheck.SerialSHA256(c.Cert.SerialNumber) || len(c.SerialSHA) != 64 {
			t.Errorf("%s: serial_sha256 %q is not the full SHA-256 of the serial", c.Subject, c.SerialSHA)
		}
	}
	if certcheck.SerialSHA256(nil) != "" {
		t.Error("a missing serial has a hash")
	}
}
