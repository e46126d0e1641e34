package ui

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"github.com/shinsei-app/shinsei/explain"
	"github.com/shinsei-app/shinsei/flow"
	"github.com/shinsei-app/shinsei/i18n"
	"github.com/shinsei-app/shinsei/sandbox/kit"
	"github.com/shinsei-app/shinsei/sandbox/service"
	"github.com/shinsei-app/shinsei/submit"
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

// chooseUntil chooses the option of the last day that reads label.
func chooseUntil(t *testing.T, p *poaScreen, label string) {
	t.Helper()
	if !slices.Contains(p.until.radio.Options, label) {
		t.Fatalf("no option %q among %q", label, p.until.radio.Options)
	}
	p.until.radio.SetSelected(label)
}

// The principal sees the usual three months as a date, can choose one or
// six months or type another day; the day chosen is the one signed into
// the power of attorney and said before and after signing.
func TestThePowerOfAttorneysLastDayChosenInTheWindowIsSignedAndSaid(t *testing.T) {
	useLanguage(i18n.Japanese)
	h := newHarness(t, config(t))
	p := openPOA(t, h, service.ProcMoveOut)
	choice := h.s.flowApp().ValidUntilChoice()
	jst := time.FixedZone("JST", 9*3600)
	y, m, d := time.Now().In(jst).Date()
	if got := choice.Today.Format(submit.DateLayout); got != time.Date(y, m, d, 0, 0, 0, 0, time.UTC).Format(submit.DateLayout) {
		t.Fatalf("the choice counts from %s", got)
	}

	wantOptions := []string{
		"1か月後の" + i18n.DateJa(choice.MonthsLater(1)) + "まで",
		"3か月後の" + i18n.DateJa(choice.Default) + "まで（標準）",
		"6か月後の" + i18n.DateJa(choice.Latest) + "まで（最長）",
		"日付を指定する",
	}
	if !slices.Equal(p.until.radio.Options, wantOptions) {
		t.Fatalf("the last day offers %q, want %q", p.until.radio.Options, wantOptions)
	}
	if p.until.radio.Selected != wantOptions[1] || !p.req.ValidUntil.Equal(choice.Default) || p.until.row.Visible() {
		t.Fatalf("at first %q is chosen (request %s, day entry shown %v), want the default", p.until.radio.Selected, p.req.ValidUntil, p.until.row.Visible())
	}
	test.Type(p.proxyName, "高橋　一郎")
	out := filepath.Join(t.TempDir(), "委任状.asice")
	p.setOut(out)
	if want := "有効期限は" + i18n.DateJa(choice.Default) + "までです。"; !strings.Contains(p.status.Text, want) {
		t.Errorf("the screen says %q, want %q", p.status.Text, want)
	}

	for _, tc := range []struct {
		option string
		want   time.Time
	}{
		{wantOptions[0], choice.MonthsLater(1)},
		{wantOptions[2], choice.Latest},
		{wantOptions[1], choice.Default},
	} {
		chooseUntil(t, p, tc.option)
		if !p.req.ValidUntil.Equal(tc.want) || !strings.Contains(p.status.Text, "有効期限は"+i18n.DateJa(tc.want)+"までです。") {
			t.Errorf("%q: the request says %s and the screen %q", tc.option, p.req.ValidUntil.Format(submit.DateLayout), p.status.Text)
		}
	}

	// Another day, typed as a resident types it (full-width digits).
	day := choice.Today.AddDate(0, 0, 45)
	chooseUntil(t, p, "日付を指定する")
	if !p.until.row.Visible() || !p.signWith[0].Disabled() || !strings.Contains(p.status.Text, "有効期限") {
		t.Fatalf("with no day typed: entry shown %v, sign button disabled %v, the screen says %q", p.until.row.Visible(), p.signWith[0].Disabled(), p.status.Text)
	}
	test.Type(p.until.day, "2027/2")
	if !p.signWith[0].Disabled() || !strings.Contains(p.status.Text, "年・月・日の順で入力してください") {
		t.Fatalf("with half a day typed: sign button disabled %v, the screen says %q", p.signWith[0].Disabled(), p.status.Text)
	}
	p.until.day.SetText(strings.Map(func(r rune) rune {
		if r >= '0' && r <= '9' {
			return r - '0' + '０'
		}
		return r
	}, i18n.DateJa(day)))
	if !p.req.ValidUntil.Equal(day) {
		t.Fatalf("typed %q, the request says %s, want %s", p.until.day.Text, p.req.ValidUntil.Format(submit.DateLayout), day.Format(submit.DateLayout))
	}
	checkSpoken(t, "power of attorney with a day typed", h.s.win)

	signPOAWithToken(t, p)
	h.wait("pin")
	test.Type(h.s.pin.entry, kit.PIN)
	test.Tap(h.s.pin.ok)
	h.wait("precheck")
	if want := "有効期限は" + i18n.DateJa(day) + "までです。"; !saysText(t, h.s.win.Canvas().Overlays().Top(), want) {
		t.Errorf("the confirmation does not say %q", want)
	}
	h.confirmSign()
	h.wait("poa-signed")
	if want := "この委任状は" + i18n.DateJa(day) + "まで有効です。"; !strings.Contains(p.status.Text, want) {
		t.Errorf("the screen says %q, want %q", p.status.Text, want)
	}
	poa, err := h.s.flowApp().ReadPowerOfAttorney(context.Background(), out)
	if err != nil {
		t.Fatal(err)
	}
	if poa.Document.ValidUntil != day.Format(submit.DateLayout) {
		t.Fatalf("the signed power of attorney is valid until %s, want %s", poa.Document.ValidUntil, day.Format(submit.DateLayout))
	}
}

