package settings

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"errors"
	"io/fs"
	"math/big"
	"net/http"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/shinsei-app/shinsei/i18n"
	"github.com/shinsei-app/shinsei/internal/fsx/fsxtest"
)

func TestSettingsAreSavedPrivatelyAndReadBackAsTheyWere(t *testing.T) {
	path := filepath.Join(fsxtest.TempDir(t), "shinsei", FileName)
	want := Settings{ServiceURL: "https://shinsei.example.lg.jp", ServiceAnchors: []string{"/etc/shinsei/service-ca.pem"},
		SystemRoots: true, ServiceVA: "/etc/shinsei/va.pem", Module: "/usr/lib/x86_64-linux-gnu/opensc-pkcs11.so",
		TrustAnchors: []string{"/etc/shinsei/roots"}, Proxy: "http://proxy.example.lg.jp:8080", Lang: i18n.English, DataDir: "/var/lib/shinsei"}
	if err := Save(path, want); err != nil {
		t.Fatal(err)
	}
	got, err := Load(path)
	if err != nil {
		t.Fatal(err)
	}
	if got.ServiceURL != want.ServiceURL || got.ServiceVA != want.ServiceVA || !got.SystemRoots || got.Lang != i18n.English ||
		len(got.TrustAnchors) != 1 || got.TrustAnchors[0] != "/etc/shinsei/roots" || got.DataDir != want.DataDir {
		t.Errorf("read back %+v", got)
	}
	// Windows has no mode bits; the user's profile folder keeps others out.
	if fi, err := os.Stat(path); err != nil || runtime.GOOS != "windows" && fi.Mode().Perm() != 0o600 {
		t.Errorf("the file's mode is %v (%v), want 0600", fi.Mode(), err)
	}
	data, _ := os.ReadFile(path)
	for _, key := range []string{`"service_url"`, `"service_anchors"`, `"trust_anchors"`, `"service_va"`, `"lang": "en"`} {
		if !strings.Contains(string(data), key) {
			t.Errorf("the file lacks %s:\n%s", key, data)
		}
	}
}

func TestAMissingFileIsNotExistAndABrokenOneNamesTheFile(t *testing.T) {
	dir := fsxtest.TempDir(t)
	if _, err := Load(filepath.Join(dir, "none.json")); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("missing file: %v, want fs.ErrNotExist", err)
	}
	broken := filepath.Join(dir, "broken.json")
	os.WriteFile(broken, []byte("{not json"), 0o600)
	if _, err := Load(broken); err == nil || errors.Is(err, fs.ErrNotExist) || !strings.Contains(err.Error(), broken) {
		t.Errorf("broken file: %v", err)
	}
}

func TestTheDefaultPathIsInTheUsersConfigDirectory(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("XDG_CONFIG_HOME is the Linux location; TestOnWindowsTheSettingsAreKeptUnderAPPDATA tests Windows'")
	}
	t.Setenv("XDG_CONFIG_HOME", "/tmp/config-of-the-test")
	if p, err := DefaultPath(); err != nil || p != "/tmp/config-of-the-test/shinsei/settings.json" {
		t.Errorf("DefaultPath = %q, %v", p, err)
	}
}

func TestCertificatesAreReadFromFilesAndFromTheCertificateFilesOfADirectory(t *testing.T) {
	dir := fsxtest.TempDir(t)
	roots := filepath.Join(dir, "roots")
	os.Mkdir(roots, 0o700)
	a, b := selfSigned(t, "A"), selfSigned(t, "B")
	os.WriteFile(filepath.Join(roots, "a.pem"), pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: a.Raw}), 0o600)
	os.WriteFile(filepath.Join(roots, "b.der"), b.Raw, 0o600)
	os.WriteFile(filepath.Join(roots, "notes.txt"), []byte("not a certificate"), 0o600)
	certs, err := ReadCertificates(roots)
	if err != nil || len(certs) != 2 {
		t.Fatalf("from the directory: %d certificates, %v; want 2", len(certs), err)
	}
	pemFile := filepath.Join(dir, "two.pem")
	c, d := selfSigned(t, "C"), selfSigned(t, "D")
	os.WriteFile(pemFile, append(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: c.Raw}),
		pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: d.Raw})...), 0o600)
	for _, tc := range []struct {
		name  string
		paths []string
		want  int
	}{
		{"a PEM file with two certificates gives both", []string{pemFile}, 2},
		{"files and directories add up", []string{pemFile, roots}, 4},
		{"nothing gives nothing", nil, 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := ReadCertificates(tc.paths...)
			if err != nil || len(got) != tc.want {
				t.Fatalf("ReadCertificates = %d certificates, %v; want %d", len(got), err, tc.want)
			}
		})
	}
	s := Settings{ServiceVA: filepath.Join(roots, "b.der")}
	if va, err := s.VA(); err != nil || !va.Equal(b) {
		t.Errorf("VA = %v, %v", va, err)
	}
	if va, err := (Settings{}).VA(); va != nil || err != nil {
		t.Errorf("no VA named: %v, %v", va, err)
	}
	if _, err := ReadCertificates(filepath.Join(roots, "notes.txt")); err == nil {
		t.Error("a file that holds no certificate is read without an error")
	}
}

func selfSigned(t *testing.T, cn string) *x509.Certificate {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: cn},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour), IsCA: true, BasicConstraintsValid: true}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	c, err := x509.ParseCertificate(der)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func TestTheProxyIsReadFromTheSettingsOrLeftToTheEnvironment(t *testing.T) {
	if p, err := (Settings{}).ProxyFunc(); p != nil || err != nil {
		t.Errorf("no proxy named: a proxy function %v, %v", p != nil, err)
	}
	p, err := Settings{Proxy: "http://proxy.example:8080"}.ProxyFunc()
	if err != nil || p == nil {
		t.Fatalf("ProxyFunc: a proxy function %v, %v", p != nil, err)
	}
	req, _ := http.NewRequest(http.MethodGet, "https://service.example/", nil)
	if u, err := p(req); err != nil || u.Host != "proxy.example:8080" {
		t.Errorf("the request goes through %v, %v", u, err)
	}
	if _, err := (Settings{Proxy: "http://[bad"}).ProxyFunc(); err == nil {
		t.Error("a proxy URL that does not parse is accepted")
	}
}
