package ui

import (
	"image/color"
	"unicode"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/layout"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"
)

// level is the colour of a pre-check line or a badge.
type level int

const (
	levelOK   level = iota // green: nothing to do
	levelWarn              // amber: read the note, may go on
	levelFail              // red: cannot go on until fixed
	levelInfo              // blue: information
)

func (l level) color() color.Color {
	switch l {
	case levelOK:
		return color.NRGBA{0x1e, 0x7d, 0x32, 0xff}
	case levelWarn:
		return color.NRGBA{0xb2, 0x6a, 0x00, 0xff}
	case levelFail:
		return color.NRGBA{0xc6, 0x28, 0x28, 0xff}
	}
	return color.NRGBA{0x1d, 0x5f, 0xa8, 0xff}
}

func (l level) icon() fyne.Resource {
	switch l {
	case levelOK:
		return theme.NewSuccessThemedResource(theme.ConfirmIcon())
	case levelWarn:
		return theme.NewWarningThemedResource(theme.WarningIcon())
	case levelFail:
		return theme.NewErrorThemedResource(theme.ErrorIcon())
	}
	return theme.NewPrimaryThemedResource(theme.InfoIcon())
}

func (l level) word() string {
	switch l {
	case levelOK:
		return tr("level.ok")
	case levelWarn:
		return tr("level.warn")
	case levelFail:
		return tr("level.fail")
	}
	return tr("level.info")
}

// badge is a small coloured label with white text.
func badge(label string, c color.Color) fyne.CanvasObject {
	bg := canvas.NewRectangle(c)
	bg.CornerRadius = 4
	t := canvas.NewText(" "+label+" ", color.White)
	t.TextSize = theme.TextSize() - 2
	return container.NewStack(bg, container.NewPadded(t))
}

// statusLine is one line of the pre-check panel or a diagnostics view: a
// coloured icon, the word for its colour (so colour is never the only
// sign), the title and what was found, and what to do.
func statusLine(l level, title, found, todo string) fyne.CanvasObject {
	return statusLineWith(l, l.word(), title, found, todo)
}

// statusLineWith is statusLine with the word for its colour given.
func statusLineWith(l level, w, title, found, todo string) fyne.CanvasObject {
	head := widget.NewLabel(title)
	word := canvas.NewText(w, l.color())
	lines := container.NewVBox(container.NewHBox(word, head))
	if found != "" {
		lines.Add(wrapped(found))
	}
	if todo != "" {
		d := wrapped("→ " + todo)
		d.Importance = widget.WarningImportance
		if l == levelFail {
			d.Importance = widget.DangerImportance
		}
		lines.Add(d)
	}
	bar := canvas.NewRectangle(l.color())
	bar.SetMinSize(fyne.NewSize(5, 0))
	return container.NewBorder(nil, nil, container.NewHBox(bar, widget.NewIcon(l.icon())), nil, lines)
}

// card is widget.Card with its title in the regular style, as every text
// of the window (startStyles).
type card struct{ widget.Card }

func newCard(title, subtitle string, content fyne.CanvasObject) *card {
	c := &card{}
	c.Title, c.Subtitle, c.Content = title, subtitle, content
	c.ExtendBaseWidget(c)
	return c
}

// CreateRenderer is the card's own, its title made regular before it is
// measured.
func (c *card) CreateRenderer() fyne.WidgetRenderer {
	r := c.Card.CreateRenderer()
	for _, o := range r.Objects() {
		if t, ok := o.(*canvas.Text); ok {
			t.TextStyle.Bold = false
		}
	}
	return r
}

// fieldForm is widget.Form's layout — each field beside its name, the
// names in a column — with the names in the regular style, as every text
// of the window (startStyles): widget.Form draws them bold.
type fieldForm struct {
	widget.BaseWidget
	// Items are the names and fields, in order.
	Items []*widget.FormItem
	grid  *fyne.Container
}

// newFieldForm is a form of items.
func newFieldForm(items ...*widget.FormItem) *fieldForm {
	f := &fieldForm{grid: container.New(layout.NewFormLayout())}
	for _, it := range items {
		f.AppendItem(it)
	}
	f.ExtendBaseWidget(f)
	return f
}

// Append adds the field w named text.
func (f *fieldForm) Append(text string, w fyne.CanvasObject) {
	f.AppendItem(widget.NewFormItem(text, w))
}

