package ui

import (
	"errors"
	"fmt"
	"runtime"
	"strings"
	"sync"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/test"

	"github.com/shinsei-app/shinsei/i18n"
	"github.com/shinsei-app/shinsei/sandbox/service"
)

// drawnStyles adds to styles the style of every text the window shows
// (its content and its overlays, into every widget), with where it was
// first met.
func drawnStyles(win fyne.Window, screen string, styles map[fyne.TextStyle]string) {
	var walk func(o fyne.CanvasObject)
	walk = func(o fyne.CanvasObject) {
		if o == nil || !o.Visible() {
			return
		}
		switch v := o.(type) {
		case *canvas.Text:
			if v.Text != "" {
				if _, ok := styles[v.TextStyle]; !ok {
					styles[v.TextStyle] = fmt.Sprintf("%s: %q", screen, v.Text)
				}
			}
		case *fyne.Container:
			for _, c := range v.Objects {
				walk(c)
			}
		case fyne.Widget:
			for _, c := range test.WidgetRenderer(v).Objects() {
				walk(c)
			}
		}
	}
	walk(win.Content())
	for _, o := range win.Canvas().Overlays().List() {
		walk(o)
	}
}

// Fyne loads a set of faces (the embedded font, its own fallbacks, the
// emoji font, a system font) for each text style it meets, ≈ 11 MB each,
// and keeps them. The app draws one style, regular, which it loads at
// start (startStyles): a button, a tab, a card, a form or a dialog of
// Fyne's own would draw bold and cost a second set, before the first
// frame.
func TestEveryTextOfAnApplicationAndTheOtherTabsIsDrawnInAStyleLoadedAtStart(t *testing.T) {
	useLanguage(i18n.Japanese)
	loaded := map[fyne.TextStyle]bool{}
	for _, s := range startStyles {
		loaded[s] = true
	}
	styles := map[fyne.TextStyle]string{}
	th := &recordingTheme{asked: map[fyne.TextStyle]string{}}
	h := newHarnessThemed(t, config(t), th)
	h.wait("catalogue")
	drawnStyles(h.s.win, "home", styles)
	h.startProcedure(service.ProcMoveOut)
	h.wait("credentials")
	drawnStyles(h.s.win, "credential", styles)
	test.Tap(h.s.cred.choices[0])
	h.wait("form")
	drawnStyles(h.s.win, "form", styles)
	h.s.fa.Clipboard().SetContent(movingForm)
	test.Tap(h.s.form.paste)
	test.Tap(h.s.form.next)
	h.wait("pin")
	drawnStyles(h.s.win, "PIN dialog", styles)
	test.Type(h.s.pin.entry, "SANDBOX1")
	test.Tap(h.s.pin.ok)
	h.wait("precheck")
	drawnStyles(h.s.win, "pre-check", styles)
	h.confirmSign()
	h.wait("receipt")
	drawnStyles(h.s.win, "receipt", styles)
	h.openHistory()
	drawnStyles(h.s.win, "history", styles)
	for _, tab := range []struct {
		name  string
		index int
	}{{"account", tabAccount}, {"notice verification", tabVerify}, {"settings", tabSettings}, {"help desk", tabHelp}} {
		h.s.tabs.SelectIndex(tab.index)
		drawnStyles(h.s.win, tab.name, styles)
	}
	h.s.showError(errors.New("the service could not be reached"))
	drawnStyles(h.s.win, "error dialog", styles)

	if len(styles) == 0 {
		t.Fatal("no text found; the walk sees nothing")
	}
	for s, where := range styles {
		if !loaded[s] {
			t.Errorf("a text is drawn in style %+v, which is not loaded at start (%s)", s, where)
		}
	}
	// Measured too: a text measured in another style, even one never
	// drawn, makes Fyne load that style's set of faces.
	th.mu.Lock()
	defer th.mu.Unlock()
	for s, where := range th.asked {
		if !loaded[s] {
			t.Errorf("Fyne loaded the faces of style %+v, which is not loaded at start, first for:\n%s", s, where)
		}
	}
}

// recordingTheme is Shinsei's theme that records each text style Fyne
// asks it a font for — Fyne asks once per style, when it loads that
// style's faces — with where it was first asked.
type recordingTheme struct {
	Theme
	mu    sync.Mutex
	asked map[fyne.TextStyle]string
}

func (r *recordingTheme) Font(s fyne.TextStyle) fyne.Resource {
	r.mu.Lock()
	if _, ok := r.asked[s]; !ok {
		r.asked[s] = fyneCaller()
	}
	r.mu.Unlock()
	return r.Theme.Font(s)
}

// fyneCaller is the stack of the caller, from the first function of the
// app's or of a Fyne widget's, for a test's message.
func fyneCaller() string {
	var b strings.Builder
	pcs := make([]uintptr, 40)
	frames := runtime.CallersFrames(pcs[:runtime.Callers(3, pcs)])
	for {
		f, more := frames.Next()
		if strings.Contains(f.Function, "/widget.") || strings.Contains(f.Function, "/container.") ||
			strings.Contains(f.Function, "/dialog.") || strings.Contains(f.Function, "shinsei/ui.") {
			fmt.Fprintf(&b, "  %s\n", f.Function)
		}
		if !more {
			return b.String()
		}
	}
}
