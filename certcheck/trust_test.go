package certcheck_test

import (
	"crypto/x509"
	"encoding/pem"
	"errors"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/shinsei-app/shinsei/certcheck"
)

// jpkiRootsDir is where the real JPKI roots are kept for tests.
func jpkiRootsDir(t *testing.T) string {
	dir := os.Getenv("SHINSEI_JPKI_ROOTS_DIR")
	if dir == "" {
		dir = "../../shared/jpki-roots"
	}
	if _, err := os.Stat(dir); err != nil {
		t.Skipf("the real JPKI roots are not here (%v): get them from J-LIS or the steering repository's shared/jpki-roots and set SHINSEI_JPKI_ROOTS_DIR", err)
	}
	return dir
}

func readPEM(t *testing.T, path string) *x509.Certificate {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	block, _ := pem.Decode(data)
	if block == nil {
		t.Fatalf("%s: no PEM block", path)
	}
	c, err := x509.ParseCertificate(block.Bytes)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func TestTheRealJPKIRootsArePinned(t *testing.T) {
	dir := jpkiRootsDir(t)
	tests := []struct {
		file, want string
		expired    bool
	}{
		{"sign_ca_2023.pem", "JPKI for digital signature, 2023 generation", false},
		{"sign_ca_2015.pem", "JPKI for digital signature, 2015 generation", true},
		{"auth_ca_2023.pem", "JPKI for user authentication, 2023 generation", false},
		{"auth_ca_2015.pem", "JPKI for user authentication, 2015 generation", true},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			c := readPEM(t, filepath.Join(dir, tt.file))
			got, err := certcheck.JPKIRoot(c)
			if err != nil || got != tt.want {
				t.Fatalf("JPKIRoot = %q, %v; want %q", got, err, tt.want)
			}
			if certcheck.DomainOf(c) != certcheck.DomainJPKI {
				t.Fatalf("domain %s", certcheck.DomainOf(c))
			}
			if expired := time.Now().After(c.NotAfter); expired != tt.expired {
				t.Fatalf("expired = %v, want %v", expired, tt.expired)
			}
		})
	}
}

func TestTheTwoSignatureRootGenerationsShareANameButNotAKey(t *testing.T) {
	dir := jpkiRootsDir(t)
	old, cur := readPEM(t, filepath.Join(dir, "sign_ca_2015.pem")), readPEM(t, filepath.Join(dir, "sign_ca_2023.pem"))
	if old.Subject.String() != cur.Subject.String() {
		t.Fatalf("subjects differ: %s / %s", old.Subject, cur.Subject)
	}
	if string(old.SubjectKeyId) == string(cur.SubjectKeyId) {
		t.Fatal("the generations must differ in key identifier")
	}
}

func TestARootThatLooksLikeJPKIButIsNotPinnedIsRefused(t *testing.T) {
	p := testPKI(t)
	_, err := certcheck.JPKIRoot(p.JPKISign.Cert)
	if !errors.Is(err, certcheck.ErrNotPinned) {
		t.Fatalf("want ErrNotPinned, got %v", err)
	}
	// It is still recognised as the JPKI domain for wording, once configured.
	if certcheck.DomainOf(p.JPKISign.Cert) != certcheck.DomainJPKI {
		t.Fatal("the sandbox JPKI root should be in the JPKI domain")
	}
	if err := certcheck.PinnedRoot(p.Registrar.Cert, []string{certcheck.Fingerprint(p.Registrar.Cert)}); err != nil {
		t.Fatal(err)
	}
	if err := certcheck.PinnedRoot(p.Registrar.Cert, []string{certcheck.Fingerprint(p.Private.Cert)}); !errors.Is(err, certcheck.ErrNotPinned) {
		t.Fatalf("a registrar under another hash must be refused, got %v", err)
	}
	for anchor, want := range map[*x509.Certificate]certcheck.Domain{
		p.Registrar.Cert: certcheck.DomainRegistry, p.LGPKIRoot.Cert: certcheck.DomainLGPKI, p.Private.Cert: certcheck.DomainOther,
	} {
		if got := certcheck.DomainOf(anchor); got != want {
			t.Errorf("%s: domain %s, want %s", anchor.Subject, got, want)
		}
	}
}
