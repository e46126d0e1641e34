package ui

import (
	"context"
	"crypto/x509"
	"errors"
	"image"
	"image/color"
	"strings"
	"sync"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/shinsei-app/shinsei/diagnosis"
	"github.com/shinsei-app/shinsei/explain"
	"github.com/shinsei-app/shinsei/flow"
	"github.com/shinsei-app/shinsei/pkcs11"
	"github.com/shinsei-app/shinsei/submit"
	"github.com/shinsei-app/shinsei/ui/frameprobe"
)

// networkTimeout bounds one request the screens make to the service
// outside signing and sending (which the user can cancel).
const networkTimeout = 30 * time.Second

// shell is the main window: the sandbox banner, the navigation tabs and
// the screen shown in each. It owns the flow.App and the application the
// resident is preparing.
type shell struct {
	ctx  context.Context
	fa   fyne.App
	win  fyne.Window
	opts Options

	mu  sync.Mutex
	app *flow.App // nil until Options.Open returned

	tabs     *navigation
	applyTab *container.TabItem
	apply    *fyne.Container // the application wizard's current screen
	banner   fyne.CanvasObject
	note     *fyne.Container // the banner's note lines (Options.SandboxNote)
	footer   *fyne.Container // holds the invisible first-frame triggers
	// memoryReturnPending: a trigger of returnMemoryAfterNextFrame waits
	// for its frame.
	memoryReturnPending bool
	// returnMemory, when set (tests), is called instead of
	// debug.FreeOSMemory.
	returnMemory func()

	home *home
	// The tabs after the first, built when first shown.
	history  *lazy[*history]
	account  *lazy[*account]
	verify   *lazy[*verifyNotice]
	settings *lazy[*settings]
	help     *lazy[*helpDesk]

	// The application being prepared and the wizard's screens, for tests.
	draft    *draft
	form     *formScreen
	cred     *credentialScreen
	check    *precheckPanel
	progress *progress
	receipt  *receiptScreen
	pin      *pinDialog
	secret   *secretDialog
	// batch is the batch-signing screen (batch.go), once opened.
	batch *batchScreen
	// batchSubmit is 「まとめて提出」 (batch_submit.go), once opened.
	batchSubmit *batchSubmitScreen
	// poa is the power of attorney screen (poa.go), once opened.
	poa *poaScreen

	// lastError is the explanation last shown in an error dialog, and
	// errorDialog that dialog.
	lastError   string
	errorDialog *closableDialog

	// onEvent, when set (tests), is told of each step, as
	// Options.OnEvent is.
	onEvent func(string)
	// onHashed, when set (tests), is called on flow's goroutine with each
	// hashing report, once the progress bar was handed it.
	onHashed func(done, total int64)
	// onQueued and onUploaded, when set (tests), are called on flow's
	// goroutine when the signed application is queued and with each
	// upload report.
	onQueued   func()
	onUploaded func(done, total int64)
	// noticeOpened is set once Options.OpenNotice was verified.
	noticeOpened bool
	// reported queues the steps for Options.OnEvent, which is told of
	// each once the window has laid it out.
	reported chan string
}

// draft is the application being prepared: the procedure, the form, the
// attachments and the credential chosen.
type draft struct {
	proc        flow.ProcedureInfo
	form        *submit.FormDocument
	attachments []string
	credential  flow.CredentialChoice
	token       *flow.FoundToken  // the token chosen, nil for a file
	fileCert    *x509.Certificate // a suggested file's certificate, known before its password
	filled      []string          // applicant fields written from the certificate
	// poa is the principal's power of attorney when the user files as
	// proxy (proxy.go).
	poa *flow.PowerOfAttorney
	// amend, when set, makes the draft an amendment answering this
	// correction request (lifecycle.go); originalMissing says its form
	// starts empty, the original not being kept on this computer.
	amend           *flow.Correction
	originalMissing bool
}

// fillsAfterPIN reports whether the applicant block is filled from the
// certificate only once it is read: a signature procedure with a card met
// for the first time, or a certificate file chosen by browsing (both need
// the PIN or password first).
func (d *draft) fillsAfterPIN() bool {
	known := d.fileCert != nil || d.token != nil && d.token.SignatureCert != nil
	return d.proc.Level.NeedsSignature() && !known
}

