package ui

import (
	"context"
	"crypto/x509"
	"os"
	"sync"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"

	"github.com/shinsei-app/shinsei/flow"
	"github.com/shinsei-app/shinsei/i18n"
	"github.com/shinsei-app/shinsei/internal/testenv"
	"github.com/shinsei-app/shinsei/pkcs11"
	"github.com/shinsei-app/shinsei/sandbox"
	"github.com/shinsei-app/shinsei/sandbox/kit"
	"github.com/shinsei-app/shinsei/sandbox/pki"
	"github.com/shinsei-app/shinsei/sandbox/service"
	"github.com/shinsei-app/shinsei/sandbox/softhsm"
	"github.com/shinsei-app/shinsei/submit"
)

func TestMain(m *testing.M) {
	// A resident's locale; under LANG=C Fyne logs that it cannot parse it.
	os.Setenv("LANG", "ja_JP.UTF-8")
	// What goroutines hand to the UI thread waits here until the test
	// goroutine runs it (harness.wait, mainUntil), as the real driver's
	// main thread would, and never beside the test.
	onMain = func(fn func()) { mainQueue <- fn }
	code := runTests(m)
	closeWorld()
	os.Exit(code)
}

// runTests runs the tests with the sandbox's parts: testenv.Main, or
// testenv.CardMain in a process for a test on the virtual card
// (main_cards_test.go).
var runTests = testenv.Main

// mainQueue holds what was handed to the UI thread (onMain).
var mainQueue = make(chan func(), 1024)

// mainUntil runs what is handed to the UI thread, on the test goroutine,
// until ch yields, and returns that; it fails after a minute.
func mainUntil[T any](t *testing.T, ch <-chan T) T {
	t.Helper()
	deadline := time.After(time.Minute)
	for {
		select {
		case v := <-ch:
			return v
		case fn := <-mainQueue:
			fn()
		case <-deadline:
			t.Fatal("nothing came within a minute")
		}
	}
}

// world is the outside world of the tests, made once per process: the
// sandbox PKI, a resident's certificate on a SoftHSM token that behaves
// like a My Number card, the responders and the reference service.
var world struct {
	once     sync.Once
	err      error
	resident *pki.Credential
	w        *sandbox.World
	svc      *service.Service // w.Service
	lib      *pkcs11.Library
}

func closeWorld() {
	if world.w != nil {
		world.w.Close()
	}
}

func setupWorld(t *testing.T) {
	t.Helper()
	lib := testenv.SoftHSM(t)
	world.once.Do(func() {
		ctx := context.Background()
		world.lib = lib
		p, err := pki.New(time.Now())
		if world.err = err; err != nil {
			return
		}
		if world.resident, world.err = p.IssueResident(pki.SampleResident(), pki.ResidentOptions{}); world.err != nil {
			return
		}
		reg := pki.NewRegistry()
		reg.Record(p.JPKISign, world.resident.Cert)
		if world.w, world.err = sandbox.Start(ctx, sandbox.Options{PKI: p, Registry: reg}); world.err != nil {
			return
		}
		world.svc = world.w.Service
		world.err = softhsm.Provision(ctx, lib, softhsm.TokenSpec{Label: kit.TokenLabel, SOPIN: kit.SOPIN,
			UserPIN: kit.PIN, Keys: []softhsm.KeySpec{{ID: []byte{0x02}, Label: "Digital Signature Key",
				Key: world.resident.Key, Cert: world.resident.Cert, Chain: []*x509.Certificate{world.resident.Root},
				AlwaysAuthenticate: true}}})
	})
	if world.err != nil {
		t.Fatal(world.err)
	}
}

// config is a flow configuration against the world with the given
// PKCS#11 libraries (the SoftHSM token when none).
func config(t *testing.T, libs ...*pkcs11.Library) flow.Config {
	setupWorld(t)
	if len(libs) == 0 {
		libs = []*pkcs11.Library{world.lib}
	}
	return flow.Config{ServiceURL: world.w.URL(), ServiceAnchors: world.w.ServiceAnchors(),
		ServiceVA: world.w.Service.VACert(), Libraries: libs, TriesReader: testenv.NoTries{}, DataDir: t.TempDir(),
		TrustAnchors: world.w.TrustAnchors(), Keyring: &submit.MemoryKeyring{}, Lang: i18n.Japanese}
}

