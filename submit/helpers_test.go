package submit_test

import (
	"context"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/json"
	"math/big"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/shinsei-app/shinsei/signer"
	"github.com/shinsei-app/shinsei/submit"
	"github.com/shinsei-app/shinsei/submit/submittest"
	"github.com/zalando/go-keyring"
)

// startServer starts a stand-in service for the test.
func startServer(t testing.TB, opts submittest.Options) *submittest.Server {
	t.Helper()
	s, err := submittest.Start(opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(s.Close)
	return s
}

// newClient returns a client of srv trusting only its CA.
func newClient(t testing.TB, srv *submittest.Server, mod ...func(*submit.Config)) *submit.Client {
	t.Helper()
	cfg := submit.Config{BaseURL: srv.URL, Anchors: []*x509.Certificate{srv.CA}, Timeout: 5 * time.Second}
	for _, m := range mod {
		m(&cfg)
	}
	c, err := submit.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(c.CloseIdleConnections)
	return c
}

var (
	credOnce sync.Once
	cred     *signer.Credential
)

// testCredential is a self-signed RSA signing credential, made once.
func testCredential(t testing.TB) signer.Credential {
	t.Helper()
	credOnce.Do(func() {
		key, err := rsa.GenerateKey(rand.Reader, 2048)
		if err != nil {
			t.Fatal(err)
		}
		tmpl := &x509.Certificate{SerialNumber: big.NewInt(7), Subject: pkix.Name{CommonName: "submit test signer"},
			NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(24 * time.Hour),
			KeyUsage: x509.KeyUsageDigitalSignature | x509.KeyUsageContentCommitment}
		der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
		if err != nil {
			t.Fatal(err)
		}
		c, err := x509.ParseCertificate(der)
		if err != nil {
			t.Fatal(err)
		}
		cred = &signer.Credential{Signer: key, Cert: c}
	})
	return *cred
}

// writeForm writes a form for procedure into dir and returns its path.
func writeForm(t testing.TB, dir, name, procedure string) string {
	t.Helper()
	data, err := json.Marshal(submit.FormDocument{Procedure: procedure, Applicant: map[string]any{"name": "高橋　花子"},
		Fields: map[string]any{"purpose": "テスト"}})
	if err != nil {
		t.Fatal(err)
	}
	p := filepath.Join(dir, name)
	if err := os.WriteFile(p, data, 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

// signedPackage signs a form for procedure into a package in dir.
func signedPackage(t testing.TB, dir, procedure string) string {
	t.Helper()
	form := writeForm(t, dir, "form.json", procedure)
	out := filepath.Join(dir, procedure+".asice")
	if _, err := signer.Build(context.Background(), out, []signer.File{{Path: form}}, testCredential(t), signer.BuildOptions{}); err != nil {
		t.Fatal(err)
	}
	return out
}

// memStore is an in-memory keyring that, once err is set, fails every
// call with it (a keyring that stopped answering).
type memStore struct {
	submit.MemoryKeyring
	err error
}

func newMemStore() *memStore { return &memStore{} }

func (s *memStore) Set(service, user, secret string) error {
	if s.err != nil {
		return s.err
	}
	return s.MemoryKeyring.Set(service, user, secret)
}

func (s *memStore) Get(service, user string) (string, error) {
	if s.err != nil {
		return "", s.err
	}
	return s.MemoryKeyring.Get(service, user)
}

func (s *memStore) Delete(service, user string) error {
	if s.err != nil {
		return s.err
	}
	return s.MemoryKeyring.Delete(service, user)
}

// buildPackage signs form into out with the test credential.
func buildPackage(t testing.TB, out, form string) {
	t.Helper()
	if _, err := signer.Build(context.Background(), out, []signer.File{{Path: form}}, testCredential(t), signer.BuildOptions{}); err != nil {
		t.Fatal(err)
	}
}

var errNotFound = keyring.ErrNotFound
