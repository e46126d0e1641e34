package ui

import "testing"

// The account screen's introductions are long sentences: they wrap, and
// the window can stay as narrow as the other screens allow. Unwrapped,
// they made the real window grow beyond an 1280-pixel screen.
func TestTheAccountScreenFitsAWindowOf800Pixels(t *testing.T) {
	h := newHarness(t, config(t))
	h.wait("catalogue")
	h.s.tabs.SelectIndex(tabAccount)
	if w := h.s.win.Content().MinSize().Width; w > 800 {
		t.Errorf("with the account screen shown the window needs %v pixels, want at most 800", w)
	}
}
