package ui

import (
	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/widget"
)

// Accessible names: what a screen reader says for a control. Fyne 2.8
// hands the reader (built with -tags accessibility, on Windows and
// macOS) the objects that implement fyne.Accessible: its Button, Label
// and Hyperlink, with their text. Every other control of the window —
// an icon-only button, an entry, a choice, a check box — gets a name
// here, and a button whose text alone would be ambiguous ("選ぶ" on each
// card) a name that says which (TestEveryControlOfEveryScreenHasAnAccessibleName).

// AccessibilityLabel is the button's name: the one given with named, else
// its text.
func (b *focusButton) AccessibilityLabel() string {
	if b.name != "" {
		return b.name
	}
	return b.Text
}

// AccessibilityRole is a button's.
func (b *focusButton) AccessibilityRole() fyne.AccessibleRole {
	return fyne.AccessibleRoleButton
}

// nameFor is the accessible name of a button that acts on one thing
// among several alike (a procedure's Start, a card's Use): the action,
// then what it acts on.
func nameFor(action, target string) string {
	return tr("a11y.for", map[string]any{"Action": action, "Target": target})
}

// named gives the button the accessible name name (its text stays what
// is shown) and returns it.
func (b *focusButton) named(name string) *focusButton {
	b.name = name
	return b
}

// labelled is a control (an entry, a choice, a check box) with the name a
// screen reader says for it: Fyne 2.8's Entry, Select, Check and
// RadioGroup are not fyne.Accessible, so the reader would skip them. It
// draws the control as it is and lays nothing out of its own.
type labelled struct {
	widget.BaseWidget
	control fyne.CanvasObject
	name    func() string
	role    fyne.AccessibleRole
}

// withName wraps control with the accessible name name.
func withName(name string, control fyne.CanvasObject) *labelled {
	return withNameFunc(func() string { return name }, control)
}

// withNameFunc wraps control with an accessible name read when asked (a
// check box's text, which may change).
func withNameFunc(name func() string, control fyne.CanvasObject) *labelled {
	role := fyne.AccessibleRoleText
	switch control.(type) {
	case *widget.Check, *widget.RadioGroup, *widget.Select:
		role = fyne.AccessibleRoleButton
	}
	l := &labelled{control: control, name: name, role: role}
	l.ExtendBaseWidget(l)
	return l
}

// checkNamed wraps a check box, named by its own text.
func checkNamed(c *widget.Check) *labelled {
	return withNameFunc(func() string { return c.Text }, c)
}

// AccessibilityLabel is the control's name.
func (l *labelled) AccessibilityLabel() string { return l.name() }

// AccessibilityRole is the control's role as Fyne knows roles: text for
// an entry, a button for what is pressed to choose.
func (l *labelled) AccessibilityRole() fyne.AccessibleRole { return l.role }

// MinSize is the control's.
func (l *labelled) MinSize() fyne.Size { return l.control.MinSize() }

// CreateRenderer draws the control alone.
func (l *labelled) CreateRenderer() fyne.WidgetRenderer {
	return widget.NewSimpleRenderer(l.control)
}
