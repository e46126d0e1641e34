package ui

import (
	"image/color"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/widget"
)

// wrapLine is textLine that wraps: as wide as it is given, its text
// broken into lines by the rules of Japanese line breaking (breakLines)
// when it does not fit on one, each line drawn as textLine draws it. Its
// minimum width is that of its widest word, so a narrow window shows the
// whole text, wrapped, instead of cutting it. Where the text fits (the
// window as it opens) it costs what textLine costs: the text is measured
// a second time only when it must be broken.
type wrapLine struct {
	widget.BaseWidget
	text  string
	color color.Color
	size  float32

	r *wrapLineRenderer // once rendered
}

func newWrapLine(s string, c color.Color, size float32) *wrapLine {
	w := &wrapLine{text: s, color: c, size: size}
	w.ExtendBaseWidget(w)
	return w
}

// CreateRenderer draws the text on one line until it is laid out
// narrower than that.
func (w *wrapLine) CreateRenderer() fyne.WidgetRenderer {
	whole := textLine(w.text, w.color, w.size)
	width := whole.MinSize().Width
	w.r = &wrapLineRenderer{w: w, whole: whole, rows: []*fyne.Container{whole}, lines: []string{w.text},
		width: width, wholeWidth: width}
	return w.r
}

// lines are the lines the text is drawn in, for tests.
func (w *wrapLine) lines() []string {
	if w.r == nil {
		return []string{w.text}
	}
	return w.r.lines
}

type wrapLineRenderer struct {
	w          *wrapLine
	whole      *fyne.Container // the text on one line
	wholeWidth float32
	rows       []*fyne.Container
	lines      []string
	width      float32 // the width rows were made for
}

// breakFor makes the rows for width: the one line when the text fits,
// else a textLine per line breakLines gives.
func (r *wrapLineRenderer) breakFor(width float32) {
	if width == r.width || width <= 0 {
		return
	}
	r.width = width
	if r.wholeWidth <= width {
		r.rows, r.lines = []*fyne.Container{r.whole}, []string{r.w.text}
		return
	}
	size := r.w.size
	r.lines = strings.Split(breakLines(r.w.text, width, func(s string) float32 {
		return fyne.MeasureText(s, size, fyne.TextStyle{}).Width
	}), "\n")
	r.rows = r.rows[:0:0]
	for _, l := range r.lines {
		r.rows = append(r.rows, textLine(l, r.w.color, size))
	}
}

func (r *wrapLineRenderer) Layout(size fyne.Size) {
	before := len(r.rows)
	r.breakFor(size.Width)
	y := float32(0)
	for _, row := range r.rows {
		h := row.MinSize().Height
		row.Move(fyne.NewPos(0, y))
		row.Resize(fyne.NewSize(size.Width, h))
		y += h
	}
	if len(r.rows) != before {
		// Taller or shorter now: the banner is laid out again.
		r.w.Refresh()
	}
}

// MinSize is the height of the lines at the width last laid out, and the
// text's whole width up to wrapLineMinWidth: whatever the width of the
// window it is shown, wrapped where it must be.
func (r *wrapLineRenderer) MinSize() fyne.Size {
	s := fyne.NewSize(fyne.Min(r.wholeWidth, wrapLineMinWidth), 0)
	for _, row := range r.rows {
		s.Height += row.MinSize().Height
	}
	return s
}

// wrapLineMinWidth is the most a wrapLine asks for: less than the
// narrowest window Shinsei is made for (640 px), so it never widens one;
// and as much as the banner's fixed lines, so the window's first layout,
// at its minimum size before it opens, does not break them only to be
// laid out again at its real width.
const wrapLineMinWidth = 560

func (r *wrapLineRenderer) Objects() []fyne.CanvasObject {
	objs := make([]fyne.CanvasObject, len(r.rows))
	for i, row := range r.rows {
		objs[i] = row
	}
	return objs
}

func (r *wrapLineRenderer) Refresh() {}
func (r *wrapLineRenderer) Destroy() {}
