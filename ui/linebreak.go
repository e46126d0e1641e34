package ui

import (
	"strings"
	"unicode"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"
	"github.com/rivo/uniseg"
)

// textLabel is a wrapping label that breaks its lines itself, by the
// basic rules of Japanese line breaking (JIS X 4051, 禁則処理): no line
// starts with a closing bracket, 、。 or a small kana, no line ends with an
// opening bracket, and a word such as 暗証番号 is kept whole when a better
// place to break is on the line. Fyne breaks a line without spaces at
// whatever character no longer fits; the label gives it lines that already
// fit. Text keeps the text as given; only what is drawn has the breaks.
type textLabel struct {
	widget.Label
}

func newTextLabel(s string) *textLabel {
	l := &textLabel{}
	l.Text, l.Wrapping = s, fyne.TextWrapWord
	l.ExtendBaseWidget(l)
	return l
}

// CreateRenderer wraps the label's own renderer, giving its text the
// line breaks for the width it is laid out at.
func (l *textLabel) CreateRenderer() fyne.WidgetRenderer {
	return &textLabelRenderer{l: l, inner: l.Label.CreateRenderer()}
}

type textLabelRenderer struct {
	l     *textLabel
	inner fyne.WidgetRenderer
}

// apply puts the text broken for width into the drawn rich text. Label's
// Refresh has put the text as given there just before.
func (r *textLabelRenderer) apply(width float32) {
	if r.l.Wrapping != fyne.TextWrapWord || width <= 0 {
		return
	}
	for _, o := range r.inner.Objects() {
		rt, ok := o.(*widget.RichText)
		if !ok || len(rt.Segments) != 1 {
			continue
		}
		seg, ok := rt.Segments[0].(*widget.TextSegment)
		if !ok {
			continue
		}
		th := r.l.Theme()
		name := r.l.SizeName
		if name == "" {
			name = theme.SizeNameText
		}
		size, style := th.Size(name), r.l.TextStyle
		text := breakLines(r.l.Text, width-2*th.Size(theme.SizeNameInnerPadding), func(s string) float32 {
			return fyne.MeasureText(s, size, style).Width
		})
		if seg.Text != text {
			seg.Text = text
			rt.Refresh()
		}
	}
}

func (r *textLabelRenderer) Layout(size fyne.Size) {
	r.apply(size.Width)
	r.inner.Layout(size)
}

func (r *textLabelRenderer) MinSize() fyne.Size           { return r.inner.MinSize() }
func (r *textLabelRenderer) Objects() []fyne.CanvasObject { return r.inner.Objects() }
func (r *textLabelRenderer) Destroy()                     { r.inner.Destroy() }

func (r *textLabelRenderer) Refresh() {
	r.apply(r.l.Size().Width)
	r.inner.Refresh()
}

// noLineStart are the characters a line must not start with (行頭禁則):
// closing brackets, punctuation, small kana, the long-vowel and iteration
// marks.
const noLineStart = "、。，．,.)]}）］｝」』】〕〉》〙〗〟’”・：；:;？！?!ー‐゠〜～ヽヾゝゞ々〻" +
	"ぁぃぅぇぉっゃゅょゎゕゖァィゥェォッャュョヮヵヶㇰㇱㇲㇳㇴㇵㇶㇷㇸㇹㇺㇻㇼㇽㇾㇿ"

// noLineEnd are the characters a line must not end with (行末禁則):
// opening brackets.
const noLineEnd = "([{（［｛「『【〔〈《〘〖〝‘“"

// breakLines returns s with a line break before every line that would
// be wider than max as measured, breaking only where Unicode's line
// breaking algorithm (with small kana as non-starters, the strict rule
// of JIS X 4051) and the 禁則 above allow, and of those preferring a break
// after punctuation or a space, or where hiragana meets another script,
// to one inside a word. A piece that cannot be broken and is wider than
// max stands on its own line.
func breakLines(s string, max float32, measure func(string) float32) string {
	paras := strings.Split(s, "\n")
	for i, p := range paras {
		paras[i] = strings.Join(breakParagraph(p, max, measure), "\n")
	}
	return strings.Join(paras, "\n")
}

