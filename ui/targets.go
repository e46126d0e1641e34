package ui

import (
	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
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
		case *container.AppTabs:
			if it := o.Selected(); it != nil {
				walk(it.Content, context)
			}
		case *widget.PopUp:
			walk(o.Content, context)
		case *widget.Card:
			if o.Title != "" {
				context = o.Title
			} else {
				context = firstLabel(o.Content)
			}
			walk(o.Content, context)
		}
	}
	walk(s.win.Canvas().Content(), "")
	out = append(out, s.tabTargets()...)
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

// tabTargets are the navigation's tabs, as targets with the tab's name
// and the Context "tab". Fyne does not expose its tab buttons, so their
// places are worked out as its layout places them on the leading side: a
// column from the top, each an icon above one line of bold text, padding
// between them (TestTheTabsListedAsTargetsAreWhereATapSelectsThem holds
// this to Fyne's own layout).
func (s *shell) tabTargets() []Target {
	sel := s.tabs.Selected()
	if sel == nil || !s.tabs.Visible() {
		return nil
	}
	drv := s.fa.Driver()
	th := s.tabs.Theme()
	pad, inner := th.Size(theme.SizeNamePadding), th.Size(theme.SizeNameInnerPadding)
	icon, textSize := th.Size(theme.SizeNameInlineIcon), th.Size(theme.SizeNameText)
	at := drv.AbsolutePositionForObject(s.tabs)
	contentX := drv.AbsolutePositionForObject(sel.Content).X
	x := at.X + (contentX-pad-at.X)/2 // the middle of the bar
	y := at.Y
	var out []Target
	for _, it := range s.tabs.Items {
		// Fyne 2.8: an icon 1.5× the inline size, drawn over the
		// padding it would leave above the text, then the text, inner
		// padding around both.
		h := 1.5*icon - pad + fyne.MeasureText(it.Text, textSize, fyne.TextStyle{Bold: true}).Height + inner
		out = append(out, Target{Label: it.Text, Context: tabContext, X: x, Y: y + h/2})
		y += h + pad
	}
	return out
}

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