// A last day before today or beyond six months is refused with the
// table's explanation before any PIN, whether typed or gone stale while
// the screen stayed open; nothing is written.
func TestAPowerOfAttorneysLastDayOutOfRangeIsRefusedBeforeThePIN(t *testing.T) {
	useLanguage(i18n.Japanese)
	cfg := config(t)
	var shift atomic.Int64
	cfg.Now = func() time.Time { return time.Now().Add(time.Duration(shift.Load())) }
	h := newHarness(t, cfg)
	p := openPOA(t, h, service.ProcMoveOut)
	choice := h.s.flowApp().ValidUntilChoice()
	test.Type(p.proxyName, "高橋　一郎")
	out := filepath.Join(t.TempDir(), "委任状.asice")
	p.setOut(out)
	want := explain.Of(flow.ErrValidUntilOutOfRange).Message.Ja
	if want == "" {
		t.Fatal("the table has no message for ErrValidUntilOutOfRange")
	}

	chooseUntil(t, p, "日付を指定する")
	for _, day := range []time.Time{choice.Today.AddDate(0, 0, -1), choice.Latest.AddDate(0, 0, 1), choice.Today.AddDate(1, 0, 0)} {
		p.until.day.SetText(day.Format("2006/1/2"))
		if !strings.Contains(p.status.Text, want) || p.status.Importance != widget.DangerImportance {
			t.Errorf("%s: the screen says %q, want the table's %q", day.Format(submit.DateLayout), p.status.Text, want)
		}
		signPOAWithTokenDisabled(t, p)
	}
	// The day of issue and the latest day are taken.
	for _, day := range []time.Time{choice.Today, choice.Latest} {
		p.until.day.SetText(day.Format("2006-01-02"))
		if strings.Contains(p.status.Text, want) || !p.req.ValidUntil.Equal(day) {
			t.Errorf("%s is refused: %q", day.Format(submit.DateLayout), p.status.Text)
		}
	}

	// One month ahead, chosen; the screen stays open two months.
	chooseUntil(t, p, p.until.radio.Options[0])
	shift.Store(int64(62 * 24 * time.Hour))
	signPOAWithToken(t, p)
	h.wait("error")
	h.wait("poa-failed")
	if !strings.Contains(p.status.Text, want) || !strings.Contains(h.s.lastError, want) {
		t.Errorf("the window says %q (status %q); want %q", h.s.lastError, p.status.Text, want)
	}
	if n := h.count("pin"); n != 0 {
		t.Errorf("the PIN dialog opened %d times, want none", n)
	}
	if _, err := os.Stat(out); !errors.Is(err, os.ErrNotExist) {
		t.Error("a file was written")
	}
}

// signPOAWithTokenDisabled checks that the card's sign button is off and
// that tapping it asks no PIN.
func signPOAWithTokenDisabled(t *testing.T, p *poaScreen) {
	t.Helper()
	for i, c := range p.choices {
		if c.P12 == "" {
			if !p.signWith[i].Disabled() {
				t.Error("the sign button works with a last day that cannot be chosen")
			}
			test.Tap(p.signWith[i])
			if p.signing {
				t.Fatal("tapping the sign button started signing")
			}
			return
		}
	}
	t.Fatal("no card offered on the power of attorney screen")
}

func TestALastDayIsReadAsAResidentTypesItAndAnythingElseIsNotADay(t *testing.T) {
	for _, tc := range []struct {
		name, typed string
		want        string // "" for not a day
	}{
		{"in kanji", "2027年3月31日", "2027-03-31"},
		{"with slashes", "2027/3/31", "2027-03-31"},
		{"as in documents", "2027-03-31", "2027-03-31"},
		{"in full-width digits with spaces", " ２０２７／３／３１ ", "2027-03-31"},
		{"with dots", "2027.3.31", "2027-03-31"},
		{"a day the month lacks is not a day", "2027年2月30日", ""},
		{"a two-digit year is not a day", "27/3/31", ""},
		{"a Japanese era is not read", "令和9年3月31日", ""},
		{"a month alone is not a day", "2027/3", ""},
		{"a sign is not a digit", "2027/+3/31", ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, ok := parseDay(tc.typed)
			if tc.want == "" {
				if ok {
					t.Fatalf("%q read as %s", tc.typed, got.Format(submit.DateLayout))
				}
				return
			}
			if !ok || got.Format(submit.DateLayout) != tc.want {
				t.Fatalf("%q read as %s (%v), want %s", tc.typed, got.Format(submit.DateLayout), ok, tc.want)
			}
		})
	}
}
