package ui

import (
	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/widget"
)

// fileDialog is Fyne's file dialog in the app's words: a title that says
// what it does (「ファイルを開く」「ファイルを保存」 rather than Fyne's
// "Open File", word by word), and the places on its left (Home, Computer,
// Documents, …) translated, which Fyne shows as they are.
type fileDialog struct {
	*dialog.FileDialog
	win fyne.Window
}

// newFileOpen is dialog.NewFileOpen in the app's words.
func newFileOpen(cb func(fyne.URIReadCloser, error), win fyne.Window) *fileDialog {
	d := &fileDialog{dialog.NewFileOpen(cb, win), win}
	d.SetTitleText(tr("file.open_title"))
	return d
}

// newFileSave is dialog.NewFileSave in the app's words.
func newFileSave(cb func(fyne.URIWriteCloser, error), win fyne.Window) *fileDialog {
	d := &fileDialog{dialog.NewFileSave(cb, win), win}
	d.SetTitleText(tr("file.save_title"))
	return d
}

// Show shows the dialog and translates the names of its places.
func (d *fileDialog) Show() {
	d.FileDialog.Show()
	if top, ok := d.win.Canvas().Overlays().Top().(*widget.PopUp); ok {
		translatePlaces(top.Content)
	}
}

// placeName is the translation of one of Fyne's place names ("Home",
// "Computer", "Documents", …), or the name itself when there is none.
func placeName(name string) string {
	key := "file.place." + name
	if t := tr(key); t != key {
		return t
	}
	return name
}

// translatePlaces finds the list of places (the left of the dialog's
// split) and has each row say its name in the app's language.
func translatePlaces(o fyne.CanvasObject) {
	switch v := o.(type) {
	case *fyne.Container:
		for _, c := range v.Objects {
			translatePlaces(c)
		}
	case *container.Split:
		if l, ok := v.Leading.(*widget.List); ok {
			update := l.UpdateItem
			l.UpdateItem = func(id widget.ListItemID, item fyne.CanvasObject) {
				update(id, item)
				if row, ok := item.(*fyne.Container); ok && len(row.Objects) > 1 {
					if label, ok := row.Objects[1].(*widget.Label); ok {
						label.SetText(placeName(label.Text))
					}
				}
			}
			l.Refresh()
		}
		translatePlaces(v.Trailing)
	}
}
