package service

import (
	"archive/zip"
	"bytes"
	"crypto/sha512"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"encoding/pem"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"testing"

	"github.com/shinsei-app/shinsei/internal/testenv/tool"
	"github.com/shinsei-app/shinsei/sandbox/pki"
	"github.com/shinsei-app/shinsei/submit"
)

// foreignPackage is a package as another conforming producer writes it:
// a manifest in the default namespace named META-INF/ASiCManifest001.xml
// with SHA-512 digests, a CAdES signature by openssl named
// META-INF/signature-1.p7s, the mimetype entry deflated and last. change,
// when given, alters the form's bytes after the manifest is written.
func foreignPackage(tb testing.TB, cred *pki.Credential, form []byte, change func([]byte) []byte) []byte {
	tb.Helper()
	dir := tb.TempDir()
	sum := sha512.Sum512(form)
	manifest := fmt.Sprintf(`<?xml version="1.0" encoding="UTF-8"?>`+"\n"+
		`<ASiCManifest xmlns="http://uri.etsi.org/02918/v1.2.1#"><SigReference URI="META-INF/signature-1.p7s" MimeType="application/pkcs7-signature"/>`+
		`<DataObjectReference URI="form.json" MimeType="application/json" Rootfile="true">`+
		`<DigestMethod xmlns="http://www.w3.org/2000/09/xmldsig#" Algorithm="http://www.w3.org/2001/04/xmlenc#sha512"/>`+
		`<DigestValue xmlns="http://www.w3.org/2000/09/xmldsig#">%s</DigestValue></DataObjectReference></ASiCManifest>`,
		base64.StdEncoding.EncodeToString(sum[:]))
	der, err := x509.MarshalPKCS8PrivateKey(cred.Key)
	if err != nil {
		tb.Fatal(err)
	}
	var chain []byte
	for _, c := range append([]*x509.Certificate{cred.Cert}, cred.Intermediates...) {
		chain = append(chain, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: c.Raw})...)
	}
	for name, data := range map[string][]byte{"manifest.xml": []byte(manifest), "key.pem": pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der}),
		"cert.pem": pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: cred.Cert.Raw}), "chain.pem": chain} {
		if err := os.WriteFile(filepath.Join(dir, name), data, 0o600); err != nil {
			tb.Fatal(err)
		}
	}
	args := []string{"cms", "-sign", "-binary", "-cades", "-md", "sha512", "-outform", "DER", "-in", filepath.Join(dir, "manifest.xml"),
		"-signer", filepath.Join(dir, "cert.pem"), "-inkey", filepath.Join(dir, "key.pem"), "-out", filepath.Join(dir, "sig.p7s")}
	if len(cred.Intermediates) > 0 {
		args = append(args, "-certfile", filepath.Join(dir, "chain.pem"))
	}
	if out, err := exec.Command("openssl", args...).CombinedOutput(); err != nil {
		tb.Fatalf("openssl: %v\n%s", err, out)
	}
	sig, err := os.ReadFile(filepath.Join(dir, "sig.p7s"))
	if err != nil {
		tb.Fatal(err)
	}
	if change != nil {
		form = change(form)
	}
	var b bytes.Buffer
	zw := zip.NewWriter(&b)
	for _, e := range []struct {
		name string
		data []byte
	}{{"META-INF/ASiCManifest001.xml", []byte(manifest)}, {"META-INF/signature-1.p7s", sig}, {"form.json", form},
		{"mimetype", []byte("application/vnd.etsi.asic-e+zip")}} {
		w, err := zw.CreateHeader(&zip.FileHeader{Name: e.name, Method: zip.Deflate})
		if err != nil {
			tb.Fatal(err)
		}
		w.Write(e.data)
	}
	if err := zw.Close(); err != nil {
		tb.Fatal(err)
	}
	return b.Bytes()
}

