package ui

import (
	"image/color"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/theme"

	"github.com/shinsei-app/shinsei/assets"
)

// Theme is Shinsei's Fyne theme: Fyne's default colours and sizes with
// the embedded BIZ UDPGothic for every text style, so Japanese never
// falls back to a system font (or to boxes on a machine without one), and
// a municipal blue as the primary colour.
type Theme struct{}

var _ fyne.Theme = Theme{}

// shinsei marks Shinsei's theme, and a theme built on it (the tests').
func (Theme) shinsei() {}

// Font returns the embedded BIZ UDPGothic for every style: Bold for the
// few bold texts Fyne draws itself (startStyles), Regular for everything
// else (italic, monospace and symbol included — the font has no italic,
// and a fixed-width Latin font would draw Japanese as boxes).
func (Theme) Font(s fyne.TextStyle) fyne.Resource {
	if s.Bold {
		return assets.FontBold
	}
	return assets.FontRegular
}

// Color returns Fyne's light colours whatever the system's variant (the
// look of a paper form, and the pre-check's green, amber and red read
// best on white), with a municipal blue as primary and a green, amber and
// red dark enough to be read as text.
func (Theme) Color(n fyne.ThemeColorName, _ fyne.ThemeVariant) color.Color {
	switch n {
	case theme.ColorNamePrimary, theme.ColorNameHyperlink:
		return color.NRGBA{0x1d, 0x5f, 0xa8, 0xff}
	case theme.ColorNameSuccess: // dark enough to read as text on white
		return levelOK.color()
	case theme.ColorNameWarning:
		return levelWarn.color()
	case theme.ColorNameError:
		return levelFail.color()
	case colorNameFocusRing: // a dark amber: 7:1 against the white background
		return color.NRGBA{0x8a, 0x3b, 0x00, 0xff}
	}
	return theme.DefaultTheme().Color(n, theme.VariantLight)
}

// Icon returns Fyne's default icons.
func (Theme) Icon(n fyne.ThemeIconName) fyne.Resource { return theme.DefaultTheme().Icon(n) }

// sizeNameNumber is the size of receipt numbers: large, so a resident
// can read them out over the phone.
const sizeNameNumber fyne.ThemeSizeName = "shinseiNumber"

// Size returns Fyne's default sizes, with slightly larger text: the UD
// font is meant to be read easily, also by older residents.
func (Theme) Size(n fyne.ThemeSizeName) float32 {
	switch n {
	case theme.SizeNameText:
		return 15
	case theme.SizeNameHeadingText:
		return 22
	case theme.SizeNameSubHeadingText:
		return 18
	case sizeNameNumber:
		return 34
	case theme.SizeNameModalBlurRadius:
		// No blur behind a modal dialog (the PIN, the .p12 password,
		// the pre-check): the shadow alone dims the window, as before
		// Fyne 2.8. A blur copies the window into a texture of its size
		// (≈ 2.8 MB at 1000×720) that the painter keeps for the rest of
		// the process once a dialog has been shown.
		return 0
	}
	return theme.DefaultTheme().Size(n)
}

// startStyles are the text styles whose faces loadFonts loads, and the
// only ones the app draws text in: one, regular. Fyne loads and keeps a
// set of faces for each style it meets, even one measured and never
// drawn — the theme's font, its own fallback, its emoji and symbol fonts
// and a system font — and its own widgets draw bold: a second set, ≈ 13
// MiB at the receipt and ≈ 10 ms before the first frame (a window that
// drew nothing bold measured 173 against 186 MiB, 1.05× against 1.19×
// the minimal window's first frame). So the window's buttons, tabs,
// cards, forms and dialogs are drawn regular (focusButton through
// widget.RichTextStyleStrong, navigation, card, fieldForm, dialogBox),
// and what stands out does so by its size (heading, subheading) or its
// colour. Fyne's file dialog still draws its title bold: opening one
// loads the bold faces then. Text that would be monospace (receipt
// numbers) is drawn regular too: the theme's font would be the same.
var startStyles = []fyne.TextStyle{{}}

// loadFonts loads the faces of the regular style (the embedded font
// with Fyne's fallbacks) on another core while the window is being
// created, and returns a function that waits until they are loaded.
// Fyne keeps the faces it loaded but does not share a load in progress:
// a text measured before then would load the same faces a second time,
// on the thread that builds the window; and Fyne (since 2.8) shapes
// every text with one shaper, which two texts measured at once corrupt
// (the app then panicked at start, now and then, inside the shaper).
func loadFonts() (wait func()) {
	done := make(chan struct{})
	go func() {
		defer close(done)
		for _, style := range startStyles {
			fyne.MeasureText("申請", theme.TextSize(), style)
		}
	}()
	return func() { <-done }
}
