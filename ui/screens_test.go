package ui

import (
	"archive/zip"
	"bytes"
	"context"
	"crypto/x509"
	"encoding/json"
	"fmt"
	"image/color"
	"io"
	"math"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/storage"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"
	"golang.org/x/image/font/sfnt"

	"github.com/shinsei-app/shinsei/assets"
	"github.com/shinsei-app/shinsei/diagnosis"
	"github.com/shinsei-app/shinsei/flow"
	"github.com/shinsei-app/shinsei/i18n"
	"github.com/shinsei-app/shinsei/internal/testenv"
	"github.com/shinsei-app/shinsei/pkcs11"
	"github.com/shinsei-app/shinsei/sandbox/kit"
	"github.com/shinsei-app/shinsei/sandbox/pki"
	"github.com/shinsei-app/shinsei/sandbox/service"
	usersettings "github.com/shinsei-app/shinsei/settings"
	"github.com/shinsei-app/shinsei/submit"
)

func TestHomeShowsEveryProcedureWithItsLevelBadgeAndWhatItNeeds(t *testing.T) {
	h := newHarness(t, config(t))
	h.wait("catalogue")
	if len(h.s.home.procs) != len(service.Catalogue()) || len(h.s.home.starts) != len(h.s.home.procs) {
		t.Fatalf("home shows %d procedures with %d Start buttons, want %d", len(h.s.home.procs), len(h.s.home.starts), len(service.Catalogue()))
	}
	for _, tc := range []struct {
		level submit.AuthLevel
		badge string
		needs string
	}{
		{submit.LevelNone, tr("level.none"), tr("needs.nothing")},
		{submit.LevelIDPW, tr("level.idpw"), tr("needs.idpw")},
		{submit.LevelSignature, tr("level.signature"), tr("needs.card")},
		{submit.LevelIDPWSignature, tr("level.idpw_signature"), tr("needs.idpw") + tr("needs.and") + tr("needs.card")},
	} {
		p := submit.Procedure{Level: tc.level, For: []submit.UserType{submit.UserResident}}
		if got := needsText(p); got != tc.needs {
			t.Errorf("level %s needs %q, want %q", tc.level, got, tc.needs)
		}
		if !rendersText(t, levelBadge(tc.level), tc.badge) {
			t.Errorf("level %s's badge does not say %q", tc.level, tc.badge)
		}
	}
	company := submit.Procedure{Level: submit.LevelIDPWSignature, For: []submit.UserType{submit.UserCompany}}
	if got := needsText(company); !strings.Contains(got, tr("needs.registry")) {
		t.Errorf("a company procedure needs %q, want the registry certificate file", got)
	}
}

// rendersText reports whether a canvas object tree draws text s.
func rendersText(t *testing.T, o fyne.CanvasObject, s string) bool {
	found := false
	var walk func(fyne.CanvasObject)
	walk = func(o fyne.CanvasObject) {
		switch v := o.(type) {
		case *fyne.Container:
			for _, c := range v.Objects {
				walk(c)
			}
		case fyne.Widget:
			for _, c := range test.TempWidgetRenderer(t, v).Objects() {
				walk(c)
			}
		}
		if txt, ok := o.(*canvasText); ok && strings.Contains(txt.Text, s) {
			found = true
		}
	}
	walk(o)
	return found
}

// showsLabel reports whether a canvas object tree holds a label that
// reads s.
func showsLabel(t *testing.T, o fyne.CanvasObject, s string) bool {
	switch v := o.(type) {
	case *widget.Label:
		return v.Text == s
	case *textLabel:
		return v.Text == s
	case *fyne.Container:
		for _, c := range v.Objects {
			if showsLabel(t, c, s) {
				return true
			}
		}
	case fyne.Widget:
		for _, c := range test.TempWidgetRenderer(t, v).Objects() {
			if showsLabel(t, c, s) {
				return true
			}
		}
	}
	return false
}