// timestampOnlyPackage is a package whose one manifest is sealed by an
// RFC 3161 time-stamp token (openssl ts) and signed by no one.
func timestampOnlyPackage(tb testing.TB, form []byte) []byte {
	tb.Helper()
	dir := tb.TempDir()
	sum := sha512.Sum512(form)
	manifest := fmt.Sprintf(`<asic:ASiCManifest xmlns:asic="http://uri.etsi.org/02918/v1.2.1#" xmlns:ds="http://www.w3.org/2000/09/xmldsig#">`+
		`<asic:SigReference URI="META-INF/timestamp.tst" MimeType="application/vnd.etsi.timestamp-token"/>`+
		`<asic:DataObjectReference URI="form.json" Rootfile="true"><ds:DigestMethod Algorithm="http://www.w3.org/2001/04/xmlenc#sha512"/>`+
		`<ds:DigestValue>%s</ds:DigestValue></asic:DataObjectReference></asic:ASiCManifest>`, base64.StdEncoding.EncodeToString(sum[:]))
	files := map[string]string{"manifest.xml": manifest, "serial": "01\n", "tsa.cnf": "[ tsa ]\ndefault_tsa = t\n[ t ]\nserial = " + filepath.Join(dir, "serial") +
		"\ncrypto_device = builtin\ndefault_policy = 1.2.3.4.1\ndigests = sha256\nsigner_digest = sha256\ness_cert_id_alg = sha256\n"}
	for name, data := range files {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(data), 0o600); err != nil {
			tb.Fatal(err)
		}
	}
	p := func(n string) string { return filepath.Join(dir, n) }
	for _, args := range [][]string{
		{"req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-subj", "/CN=TSA", "-days", "2",
			"-keyout", p("tsa.key"), "-out", p("tsa.pem"), "-addext", "extendedKeyUsage=critical,timeStamping"},
		{"ts", "-query", "-data", p("manifest.xml"), "-sha256", "-cert", "-out", p("req.tsq")},
		{"ts", "-reply", "-config", p("tsa.cnf"), "-queryfile", p("req.tsq"), "-signer", p("tsa.pem"), "-inkey", p("tsa.key"), "-token_out", "-out", p("token.tst")},
	} {
		if out, err := exec.Command("openssl", args...).CombinedOutput(); err != nil {
			tb.Fatalf("openssl %v: %v\n%s", args, err, out)
		}
	}
	tst, err := os.ReadFile(p("token.tst"))
	if err != nil {
		tb.Fatal(err)
	}
	var b bytes.Buffer
	zw := zip.NewWriter(&b)
	for _, e := range []struct {
		name string
		data []byte
	}{{"mimetype", []byte("application/vnd.etsi.asic-e+zip")}, {"form.json", form}, {"META-INF/ASiCManifest.xml", []byte(manifest)}, {"META-INF/timestamp.tst", tst}} {
		w, err := zw.Create(e.name)
		if err != nil {
			tb.Fatal(err)
		}
		w.Write(e.data)
	}
	if err := zw.Close(); err != nil {
		tb.Fatal(err)
	}
	return b.Bytes()
}

func TestAPackageOfAnotherConformingProducerIsAccepted(t *testing.T) {
	tool.OpenSSL(t)
	e := newSvcEnv(t)
	form, err := json.Marshal(sampleForm(ProcMoveOut, nil))
	if err != nil {
		t.Fatal(err)
	}
	mismatch := sampleForm(ProcMoveOut, nil)
	mismatch.Applicant["birth_date"] = "1985-04-16"
	otherPerson, err := json.Marshal(mismatch)
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name   string
		body   []byte
		status int
		reason submit.Reason
	}{
		{"a package another producer made is accepted when signer and form pass", foreignPackage(t, e.creds.resident, form, nil), 201, ""},
		{"its form changed after signing is refused as an invalid signature", foreignPackage(t, e.creds.resident, form,
			func(b []byte) []byte { return bytes.Replace(b, []byte("2026-06-30"), []byte("2026-07-31"), 1) }), 422, submit.ReasonSignatureInvalid},
		{"a form that does not match its signer is refused as usual", foreignPackage(t, e.creds.resident, otherPerson, nil), 422, submit.ReasonIdentityMismatch},
		{"a package only time-stamped, signed by no one, is refused as unsigned", timestampOnlyPackage(t, form), 0, submit.ReasonSignatureRequired},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := e.submitApp(ProcMoveOut, newKey(), "", submit.MediaASiCE, tc.body)
			if tc.status != 0 && r.status != tc.status || r.status < 400 && tc.reason != "" {
				t.Fatalf("status %d, want %d: %s", r.status, tc.status, r.body)
			}
			if tc.reason != "" {
				if p := r.problem(t); p.Reason != tc.reason {
					t.Fatalf("refused as %s (%s), want %s", p.Reason, p.Detail, tc.reason)
				}
			}
		})
	}
}
