package ui

import (
	"context"
	"crypto/x509"
	"os"
	"path/filepath"
	"testing"

	"github.com/shinsei-app/shinsei/flow"
	"github.com/shinsei-app/shinsei/signer"
)

// An .asice file opened from the desktop (Explorer's file association
// starts "shinsei.exe FILE") opens the window on the notice screen and
// verifies that file there, without the resident choosing it again.
func TestAPackageGivenAtStartIsVerifiedOnTheNoticeScreen(t *testing.T) {
	cfg := config(t)
	official, err := world.w.PKI.IssueOfficial("千代田区長")
	if err != nil {
		t.Fatal(err)
	}
	world.w.Registry.Record(world.w.PKI.LGPKIOrg, official.Cert)
	dir := filepath.Join(t.TempDir(), "受け取った 通知")
	if err := os.MkdirAll(dir, 0o700); err != nil {
		t.Fatal(err)
	}
	form := filepath.Join(dir, "notice.json")
	if err := os.WriteFile(form, []byte(`{"title":"収集日のお知らせ"}`), 0o600); err != nil {
		t.Fatal(err)
	}
	pkg := filepath.Join(dir, "通知書.asice")
	cred := signer.Credential{Signer: official.Signer(), Cert: official.Cert,
		Chain: append(append([]*x509.Certificate{}, official.Intermediates...), official.Root)}
	if _, err := signer.Build(context.Background(), pkg, []signer.File{{Path: form}}, cred, signer.BuildOptions{}); err != nil {
		t.Fatal(err)
	}

	h := newHarnessWith(t, Options{OpenNotice: pkg, Open: func(ctx context.Context, _ Settings) (*flow.App, error) {
		return flow.Open(ctx, cfg)
	}})
	h.wait("notice")
	if got := h.s.tabs.SelectedIndex(); got != tabVerify {
		t.Errorf("the window shows tab %d, want the notice screen (%d)", got, tabVerify)
	}
	v, _ := h.s.verify.built()
	if v == nil || v.report == nil {
		t.Fatal("the notice screen has no verification")
	}
	if v.report.Path != pkg {
		t.Errorf("the notice screen verified %q, want the file given at start %q", v.report.Path, pkg)
	}
	if v.report.Integrity.Level != flow.Green {
		t.Errorf("the file given at start is judged %v for integrity, want green: %q", v.report.Integrity.Level, v.report.Integrity.Message.Ja)
	}
	if h.count("notice") != 1 {
		t.Errorf("the file was verified %d times, want once", h.count("notice"))
	}
}
