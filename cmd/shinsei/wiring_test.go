package main

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"errors"
	"math/big"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/zalando/go-keyring"

	"github.com/shinsei-app/shinsei/ui"
)

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
	c, _ := x509.ParseCertificate(der)
	return c
}

func TestCertificatesAreReadFromPEMDERAndDirectories(t *testing.T) {
	dir := t.TempDir()
	a, b, c := selfSigned(t, "a"), selfSigned(t, "b"), selfSigned(t, "c")
	pemFile := filepath.Join(dir, "two.pem")
	data := append(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: a.Raw}),
		pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: b.Raw})...)
	if err := os.WriteFile(pemFile, data, 0o600); err != nil {
		t.Fatal(err)
	}
	sub := filepath.Join(dir, "roots")
	os.Mkdir(sub, 0o700)
	os.WriteFile(filepath.Join(sub, "c.der"), c.Raw, 0o600)
	os.WriteFile(filepath.Join(sub, "notes.txt"), []byte("not a certificate"), 0o600)
	for _, tc := range []struct {
		name  string
		paths []string
		want  int
	}{
		{"a PEM file with two certificates gives both", []string{pemFile}, 2},
		{"a directory gives its certificate files and skips the rest", []string{sub}, 1},
		{"files and directories add up", []string{pemFile, sub}, 3},
		{"nothing gives nothing", nil, 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := readCerts(tc.paths...)
			if err != nil || len(got) != tc.want {
				t.Fatalf("readCerts = %d certificates, %v; want %d", len(got), err, tc.want)
			}
		})
	}
	if _, err := readCerts(filepath.Join(sub, "notes.txt")); err == nil {
		t.Error("a file that holds no certificate is accepted")
	}
}

func TestOpeningWithSettingsMakesAServiceClientAndRefusesBadFiles(t *testing.T) {
	dir := t.TempDir()
	ca := selfSigned(t, "service CA")
	caFile := filepath.Join(dir, "ca.pem")
	os.WriteFile(caFile, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: ca.Raw}), 0o600)
	a, err := openApp(context.Background(), ui.Settings{ServiceURL: "https://127.0.0.1:9", ServiceAnchors: []string{caFile},
		Proxy: "http://127.0.0.1:3128", DataDir: filepath.Join(dir, "data")})
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close()
	if a.Client() == nil || len(a.Config().ServiceAnchors) != 1 || a.Config().Proxy == nil {
		t.Errorf("the app's configuration is %+v", a.Config())
	}
	if _, err := openApp(context.Background(), ui.Settings{ServiceURL: "https://127.0.0.1:9",
		ServiceAnchors: []string{filepath.Join(dir, "missing.pem")}}); err == nil {
		t.Error("a missing anchor file is accepted")
	}
}

func TestTheSandboxKeyringKeepsSecretsInMemoryOnly(t *testing.T) {
	k := newMemKeyring()
	if _, err := k.Get("s", "u"); !errors.Is(err, keyring.ErrNotFound) {
		t.Fatalf("a missing entry gives %v, want keyring.ErrNotFound", err)
	}
	k.Set("s", "u", "secret")
	if v, err := k.Get("s", "u"); err != nil || v != "secret" {
		t.Fatalf("Get = %q, %v", v, err)
	}
	if err := k.Delete("s", "u"); err != nil {
		t.Fatal(err)
	}
	if err := k.Delete("s", "u"); !errors.Is(err, keyring.ErrNotFound) {
		t.Errorf("deleting twice gives %v", err)
	}
}

func TestWithNothingConfiguredTheSandboxOffersItsCatalogueAndACard(t *testing.T) {
	sb, err := newSandboxWorld("ja")
	if err != nil {
		t.Fatal(err)
	}
	defer sb.close()
	ctx := context.Background()
	a, err := sb.open(ctx, ui.Settings{})
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close()
	procs, err := a.Procedures(ctx)
	if err != nil || len(procs) == 0 {
		t.Fatalf("the sandbox's catalogue: %d procedures, %v", len(procs), err)
	}
	found, err := a.FindCredentials(ctx)
	if err != nil || len(found.Tokens) != 1 || !found.Tokens[0].MyNumberCard {
		t.Fatalf("the sandbox's card: %+v, %v", found, err)
	}
	if _, err := os.Stat(sb.caFile()); err != nil {
		t.Errorf("the service's CA is not written for the help desk: %v", err)
	}
}
