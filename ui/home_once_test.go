package ui

import (
	"strings"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
)

// visibleTexts are the texts a canvas object shows, hidden objects left
// out, labels by their text.
func visibleTexts(t *testing.T, o fyne.CanvasObject) []string {
	if !o.Visible() {
		return nil
	}
	switch v := o.(type) {
	case *textLabel:
		return []string{v.Text}
	case *canvasText:
		return []string{v.Text}
	case *fyne.Container:
		var out []string
		for _, c := range v.Objects {
			out = append(out, visibleTexts(t, c)...)
		}
		return out
	case fyne.Widget:
		var out []string
		for _, c := range test.TempWidgetRenderer(t, v).Objects() {
			out = append(out, visibleTexts(t, c)...)
		}
		return out
	}
	return nil
}

func TestTheHomeScreenAsksToChooseAProcedureOnce(t *testing.T) {
	h := newHarness(t, config(t))
	h.wait("catalogue")
	n := 0
	for _, s := range visibleTexts(t, h.s.win.Content()) {
		n += strings.Count(s, "手続きを選んでください")
	}
	if n != 1 {
		t.Errorf("the home screen says 「手続きを選んでください」 %d times, want once", n)
	}
}