// AppendItem adds it.
func (f *fieldForm) AppendItem(it *widget.FormItem) {
	f.Items = append(f.Items, it)
	name := widget.NewLabel(it.Text)
	name.Alignment = fyne.TextAlignTrailing
	f.grid.Add(name)
	f.grid.Add(it.Widget)
}

// CreateRenderer draws the grid.
func (f *fieldForm) CreateRenderer() fyne.WidgetRenderer { return widget.NewSimpleRenderer(f.grid) }

// wrapped is a label that wraps by the rules of Japanese line breaking
// (textLabel).
func wrapped(s string) *textLabel { return newTextLabel(s) }

// heading is a screen's title: large, in the one style the app draws
// (startStyles).
func heading(s string) *widget.Label {
	l := widget.NewLabel(s)
	l.SizeName = theme.SizeNameHeadingText
	return l
}

// subheading is the title of a part of a screen — a procedure, an
// application, a group of fields — a size between heading and text.
func subheading(s string) *widget.Label {
	l := widget.NewLabel(s)
	l.SizeName = theme.SizeNameSubHeadingText
	return l
}

// bigNumber shows a receipt number large and selectable, with a copy
// button, so a resident can keep it without typing it.
type bigNumber struct {
	caption *widget.Label
	number  *widget.Label
	copy    *focusButton
	value   string
}

func newBigNumber(win fyne.Window, caption, value string) *bigNumber {
	b := &bigNumber{caption: widget.NewLabel(caption), number: widget.NewLabel(value), value: value}
	b.number.SizeName = sizeNameNumber
	b.number.Selectable = true
	b.copy = newButtonWithIcon(tr("common.copy"), theme.ContentCopyIcon(), b.onCopy(win)).named(nameFor(tr("common.copy"), caption+" "+value))
	return b
}

func (b *bigNumber) onCopy(win fyne.Window) func() {
	return func() {
		fyne.CurrentApp().Clipboard().SetContent(b.value)
		b.copy.SetText(tr("common.copied"))
	}
}

func (b *bigNumber) view() fyne.CanvasObject {
	return container.NewVBox(b.caption, container.NewHBox(b.number, container.NewCenter(b.copy)))
}

// layoutSpacer pushes the buttons after it to the trailing edge.
func layoutSpacer() fyne.CanvasObject { return layout.NewSpacer() }

// textLine is one line of text, not wrapped, drawn as one canvas.Text per
// script run (kanji, kana, Latin, …). Fyne shapes a text run by run and
// rasterises each run over the whole width of the text, so a line of
// mixed Japanese costs its width once per run — the sandbox banner's
// explanation is 15 runs, several milliseconds before the first frame;
// cut at the runs, it costs its width once. It draws the same: Fyne
// shapes each run apart anyway.
func textLine(s string, c color.Color, size float32) *fyne.Container {
	row := &fyne.Container{Layout: runsLayout{}}
	for _, run := range scriptRuns(s) {
		t := canvas.NewText(run, c)
		t.TextSize = size
		row.Objects = append(row.Objects, t)
	}
	return row
}

// scriptRuns cuts s where its script changes. Spaces, punctuation and
// marks (the Common and Inherited scripts) belong to the run they follow,
// or to the first run when they begin s.
func scriptRuns(s string) []string {
	var runs []string
	start, script := 0, ""
	for i, r := range s {
		sc := scriptOf(r)
		switch {
		case sc == "" || sc == script:
		case script == "":
			script = sc
		default:
			runs = append(runs, s[start:i])
			start, script = i, sc
		}
	}
	return append(runs, s[start:])
}

// scriptOf is the name of r's Unicode script, "" for Common and Inherited.
func scriptOf(r rune) string {
	if unicode.In(r, unicode.Common, unicode.Inherited) {
		return ""
	}
	for name, table := range unicode.Scripts {
		if unicode.Is(table, r) {
			return name
		}
	}
	return ""
}

// runsLayout puts textLine's runs side by side, each at its own width.
type runsLayout struct{}

func (runsLayout) MinSize(objects []fyne.CanvasObject) fyne.Size {
	var size fyne.Size
	for _, o := range objects {
		m := o.MinSize()
		size.Width += m.Width
		size.Height = fyne.Max(size.Height, m.Height)
	}
	return size
}

func (runsLayout) Layout(objects []fyne.CanvasObject, size fyne.Size) {
	x := float32(0)
	for _, o := range objects {
		m := o.MinSize()
		o.Move(fyne.NewPos(x, 0))
		o.Resize(fyne.NewSize(m.Width, size.Height))
		x += m.Width
	}
}
