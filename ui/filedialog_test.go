package ui

import (
	"testing"

	"fyne.io/fyne/v2"
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
			top, ok := w.Canvas().Overlays().Top().(*widget.PopUp)
			if !ok {
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
			for _, raw := range []string{"Home", "Computer", "Open File", "Save File"} {
				if rendersText(t, top.Content, raw) {
					t.Errorf("the dialog still shows %q", raw)
				}
			}
		})
	}
}
