package pades

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/shinsei-app/shinsei/internal/testenv/tool"
	"github.com/shinsei-app/shinsei/sandbox/pki"
)

// fixtures are made once per test binary: RSA key generation is slow.
type fixtures struct {
	pki      *pki.PKI
	official *pki.Credential // an LGPKI 職責 certificate
	private  *pki.Credential // from the private CA
}

var (
	fixOnce sync.Once
	fix     fixtures
	fixErr  error
)

func testFixtures(t testing.TB) *fixtures {
	t.Helper()
	fixOnce.Do(func() {
		if fix.pki, fixErr = pki.New(time.Now()); fixErr != nil {
			return
		}
		if fix.official, fixErr = fix.pki.IssueOfficial("千代田区長"); fixErr != nil {
			return
		}
		fix.private, fixErr = fix.pki.IssuePrivate("Sandbox Signer")
	})
	if fixErr != nil {
		t.Fatal(fixErr)
	}
	return &fix
}

func (f *fixtures) opts() Options { return Options{Roots: f.pki.Roots()} }

const popplerHint = "install poppler-utils (pdfsig), qpdf and libnss3-tools (certutil, pk12util): scripts/setup-debian"

func run(t testing.TB, name string, args ...string) []byte {
	t.Helper()
	cmd := exec.Command(tool.Need(t, name, popplerHint), args...)
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Run(); err != nil {
		t.Fatalf("%s %s: %v\n%s", name, strings.Join(args, " "), err, out.String())
	}
	return out.Bytes()
}

// writePDF writes a one-page PDF with a content stream of padding bytes
// of filler after its text (so that a large file is quick to make), with
// its cross-reference table.
func writePDF(t testing.TB, dir, name string, padding int) string {
	t.Helper()
	content := "BT /F1 24 Tf 72 720 Td (Notice of acceptance) Tj ET\n"
	var b bytes.Buffer
	b.WriteString("%PDF-1.7\n")
	var offs []int
	obj := func(body string) {
		offs = append(offs, b.Len())
		fmt.Fprintf(&b, "%d 0 obj\n%s\nendobj\n", len(offs), body)
	}
	obj("<< /Type /Catalog /Pages 2 0 R >>")
	obj("<< /Type /Pages /Kids [3 0 R] /Count 1 >>")
	obj("<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R /Resources << /Font << /F1 5 0 R >> >> >>")
	offs = append(offs, b.Len())
	fmt.Fprintf(&b, "4 0 obj\n<< /Length %d >>\nstream\n%s", len(content)+padding, content)
	if padding > 0 {
		pad := bytes.Repeat([]byte("% padding of the sample notice, to make it large \n"), padding/50+1)
		b.Write(pad[:padding])
	}
	b.WriteString("\nendstream\nendobj\n")
	obj("<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>")
	xref := b.Len()
	fmt.Fprintf(&b, "xref\n0 %d\n0000000000 65535 f \n", len(offs)+1)
	for _, o := range offs {
		fmt.Fprintf(&b, "%010d 00000 n \n", o)
	}
	fmt.Fprintf(&b, "trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n", len(offs)+1, xref)
	out := filepath.Join(dir, name)
	if err := os.MkdirAll(dir, 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(out, b.Bytes(), 0o600); err != nil {
		t.Fatal(err)
	}
	return out
}

// writeWithQPDF runs qpdf with args; its exit 3 (warnings: it rebuilt a
// missing or wrong cross-reference table) is success here.
func writeWithQPDF(t testing.TB, args []string) {
	t.Helper()
	cmd := exec.Command(tool.Need(t, "qpdf", popplerHint), args...)
	if msg, err := cmd.CombinedOutput(); err != nil {
		if ee, ok := err.(*exec.ExitError); !ok || ee.ExitCode() != 3 {
			t.Fatalf("qpdf: %v\n%s", err, msg)
		}
	}
}

// nssDB makes an NSS database in dir holding cred (as a PKCS#12 file,
// chain included) and returns the database directory and the key's
// nickname.
func nssDB(t testing.TB, dir string, cred *pki.Credential) (string, string) {
	t.Helper()
	db := filepath.Join(dir, "nssdb")
	if err := os.MkdirAll(db, 0o700); err != nil {
		t.Fatal(err)
	}
	run(t, "certutil", "-N", "-d", "sql:"+db, "--empty-password")
	p12, err := cred.PKCS12("sandbox")
	if err != nil {
		t.Fatal(err)
	}
	p12Path := filepath.Join(dir, "signer.p12")
	if err := os.WriteFile(p12Path, p12, 0o600); err != nil {
		t.Fatal(err)
	}
	run(t, "pk12util", "-i", p12Path, "-d", "sql:"+db, "-W", "sandbox", "-K", "")
	// pk12util names the key "CN - O"; pdfsig lists the names it can use.
	for _, line := range strings.Split(string(run(t, "pdfsig", "-nssdir", "sql:"+db, "-list-nicks", p12Path)), "\n") {
		if strings.HasPrefix(line, cred.Cert.Subject.CommonName) {
			return db, strings.TrimSpace(line)
		}
	}
	t.Fatalf("pdfsig lists no key for %s", cred.Cert.Subject.CommonName)
	return "", ""
}

// pdfsigSign signs in into out with pdfsig -add-signature.
func pdfsigSign(t testing.TB, db, nick, in, out, field string, etsi bool) {
	t.Helper()
	args := []string{"-nssdir", "sql:" + db, "-add-signature", "-nick", nick, "-new-signature-field-name", field, "-reason", "sandbox notice"}
	if etsi {
		args = append(args, "-etsi")
	}
	run(t, "pdfsig", append(args, in, out)...)
}

// pdfsigReport is what pdfsig says about a file (it exits non-zero on
// invalid signatures, so its status is not used).
func pdfsigReport(t testing.TB, db, path string) string {
	t.Helper()
	out, _ := exec.Command(tool.Need(t, "pdfsig", popplerHint), "-nssdir", "sql:"+db, "-nocert", path).CombinedOutput()
	return string(out)
}

// verifyFile verifies the file at path.
func verifyFile(t testing.TB, path string, opts Options) (*Report, error) {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		t.Fatal(err)
	}
	return Verify(context.Background(), f, st.Size(), opts)
}
