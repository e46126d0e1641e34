package ui

import (
	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/theme"
)

// revealRed scrolls the panel's lines so that the first red one is in
// view: a pre-check that stops the application says why where the
// resident looks, not below the fold. It does nothing when no line is red
// or the panel is not laid out yet.
func (p *precheckPanel) revealRed() {
	if p.scroll == nil || p.firstRed == nil {
		return
	}
	p.scroll.Refresh()
	y := p.firstRed.Position().Y // in the lines' column, which tops the scrolled content
	p.scroll.ScrollToOffset(fyne.NewPos(0, max(0, y-theme.Padding()*2)))
}
