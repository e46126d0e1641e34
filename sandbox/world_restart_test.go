//go:build cgo

package sandbox

import (
	"bytes"
	"context"
	"crypto/tls"
	"crypto/x509"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/shinsei-app/shinsei/sandbox/kit"
	"github.com/shinsei-app/shinsei/sandbox/pki"
	"github.com/shinsei-app/shinsei/signer"
	"github.com/shinsei-app/shinsei/submit"
)

// moveOut is the sample resident's move-out notification.
const moveOut = `{"procedure": "move-out-notification", "applicant": {"name": "高橋　花子", "birth_date": "1985-04-15", "sex": "2", "address": "東京都千代田区霞が関二丁目１番２号"}, "fields": {"new_address": "大阪府大阪市北区中之島一丁目３番２０号", "move_date": "2026-12-20", "members": 1, "my_number_card": "継続利用する"}}`

// sign makes a package of form signed by cred.
func sign(t *testing.T, cred *pki.Credential, form string) []byte {
	t.Helper()
	dir := t.TempDir()
	in := filepath.Join(dir, "form.json")
	if err := os.WriteFile(in, []byte(form), 0o600); err != nil {
		t.Fatal(err)
	}
	chain := append(append([]*x509.Certificate{}, cred.Intermediates...), cred.Root)
	out := filepath.Join(dir, "app.asice")
	if _, err := signer.Build(context.Background(), out, []signer.File{{Name: "form.json", Path: in}},
		signer.Credential{Signer: cred.Key, Cert: cred.Cert, Chain: chain}, signer.BuildOptions{}); err != nil {
		t.Fatal(err)
	}
	pkg, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	return pkg
}

// file submits pkg to w's service without a session and returns the status and body.
func file(t *testing.T, w *World, pkg []byte) (int, string) {
	t.Helper()
	roots := x509.NewCertPool()
	for _, c := range w.ServiceAnchors() {
		roots.AddCert(c)
	}
	client := &http.Client{Timeout: time.Minute, Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: roots}}}
	req, err := http.NewRequest(http.MethodPost, w.URL()+submit.APIPrefix+"/procedures/move-out-notification/applications", bytes.NewReader(pkg))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", submit.MediaASiCE)
	req.Header.Set(submit.HeaderIdemKey, submit.NewIdempotencyKey())
	resp, err := client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(body)
}

func TestARestartOnTheSameDirectoryKeepsThePKIAndAcceptsWhatWasSignedBefore(t *testing.T) {
	dir := t.TempDir()
	// As 'shinsei-sandbox serve --dir' starts it, without SoftHSM: the
	// resident's key is in resident.p12, which is all this test signs with.
	opts := InDir(dir, Options{Kit: kit.Options{SoftHSMModule: filepath.Join(dir, "no-softhsm.so"), SoftHSMOptional: true}})
	first, err := Start(context.Background(), opts)
	if err != nil {
		t.Fatal(err)
	}
	before := sign(t, first.Kit.Resident, moveOut)
	anchor, resident := first.Service.CACert(), first.Kit.Resident.Cert
	if err := first.Close(); err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"jpki-sign.key", "lgpki-root.key", "lgpki-app.key"} {
		if fi, err := os.Stat(filepath.Join(dir, "pki", name)); err != nil || fi.Mode().Perm() != 0o600 {
			t.Errorf("%s: %v, %v; want a 0600 file", name, fi, err)
		}
	}

	again, err := Start(context.Background(), opts)
	if err != nil {
		t.Fatal(err)
	}
	defer again.Close()
	if !again.Service.CACert().Equal(anchor) {
		t.Error("the service's TLS anchor changed: clients configured before the restart no longer trust it")
	}
	if !again.Kit.Resident.Cert.Equal(resident) {
		t.Error("the kit's resident was issued anew")
	}
	if status, body := file(t, again, before); status != http.StatusCreated {
		t.Fatalf("a package signed before the restart: %d %s", status, body)
	}
	// Another form: the same form signed again within the same second is
	// the same signature (RSA PKCS#1 v1.5 is deterministic), which the
	// service rightly holds already.
	later := strings.Replace(moveOut, "2026-12-20", "2026-12-21", 1)
	if status, body := file(t, again, sign(t, again.Kit.Resident, later)); status != http.StatusCreated {
		t.Errorf("a package signed after the restart: %d %s", status, body)
	}
}

func TestAWorldWithoutAPKIDirectoryIsFreshEachTime(t *testing.T) {
	dir := t.TempDir()
	opts := func(sub string) Options {
		return Options{KitDir: filepath.Join(dir, sub), NoResponders: true,
			Kit: kit.Options{SoftHSMModule: filepath.Join(dir, "no-softhsm.so"), SoftHSMOptional: true}}
	}
	a, err := Start(context.Background(), opts("a"))
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close()
	b, err := Start(context.Background(), opts("b"))
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	if a.PKI.JPKISign.Cert.Equal(b.PKI.JPKISign.Cert) {
		t.Error("two worlds without a PKI directory share a PKI")
	}
}
