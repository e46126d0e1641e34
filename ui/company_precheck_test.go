package ui

import (
	"crypto/x509"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"fyne.io/fyne/v2/test"

	"github.com/shinsei-app/shinsei/flow"
	"github.com/shinsei-app/shinsei/i18n"
	"github.com/shinsei-app/shinsei/sandbox/kit"
	"github.com/shinsei-app/shinsei/sandbox/pki"
	"github.com/shinsei-app/shinsei/sandbox/service"
)

// The company path of issue 11, item 1: registered and logged in with the
// resident's card, the clerk opens 入札参加資格審査申請 and chooses the
// company's certificate file. The service would refuse the package from
// the resident's account, so the pre-check stops before signing with a
// red line that says to log in with the company's account or register one.
func TestACompanyCertificateUnderTheResidentsAccountStopsAtARedPrecheckBeforeSigning(t *testing.T) {
	cfg, svc := config(t), startService(t, nil)
	cfg.ServiceURL, cfg.ServiceAnchors, cfg.ServiceVA = svc.URL(), []*x509.Certificate{svc.CACert()}, svc.VACert()
	corp, err := world.w.PKI.IssueCorporate(pki.SampleCorporation())
	if err != nil {
		t.Fatal(err)
	}
	world.w.Registry.Record(world.w.PKI.Registrar, corp.Cert)
	der, err := corp.PKCS12(kit.P12Password)
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "corporate.p12")
	if err := os.WriteFile(path, der, 0o600); err != nil {
		t.Fatal(err)
	}
	cfg.SuggestedFiles = []flow.CredentialFile{{Path: path, Cert: corp.Cert,
		Label: i18n.Text{Ja: "法人の証明書ファイル", En: "Company certificate file"}}}
	h := newHarness(t, cfg)
	h.wait("catalogue")

	a := h.s.account.get()
	test.Tap(a.register)
	h.enterPIN("SANDBOX1")
	h.confirmSign()
	h.wait("account")
	if !strings.HasPrefix(a.id, "R") {
		t.Fatalf("registered %q with the card, want a resident's account", a.id)
	}
	test.Tap(a.login)
	h.wait("account")

	h.startProcedure(service.ProcBidQualification)
	h.wait("credentials")
	c := h.s.cred
	if len(c.files) != 1 {
		t.Fatalf("the company's file is offered by %d buttons", len(c.files))
	}
	test.Tap(c.files[0])
	h.wait("form")
	f := h.s.form
	f.fields["category"].(*selectT).SetSelected("物品")
	f.fields["capital"].(*entryT).SetText("10000000")
	f.fields["employees"].(*entryT).SetText("25")
	f.fields["contact_email"].(*entryT).SetText("keiyaku@example.jp")
	test.Tap(f.next)

	h.wait("secret")
	test.Type(h.s.secret.entry, kit.P12Password)
	test.Tap(h.s.secret.ok)
	h.wait("precheck")
	p := h.s.check
	line, ok := p.pc.Line(flow.LineAccount, "")
	if !ok || line.Level != flow.Red {
		t.Fatalf("the pre-check %v has the account line %+v, want it red", p.pc, line)
	}
	if len(p.pc.Reds()) != 1 {
		t.Errorf("red lines: %v; want only the account's", p.pc)
	}
	for _, want := range []string{a.id, "住民の方のアカウント"} {
		if !strings.Contains(line.Message.Ja, want) {
			t.Errorf("the account line says %q, want it to name %q", line.Message.Ja, want)
		}
	}
	for _, want := range []string{"法人のアカウントでログインし直して", "証明書ファイルで登録"} {
		if !strings.Contains(line.Todo.Ja, want) {
			t.Errorf("the account line's advice %q lacks %q", line.Todo.Ja, want)
		}
	}
	if !showsLabel(t, p.view(), text(line.Message)) || !showsLabel(t, p.view(), "→ "+text(line.Todo)) {
		t.Error("the panel does not show the account line's finding and advice")
	}
	if p.summary.Text != tr("precheck.red") || !p.sign.Disabled() {
		t.Errorf("the panel says %q with Sign enabled=%v; want red and no signature", p.summary.Text, !p.sign.Disabled())
	}
	if n := h.count("receipt"); n != 0 {
		t.Error("a receipt came: something was sent")
	}
	if left, _ := filepath.Glob(filepath.Join(cfg.DataDir, "signed", "*")); len(left) != 0 {
		t.Errorf("a signed package was written: %v", left)
	}
}
