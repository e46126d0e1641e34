package pades

import (
	"bytes"
	"crypto/x509"
	"encoding/hex"
	"encoding/pem"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/digitorus/pdf"

	"github.com/shinsei-app/shinsei/internal/fsx/fsxtest"
	"github.com/shinsei-app/shinsei/internal/testenv/tool"
	"github.com/shinsei-app/shinsei/sandbox/pki"
	"github.com/shinsei-app/shinsei/signer"
)

// signedSet is made once: PDFs signed by poppler's pdfsig with an LGPKI
// 職責 certificate in an NSS database made here.
type signedSet struct {
	dir, db     string
	plain, etsi string // one signature (adbe.pkcs7.detached, ETSI.CAdES.detached)
	twice       string // a second signature in an incremental update
	err         string
}

var (
	setOnce sync.Once
	set     signedSet
)

func signedPDFs(t *testing.T) *signedSet {
	t.Helper()
	f := testFixtures(t)
	setOnce.Do(func() {
		dir, err := os.MkdirTemp("", "pades-test")
		if err != nil {
			set.err = err.Error()
			return
		}
		set.dir = dir
		in := writePDF(t, dir, "notice.pdf", 0)
		var nick string
		set.db, nick = nssDB(t, dir, f.official)
		set.plain = filepath.Join(dir, "signed.pdf")
		pdfsigSign(t, set.db, nick, in, set.plain, "Official", false)
		// pdfsig 22.12 cannot add ETSI.CAdES.detached signatures: openssl
		// (cms -cades) signs the same byte ranges instead.
		set.etsi = filepath.Join(dir, "signed-etsi.pdf")
		resignCAdES(t, dir, set.plain, set.etsi, f.official)
		set.twice = filepath.Join(dir, "signed-twice.pdf")
		pdfsigSign(t, set.db, nick, set.etsi, set.twice, "Second", false)
	})
	if set.err != "" || set.plain == "" {
		t.Fatalf("signed PDFs were not made: %s", set.err)
	}
	return &set
}

func TestMain(m *testing.M) {
	code := m.Run()
	if set.dir != "" {
		os.RemoveAll(set.dir)
	}
	os.Exit(code)
}

// tamper copies src with one byte of the signed range changed: a
// character of the page's text.
func tamper(t *testing.T, src string) string {
	t.Helper()
	data, err := os.ReadFile(src)
	if err != nil {
		t.Fatal(err)
	}
	i := bytes.Index(data, []byte("Notice of acceptance"))
	if i < 0 {
		t.Fatal("the sample text is not in the file")
	}
	data[i] = 'M'
	out := filepath.Join(fsxtest.TempDir(t), "tampered.pdf")
	if err := os.WriteFile(out, data, 0o600); err != nil {
		t.Fatal(err)
	}
	return out
}

