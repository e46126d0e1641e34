package ui

import (
	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/driver/desktop"
	"fyne.io/fyne/v2/widget"
)

// tabEntry is a multi-line entry that Tab leaves, as every other field
// does: Fyne's multi-line Entry takes Tab as a character, so a resident
// working with the keyboard could not get past a long field (nor back,
// with Shift+Tab). A line break is typed with Enter.
type tabEntry struct{ widget.Entry }

// newTabEntry is widget.NewMultiLineEntry whose Tab moves the focus.
func newTabEntry() *tabEntry {
	e := &tabEntry{}
	e.MultiLine = true
	e.Wrapping = fyne.TextWrap(fyne.TextTruncateClip)
	e.ExtendBaseWidget(e)
	return e
}

// AcceptsTab reports false: the window then moves the focus itself on
// Tab, and back on Shift+Tab, instead of handing the key to the entry.
func (e *tabEntry) AcceptsTab() bool { return false }

// TypedKey moves the focus on a Tab that still reaches the entry (a
// driver that does not ask AcceptsTab), back when Shift is held; every
// other key is the entry's.
func (e *tabEntry) TypedKey(k *fyne.KeyEvent) {
	if k.Name != fyne.KeyTab {
		e.Entry.TypedKey(k)
		return
	}
	c := fyne.CurrentApp().Driver().CanvasForObject(e)
	if c == nil {
		return
	}
	if shiftHeld() {
		c.FocusPrevious()
	} else {
		c.FocusNext()
	}
}

// shiftHeld reports whether Shift is held, where the driver can tell.
func shiftHeld() bool {
	d, ok := fyne.CurrentApp().Driver().(desktop.Driver)
	return ok && d.CurrentKeyModifiers()&fyne.KeyModifierShift != 0
}

// keyButton is a dialog's button that Enter, Return and Escape press as
// well as Space: the one way out of a dialog that has one.
type keyButton struct{ focusButton }

func newKeyButton(label string, tapped func()) *keyButton {
	b := &keyButton{}
	b.Text, b.OnTapped = label, tapped
	b.Importance = widget.HighImportance
	b.ExtendBaseWidget(b)
	return b
}

// TypedKey presses the button on Enter, Return, Escape and Space.
func (b *keyButton) TypedKey(k *fyne.KeyEvent) {
	switch k.Name {
	case fyne.KeyReturn, fyne.KeyEnter, fyne.KeyEscape, fyne.KeySpace:
		if !b.Disabled() && b.OnTapped != nil {
			b.OnTapped()
		}
		return
	}
	b.Button.TypedKey(k)
}

// closableDialog is a dialog with content and one Close button, which
// has the focus while the dialog is shown: Enter or Escape closes it, as
// a click does.
type closableDialog struct {
	*dialogBox
	close *keyButton
	win   fyne.Window
}

func newClosableDialog(title string, content fyne.CanvasObject, win fyne.Window) *closableDialog {
	d := &closableDialog{win: win}
	d.close = newKeyButton(tr("common.close"), func() { d.Hide() })
	d.dialogBox = newDialogBox(title, content, win, d.close)
	return d
}

// Show shows the dialog and gives its Close button the focus.
func (d *closableDialog) Show() {
	d.dialogBox.Show()
	d.win.Canvas().Focus(d.close)
}
