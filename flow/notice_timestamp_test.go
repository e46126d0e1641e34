//go:build cgo && linux

package flow_test

import (
	"archive/zip"
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/base64"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"testing"

	"github.com/shinsei-app/shinsei/flow"
	"github.com/shinsei-app/shinsei/internal/fsx/fsxtest"
	"github.com/shinsei-app/shinsei/internal/testenv/tool"
)

// withTimestamp returns a copy of the notice package at path with a second
// manifest over its files, sealed by an RFC 3161 token from openssl ts:
// a time-stamp as other producers add one.
func withTimestamp(t *testing.T, path string) string {
	t.Helper()
	zr, err := zip.OpenReader(path)
	if err != nil {
		t.Fatal(err)
	}
	defer zr.Close()
	dir := fsxtest.TempDir(t)
	var out bytes.Buffer
	zw := zip.NewWriter(&out)
	refs := ""
	for _, f := range zr.File {
		rc, err := f.Open()
		if err != nil {
			t.Fatal(err)
		}
		data, err := io.ReadAll(rc)
		rc.Close()
		if err != nil {
			t.Fatal(err)
		}
		if err := zw.Copy(f); err != nil {
			t.Fatal(err)
		}
		if f.Name == "mimetype" || filepath.Dir(f.Name) == "META-INF" {
			continue
		}
		sum := sha256.Sum256(data)
		refs += fmt.Sprintf(`<asic:DataObjectReference URI=%q><ds:DigestMethod Algorithm="http://www.w3.org/2001/04/xmlenc#sha256"/><ds:DigestValue>%s</ds:DigestValue></asic:DataObjectReference>`,
			f.Name, base64.StdEncoding.EncodeToString(sum[:]))
	}
	manifest := `<asic:ASiCManifest xmlns:asic="http://uri.etsi.org/02918/v1.2.1#" xmlns:ds="http://www.w3.org/2000/09/xmldsig#">` +
		`<asic:SigReference URI="META-INF/timestamp001.tst"/>` + refs + `</asic:ASiCManifest>`
	p := func(n string) string { return filepath.Join(dir, n) }
	for name, data := range map[string]string{"manifest.xml": manifest, "serial": "01\n", "tsa.cnf": "[ tsa ]\ndefault_tsa = t\n[ t ]\nserial = " + p("serial") +
		"\ncrypto_device = builtin\ndefault_policy = 1.2.3.4.1\ndigests = sha256\nsigner_digest = sha256\ness_cert_id_alg = sha256\n"} {
		if err := os.WriteFile(p(name), []byte(data), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	for _, args := range [][]string{
		{"req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-subj", "/CN=TSA", "-days", "2",
			"-keyout", p("tsa.key"), "-out", p("tsa.pem"), "-addext", "extendedKeyUsage=critical,timeStamping"},
		{"ts", "-query", "-data", p("manifest.xml"), "-sha256", "-cert", "-out", p("req.tsq")},
		{"ts", "-reply", "-config", p("tsa.cnf"), "-queryfile", p("req.tsq"), "-signer", p("tsa.pem"), "-inkey", p("tsa.key"), "-token_out", "-out", p("token.tst")},
	} {
		if o, err := exec.Command("openssl", args...).CombinedOutput(); err != nil {
			t.Fatalf("openssl %v: %v\n%s", args, err, o)
		}
	}
	tst, err := os.ReadFile(p("token.tst"))
	if err != nil {
		t.Fatal(err)
	}
	for name, data := range map[string][]byte{"META-INF/ASiCManifest002.xml": []byte(manifest), "META-INF/timestamp001.tst": tst} {
		w, err := zw.Create(name)
		if err != nil {
			t.Fatal(err)
		}
		w.Write(data)
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	stamped := p("stamped.asice")
	if err := os.WriteFile(stamped, out.Bytes(), 0o600); err != nil {
		t.Fatal(err)
	}
	return stamped
}

func TestANoticeWithATimeStampNotYetValidatedIsIntactButAmber(t *testing.T) {
	tool.OpenSSL(t)
	w := getWorld(t)
	svc := startService(t, w.pki, w.reg)
	a, _ := openApp(t, svc, w.pki, nil)
	ctx := context.Background()
	plain, err := a.VerifyNotice(ctx, noticeFrom(t, a, svc, w))
	if err != nil || plain.Integrity.Level != flow.Green {
		t.Fatalf("the notice as issued: %+v, %v", plain, err)
	}
	rep, err := a.VerifyNotice(ctx, flow.NoticeRef{Path: withTimestamp(t, plain.Path)})
	if err != nil {
		t.Fatal(err)
	}
	if rep.Integrity.Level != flow.Amber || rep.Integrity.Todo.IsZero() || rep.Certificate.Level != flow.Green || !rep.OK() || rep.Title.Ja == "" {
		t.Fatalf("time-stamped notice: integrity %+v, certificate %+v, title %q", rep.Integrity, rep.Certificate, rep.Title.Ja)
	}
}