func TestAnOfficialNoticeIsVerifiedWithItsThreeAnswersApart(t *testing.T) {
	setupWorld(t)
	// Two officials known to the revocation registry with their CA, one
	// revoked.
	world.w.Registry.Record(world.w.PKI.LGPKIRoot, world.w.PKI.LGPKIOrg.Cert)
	official := func() *pki.Credential {
		c, err := world.w.PKI.IssueOfficial("千代田区長")
		if err != nil {
			t.Fatal(err)
		}
		world.w.Registry.Record(world.w.PKI.LGPKIOrg, c.Cert)
		return c
	}
	good, revoked := official(), official()
	if err := world.w.Registry.Revoke(world.w.PKI.LGPKIOrg, revoked.Cert.SerialNumber, pki.ReasonKeyCompromise, time.Now().Add(-time.Hour)); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name     string
		official *pki.Credential // signs the notices
		// The answers expected, with a word of each message.
		certificate, revocation flow.Level
		certSays, revSays       string
		ok                      bool
	}{
		{name: "a notice of the municipality's official is intact, signed with a valid LGPKI certificate that is not revoked",
			official: good, certificate: flow.Green, certSays: "LGPKI", revocation: flow.Green, revSays: "失効していません", ok: true},
		{name: "a notice signed with a revoked official certificate is intact but fails on revocation alone",
			official: revoked, certificate: flow.Green, certSays: "LGPKI", revocation: flow.Red, revSays: "失効しています", ok: false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			cfg, svc := config(t), startService(t, tc.official)
			cfg.ServiceURL, cfg.ServiceAnchors, cfg.ServiceVA = svc.URL(), []*x509.Certificate{svc.CACert()}, svc.VACert()
			h := newHarness(t, cfg)
			h.startProcedure(service.ProcBulkyWaste)
			h.wait("form")
			f := h.s.form
			f.applicant["name"].SetText("高橋　花子")
			f.applicant["address"].SetText("東京都千代田区千代田1-1")
			f.fields["items"].(*entryT).SetText("いす 2")
			f.fields["collection_date"].(*entryT).SetText("2026-12-10")
			f.fields["phone"].(*entryT).SetText("03-1234-5678")
			f.fields["place"].(*selectT).SetSelected("集積所")
			test.Tap(f.next)
			h.wait("receipt")
			arrival := h.s.receipt.rec.ArrivalNumber
			st, err := svc.Advance(context.Background(), arrival, service.SandboxAdvance{Status: submit.StatusCompleted,
				Notice: &service.SandboxNotice{TitleJA: "収集日のお知らせ", TitleEN: "Collection date"}})
			if err != nil || len(st.Notices) != 1 {
				t.Fatalf("advance: %v, %+v", err, st)
			}
			v := h.s.verify.get()
			test.Type(v.arrival, arrival)
			test.Type(v.noticeID, st.Notices[0].ID)
			test.Tap(v.fetch)
			h.wait("notice")
			r := v.report
			for _, a := range []struct {
				what  string
				got   flow.Finding
				level flow.Level
				says  string
			}{
				{"integrity", r.Integrity, flow.Green, "改ざんされていません"},
				{"certificate", r.Certificate, tc.certificate, tc.certSays},
				{"revocation", r.Revocation, tc.revocation, tc.revSays},
			} {
				if a.got.Level != a.level || !strings.Contains(a.got.Message.Ja, a.says) {
					t.Errorf("the %s answer is %v %q, want %v saying %q", a.what, a.got.Level, a.got.Message.Ja, a.level, a.says)
				}
				if a.level != flow.Green && a.got.Todo.IsZero() {
					t.Errorf("the %s answer is %v without what to do", a.what, a.got.Level)
				}
			}
			if r.OK() != tc.ok {
				t.Errorf("the notice is judged OK=%v, want %v", r.OK(), tc.ok)
			}
			// The screen shows the three answers apart, each with its word
			// and message, and the verdict.
			if len(v.lines.Objects) < 3 {
				t.Fatalf("the verification shows %d lines, want integrity, certificate and revocation apart", len(v.lines.Objects))
			}
			for i, a := range []flow.Finding{r.Integrity, r.Certificate, r.Revocation} {
				line := v.lines.Objects[i]
				if !rendersText(t, line, noticeWord(findingLevel(a.Level))) || !showsLabel(t, line, text(a.Message)) {
					t.Errorf("line %d does not show %q with %q", i+1, noticeWord(findingLevel(a.Level)), text(a.Message))
				}
			}
			want := tr("verify.bad")
			if tc.ok {
				want = tr("verify.ok")
			}
			if v.status.Text != want {
				t.Errorf("the verdict says %q, want %q", v.status.Text, want)
			}
		})
	}
}

