package ui

import (
	"fmt"
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
// emoji font, a system font) for each text style it meets, ≈ 9 MB each,
// and keeps them. The app loads regular and bold at start (loadFonts);
// a screen of one application that drew a third style cost a third set
// at the receipt (the receipt numbers were bold monospace, drawn in the
// same font anyway).
func TestEveryTextOfAnApplicationAndTheOtherTabsIsDrawnInAStyleLoadedAtStart(t *testing.T) {
	useLanguage(i18n.Japanese)
	loaded := map[fyne.TextStyle]bool{}
	for _, s := range startStyles {
		loaded[s] = true
	}
	styles := map[fyne.TextStyle]string{}
	h := newHarness(t, config(t))
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

	if len(styles) == 0 {
		t.Fatal("no text found; the walk sees nothing")
	}
	for s, where := range styles {
		if !loaded[s] {
			t.Errorf("a text is drawn in style %+v, which is not loaded at start (%s)", s, where)
		}
	}
}
