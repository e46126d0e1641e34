package ui

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"fyne.io/fyne/v2/test"

	"github.com/shinsei-app/shinsei/explain"
	"github.com/shinsei-app/shinsei/flow"
	"github.com/shinsei-app/shinsei/i18n"
	"github.com/shinsei-app/shinsei/sandbox/kit"
	"github.com/shinsei-app/shinsei/sandbox/service"
)

// openPOA taps 「委任状を作る」 on procedure id's card and waits for the
// cards and files found.
func openPOA(t *testing.T, h *harness, id string) *poaScreen {
	t.Helper()
	if h.count("catalogue") == 0 { // shown only once the event came
		h.wait("catalogue")
	}
	btn, ok := h.s.home.poas[id]
	if !ok {
		t.Fatalf("the card of %s offers no 「委任状を作る」", id)
	}
	test.Tap(btn)
	h.wait("poa")
	h.wait("poa-credentials")
	return h.s.poa
}

// signPOAWithToken taps the power of attorney's button of the SoftHSM
// "card".
func signPOAWithToken(t *testing.T, p *poaScreen) {
	t.Helper()
	for i, c := range p.choices {
		if c.P12 == "" {
			if p.signWith[i].Disabled() {
				t.Fatal("the sign button is disabled with the procedure, the proxy and the file given")
			}
			test.Tap(p.signWith[i])
			return
		}
	}
	t.Fatal("no card offered on the power of attorney screen")
}