// startService starts a reference service on the world's PKI and
// revocation registry whose notices official signs.
func startService(t *testing.T, official *pki.Credential) *service.Service {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	svc, err := service.Start(ctx, service.Config{PKI: world.w.PKI, Registry: world.w.Registry, VA: world.w.Responders.VA, Official: official})
	if err != nil {
		cancel()
		t.Fatal(err)
	}
	t.Cleanup(func() { svc.Close(); cancel() })
	return svc
}

func TestAccountRegistersWithTheCardThenLogsInAndOut(t *testing.T) {
	h := newHarness(t, config(t))
	h.wait("catalogue")
	a := h.s.account.get()
	test.Tap(a.register)
	h.enterPIN("SANDBOX1")
	h.confirmSign()
	h.wait("account")
	if a.id == "" || !strings.Contains(a.current.Text, a.id) {
		t.Fatalf("after registering the account shows %q (id %q)", a.current.Text, a.id)
	}
	test.Tap(a.login)
	h.wait("account")
	if !strings.Contains(a.status.Text, a.id) {
		t.Errorf("after Log in the status says %q", a.status.Text)
	}
	a.logoutNow(h.s.flowApp())
	h.wait("account")
	if a.status.Text != tr("account.logged_out") {
		t.Errorf("after Log out the status says %q", a.status.Text)
	}
}

func TestSettingsAreSavedToTheFileWithoutSecrets(t *testing.T) {
	h := newHarness(t, config(t))
	path := filepath.Join(t.TempDir(), "settings.json")
	h.s.opts.SettingsPath = path
	h.s.opts.Sandbox = true // saving does not reconnect
	st := h.s.settings.get()
	test.Type(st.serviceURL, "https://shinsei.example.lg.jp")
	st.module.SetText("/usr/lib/x86_64-linux-gnu/opensc-pkcs11.so")
	test.Type(st.trust, "/etc/shinsei/jpki-2023.pem")
	st.proxy.SetText("http://proxy.example.lg.jp:8080")
	st.lang.SetSelected("English")
	test.Tap(st.save)
	got, err := usersettings.Load(path)
	if err != nil {
		t.Fatal(err)
	}
	if got.ServiceURL != "https://shinsei.example.lg.jp" || got.Module != "/usr/lib/x86_64-linux-gnu/opensc-pkcs11.so" ||
		len(got.TrustAnchors) != 1 || got.Proxy != "http://proxy.example.lg.jp:8080" || got.Lang != i18n.English {
		t.Errorf("saved %+v", got)
	}
	if !strings.Contains(st.status.Text, tr("settings.restart")) {
		t.Errorf("a new language does not say it needs a restart: %q", st.status.Text)
	}
	if fi, err := os.Stat(path); err != nil || fi.Mode().Perm() != 0o600 {
		t.Errorf("the settings file's mode is %v (%v), want 0600", fi.Mode(), err)
	}
	// Outside the sandbox the help desk diagnoses the service now set.
	h.s.opts.Sandbox = false
	test.Type(st.anchors, "/etc/shinsei/service-ca.pem")
	h.s.opts.Settings = st.current()
	if o := h.s.diagOptions(); o.ServiceURL != "https://shinsei.example.lg.jp" || len(o.Anchors) != 1 {
		t.Errorf("the help desk would diagnose %q with anchors %v, not the settings in force", o.ServiceURL, o.Anchors)
	}
}

