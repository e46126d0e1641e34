package ui

import (
	"fmt"
	"slices"
	"strings"
	"sync"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/widget"
)

// fileDialog is Fyne's file dialog in the app's words: a title that says
// what it does (「ファイルを開く」「ファイルを保存」 rather than Fyne's
// "Open File", word by word), and the places on its left (Home, Computer,
// Documents, …) translated, which Fyne shows as they are. It opens as a
// list, one file per line with its whole name: the grid breaks a name
// under its icon anywhere ("corpora" / "te") and hides its extension.
type fileDialog struct {
	*dialog.FileDialog
	win fyne.Window
	// popUp is the dialog once shown; items are the rows of its file
	// list drawn so far, by the place they show in the list (0 is the
	// parent folder, then the folders and files by name).
	popUp *widget.PopUp
	items map[fyne.CanvasObject]int
}

// shownFileDialog is the file dialog shown last, for targets.
var shownFileDialog *fileDialog

// shells are the shells by their window, for the file dialogs' steps.
var shells sync.Map // fyne.Window → *shell

// newFileOpen is dialog.NewFileOpen in the app's words.
func newFileOpen(cb func(fyne.URIReadCloser, error), win fyne.Window) *fileDialog {
	d := &fileDialog{FileDialog: dialog.NewFileOpen(cb, win), win: win}
	d.SetTitleText(tr("file.open_title"))
	d.SetView(dialog.ListView)
	return d
}

// newFileSave is dialog.NewFileSave in the app's words.
func newFileSave(cb func(fyne.URIWriteCloser, error), win fyne.Window) *fileDialog {
	d := &fileDialog{FileDialog: dialog.NewFileSave(cb, win), win: win}
	d.SetTitleText(tr("file.save_title"))
	d.SetView(dialog.ListView)
	return d
}

// chooseFolder shows a folder dialog in the app's words, titled title,
// and gives onPath the folder chosen.
func chooseFolder(win fyne.Window, title string, onPath func(string)) {
	d := &fileDialog{FileDialog: dialog.NewFolderOpen(func(u fyne.ListableURI, err error) {
		if err == nil && u != nil {
			onPath(u.Path())
		}
	}, win), win: win}
	d.SetTitleText(title)
	d.SetView(dialog.ListView)
	d.Show()
}

// Show shows the dialog and translates the names of its places.
func (d *fileDialog) Show() {
	d.FileDialog.Show()
	if top := overlayPopUp(d.win.Canvas().Overlays().Top()); top != nil {
		translatePlaces(top.Content)
		d.popUp, d.items = top, map[fyne.CanvasObject]int{}
		d.recordItems(top.Content)
		shownFileDialog = d
		d.event("file-dialog")
	}
}

// event reports a step of the dialog as the window's shell does, when
// the window is a shell's.
func (d *fileDialog) event(name string) {
	if s, ok := shells.Load(d.win); ok {
		s.(*shell).event(name)
	}
}

// recordItems finds the dialog's list of files (the right of its split)
// and notes which row each drawn item shows, so a script can click a file
// by its place in the list.
func (d *fileDialog) recordItems(o fyne.CanvasObject) {
	switch v := o.(type) {
	case *fyne.Container:
		for _, c := range v.Objects {
			d.recordItems(c)
		}
	case *container.Split:
		d.recordItems(v.Trailing)
	case *container.Scroll:
		d.recordItems(v.Content)
	case *widget.GridWrap: // Fyne's grid view
		d.watch(&v.UpdateItem, &v.OnSelected)
		v.Refresh()
	case *widget.List: // its list view
		d.watch(&v.UpdateItem, &v.OnSelected)
		v.Refresh()
	}
}

// watch wraps a file view's callbacks (a GridWrap's or a List's: their
// item IDs are both int) so that each drawn row is noted by its place and
// a choice reports the step file-chosen.
func (d *fileDialog) watch(update *func(int, fyne.CanvasObject), chosen *func(int)) {
	drawn, picked := *update, *chosen
	*update = func(id int, item fyne.CanvasObject) {
		drawn(id, item)
		d.items[item] = id
	}
	*chosen = func(id int) {
		if picked != nil {
			picked(id)
		}
		d.event("file-chosen")
	}
}

// itemTargets are the file list's rows shown, as targets labelled
// "file:N", N their place in the list, while the dialog is open.
func (d *fileDialog) itemTargets(drv fyne.Driver) []Target {
	if d.popUp == nil || !d.popUp.Visible() {
		return nil
	}
	var out []Target
	for item, id := range d.items {
		if !item.Visible() {
			continue
		}
		p, size := drv.AbsolutePositionForObject(item), item.Size()
		out = append(out, Target{Label: fmt.Sprintf("file:%d", id), Context: "file", X: p.X + size.Width/2, Y: p.Y + size.Height/2})
	}
	slices.SortFunc(out, func(a, b Target) int { return strings.Compare(a.Label, b.Label) })
	return out
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