// The resident makes a power of attorney for her move-out notification
// in the window, naming a relative; he adds it with 「代理で申請する」 and
// files her application, which the reference service receives.
func TestAPowerOfAttorneyMadeInTheWindowIsUsedByTheProxyAndReceivedByTheService(t *testing.T) {
	useLanguage(i18n.Japanese)
	cfg := config(t)
	proxyFile(t, &cfg)
	h := newHarness(t, cfg)
	p := openPOA(t, h, service.ProcMoveOut)
	if p.req.Procedure != service.ProcMoveOut || p.proc.Selected != "転出届" {
		t.Fatalf("the screen opened for %q (%q), want the move-out notification", p.req.Procedure, p.proc.Selected)
	}
	for _, pi := range h.s.home.procs {
		if offered := slices.Contains(p.proc.Options, procTitle(pi)); offered != (pi.ID == service.ProcMoveOut) {
			t.Errorf("%s offered for a power of attorney: %v", pi.ID, offered)
		}
	}
	for _, b := range p.signWith {
		if !b.Disabled() {
			t.Fatal("a sign button works before the proxy and the file are given")
		}
	}
	test.Type(p.proxyName, "高橋　一郎")
	out := filepath.Join(t.TempDir(), "委任状.asice")
	p.setOut(out)
	if !strings.Contains(p.status.Text, "「転出届」の申請を、高橋　一郎 さんに委任します。") {
		t.Errorf("the screen says %q before signing", p.status.Text)
	}
	checkSpoken(t, "power of attorney", h.s.win)

	signPOAWithToken(t, p)
	h.wait("pin")
	test.Type(h.s.pin.entry, kit.PIN)
	test.Tap(h.s.pin.ok)
	h.wait("precheck")
	if _, err := os.Stat(out); !errors.Is(err, os.ErrNotExist) {
		t.Fatal("the power of attorney was written before the principal confirmed")
	}
	checkSpoken(t, "power of attorney's pre-check", h.s.win)
	h.confirmSign()
	h.wait("poa-signed")
	if n := h.count("pin"); n != 1 {
		t.Errorf("the PIN dialog opened %d times, want once", n)
	}
	for _, want := range []string{"代理人の 高橋　一郎 さんにお渡しください", out, "「代理で申請する」", "信頼できる方にだけ"} {
		if !strings.Contains(p.result.Text, want) || !p.result.Visible() {
			t.Errorf("the screen says %q; want %q in it", p.result.Text, want)
		}
	}
	poa, err := h.s.flowApp().ReadPowerOfAttorney(context.Background(), out)
	if err != nil {
		t.Fatal(err)
	}
	if !poa.Principal.Equal(world.resident.Cert) || poa.Document.Procedure != service.ProcMoveOut || poa.Document.Proxy.Name != "高橋　一郎" {
		t.Fatalf("the power of attorney says %+v, signed by %s", poa.Document, poa.Principal.Subject)
	}

	// The proxy's side, with his certificate file.
	before, err := world.svc.Applications(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	h.s.goHome()
	h.startProcedure(service.ProcMoveOut)
	h.wait("credentials")
	test.Tap(h.s.cred.files[0])
	h.wait("form")
	f := h.s.form
	f.useProxy(out)
	h.wait("proxy-added")
	fillMoveOut(t, f)
	test.Tap(f.next)
	h.wait("secret")
	test.Type(h.s.secret.entry, kit.P12Password)
	test.Tap(h.s.secret.ok)
	h.wait("precheck")
	for _, id := range []flow.LineID{flow.LinePrincipal, flow.LineProxy} {
		if l, ok := h.s.check.pc.Line(id, ""); !ok || l.Level != flow.Green {
			t.Fatalf("the proxy's pre-check %s line is %+v (found %v), want green", id, l, ok)
		}
	}
	h.confirmSign()
	h.wait("receipt")
	after, err := world.svc.Applications(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if len(after) != len(before)+1 {
		t.Fatalf("the service holds %d applications, was %d", len(after), len(before))
	}
}

func TestAPowerOfAttorneyIsOfferedOnlyForAProcedureAProxyMayFileAndRefusedBeforeThePINOtherwise(t *testing.T) {
	useLanguage(i18n.Japanese)
	h := newHarness(t, config(t))
	h.wait("catalogue")
	for _, pi := range h.s.home.procs {
		_, offered := h.s.home.poas[pi.ID]
		if want := pi.ID == service.ProcMoveOut; offered != want {
			t.Errorf("%s (%s) offers 「委任状を作る」: %v, want %v", pi.ID, pi.Level, offered, want)
		}
	}
	if btn := h.s.home.poas[service.ProcMoveOut]; btn.Text != "委任状を作る" {
		t.Errorf("the button reads %q", btn.Text)
	}
	checkSpoken(t, "home with power of attorney buttons", h.s.win)

	// The catalogue changed since the list was read: the child allowance
	// (signed in person by the account holder) is refused by flow, with
	// the table's explanation, before any PIN.
	p := openPOA(t, h, service.ProcMoveOut)
	p.req.Procedure = service.ProcChildAllowance
	p.proxyName.SetText("高橋　一郎")
	out := filepath.Join(t.TempDir(), "委任状.asice")
	p.setOut(out)
	signPOAWithToken(t, p)
	h.wait("error")
	h.wait("poa-failed")
	if n := h.count("pin"); n != 0 {
		t.Errorf("the PIN dialog opened %d times, want none", n)
	}
	want := explain.Of(flow.ErrProxyNotAllowed).Message.Ja
	if want == "" || !strings.Contains(h.s.lastError, want) || !strings.Contains(p.status.Text, want) {
		t.Errorf("the window says %q (status %q); want %q", h.s.lastError, p.status.Text, want)
	}
	if _, err := os.Stat(out); !errors.Is(err, os.ErrNotExist) {
		t.Error("a file was written")
	}
}

func TestAPowerOfAttorneyNamingTheProxysUserIDIsSignedOnlyOnThePrincipalsTap(t *testing.T) {
	useLanguage(i18n.Japanese)
	h := newHarness(t, config(t))
	p := openPOA(t, h, service.ProcMoveOut)
	p.by.SetSelected(tr("poa.by_account"))
	test.Type(p.proxyName, "R00012345")
	out := filepath.Join(t.TempDir(), "委任状.asice")
	p.setOut(out)
	if p.req.Proxy.Account != "R00012345" || p.req.Proxy.Name != "" || p.proxyName.PlaceHolder != "代理人の利用者ID" {
		t.Fatalf("the request names %+v (placeholder %q)", p.req.Proxy, p.proxyName.PlaceHolder)
	}

	// Declined on the pre-check: nothing is written.
	signPOAWithToken(t, p)
	h.wait("pin")
	test.Type(h.s.pin.entry, kit.PIN)
	test.Tap(h.s.pin.ok)
	h.wait("precheck")
	test.Tap(h.s.check.back)
	h.wait("poa-failed")
	if _, err := os.Stat(out); !errors.Is(err, os.ErrNotExist) || p.status.Text != tr("poa.declined") || p.result.Visible() {
		t.Fatalf("after declining: file written %v, status %q", err == nil, p.status.Text)
	}

	signPOAWithToken(t, p)
	h.wait("pin")
	test.Type(h.s.pin.entry, kit.PIN)
	test.Tap(h.s.pin.ok)
	h.wait("precheck")
	h.confirmSign()
	h.wait("poa-signed")
	if !strings.Contains(p.result.Text, "代理人（利用者ID R00012345 の方）にお渡しください") || !strings.Contains(p.result.Text, "その利用者IDでログインして送信します") {
		t.Errorf("the screen says %q", p.result.Text)
	}
	poa, err := h.s.flowApp().ReadPowerOfAttorney(context.Background(), out)
	if err != nil || poa.Document.Proxy.Account != "R00012345" || poa.Document.Proxy.Name != "" {
		t.Fatalf("the power of attorney: %+v, %v", poa, err)
	}
}
