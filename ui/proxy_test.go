package ui

import (
	"context"
	"crypto/x509"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2/test"

	"github.com/shinsei-app/shinsei/flow"
	"github.com/shinsei-app/shinsei/i18n"
	"github.com/shinsei-app/shinsei/sandbox/kit"
	"github.com/shinsei-app/shinsei/sandbox/pki"
	"github.com/shinsei-app/shinsei/sandbox/service"
	"github.com/shinsei-app/shinsei/signer"
	"github.com/shinsei-app/shinsei/submit"
)

// principalPOA writes a power of attorney for procedure naming proxy,
// signed by the world's resident (the principal), as a package.
func principalPOA(t *testing.T, procedure, proxy string) string {
	t.Helper()
	issued := time.Now().Truncate(time.Second)
	return signedPOA(t, submit.PowerOfAttorney{Type: submit.PowerOfAttorneyType, Procedure: procedure,
		Principal: map[string]any{"name": "高橋　花子"}, Proxy: submit.ProxyRef{Name: proxy},
		IssuedAt: issued, ValidUntil: submit.PowerOfAttorneyDefaultUntil(issued)})
}

// signedPOA writes doc and signs it as a package by the world's resident
// (the principal).
func signedPOA(t *testing.T, doc submit.PowerOfAttorney) string {
	t.Helper()
	dir := t.TempDir()
	data, err := json.Marshal(doc)
	if err != nil {
		t.Fatal(err)
	}
	letter := filepath.Join(dir, submit.PowerOfAttorneyName)
	if err := os.WriteFile(letter, data, 0o600); err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(dir, "POA.asice")
	cred := signer.Credential{Signer: world.resident.Key, Cert: world.resident.Cert, Chain: []*x509.Certificate{world.resident.Root}}
	if _, err := signer.Build(context.Background(), out, []signer.File{{Path: letter}}, cred, signer.BuildOptions{Supporting: true}); err != nil {
		t.Fatal(err)
	}
	return out
}

// proxyFile issues the kit's proxy resident (高橋　一郎) and offers his
// .p12 file on the credential screen.
func proxyFile(t *testing.T, cfg *flow.Config) {
	t.Helper()
	proxy, err := world.w.PKI.IssueResident(kit.ProxyResident(), pki.ResidentOptions{})
	if err != nil {
		t.Fatal(err)
	}
	world.w.Registry.Record(world.w.PKI.JPKISign, proxy.Cert)
	der, err := proxy.PKCS12(kit.P12Password)
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "proxy.p12")
	if err := os.WriteFile(path, der, 0o600); err != nil {
		t.Fatal(err)
	}
	cfg.SuggestedFiles = []flow.CredentialFile{{Path: path, Cert: proxy.Cert, Label: i18n.Text{Ja: "代理人の証明書ファイル", En: "Proxy's certificate file"}}}
}

// A relative files the resident's move-out notification with her power
// of attorney: 「代理で申請する」 adds it, the applicant block becomes
// hers, the pre-check says she signed the power of attorney and he is
// the proxy it names, and the service receives the two-signature package.
func TestAProxyAddsThePrincipalsPowerOfAttorneyAndFilesForHer(t *testing.T) {
	cfg := config(t)
	proxyFile(t, &cfg)
	h := newHarness(t, cfg)
	before, err := world.svc.Applications(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	h.startProcedure(service.ProcMoveOut)
	h.wait("credentials")
	test.Tap(h.s.cred.files[0])
	h.wait("form")
	f := h.s.form
	if f.proxy == nil || f.proxy.add.Text != "代理で申請する" || f.proxy.remove.Visible() {
		t.Fatalf("the move-out form does not offer 「代理で申請する」 alone: %+v", f.proxy)
	}
	f.useProxy(principalPOA(t, service.ProcMoveOut, "高橋　一郎"))
	h.wait("proxy-added")
	if got := f.applicant["name"].Text; got != "高橋　花子" {
		t.Fatalf("the applicant's name is %q, want the principal's", got)
	}
	if !strings.Contains(f.proxy.note.Text, "高橋　花子 さんから 高橋　一郎 さんへの委任") || !f.proxy.remove.Visible() {
		t.Fatalf("the form says %q (remove shown %v)", f.proxy.note.Text, f.proxy.remove.Visible())
	}
	until, _ := time.Parse(submit.DateLayout, h.s.draft.poa.Document.ValidUntil)
	if want := "有効期限は" + dateText(until) + "までです。"; !strings.Contains(f.proxy.note.Text, want) {
		t.Fatalf("the form says %q, want its last day: %q", f.proxy.note.Text, want)
	}
	fillMoveOut(t, f)
	test.Tap(f.next)
	h.wait("secret")
	test.Type(h.s.secret.entry, kit.P12Password)
	test.Tap(h.s.secret.ok)
	h.wait("precheck")
	p := h.s.check
	for _, id := range []flow.LineID{flow.LinePrincipal, flow.LineProxy} {
		if l, ok := p.pc.Line(id, ""); !ok || l.Level != flow.Green || !showsLabel(t, p.view(), text(l.Message)) {
			t.Fatalf("the pre-check's %s line is %+v (found %v), want it green and shown", id, l, ok)
		}
	}
	if reds := p.pc.Reds(); len(reds) != 0 {
		t.Fatalf("red lines %v", reds)
	}
	h.confirmSign()
	h.wait("receipt")
	after, err := world.svc.Applications(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if len(after) != len(before)+1 || h.s.receipt.rec.InquiryNumber == "" {
		t.Fatalf("the service holds %d applications (was %d); receipt %+v", len(after), len(before), h.s.receipt.rec)
	}
}

func TestTheWindowOffersProxyFilingOnlyWhereTheProcedureAllowsIt(t *testing.T) {
	cfg := config(t)
	h := newHarness(t, cfg)
	h.wait("catalogue")
	for i, p := range h.s.home.procs {
		card := h.s.home.list.Objects[i]
		if shows, want := showsLabel(t, card, tr("home.proxy")), p.ID == service.ProcMoveOut; shows != want {
			t.Errorf("%s: the catalogue says a proxy may file it: %v, want %v", p.ID, shows, want)
		}
	}
	h.startProcedure(service.ProcChildAllowance)
	h.wait("credentials")
	test.Tap(h.s.cred.choices[0])
	h.wait("form")
	if h.s.form.proxy != nil {
		t.Fatal("an idpw+signature procedure offers 「代理で申請する」")
	}
	if showsLabel(t, h.s.form.view(), "代理で申請する") {
		t.Fatal("「代理で申請する」 is shown")
	}
}

func TestAPowerOfAttorneyForAnotherProcedureIsRefusedOnTheForm(t *testing.T) {
	cfg := config(t)
	proxyFile(t, &cfg)
	h := newHarness(t, cfg)
	h.startProcedure(service.ProcMoveOut)
	h.wait("credentials")
	test.Tap(h.s.cred.files[0])
	h.wait("form")
	f := h.s.form
	name := f.applicant["name"].Text
	f.useProxy(principalPOA(t, service.ProcBulkyWaste, "高橋　一郎"))
	h.wait("error")
	if h.s.draft.poa != nil || f.proxy.remove.Visible() || f.applicant["name"].Text != name {
		t.Fatalf("a power of attorney for another procedure was taken: %+v", h.s.draft.poa)
	}
	if h.count("secret") != 0 {
		t.Fatal("the password was asked")
	}
}
