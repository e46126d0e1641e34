package ui

import (
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/test"

	"github.com/shinsei-app/shinsei/sandbox/service"
)

// blurs returns the blurs among the objects o draws.
func blurs(o fyne.CanvasObject) (found []*canvas.Blur) {
	switch v := o.(type) {
	case *canvas.Blur:
		found = append(found, v)
	case *fyne.Container:
		for _, c := range v.Objects {
			found = append(found, blurs(c)...)
		}
	case fyne.Widget:
		for _, c := range test.WidgetRenderer(v).Objects() {
			found = append(found, blurs(c)...)
		}
	}
	return found
}

// Fyne (since 2.8) blurs the window behind a modal dialog: its painter
// copies the window into a texture of the window's size and keeps it for
// the rest of the process (≈ 2.8 MB of resident memory after the first
// PIN dialog). The theme turns the blur off; the shadow still dims the
// window behind the dialog.
func TestTheWindowBehindTheModalPINDialogIsDimmedNotBlurred(t *testing.T) {
	h := newHarness(t, config(t))
	h.startProcedure(service.ProcMoveOut)
	h.wait("credentials")
	test.Tap(h.s.cred.choices[0])
	h.wait("form")
	h.s.fa.Clipboard().SetContent(movingForm)
	test.Tap(h.s.form.paste)
	test.Tap(h.s.form.next)
	h.wait("pin")

	overlays := h.s.win.Canvas().Overlays().List()
	if len(overlays) == 0 {
		t.Fatal("the PIN dialog is not shown as an overlay")
	}
	var found []*canvas.Blur
	for _, o := range overlays {
		found = append(found, blurs(o)...)
	}
	for _, b := range found {
		if b.Radius != 0 {
			t.Errorf("the window behind the PIN dialog is blurred (radius %v)", b.Radius)
		}
	}
	if len(found) == 0 {
		t.Log("Fyne no longer puts a blur behind a modal dialog")
	}
}