func TestTheHelpDeskDiagnosesAndExportsARedactedBundle(t *testing.T) {
	h := newHarness(t, config(t))
	var softHSM []pkcs11.ModuleFile
	for _, m := range pkcs11.FindModules() {
		if m.Name == "SoftHSM" {
			softHSM = append(softHSM, m)
		}
	}
	if len(softHSM) == 0 {
		t.Fatal("SoftHSM's module is not found")
	}
	errs, err := diagnosis.OpenErrorLog("", 0)
	if err != nil {
		t.Fatal(err)
	}
	// The diagnosis reads the token that holds the resident's certificate.
	h.s.opts.Diag = diagnosis.Options{Modules: softHSM, TriesReader: testenv.NoTries{}, Keyring: &submit.MemoryKeyring{},
		ServiceURL: world.svc.URL(), Errors: errs}
	// An error the window showed that quotes personal data, as a careless
	// message might; the help desk lists the last errors.
	person, cert := pki.SampleResident(), world.resident.Cert
	h.s.showError(fmt.Errorf("identity: the applicant %s (%s, born 1985-04-15) differs from the certificate %s",
		person.Name, person.Address, cert.SerialNumber))
	h.wait("error")

	hd := h.s.help.get()
	test.Tap(hd.run)
	h.wait("diagnosed")
	if hd.report == nil || len(hd.lines.Objects) != len(hd.report.Sections()) {
		t.Fatal("the diagnosis shows no line per section")
	}
	if hd.export.Disabled() || hd.copy.Disabled() {
		t.Error("copy and export stay disabled after the diagnosis")
	}
	test.Tap(hd.copy)
	if got := h.s.fa.Clipboard().Content(); !strings.Contains(got, "Shinsei 診断レポート") {
		t.Errorf("the copied report is %q", got)
	}

	// Export, with the file chosen in place of the save dialog.
	bundle := filepath.Join(t.TempDir(), "shinsei-diagnostics.zip")
	hd.saveAs = func(then func(fyne.URIWriteCloser, error)) { then(storage.Writer(storage.NewFileURI(bundle))) }
	test.Tap(hd.export)
	if !strings.Contains(hd.status.Text, bundle) {
		t.Errorf("after Export the status says %q, want the bundle's path", hd.status.Text)
	}
	files := unzipFiles(t, bundle)
	for _, want := range []string{"report.json", "report.txt", "report-ja.txt", "environment.txt"} {
		if len(files[want]) == 0 {
			t.Errorf("the bundle has no %s", want)
		}
	}
	// The bundle is about the resident's token and error, so there was
	// something to leave out.
	if js := files["report.json"]; !bytes.Contains(js, []byte(kit.TokenLabel)) || !bytes.Contains(js, []byte("identity: the applicant")) {
		t.Errorf("the bundle's report names neither the token %q nor the error shown:\n%s", kit.TokenLabel, js)
	}
	for name, data := range files {
		for _, p := range personalPatterns(cert) {
			if p.re.Match(data) {
				t.Errorf("the bundle's %s holds %s: %q", name, p.what, p.re.FindAll(data, -1))
			}
		}
	}
}

// personal is a kind of personal data and how it is found.
type personal struct {
	what string
	re   *regexp.Regexp
}

// personalPatterns find the sandbox resident's PIN (as a whole word),
// parts of her name and address (in UTF-8 and as JSON \u escapes), her
// birth date as written in several ways, and the serial number (hex and
// decimal) and subject identifier of her certificate.
func personalPatterns(holder *x509.Certificate) []personal {
	lit := func(what, s string) personal { return personal{what, regexp.MustCompile(regexp.QuoteMeta(s))} }
	esc := func(what, s string) personal {
		var b strings.Builder
		for _, r := range s {
			fmt.Fprintf(&b, `\\u%04x`, r)
		}
		return personal{what + " as JSON escapes", regexp.MustCompile(`(?i)` + b.String())}
	}
	p := []personal{{"the PIN", regexp.MustCompile(`(?i)\b` + kit.PIN + `\b`)}}
	for _, s := range []string{"高橋", "髙橋", "花子", "霞が関", "千代田区", "東京都", "二丁目"} {
		p = append(p, lit("a part of the name or address", s), esc("a part of the name or address", s))
	}
	for _, s := range []string{"19850415", "1985-04-15", "1985/04/15", "昭和60", "S60.4.15"} {
		p = append(p, lit("the birth date", s))
	}
	n := holder.SerialNumber
	return append(p, personal{"the certificate's serial number in hex", regexp.MustCompile(`(?i)` + n.Text(16))},
		lit("the certificate's serial number in decimal", n.String()),
		lit("the certificate's subject identifier", holder.Subject.CommonName))
}

