package pki

import (
	"errors"
	"os"
	"path/filepath"
	"testing"
	"time"
)

func TestASavedPKILoadsAsTheSameAuthoritiesAndRefusesAMismatchedKey(t *testing.T) {
	p, err := New(time.Now())
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	if _, err := Load(dir, time.Now()); !errors.Is(err, ErrNoSavedPKI) {
		t.Fatalf("an empty directory: %v, want ErrNoSavedPKI", err)
	}
	if err := p.Save(dir); err != nil {
		t.Fatal(err)
	}
	later := time.Now().Add(48 * time.Hour)
	q, err := Load(dir, later)
	if err != nil {
		t.Fatal(err)
	}
	for i, ca := range p.CAs() {
		got := q.CAs()[i]
		if !got.Cert.Equal(ca.Cert) || !got.Key.Equal(ca.Key) {
			t.Errorf("authority %s differs after loading", ca.Cert.Subject)
		}
		if fi, err := os.Stat(filepath.Join(dir, q.authorities()[i].name+".key")); err != nil || fi.Mode().Perm() != 0o600 {
			t.Errorf("%s's key file: %v, %v; want 0600", ca.Cert.Subject, fi, err)
		}
	}
	if q.LGPKIApp.Parent != q.LGPKIRoot || q.LGPKIOrg.Parent != q.LGPKIRoot || !q.Now.Equal(later) {
		t.Errorf("parents or time not restored: %v", q.Now)
	}

	t.Run("a credential it issued reads back with its chain; another PKI's does not", func(t *testing.T) {
		off, err := q.IssueOfficial("千代田区長")
		if err != nil {
			t.Fatal(err)
		}
		der, err := off.PKCS12("pw")
		if err != nil {
			t.Fatal(err)
		}
		back, err := p.CredentialFromPKCS12(der, "pw")
		if err != nil || !back.Cert.Equal(off.Cert) || len(back.Intermediates) != 1 || !back.Root.Equal(p.LGPKIRoot.Cert) {
			t.Fatalf("%+v, %v", back, err)
		}
		other, err := New(time.Now())
		if err != nil {
			t.Fatal(err)
		}
		if _, err := other.CredentialFromPKCS12(der, "pw"); err == nil {
			t.Error("another PKI took the credential for its own")
		}
	})

	t.Run("a key that is not its certificate's is refused", func(t *testing.T) {
		other, err := os.ReadFile(filepath.Join(dir, "registrar.key"))
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, "jpki-sign.key"), other, 0o600); err != nil {
			t.Fatal(err)
		}
		if _, err := Load(dir, time.Now()); err == nil {
			t.Error("a swapped key was loaded")
		}
	})
}
