package ui

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/storage"

	"github.com/shinsei-app/shinsei/flow"
	"github.com/shinsei-app/shinsei/internal/testenv/tool"
)

const pdfToolsHint = "install poppler-utils (pdfsig), qpdf and libnss3-tools (certutil, pk12util): scripts/setup-debian"

// A notice issued as a PDF signed with an LGPKI 職責 certificate (signed
// here by poppler's pdfsig) opens on the notice screen like a package:
// intact, signed by the official, the certificate valid.
func TestASignedPDFNoticeIsVerifiedOnTheNoticeScreen(t *testing.T) {
	cfg := config(t)
	notice := pdfNoticeSignedByPdfsig(t)
	h := newHarnessWith(t, Options{OpenNotice: notice, Open: func(ctx context.Context, _ Settings) (*flow.App, error) {
		return flow.Open(ctx, cfg)
	}})
	h.wait("notice")
	checkPDFNoticeShown(t, h)
}

// A notice dropped on the window opens on the notice screen as one opened
// there does.
func TestANoticeDroppedOnTheWindowIsVerifiedOnTheNoticeScreen(t *testing.T) {
	cfg := config(t)
	notice := pdfNoticeSignedByPdfsig(t)
	h := newHarness(t, cfg)
	h.s.onDropped(fyne.Position{}, []fyne.URI{storage.NewURI("https://example.org/x.pdf"), storage.NewFileURI(notice)})
	h.wait("notice")
	if got := h.s.tabs.SelectedIndex(); got != tabVerify {
		t.Errorf("tab %d is shown, want the notice screen (%d)", got, tabVerify)
	}
	checkPDFNoticeShown(t, h)
}

// pdfNoticeSignedByPdfsig writes a one-page PDF signed by poppler's pdfsig
// with an LGPKI 職責 certificate of the test world, in a folder whose name
// has Japanese and a space, and returns its path.
func pdfNoticeSignedByPdfsig(t *testing.T) string {
	t.Helper()
	world.w.Registry.Record(world.w.PKI.LGPKIRoot, world.w.PKI.LGPKIOrg.Cert)
	official, err := world.w.PKI.IssueOfficial("千代田区長")
	if err != nil {
		t.Fatal(err)
	}
	world.w.Registry.Record(world.w.PKI.LGPKIOrg, official.Cert)
	dir := filepath.Join(t.TempDir(), "受け取った 通知")
	if err := os.MkdirAll(dir, 0o700); err != nil {
		t.Fatal(err)
	}
	run := func(name string, args ...string) string {
		t.Helper()
		out, err := exec.Command(tool.Need(t, name, pdfToolsHint), args...).CombinedOutput()
		if err != nil && !(name == "qpdf" && strings.Contains(err.Error(), "exit status 3")) {
			t.Fatalf("%s: %v\n%s", name, err, out)
		}
		return string(out)
	}
	raw := filepath.Join(dir, "raw.pdf")
	if err := os.WriteFile(raw, []byte("%PDF-1.7\n1 0 obj << /Type /Catalog /Pages 2 0 R >> endobj\n"+
		"2 0 obj << /Type /Pages /Kids [3 0 R] /Count 1 >> endobj\n"+
		"3 0 obj << /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] >> endobj\n"+
		"trailer << /Root 1 0 R /Size 4 >>\n%%EOF\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	unsigned := filepath.Join(dir, "unsigned.pdf")
	run("qpdf", raw, unsigned)
	db := filepath.Join(dir, "nssdb")
	if err := os.MkdirAll(db, 0o700); err != nil {
		t.Fatal(err)
	}
	run("certutil", "-N", "-d", "sql:"+db, "--empty-password")
	p12, err := official.PKCS12("sandbox")
	if err != nil {
		t.Fatal(err)
	}
	p12Path := filepath.Join(dir, "official.p12")
	if err := os.WriteFile(p12Path, p12, 0o600); err != nil {
		t.Fatal(err)
	}
	run("pk12util", "-i", p12Path, "-d", "sql:"+db, "-W", "sandbox", "-K", "")
	notice := filepath.Join(dir, "通知書.pdf")
	run("pdfsig", "-nssdir", "sql:"+db, "-add-signature", "-nick", "千代田区長 - LGPKI Sandbox", "-new-signature-field-name", "Official", unsigned, notice)
	return notice
}

// checkPDFNoticeShown checks the notice screen shows the PDF notice of
// pdfNoticeSignedByPdfsig verified: intact, by the official, valid.
func checkPDFNoticeShown(t *testing.T, h *harness) {
	t.Helper()
	v, _ := h.s.verify.built()
	if v == nil || v.report == nil {
		t.Fatal("the notice screen has no verification")
	}
	r := v.report
	if r.PDF == nil || len(r.PDF.Signatures) != 1 {
		t.Fatalf("the PDF's signatures were not verified: %+v", r.PDF)
	}
	if r.Integrity.Level != flow.Green || r.Certificate.Level != flow.Green {
		t.Errorf("integrity %v (%s), certificate %v (%s), want both green", r.Integrity.Level, r.Integrity.Message.Ja, r.Certificate.Level, r.Certificate.Message.Ja)
	}
	if !strings.Contains(r.Official, "千代田区長") || !strings.Contains(r.Official, "Chiyoda City") {
		t.Errorf("the official is %q, want the post and the organisation", r.Official)
	}
	if !r.OK() || v.status.Text != tr("verify.ok") {
		t.Errorf("the screen says %q", v.status.Text)
	}
}