// harness is a shell in Fyne's test app, with its steps as events.
type harness struct {
	t       *testing.T
	s       *shell
	events  chan string
	seen    []string // every event
	pending []string // events not waited for yet
}

func newHarness(t *testing.T, cfg flow.Config) *harness {
	t.Helper()
	return newHarnessWith(t, openingWith(cfg))
}

// openingWith is the options of a window that opens a flow.App with cfg.
func openingWith(cfg flow.Config) Options {
	return Options{Open: func(ctx context.Context, _ Settings) (*flow.App, error) {
		return flow.Open(ctx, cfg)
	}}
}

// newHarnessWith is newHarness with the options given (Open included).
func newHarnessWith(t *testing.T, opts Options) *harness {
	t.Helper()
	return newHarnessIn(t, opts, test.NewTempApp(t))
}

// newHarnessThemed is newHarness in an app with the theme th, one built on
// Shinsei's.
func newHarnessThemed(t *testing.T, cfg flow.Config, th fyne.Theme) *harness {
	t.Helper()
	a := test.NewTempApp(t)
	a.Settings().SetTheme(th)
	return newHarnessIn(t, openingWith(cfg), a)
}

// newHarnessIn is newHarnessWith in the app a.
func newHarnessIn(t *testing.T, opts Options, a fyne.App) *harness {
	t.Helper()
	h := &harness{t: t, events: make(chan string, 256)}
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(cancel)
	h.s = newShell(ctx, a, opts, nil)
	h.s.onEvent = func(e string) { h.events <- e }
	h.s.win.Resize(fyne.NewSize(1000, 720))
	h.s.win.Show()
	t.Cleanup(h.s.close)
	h.s.start()
	h.wait("ready")
	return h
}

// wait waits for an event name not waited for yet, failing on an
// "error" event or after a minute.
func (h *harness) wait(name string) {
	h.t.Helper()
	deadline := time.After(time.Minute)
	for {
		for i, e := range h.pending {
			if e == name {
				h.pending = append(h.pending[:i], h.pending[i+1:]...)
				return
			}
		}
		select {
		case fn := <-mainQueue:
			fn()
		case e := <-h.events:
			h.seen = append(h.seen, e)
			h.pending = append(h.pending, e)
			if e == "error" && name != "error" {
				h.t.Fatalf("an error was shown while waiting for %q (events %v): %s", name, h.seen, h.s.lastError)
			}
		case <-deadline:
			h.t.Fatalf("no %q event within a minute (events %v)", name, h.seen)
		}
	}
}

// count is how often an event was seen.
func (h *harness) count(name string) int {
	n := 0
	for _, e := range h.seen {
		if e == name {
			n++
		}
	}
	return n
}

// enterPIN waits for the PIN dialog, types pin and waits for the
// pre-check it leads to.
func (h *harness) enterPIN(pin string) {
	h.t.Helper()
	h.wait("pin")
	test.Type(h.s.pin.entry, pin)
	test.Tap(h.s.pin.ok)
	h.wait("precheck")
}

// confirmSign acknowledges the pre-check's amber lines, if any, and
// taps Sign.
func (h *harness) confirmSign() {
	h.t.Helper()
	if h.s.check.ack != nil {
		h.s.check.ack.SetChecked(true)
	}
	test.Tap(h.s.check.sign)
}

// startProcedure waits for the catalogue and taps Start on procedure id.
func (h *harness) startProcedure(id string) {
	h.t.Helper()
	if h.count("catalogue") == 0 { // shown only once the event came
		h.wait("catalogue")
	}
	for i, p := range h.s.home.procs {
		if p.ID == id {
			test.Tap(h.s.home.starts[i])
			return
		}
	}
	h.t.Fatalf("procedure %s is not in the catalogue", id)
}