func TestPDFsSignedByPdfsigAreVerified(t *testing.T) {
	f := testFixtures(t)
	s := signedPDFs(t)
	for _, tc := range []struct {
		name      string
		path      func() string
		opts      Options
		outcome   string
		subFilter []string
		integrity string // reason of the first signature, "" when OK
		cert      bool
	}{
		{name: "an adbe.pkcs7.detached signature with an LGPKI 職責 certificate is valid against its anchor",
			path: func() string { return s.plain }, opts: f.opts(), outcome: OutcomeValid, subFilter: []string{SubFilterPKCS7}, cert: true},
		{name: "an ETSI.CAdES.detached signature is valid against its anchor",
			path: func() string { return s.etsi }, opts: f.opts(), outcome: OutcomeValid, subFilter: []string{SubFilterCAdES}, cert: true},
		{name: "a second signature in an incremental update leaves both valid",
			path: func() string { return s.twice }, opts: f.opts(), outcome: OutcomeValid, subFilter: []string{SubFilterCAdES, SubFilterPKCS7}, cert: true},
		{name: "without its anchor the certificate is not trusted",
			path: func() string { return s.plain }, opts: Options{}, outcome: OutcomeInvalid, subFilter: []string{SubFilterPKCS7}},
		{name: "one byte changed in the signed range makes it invalid",
			path: func() string { return tamper(t, s.plain) }, opts: f.opts(), outcome: OutcomeInvalid, subFilter: []string{SubFilterPKCS7},
			integrity: signer.ReasonContentDigestMismatch, cert: true},
		{name: "one byte changed under an ETSI.CAdES.detached signature makes it invalid",
			path: func() string { return tamper(t, s.etsi) }, opts: f.opts(), outcome: OutcomeInvalid, subFilter: []string{SubFilterCAdES},
			integrity: signer.ReasonContentDigestMismatch, cert: true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			path := tc.path()
			rep, err := verifyFile(t, path, tc.opts)
			if err != nil {
				t.Fatal(err)
			}
			if got := rep.Outcome(); got != tc.outcome {
				t.Fatalf("outcome %s, want %s: %+v", got, tc.outcome, rep.Signatures)
			}
			if len(rep.Signatures) != len(tc.subFilter) {
				t.Fatalf("%d signatures, want %d", len(rep.Signatures), len(tc.subFilter))
			}
			for i, sig := range rep.Signatures {
				if sig.SubFilter != tc.subFilter[i] {
					t.Errorf("signature %d: %s, want %s", i, sig.SubFilter, tc.subFilter[i])
				}
				if sig.Official != "千代田区長" || !strings.Contains(sig.Organisation, "Chiyoda City") {
					t.Errorf("signature %d names %q of %q", i, sig.Official, sig.Organisation)
				}
				if sig.Certificate.OK != tc.cert {
					t.Errorf("signature %d certificate %+v, want ok=%v", i, sig.Certificate, tc.cert)
				}
			}
			first := rep.Signatures[0]
			if first.Integrity.Reason != tc.integrity || first.Integrity.OK != (tc.integrity == "") {
				t.Errorf("integrity %+v, want reason %q", first.Integrity, tc.integrity)
			}
			if tc.cert && first.Domain != "lgpki" {
				t.Errorf("domain %q, want lgpki", first.Domain)
			}
			// pdfsig itself agrees on the signature value.
			valid := strings.Count(pdfsigReport(t, s.db, path), "Signature is Valid")
			if want := len(tc.subFilter); tc.integrity != "" && valid == want || tc.integrity == "" && valid != want {
				t.Errorf("pdfsig finds %d valid signatures; integrity here %+v", valid, first.Integrity)
			}
		})
	}
}

func TestASecondSignatureIsAnAllowedChangeAfterTheFirst(t *testing.T) {
	f := testFixtures(t)
	s := signedPDFs(t)
	rep, err := verifyFile(t, s.twice, f.opts())
	if err != nil {
		t.Fatal(err)
	}
	first, second := rep.Signatures[0], rep.Signatures[1]
	if first.WholeFile || !second.WholeFile {
		t.Fatalf("first covers the whole file %v, second %v", first.WholeFile, second.WholeFile)
	}
	kinds := map[string]bool{}
	for _, c := range first.Changes {
		if !c.Allowed {
			t.Errorf("change not allowed after the first signature: %+v", c)
		}
		kinds[c.Kind] = true
	}
	if !kinds[KindSignature] || !kinds[KindSignatureFld] {
		t.Errorf("changes after the first signature %+v name no signature and field", first.Changes)
	}
}

func TestContentChangedInALaterRevisionIsNamed(t *testing.T) {
	f := testFixtures(t)
	s := signedPDFs(t)
	data, err := os.ReadFile(s.plain)
	if err != nil {
		t.Fatal(err)
	}
	// An incremental update replacing the page's content stream with
	// other text.
	updated := filepath.Join(fsxtest.TempDir(t), "updated.pdf")
	if err := os.WriteFile(updated, appendContentUpdate(t, data, "BT /F1 24 Tf 72 720 Td (Notice of refusal) Tj ET"), 0o600); err != nil {
		t.Fatal(err)
	}
	if out := run(t, "qpdf", "--check", updated); !bytes.Contains(out, []byte("No syntax or stream encoding errors")) {
		t.Fatalf("qpdf --check: %s", out)
	}
	rep, err := verifyFile(t, updated, f.opts())
	if err != nil {
		t.Fatal(err)
	}
	sig := rep.Signatures[0]
	if sig.WholeFile || sig.Integrity.Reason != ReasonChangedAfter || rep.Outcome() != OutcomeInvalid {
		t.Fatalf("signature %+v, outcome %s", sig, rep.Outcome())
	}
	if !strings.Contains(sig.Integrity.Detail, "object") {
		t.Errorf("detail %q names no object", sig.Integrity.Detail)
	}
}

