package ui

import (
	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/layout"
	"fyne.io/fyne/v2/widget"
)

// dialogBox is a dialog of the window: its title, its content and its
// buttons at the trailing edge, over the window dimmed. It stands for
// Fyne's dialogs, which draw their titles bold, a second text style
// (startStyles).
type dialogBox struct {
	pop   *widget.PopUp
	width float32 // the least width it is shown at
}

func newDialogBox(title string, content fyne.CanvasObject, win fyne.Window, buttons ...fyne.CanvasObject) *dialogBox {
	bar := container.NewHBox(layout.NewSpacer())
	for _, b := range buttons {
		bar.Add(b)
	}
	box := container.NewBorder(subheading(title), bar, nil, nil, content)
	return &dialogBox{pop: widget.NewModalPopUp(container.NewPadded(box), win.Canvas())}
}

// Resize makes the dialog at least size.Width wide; its height is its
// content's.
func (d *dialogBox) Resize(size fyne.Size) { d.width = size.Width }

// Show shows the dialog in the middle of the window.
func (d *dialogBox) Show() {
	min := d.pop.MinSize()
	d.pop.Resize(fyne.NewSize(max(min.Width, d.width), min.Height))
	d.pop.Show()
}

// Hide closes the dialog.
func (d *dialogBox) Hide() { d.pop.Hide() }

// confirmBox is a dialog that asks to confirm: its confirming button
// and its cancelling one tell the callback true or false, and close it.
type confirmBox struct {
	*dialogBox
	yes, no *focusButton
	then    func(bool)
}

func newConfirmBox(title, yes, no string, content fyne.CanvasObject, then func(bool), win fyne.Window) *confirmBox {
	c := &confirmBox{then: then}
	c.no = newButton(no, c.Dismiss)
	c.yes = newButton(yes, c.Confirm)
	c.yes.Importance = widget.HighImportance
	c.dialogBox = newDialogBox(title, content, win, c.no, c.yes)
	return c
}

// Confirm closes the dialog as its confirming button does.
func (c *confirmBox) Confirm() { c.answer(true) }

// Dismiss closes the dialog as its cancelling button does.
func (c *confirmBox) Dismiss() { c.answer(false) }

func (c *confirmBox) answer(ok bool) {
	c.Hide()
	if c.then != nil {
		c.then(ok)
	}
}
