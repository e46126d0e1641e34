package ui

import (
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"github.com/shinsei-app/shinsei/i18n"
)

func TestTheFileDialogsSayWhatTheyDoAndNameTheirPlacesInJapanese(t *testing.T) {
	test.NewTempApp(t)
	useLanguage(i18n.Japanese)
	for _, c := range []struct {
		name  string
		show  func(w fyne.Window)
		title string
	}{
		{"the open dialog", func(w fyne.Window) { newFileOpen(func(fyne.URIReadCloser, error) {}, w).Show() }, "ファイルを開く"},
		{"the save dialog", func(w fyne.Window) { newFileSave(func(fyne.URIWriteCloser, error) {}, w).Show() }, "ファイルを保存"},
	} {
		t.Run(c.name, func(t *testing.T) {
			w := test.NewTempWindow(t, widget.NewLabel(""))
			w.Resize(fyne.NewSize(900, 700))
			c.show(w)
			top := overlayPopUp(w.Canvas().Overlays().Top())
			if top == nil {
				t.Fatal("no dialog is shown")
			}
			if !showsLabel(t, top.Content, c.title) {
				t.Errorf("the dialog's title is not %q", c.title)
			}
			for _, want := range []string{"ホーム", "コンピューター"} {
				if !rendersText(t, top.Content, want) {
					t.Errorf("the places do not show %q", want)
				}
			}
			if holds[*widget.GridWrap](top.Content) || !holds[*widget.List](top.Content) {
				t.Error("the files are shown as a grid, which breaks their names; want a list")
			}
			for _, raw := range []string{"Home", "Computer", "Open File", "Save File"} {
				if rendersText(t, top.Content, raw) {
					t.Errorf("the dialog still shows %q", raw)
				}
			}
		})
	}
}

// holds reports whether o or an object inside it is a T.
func holds[T fyne.CanvasObject](o fyne.CanvasObject) bool {
	if _, ok := o.(T); ok {
		return true
	}
	switch v := o.(type) {
	case *fyne.Container:
		for _, c := range v.Objects {
			if holds[T](c) {
				return true
			}
		}
	case *container.Split:
		return holds[T](v.Leading) || holds[T](v.Trailing)
	case *container.Scroll:
		return holds[T](v.Content)
	}
	return false
}
