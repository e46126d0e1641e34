//go:build linux

package service

import (
	"bytes"
	"context"
	"crypto/x509"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/shinsei-app/shinsei/certcheck"
	"github.com/shinsei-app/shinsei/internal/fsx/fsxtest"
	"github.com/shinsei-app/shinsei/internal/testenv/tool"
	"github.com/shinsei-app/shinsei/pades"
	"github.com/shinsei-app/shinsei/submit"
)

const popplerHint = "install poppler-utils (pdfsig, pdftotext, pdftoppm) and qpdf: scripts/setup-debian"

// pdfsigValid counts the signatures pdfsig finds valid in path (it exits
// non-zero on an invalid one, so its status is not used).
func pdfsigValid(t *testing.T, path string) int {
	t.Helper()
	out, _ := exec.Command(tool.Need(t, "pdfsig", popplerHint), "-nocert", path).CombinedOutput()
	return strings.Count(string(out), "Signature is Valid")
}

func TestANoticeIsAlsoASignedPDFThatVerifiesForShinseiPdfsigAndQpdf(t *testing.T) {
	e := newSvcEnv(t, func(c *Config) { c.AdminAddr = "127.0.0.1:0" })
	token := e.residentToken(e.creds.resident)
	r := e.submitApp(ProcChildAllowance, newKey(), token, submit.MediaASiCE, makePackage(t, e.creds.resident, sampleForm(ProcChildAllowance, nil)))
	var owned submit.Receipt
	r.decode(t, &owned)
	adv := SandboxAdvance{Status: submit.StatusCompleted, Notice: &SandboxNotice{TitleJA: "児童手当認定通知書", TitleEN: "Notice of child allowance",
		BodyJA: "児童手当の受給資格を認定しましたので、通知します。支給は申請の翌月分からとなります。"}}
	if _, err := e.svc.Advance(context.Background(), owned.ArrivalNumber, adv); err != nil {
		t.Fatal(err)
	}
	r = e.do(testRequest{method: http.MethodGet, path: "/applications/" + owned.ArrivalNumber, token: token})
	var st submit.ApplicationStatus
	r.decode(t, &st)
	if len(st.Notices) != 1 || !st.Notices[0].PDF {
		t.Fatalf("notices %+v: want one, with a PDF", st.Notices)
	}
	pdfPath := "/notices/" + st.Notices[0].ID + "/pdf"
	if r := e.do(testRequest{method: http.MethodGet, path: pdfPath, token: e.residentToken(e.creds.other)}); r.status != http.StatusNotFound {
		t.Errorf("a stranger got the notice PDF: %d", r.status)
	}
	r = e.do(testRequest{method: http.MethodGet, path: pdfPath, token: token})
	if r.status != http.StatusOK || r.header.Get("Content-Type") != submit.MediaPDF {
		t.Fatalf("notice PDF: %d %s", r.status, r.header.Get("Content-Type"))
	}
	dir := fsxtest.TempDir(t)
	path := filepath.Join(dir, "notice.pdf")
	if err := os.WriteFile(path, r.body, 0o600); err != nil {
		t.Fatal(err)
	}

	// Shinsei's verifier: valid against the LGPKI root, signed by the 職責.
	rep, err := pades.Verify(context.Background(), bytes.NewReader(r.body), int64(len(r.body)),
		pades.Options{Roots: []*x509.Certificate{e.creds.pki.LGPKIRoot.Cert}})
	if err != nil {
		t.Fatal(err)
	}
	if rep.Outcome() != pades.OutcomeValid || len(rep.Signatures) != 1 {
		t.Fatalf("outcome %s: %+v", rep.Outcome(), rep.Signatures)
	}
	if s := rep.Signatures[0]; s.Official != "千代田区長" || s.Domain != certcheck.DomainLGPKI || s.SubFilter != pades.SubFilterCAdES || !s.WholeFile {
		t.Errorf("signature %+v", s)
	}
	// poppler and qpdf agree.
	if n := pdfsigValid(t, path); n != 1 {
		t.Errorf("pdfsig finds %d valid signatures, want 1", n)
	}
	if out, err := exec.Command(tool.Need(t, "qpdf", popplerHint), "--check", path).CombinedOutput(); err != nil || !bytes.Contains(out, []byte("No syntax or stream encoding errors")) {
		t.Errorf("qpdf --check: %v\n%s", err, out)
	}
	// The English title is text; the Japanese is drawn (the page is not
	// blank where the title and body are).
	if out, err := exec.Command(tool.Need(t, "pdftotext", popplerHint), path, "-").Output(); err != nil || !bytes.Contains(out, []byte("Notice of child allowance")) {
		t.Errorf("pdftotext: %v\n%s", err, out)
	}
	prefix := filepath.Join(dir, "page")
	if out, err := exec.Command(tool.Need(t, "pdftoppm", popplerHint), "-gray", "-r", "36", "-singlefile", path, prefix).CombinedOutput(); err != nil {
		t.Fatalf("pdftoppm: %v\n%s", err, out)
	}
	pgm, err := os.ReadFile(prefix + ".pgm")
	if err != nil {
		t.Fatal(err)
	}
	// A PGM: the header, then one byte a pixel; rows 10–45 hold the
	// title and body at 36 dpi.
	var w, h, maxv int
	var hdr []byte
	if i := bytes.Index(pgm, []byte("255\n")); i > 0 {
		hdr, pgm = pgm[:i+4], pgm[i+4:]
	}
	if _, err := fmt.Sscanf(string(hdr), "P5\n%d %d\n%d\n", &w, &h, &maxv); err != nil || len(pgm) != w*h {
		t.Fatalf("pdftoppm's image: %q (%v), %d bytes", hdr, err, len(pgm))
	}
	dark := 0
	for _, b := range pgm[10*w : 45*w] {
		if b < 128 {
			dark++
		}
	}
	if dark < 200 {
		t.Errorf("%d dark pixels where the Japanese title and body are drawn", dark)
	}

	// One byte of the signed range changed: invalid for both.
	bad := append([]byte{}, r.body...)
	i := bytes.LastIndex(bad, []byte("/Type /Sig"))
	if i < 0 {
		t.Fatal("no signature dictionary")
	}
	bad[i+7] = 'X'
	tampered := filepath.Join(dir, "tampered.pdf")
	if err := os.WriteFile(tampered, bad, 0o600); err != nil {
		t.Fatal(err)
	}
	if n := pdfsigValid(t, tampered); n != 0 {
		t.Errorf("pdfsig finds %d valid signatures in the tampered copy", n)
	}
	if rep, err := pades.Verify(context.Background(), bytes.NewReader(bad), int64(len(bad)), pades.Options{Roots: []*x509.Certificate{e.creds.pki.LGPKIRoot.Cert}}); err == nil && rep.Outcome() == pades.OutcomeValid {
		t.Error("the tampered notice verifies VALID")
	}
}
