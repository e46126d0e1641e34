package ui

import (
	"slices"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/widget"
)

// navigation is the window's tabs: a column of buttons on the leading side,
// the screen of the selected one beside it. It stands for Fyne's AppTabs,
// which draws its tabs' names bold, a second text style (startStyles);
// its buttons are the window's buttons (focusButton), which a keyboard
// reaches and a screen reader names, as Fyne's tabs are not.
type navigation struct {
	widget.BaseWidget
	// Items are the tabs, in order, each a name, an icon and a screen.
	Items []*container.TabItem
	// OnSelected is called when the user or SelectIndex changes the tab.
	OnSelected func(*container.TabItem)

	buttons  []*focusButton
	bar      *fyne.Container // the buttons
	screens  *fyne.Container // the tabs' screens, the selected one shown
	selected int
}

func newNavigation(items ...*container.TabItem) *navigation {
	n := &navigation{Items: items, screens: container.NewStack()}
	bar := container.NewVBox()
	for i, it := range items {
		b := newButtonWithIcon(it.Text, it.Icon, func() { n.SelectIndex(i) })
		b.Alignment = widget.ButtonAlignLeading
		n.buttons = append(n.buttons, b)
		bar.Add(b)
		n.screens.Add(it.Content)
	}
	n.bar = bar
	n.show()
	n.ExtendBaseWidget(n)
	return n
}

// CreateRenderer lays the buttons out on the leading side, a line between
// them and the screen.
func (n *navigation) CreateRenderer() fyne.WidgetRenderer {
	return widget.NewSimpleRenderer(container.NewBorder(nil, nil,
		container.NewHBox(n.bar, widget.NewSeparator()), nil, n.screens))
}

// SelectIndex shows tab i, telling OnSelected when it was not shown.
func (n *navigation) SelectIndex(i int) {
	if i < 0 || i >= len(n.Items) || i == n.selected {
		return
	}
	n.selected = i
	n.show()
	if n.OnSelected != nil {
		n.OnSelected(n.Items[i])
	}
}

// Select shows the tab it.
func (n *navigation) Select(it *container.TabItem) {
	if i := slices.Index(n.Items, it); i >= 0 {
		n.SelectIndex(i)
	}
}

// SelectedIndex is the tab shown.
func (n *navigation) SelectedIndex() int { return n.selected }

// Selected is the tab shown.
func (n *navigation) Selected() *container.TabItem { return n.Items[n.selected] }

// show shows the selected tab's screen and marks its button.
func (n *navigation) show() {
	for i, b := range n.buttons {
		imp := widget.LowImportance
		if i == n.selected {
			imp = widget.HighImportance
		}
		if b.Importance != imp {
			b.Importance = imp
			b.Refresh()
		}
		if i == n.selected {
			n.screens.Objects[i].Show()
		} else {
			n.screens.Objects[i].Hide()
		}
	}
}