// unzipFiles reads a zip file into name → content.
func unzipFiles(t *testing.T, path string) map[string][]byte {
	t.Helper()
	zr, err := zip.OpenReader(path)
	if err != nil {
		t.Fatal(err)
	}
	defer zr.Close()
	files := make(map[string][]byte)
	for _, f := range zr.File {
		rc, err := f.Open()
		if err != nil {
			t.Fatal(err)
		}
		data, err := io.ReadAll(rc)
		rc.Close()
		if err != nil {
			t.Fatalf("%s in %s: %v", f.Name, path, err)
		}
		files[f.Name] = data
	}
	return files
}

func TestTheThemeDrawsEveryTextStyleWithTheEmbeddedJapaneseFont(t *testing.T) {
	th := Theme{}
	for _, s := range []fyne.TextStyle{{}, {Bold: true}, {Italic: true}, {Bold: true, Italic: true},
		{Monospace: true}, {Symbol: true}, {TabWidth: 4}} {
		want := assets.FontRegular
		if s.Bold {
			want = assets.FontBold
		}
		if got := th.Font(s); got != want {
			t.Errorf("style %+v uses %s, want %s", s, got.Name(), want.Name())
		}
	}
}

func TestEveryCharacterOfTheTranslationsHasAGlyphInTheEmbeddedFont(t *testing.T) {
	for _, res := range []fyne.Resource{assets.FontRegular, assets.FontBold} {
		f, err := sfnt.Parse(res.Content())
		if err != nil {
			t.Fatalf("%s: %v", res.Name(), err)
		}
		var buf sfnt.Buffer
		for _, file := range []string{"lang/ja.json", "lang/en.json"} {
			data, err := assets.Lang.ReadFile(file)
			if err != nil {
				t.Fatal(err)
			}
			missing := map[rune]bool{}
			for _, r := range string(data) {
				if r < 0x20 {
					continue
				}
				if g, err := f.GlyphIndex(&buf, r); err != nil || g == 0 {
					missing[r] = true
				}
			}
			if len(missing) > 0 {
				t.Errorf("%s draws these characters of %s as boxes: %q (run scripts/subset-font)", res.Name(), file, keys(missing))
			}
		}
	}
}

func keys(m map[rune]bool) string {
	var b strings.Builder
	for r := range m {
		b.WriteRune(r)
	}
	return b.String()
}

func TestJapaneseAndEnglishHaveTheSameKeysAndEveryKeyUsedExists(t *testing.T) {
	read := func(name string) map[string]any {
		data, err := assets.Lang.ReadFile("lang/" + name)
		if err != nil {
			t.Fatal(err)
		}
		m := map[string]any{}
		if err := json.Unmarshal(data, &m); err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		return m
	}
	ja, en := read("ja.json"), read("en.json")
	for k := range ja {
		if _, ok := en[k]; !ok {
			t.Errorf("%q is in ja.json but not in en.json", k)
		}
	}
	for k := range en {
		if _, ok := ja[k]; !ok {
			t.Errorf("%q is in en.json but not in ja.json", k)
		}
	}
	for _, fyneWord := range []string{"OK", "Cancel", "Yes", "No", "Confirm", "Error", "Open", "Save", "Copy", "Paste"} {
		if ja[fyneWord] == fyneWord && fyneWord != "OK" {
			t.Errorf("Fyne's own word %q is not translated in ja.json", fyneWord)
		}
	}
	sources, _ := filepath.Glob("*.go")
	call := regexp.MustCompile(`\btr\("([a-z0-9_.-]+)"`)
	for _, src := range sources {
		if strings.HasSuffix(src, "_test.go") {
			continue
		}
		data, err := os.ReadFile(src)
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range call.FindAllStringSubmatch(string(data), -1) {
			if strings.HasSuffix(m[1], ".") {
				continue // a prefix completed at run time; checked below
			}
			if _, ok := ja[m[1]]; !ok {
				t.Errorf("%s uses %q, which ja.json lacks", src, m[1])
			}
		}
	}
	for _, id := range []flow.LineID{flow.LineCertificate, flow.LineRevocation, flow.LineKeyUsage, flow.LineCertificateType, flow.LineAccount,
		flow.LineIdentity, flow.LineForm, flow.LineService, flow.LineClock, flow.LinePrincipal, flow.LineProxy} {
		if _, ok := ja["precheck.line."+string(id)]; !ok {
			t.Errorf("the pre-check line %q has no title", id)
		}
	}
	for _, st := range []submit.Status{submit.StatusReceived, submit.StatusReviewing, submit.StatusCompleted, submit.StatusReturned, submit.StatusWithdrawn, submit.StatusCorrectionRequested} {
		if _, ok := ja["status."+string(st)]; !ok {
			t.Errorf("the status %q has no word", st)
		}
	}
	for _, k := range []flow.SecretKind{flow.SecretP12Password, flow.SecretAccountPassword, flow.SecretNewPassword} {
		if _, ok := ja["secret.title."+string(k)]; !ok {
			t.Errorf("the password request %q has no title", k)
		}
	}
}