func breakParagraph(p string, max float32, measure func(string) float32) []string {
	pieces := breakPieces(p)
	var lines []string
	for len(pieces) > 0 {
		// n pieces fit the line; at least one goes on it.
		n := 1
		for n < len(pieces) && measure(strings.TrimRight(strings.Join(pieces[:n+1], ""), " \u3000")) <= max {
			n++
		}
		if n < len(pieces) {
			n = betterBreak(pieces[:n+1], n, max, measure)
		}
		lines = append(lines, strings.TrimRight(strings.Join(pieces[:n], ""), " \u3000"))
		pieces = pieces[n:]
	}
	if len(lines) == 0 {
		return []string{p}
	}
	return lines
}

// breakPieces cuts p at its allowed break opportunities.
func breakPieces(p string) []string {
	var pieces []string
	state := -1
	for p != "" {
		var seg string
		seg, p, _, state = uniseg.FirstLineSegmentInString(p, state)
		if n := len(pieces); n > 0 && !mayBreak(pieces[n-1], seg) {
			pieces[n-1] += seg
			continue
		}
		pieces = append(pieces, seg)
	}
	return pieces
}

// mayBreak reports whether a line may end after a and the next start
// with b.
func mayBreak(a, b string) bool {
	last, first := lastRune(strings.TrimRight(a, " ")), firstRune(b)
	return !strings.ContainsRune(noLineStart, first) && !strings.ContainsRune(noLineEnd, last)
}

// betterBreak is how many of pieces go on the line when n fit: the last
// of the best breaks that still fills the line to more than half.
func betterBreak(pieces []string, n int, max float32, measure func(string) float32) int {
	best, bestQ := n, breakQuality(pieces[n-1], pieces[n])
	for k := n - 1; k >= 1 && bestQ < 2; k-- {
		if measure(strings.Join(pieces[:k], "")) < max/2 {
			break
		}
		if q := breakQuality(pieces[k-1], pieces[k]); q > bestQ {
			best, bestQ = k, q
		}
	}
	return best
}

// breakQuality rates a break between a and b: 2 after a space or
// punctuation, before an opening bracket, or where hiragana (the
// particles and endings) meets another script; 1 between other
// scripts; 0 inside a run of one script (a word such as 暗証番号, or
// パスワード: the long-vowel mark and small kana are part of a word, not
// punctuation).
func breakQuality(a, b string) int {
	x, y := lastRune(a), firstRune(b)
	switch {
	case unicode.IsSpace(x) || unicode.IsPunct(x) || strings.ContainsRune(noLineStart, x) && kind(x) == 'o' ||
		strings.ContainsRune(noLineEnd, y):
		return 2
	case kind(x) == kind(y):
		return 0
	case kind(y) == 'h':
		return 0 // 押|して: okurigana and particles stay with their word
	case kind(x) == 'h':
		return 2
	}
	return 1
}

// kind is the script of r for breakQuality: hiragana, katakana, kanji,
// Latin letters and digits, or other.
func kind(r rune) rune {
	switch {
	case unicode.Is(unicode.Hiragana, r):
		return 'h'
	case unicode.Is(unicode.Katakana, r) || r == 'ー':
		return 'k'
	case unicode.Is(unicode.Han, r) || r == '々':
		return 'c'
	case r < 0x80 && (unicode.IsLetter(r) || unicode.IsDigit(r)), unicode.In(r, unicode.Latin):
		return 'l'
	}
	return 'o'
}

func firstRune(s string) rune {
	for _, r := range s {
		return r
	}
	return 0
}

func lastRune(s string) rune {
	r := []rune(s)
	if len(r) == 0 {
		return 0
	}
	return r[len(r)-1]
}