// newShell builds the main window. fontsLoaded, when not nil, waits
// until the fonts are loaded (see loadFonts); it is called once the
// window exists and before any text is measured.
func newShell(ctx context.Context, fa fyne.App, opts Options, fontsLoaded func()) *shell {
	useLanguage(opts.Settings.Lang)
	widget.RichTextStyleStrong.TextStyle.Bold = false // buttons' labels: see startStyles
	if _, ok := fa.Settings().Theme().(interface{ shinsei() }); !ok {
		fa.Settings().SetTheme(Theme{})
	}
	s := &shell{ctx: ctx, fa: fa, opts: opts, win: fa.NewWindow(tr("app.title"))}
	// Sized before it has content, the window lays the screens out once,
	// at their real width, not first at their minimum (where wrapped
	// texts would be broken for nothing).
	s.win.Resize(windowSize)
	shells.Store(s.win, s)
	if fontsLoaded != nil {
		fontsLoaded()
	}
	s.apply = container.NewStack()
	s.home = newHome(s)
	s.showApply(s.home.view())

	// The other tabs are built when first shown, so the first frame
	// comes sooner.
	s.history = newLazy(func() *history { return newHistory(s) })
	s.account = newLazy(func() *account {
		a := newAccount(s)
		a.onRefresh()
		return a
	})
	s.verify = newLazy(func() *verifyNotice { return newVerifyNotice(s) })
	s.settings = newLazy(func() *settings { return newSettings(s) })
	s.help = newLazy(func() *helpDesk { return newHelpDesk(s) })
	s.applyTab = container.NewTabItemWithIcon(tr("nav.apply"), theme.DocumentCreateIcon(), s.apply)
	s.tabs = newNavigation(
		s.applyTab,
		container.NewTabItemWithIcon(tr("nav.history"), theme.HistoryIcon(), s.history.place),
		container.NewTabItemWithIcon(tr("nav.account"), theme.AccountIcon(), s.account.place),
		container.NewTabItemWithIcon(tr("nav.verify"), theme.MailComposeIcon(), s.verify.place),
		container.NewTabItemWithIcon(tr("nav.settings"), theme.SettingsIcon(), s.settings.place),
		container.NewTabItemWithIcon(tr("nav.help"), theme.HelpIcon(), s.help.place),
	)
	s.tabs.OnSelected = s.onTab

	top := container.NewVBox()
	if opts.Sandbox {
		s.banner = s.sandboxBanner()
		top.Add(s.banner)
	}
	s.footer = container.NewHBox()
	if p := frameprobe.New(fa); p != nil {
		s.footer.Add(p)
	}
	content := container.NewBorder(top, s.footer, nil, nil, s.tabs)
	s.win.SetContent(content)
	if opts.OpenNotice != "" {
		// Selected once the tabs have the window's size: selecting
		// lays them out again, at zero size as many times as above.
		s.tabs.SelectIndex(tabVerify)
	}
	s.win.SetMaster()
	s.win.SetOnDropped(s.onDropped)
	if opts.OnEvent != nil {
		s.reported = make(chan string, 64)
		go s.reportSteps()
	}
	return s
}

// windowSize is the window's size as it opens.
var windowSize = fyne.NewSize(1000, 720)

// bannerInk is the colour of the sandbox banner's text.
var bannerInk = color.NRGBA{0x4e, 0x34, 0x00, 0xff}

// sandboxBanner says, on every screen, that this is the practice sandbox,
// and with which credential the practice signs.
func (s *shell) sandboxBanner() fyne.CanvasObject {
	bg := canvas.NewRectangle(color.NRGBA{0xff, 0xe0, 0x82, 0xff})
	s.note = container.NewVBox()
	lines := container.NewVBox(
		newWrapLine(tr("sandbox.banner"), bannerInk, theme.TextSubHeadingSize()),
		newWrapLine(tr("sandbox.explain"), bannerInk, theme.TextSize()),
		s.note)
	s.showSandboxNote()
	return container.NewStack(bg, container.NewPadded(lines))
}

// showSandboxNote puts Options.SandboxNote's current lines under the
// banner.
func (s *shell) showSandboxNote() {
	if s.note == nil || s.opts.SandboxNote == nil {
		return
	}
	s.note.RemoveAll()
	for _, line := range strings.Split(s.opts.SandboxNote(), "\n") {
		if line != "" {
			s.note.Add(newWrapLine(line, bannerInk, theme.TextSize()))
		}
	}
	// The banner's height may change: lay the window out again.
	if c := s.win.Content(); c != nil {
		c.Refresh()
	}
}

// start opens the flow.App in the background, so the window shows at
// once (the sandbox takes a few seconds to issue its certificates).
func (s *shell) start() { s.reopen(s.opts.Settings) }

