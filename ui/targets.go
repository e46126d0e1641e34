package ui

import (
	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/widget"
)

// Target is a button the window shows, for scripts that drive the real
// window (scripts/screenshots): they click by text, not by position.
type Target struct {
	// Label is the button's text; Context the title of the card it is on
	// (a procedure, a card reader, a file), empty elsewhere.
	Label, Context string
	// X and Y are the button's centre in the window, in Fyne's units
	// (pixels at scale 1).
	X, Y float32
}

// targets lists the enabled buttons with text shown in the window and its
// pop-ups, in the order they are laid out.
func (s *shell) targets() []Target {
	var out []Target
	drv := s.fa.Driver()
	var walk func(o fyne.CanvasObject, context string)
	walk = func(o fyne.CanvasObject, context string) {
		if o == nil || !o.Visible() {
			return
		}
		button := func(b *widget.Button) {
			if !b.Disabled() && b.Text != "" {
				p, size := drv.AbsolutePositionForObject(o), o.Size()
				out = append(out, Target{Label: b.Text, Context: context, X: p.X + size.Width/2, Y: p.Y + size.Height/2})
			}
		}
		switch o := o.(type) {
		case *widget.Button: // Fyne's own dialogs'
			button(o)
		case *focusButton:
			button(&o.Button)
		case *keyButton:
			button(&o.Button)
		case *fyne.Container:
			for _, c := range o.Objects {
				walk(c, context)
			}
		case *container.Scroll:
			walk(o.Content, context)
		case *navigation:
			for _, b := range o.buttons {
				walk(b, tabContext)
			}
			walk(o.Selected().Content, context)
		case *widget.PopUp:
			walk(o.Content, context)
		case *card:
			if o.Title != "" {
				context = o.Title
			} else {
				context = firstLabel(o.Content)
			}
			walk(o.Content, context)
		}
	}
	walk(s.win.Canvas().Content(), "")
	for _, o := range s.win.Canvas().Overlays().List() {
		if p := overlayPopUp(o); p != nil {
			o = p
		}
		walk(o, "")
	}
	if d := shownFileDialog; d != nil {
		out = append(out, d.itemTargets(drv)...)
	}
	return out
}

// tabContext is the Context of the navigation's tabs among the targets.
const tabContext = "tab"

// firstLabel is the text of the first label in o, in layout order.
func firstLabel(o fyne.CanvasObject) string {
	switch o := o.(type) {
	case *widget.Label:
		return o.Text
	case *textLabel:
		return o.Text
	case *fyne.Container:
		for _, c := range o.Objects {
			if t := firstLabel(c); t != "" {
				return t
			}
		}
	}
	return ""
}
