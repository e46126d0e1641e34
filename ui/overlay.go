package ui

import (
	"reflect"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/widget"
)

// overlayPopUp is the pop-up an overlay of the canvas shows, or nil.
// Since Fyne 2.8 a pop-up is not itself the overlay: Fyne adds it to
// the canvas inside a container of its own (internal/widget's
// OverlayContainer, which holds it in its exported field Content), so
// the dialogs shown are found through that field.
func overlayPopUp(o fyne.CanvasObject) *widget.PopUp {
	for range 4 { // an overlay holds its pop-up directly; never deeper
		switch v := o.(type) {
		case nil:
			return nil
		case *widget.PopUp:
			return v
		}
		r := reflect.ValueOf(o)
		if r.Kind() != reflect.Pointer || r.IsNil() || r.Elem().Kind() != reflect.Struct {
			return nil
		}
		f := r.Elem().FieldByName("Content")
		if !f.IsValid() || !f.CanInterface() {
			return nil
		}
		next, ok := f.Interface().(fyne.CanvasObject)
		if !ok {
			return nil
		}
		o = next
	}
	return nil
}