// startAfterFirstFrame calls then and starts once the window has painted
// its first frame, so opening (and the sandbox's key generation) does not
// compete with it for the CPU. The trigger is a 1×1 transparent raster:
// Fyne calls a raster's generator only when it paints.
func (s *shell) startAfterFirstFrame(then func()) {
	var once sync.Once
	r := canvas.NewRaster(func(w, h int) image.Image {
		once.Do(func() {
			then()
			go s.start()
		})
		return image.NewNRGBA(image.Rect(0, 0, 1, 1))
	})
	r.SetMinSize(fyne.NewSize(1, 1))
	s.footer.Add(r)
}

func (s *shell) reopen(set Settings) {
	onMain(func() { s.home.status.SetText(tr("home.preparing")) })
	go func() {
		a, err := s.opts.Open(s.ctx, set)
		onMain(func() {
			s.showSandboxNote()
			if err != nil {
				s.home.status.SetText(s.explain(err))
				s.home.status.Importance = widget.DangerImportance
				s.home.status.Refresh()
				s.event("error")
				return
			}
			s.mu.Lock()
			old := s.app
			s.app = a
			s.mu.Unlock()
			if old != nil && old != a {
				_ = old.Close()
			}
			s.home.onReload()
			if a, ok := s.account.built(); ok {
				a.onRefresh()
			}
			if h, ok := s.history.built(); ok {
				h.onReload()
			}
			s.event("ready")
			s.verifyOpenedNotice()
			s.returnMemoryAfterNextFrame()
		})
	}()
}

// verifyOpenedNotice verifies Options.OpenNotice on the notice screen,
// once: the first time the app is ready.
func (s *shell) verifyOpenedNotice() {
	if s.opts.OpenNotice == "" || s.noticeOpened {
		return
	}
	s.noticeOpened = true
	s.tabs.SelectIndex(tabVerify)
	s.verify.get().run(flow.NoticeRef{Path: s.opts.OpenNotice})
}

// onDropped verifies a file dropped on the window — a notice, as a
// package or a signed PDF — on the notice screen, as 「ファイルを開く」
// there does; the first local file of several.
func (s *shell) onDropped(_ fyne.Position, uris []fyne.URI) {
	for _, u := range uris {
		if u.Scheme() != "file" {
			continue
		}
		s.tabs.SelectIndex(tabVerify)
		s.verify.get().run(flow.NoticeRef{Path: u.Path()})
		return
	}
}

// flowApp returns the flow.App, or nil before it is open.
func (s *shell) flowApp() *flow.App {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.app
}

func (s *shell) close() {
	if a := s.flowApp(); a != nil {
		_ = a.Close()
	}
}

func (s *shell) event(name string) {
	if s.onEvent != nil {
		s.onEvent(name)
	}
	if s.reported != nil {
		select {
		case s.reported <- name:
		default: // nobody reads that fast; a script waits for a later step
		}
	}
}

// reportSteps tells Options.OnEvent of each step in order, a moment after
// it, when the window has laid out the screen and its buttons have their
// places.
func (s *shell) reportSteps() {
	for name := range s.reported {
		time.Sleep(250 * time.Millisecond)
		onMain(func() { s.opts.OnEvent(name, s.targets()) })
	}
}

// Tabs of the navigation, in order.
const (
	tabApply = iota
	tabHistory
	tabAccount
	tabVerify
	tabSettings
	tabHelp
)

func (s *shell) onTab(t *container.TabItem) {
	switch s.tabs.SelectedIndex() {
	case tabHistory:
		s.history.get().onReload()
	case tabAccount:
		s.account.get()
	case tabVerify:
		s.verify.get()
	case tabSettings:
		s.settings.get()
	case tabHelp:
		s.help.get()
	}
	s.event("tab-" + tabSteps[s.tabs.SelectedIndex()])
}

// tabSteps name the steps reported as each tab is chosen: "tab-" and
// these, in the tabs' order.
var tabSteps = [...]string{tabApply: "apply", tabHistory: "history", tabAccount: "account",
	tabVerify: "verify", tabSettings: "settings", tabHelp: "help"}

// lazy is a tab's screen, built the first time it is needed and reused
// after: place holds the screen's view in the tab once built.
type lazy[T screen] struct {
	place  *fyne.Container
	build  func() T
	screen T
	done   bool
}

// screen is what a tab shows.
type screen interface{ view() fyne.CanvasObject }

func newLazy[T screen](build func() T) *lazy[T] {
	return &lazy[T]{place: container.NewStack(), build: build}
}

// get returns the screen, building it and putting it in its tab the
// first time.
func (l *lazy[T]) get() T {
	if !l.done {
		l.screen, l.done = l.build(), true
		l.place.Objects = []fyne.CanvasObject{l.screen.view()}
		l.place.Refresh()
	}
	return l.screen
}

