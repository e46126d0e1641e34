package ui

import (
	"image/color"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"
)

// colorNameFocusRing is the colour of the ring around the focused
// button: dark against the window's white, and unlike any button's own
// colour, so a resident using the keyboard sees at once where Enter or
// Space will act.
const colorNameFocusRing fyne.ThemeColorName = "shinseiFocusRing"

// focusRingWidth is the width of that ring, drawn in the padding around
// the button.
const focusRingWidth = 3

// focusButton is widget.Button with a clearly visible ring around it
// while it has the focus. Fyne marks a focused button only by tinting
// its background, which on a coloured button is barely seen. Every
// button of the window is one (newButton, newButtonWithIcon).
type focusButton struct {
	widget.Button
	ring *canvas.Rectangle // once rendered
	name string            // the accessible name, when not the text (named)
}

// newButton is widget.NewButton with the focus ring.
func newButton(label string, tapped func()) *focusButton {
	return newButtonWithIcon(label, nil, tapped)
}

// newButtonWithIcon is widget.NewButtonWithIcon with the focus ring.
func newButtonWithIcon(label string, icon fyne.Resource, tapped func()) *focusButton {
	b := &focusButton{}
	b.Text, b.Icon, b.OnTapped = label, icon, tapped
	b.ExtendBaseWidget(b)
	return b
}

// CreateRenderer adds the ring, hidden, to the button's own renderer.
func (b *focusButton) CreateRenderer() fyne.WidgetRenderer {
	b.ring = canvas.NewRectangle(color.Transparent)
	b.ring.StrokeWidth = focusRingWidth
	b.ring.StrokeColor = b.Theme().Color(colorNameFocusRing, fyne.CurrentApp().Settings().ThemeVariant())
	b.ring.CornerRadius = b.Theme().Size(theme.SizeNameInputRadius) + focusRingWidth
	b.ring.Hide()
	inner := b.Button.CreateRenderer()
	return &focusRingRenderer{WidgetRenderer: inner, ring: b.ring}
}

// FocusGained shows the ring.
func (b *focusButton) FocusGained() {
	b.Button.FocusGained()
	if b.ring != nil {
		b.ring.Show()
		b.ring.Refresh()
	}
}

// FocusLost hides the ring.
func (b *focusButton) FocusLost() {
	b.Button.FocusLost()
	if b.ring != nil {
		b.ring.Hide()
		b.ring.Refresh()
	}
}

// focusRingRenderer is a button's renderer with the ring drawn around
// the button, just outside it.
type focusRingRenderer struct {
	fyne.WidgetRenderer
	ring *canvas.Rectangle
}

func (r *focusRingRenderer) Layout(size fyne.Size) {
	r.WidgetRenderer.Layout(size)
	r.ring.Move(fyne.NewPos(-focusRingWidth, -focusRingWidth))
	r.ring.Resize(size.AddWidthHeight(2*focusRingWidth, 2*focusRingWidth))
}

func (r *focusRingRenderer) Objects() []fyne.CanvasObject {
	inner := r.WidgetRenderer.Objects()
	return append(inner[:len(inner):len(inner)], r.ring)
}
