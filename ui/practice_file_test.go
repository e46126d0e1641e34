package ui

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"

	"fyne.io/fyne/v2/test"

	"github.com/shinsei-app/shinsei/flow"
	"github.com/shinsei-app/shinsei/i18n"
	"github.com/shinsei-app/shinsei/sandbox/kit"
	"github.com/shinsei-app/shinsei/sandbox/service"
)

// The sandbox on a computer without SoftHSM (Windows, or Linux without
// the package): no PKCS#11 module, and the resident's certificate offered
// as the practice .p12 file.
func practiceConfig(t *testing.T) flow.Config {
	t.Helper()
	cfg := config(t)
	der, err := world.resident.PKCS12(kit.P12Password)
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "resident.p12")
	if err := os.WriteFile(path, der, 0o600); err != nil {
		t.Fatal(err)
	}
	cfg.Libraries, cfg.NoModules = nil, true
	cfg.SuggestedFiles = []flow.CredentialFile{{Path: path, Cert: world.resident.Cert,
		Label: i18n.Text{Ja: "練習用の証明書ファイル", En: "Practice certificate file"},
		Note:  i18n.Text{Ja: "パスワード：" + kit.P12Password, En: "Password: " + kit.P12Password}}}
	return cfg
}

func TestWithoutSoftHSMTheResidentSignsAndSubmitsWithThePracticeFile(t *testing.T) {
	cfg := practiceConfig(t)
	var opened atomic.Bool
	h := newHarnessWith(t, Options{Sandbox: true,
		Open: func(ctx context.Context, _ Settings) (*flow.App, error) {
			a, err := flow.Open(ctx, cfg)
			opened.Store(err == nil)
			return a, err
		},
		SandboxNote: func() string {
			if opened.Load() {
				return "練習用の証明書ファイルで署名します。\nThe practice signs with a certificate file."
			}
			return "準備中です。"
		}})
	if got := bannerLines(h.s); len(got) != 2 || !strings.Contains(got[0], "証明書ファイル") || !strings.Contains(got[1], "certificate file") {
		t.Errorf("once the sandbox is open the banner's note reads %q, want the practice file's two lines", got)
	}
	if got, want := h.s.banner.Size().Height, h.s.banner.MinSize().Height; got < want {
		t.Errorf("the banner is %v high for its %v of text: the window was not laid out again for the longer note", got, want)
	}

	h.startProcedure(service.ProcMoveOut)
	h.wait("credentials")
	c := h.s.cred
	if len(c.choices) != 0 || len(c.found.Problems) != 0 {
		t.Errorf("without modules the screen offers %d tokens and %d problems", len(c.choices), len(c.found.Problems))
	}
	if len(c.files) != 1 || c.status.Text != tr("cred.choose_file") {
		t.Fatalf("the practice file is offered by %d buttons with the status %q", len(c.files), c.status.Text)
	}
	test.Tap(c.files[0])
	h.wait("form")
	f := h.s.form
	if got := f.applicant["name"].Text; got != "高橋　花子" || f.note.Text != tr("form.prefilled") {
		t.Fatalf("the form shows the name %q and says %q; want it pre-filled from the practice certificate", got, f.note.Text)
	}
	fillMoveOut(t, f)
	test.Tap(f.next)

	h.wait("secret")
	d := h.s.secret
	if d.req.Kind != flow.SecretP12Password || d.req.Subject != "resident.p12" {
		t.Fatalf("asked for %s of %q, want the .p12 password of resident.p12", d.req.Kind, d.req.Subject)
	}
	test.Type(d.entry, kit.P12Password)
	test.Tap(d.ok)

	h.wait("precheck")
	p := h.s.check
	if !p.pc.OK() {
		t.Fatalf("the pre-check of the practice certificate is red: %v", p.pc)
	}
	if p.ack != nil {
		p.ack.SetChecked(true)
	}
	test.Tap(p.sign)
	h.wait("receipt")
	if r := h.s.receipt.rec; r.ArrivalNumber == "" {
		t.Fatalf("the receipt %+v has no arrival number", r)
	}
	if n := h.count("pin"); n != 0 {
		t.Errorf("a PIN was asked %d times with a certificate file", n)
	}
	if n := h.count("secret"); n != 1 {
		t.Errorf("the password was asked %d times, want once", n)
	}
}

// bannerLines are the texts of the sandbox banner's note.
func bannerLines(s *shell) []string {
	var out []string
	for _, o := range s.note.Objects {
		out = append(out, o.(*wrapLine).text)
	}
	return out
}