// appendContentUpdate appends to data an incremental update that
// replaces the first page's content stream with content.
func appendContentUpdate(t *testing.T, data []byte, content string) []byte {
	t.Helper()
	r, err := pdf.NewReader(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		t.Fatal(err)
	}
	page := r.Trailer().Key("Root").Key("Pages").Key("Kids").Index(0)
	id := idOf(page.Key("Contents"))
	root := idOf(r.Trailer().Key("Root"))
	var b bytes.Buffer
	b.Write(data)
	off := b.Len()
	fmt.Fprintf(&b, "%d 0 obj\n<< /Length %d >>\nstream\n%s\nendstream\nendobj\n", id, len(content)+1, content)
	xref := b.Len()
	fmt.Fprintf(&b, "xref\n0 1\n0000000000 65535 f \n%d 1\n%010d 00000 n \n", id, off)
	fmt.Fprintf(&b, "trailer\n<< /Size %d /Root %d 0 R /Prev %d >>\nstartxref\n%d\n%%%%EOF\n", len(r.Xref()), root, r.XrefInformation.StartPos, xref)
	return b.Bytes()
}

// resignCAdES copies src (signed by pdfsig) to dst as an
// ETSI.CAdES.detached signature: the SubFilter name (of the same length)
// swapped, and the byte ranges signed again by openssl cms -cades.
func resignCAdES(t testing.TB, dir, src, dst string, cred *pki.Credential) {
	t.Helper()
	data, err := os.ReadFile(src)
	if err != nil {
		t.Fatal(err)
	}
	data = bytes.Replace(data, []byte("/adbe.pkcs7.detached"), []byte("/ETSI.CAdES.detached"), 1)
	r, err := pdf.NewReader(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		t.Fatal(err)
	}
	br := r.Trailer().Key("Root").Key("AcroForm").Key("Fields").Index(0).Key("V").Key("ByteRange")
	a, b, c := br.Index(1).Int64(), br.Index(2).Int64(), br.Index(3).Int64()
	content := append(append([]byte{}, data[:a]...), data[b:b+c]...)
	pemOf := func(name string, certs ...*x509.Certificate) string {
		var out bytes.Buffer
		for _, c := range certs {
			pem.Encode(&out, &pem.Block{Type: "CERTIFICATE", Bytes: c.Raw})
		}
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, out.Bytes(), 0o600); err != nil {
			t.Fatal(err)
		}
		return p
	}
	keyDER, err := x509.MarshalPKCS8PrivateKey(cred.Key)
	if err != nil {
		t.Fatal(err)
	}
	keyPath := filepath.Join(dir, "signer.key")
	if err := os.WriteFile(keyPath, pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: keyDER}), 0o600); err != nil {
		t.Fatal(err)
	}
	contentPath := filepath.Join(dir, "ranges.bin")
	if err := os.WriteFile(contentPath, content, 0o600); err != nil {
		t.Fatal(err)
	}
	sigPath := filepath.Join(dir, "ranges.p7s")
	run(t, tool.OpenSSL(t), "cms", "-sign", "-binary", "-cades", "-md", "sha256", "-outform", "DER",
		"-signer", pemOf("signer.pem", cred.Cert), "-inkey", keyPath, "-certfile", pemOf("chain.pem", cred.Intermediates...),
		"-in", contentPath, "-out", sigPath)
	sig, err := os.ReadFile(sigPath)
	if err != nil {
		t.Fatal(err)
	}
	h := []byte(hex.EncodeToString(sig))
	if int64(len(h)) > b-a-2 {
		t.Fatalf("the CAdES signature (%d bytes) does not fit the gap", len(sig))
	}
	copy(data[a+1:b-1], bytes.Repeat([]byte("0"), int(b-a-2)))
	copy(data[a+1:], h)
	if err := os.WriteFile(dst, data, 0o600); err != nil {
		t.Fatal(err)
	}
}