// built returns the screen and true once it has been built, without
// building it.
func (l *lazy[T]) built() (T, bool) { return l.screen, l.done }

// showApply shows a screen of the application wizard.
func (s *shell) showApply(o fyne.CanvasObject) {
	s.apply.Objects = []fyne.CanvasObject{container.NewPadded(o)}
	s.apply.Refresh()
}

// goHome returns to the catalogue, dropping the draft.
func (s *shell) goHome() {
	s.draft, s.form, s.cred, s.check, s.progress, s.receipt = nil, nil, nil, nil, nil, nil
	s.showApply(s.home.view())
	if s.tabs != nil {
		s.tabs.Select(s.applyTab)
	}
	s.event("home")
}

// startApplication begins an application for p: a signature procedure
// chooses its credential first, so the form can be pre-filled from the
// certificate; the others go to the form.
func (s *shell) startApplication(p flow.ProcedureInfo) {
	s.draft = &draft{proc: p, form: flow.NewForm(p.Procedure)}
	if p.Level.NeedsSignature() {
		s.showCredential()
		return
	}
	s.showForm()
}

func (s *shell) showCredential() {
	s.cred = newCredentialScreen(s, s.draft)
	s.showApply(s.cred.view())
	s.cred.onFind()
	s.event("credential")
}

func (s *shell) showForm() {
	s.form = newFormScreen(s, s.draft)
	s.showApply(s.form.view())
	s.event("form")
}

// explain turns an error into what happened and what to do, in the
// current language.
func (s *shell) explain(err error) string {
	e, lang := explain.Of(err), currentLanguage()
	msg, hint := e.Message.In(lang), e.Hint.In(lang)
	switch {
	case hint == "":
		return msg
	case msg == "":
		return hint
	}
	return msg + "\n" + hint
}

// showError shows an error dialog with the explanation.
func (s *shell) showError(err error) {
	if err == nil || errors.Is(err, context.Canceled) {
		return
	}
	if s.opts.Diag.Errors != nil {
		_ = s.opts.Diag.Errors.Record("shinsei", err) // redacted by ErrorLog
	}
	s.lastError = s.explain(err)
	d := newClosableDialog(tr("error.title"), wrapped(s.explain(err)), s.win)
	s.errorDialog = d
	d.Resize(fyne.NewSize(520, 0))
	d.Show()
	s.event("error")
}

// diagOptions are the help desk's diagnosis options: the service and
// anchors of the settings in force (the Settings screen may have changed
// them since start), or the sandbox's.
func (s *shell) diagOptions() diagnosis.Options {
	o := s.opts.Diag
	// The sandbox signs with a stand-in card or a file, never a reader.
	o.NoReaders = o.NoReaders || s.opts.Sandbox
	if !s.opts.Sandbox {
		o.ServiceURL, o.Anchors = s.opts.Settings.ServiceURL, s.opts.Settings.ServiceAnchors
	}
	if a := s.flowApp(); a != nil && o.ServiceURL == "" {
		o.ServiceURL = a.Config().ServiceURL
	}
	return o
}

// callbacks are what the use cases ask through: the PIN and password
// dialogs, the pre-check panel and the progress bars. They run on flow's
// goroutine and reach the widgets through onMain.
func (s *shell) callbacks(p *progress) flow.Callbacks {
	return flow.Callbacks{
		PIN: func(ctx context.Context, req pkcs11.PINRequest) (pkcs11.PINAnswer, error) {
			return askPIN(ctx, s.win, req, func(d *pinDialog) { s.pin = d; s.event("pin") })
		},
		Secret: func(ctx context.Context, req flow.SecretRequest) ([]byte, error) {
			return askSecret(ctx, s.win, req, func(d *secretDialog) { s.secret = d; s.event("secret") })
		},
		ConfirmSign: func(ctx context.Context, pc *flow.Precheck) (bool, error) {
			return s.confirmSign(ctx, pc, p)
		},
		Progress: func(stage flow.Stage, done, total int64) {
			if p == nil {
				return
			}
			switch stage {
			case flow.StageHashing:
				p.setHashing(done, total)
				if s.onHashed != nil {
					s.onHashed(done, total)
				}
			case flow.StageUpload:
				p.setUploading(done, total)
				if s.onUploaded != nil {
					s.onUploaded(done, total)
				}
			}
		},
		Queued: func(submit.Item, submit.Procedure) {
			if s.onQueued != nil {
				s.onQueued()
			}
		},
	}
}
