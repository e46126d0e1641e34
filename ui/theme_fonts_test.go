package ui

import (
	"testing"

	"fyne.io/fyne/v2/test"
)

// Under the race detector (scripts/test runs the tests with it), two
// texts shaped at once while the fonts load are reported: Fyne shapes
// every text with one shaper, and the app panicked at start now and then.
func TestTheFontsLoadOneTextAtATime(t *testing.T) {
	for range 3 {
		a := test.NewTempApp(t)
		a.Settings().SetTheme(Theme{})
		loadFonts()()
	}
}