func TestFyneOwnDialogWordsAreJapanese(t *testing.T) {
	test.NewTempApp(t)
	useLanguage(i18n.Japanese)
	for in, want := range map[string]string{"Cancel": "キャンセル", "Yes": "はい", "No": "いいえ", "Open": "開く", "Save": "保存"} {
		if got := langL(in); got != want {
			t.Errorf("Fyne's %q reads %q, want %q", in, got, want)
		}
	}
}

func TestTheButtonsAScriptCanPressAreListedWithTheirCardAndPlace(t *testing.T) {
	h := newHarness(t, config(t))
	h.wait("catalogue")
	ys := map[float32]bool{}
	var starts []Target
	for _, b := range h.s.targets() {
		if b.Label == tr("home.start") {
			starts = append(starts, b)
			ys[b.Y] = true
		}
	}
	if len(starts) != len(h.s.home.procs) {
		t.Fatalf("%d Start buttons listed, want one per procedure (%d)", len(starts), len(h.s.home.procs))
	}
	for i, b := range starts {
		if want := procTitle(h.s.home.procs[i]); b.Context != want {
			t.Errorf("Start button %d is on the card %q, want %q", i, b.Context, want)
		}
	}
	if len(ys) != len(starts) {
		t.Errorf("the Start buttons share places (%v): they are listed before the window laid them out", ys)
	}
}

func TestALineIsCutWhereItsScriptChangesAndDrawsAtItsWholeWidth(t *testing.T) {
	for _, tc := range []struct {
		name, text string
		want       []string
	}{
		{"kanji, kana and Latin are runs of their own", "申請したいパスワードpassword", []string{"申請", "したい", "パスワード", "password"}},
		{"spaces and punctuation stay with the run they follow", "練習用です。 Sandbox 1: 申請", []string{"練習用", "です。 ", "Sandbox 1: ", "申請"}},
		{"a line that begins with punctuation gives it to its first run", "「申請」", []string{"「申請」"}},
		{"one script is one run", "password", []string{"password"}},
		{"the empty line is one empty run", "", []string{""}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := scriptRuns(tc.text); strings.Join(got, "|") != strings.Join(tc.want, "|") {
				t.Errorf("scriptRuns(%q) = %q, want %q", tc.text, got, tc.want)
			}
		})
	}
	test.NewTempApp(t).Settings().SetTheme(Theme{})
	s := "このパソコンの中だけで動く練習用の環境です。 signature password: SANDBOX1"
	whole := canvas.NewText(s, color.Black).MinSize()
	line := textLine(s, color.Black, theme.TextSize())
	if got := line.MinSize(); math.Abs(float64(got.Width-whole.Width)) > 1 || got.Height != whole.Height {
		t.Errorf("the line cut in runs is %v, the whole text %v", got, whole)
	}
}
