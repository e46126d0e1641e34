package ui

import (
	"os"
	"path/filepath"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/storage"
	"fyne.io/fyne/v2/test"
)

// target is the target labelled label (with the context, when given)
// among the shell's targets.
func (h *harness) target(label, context string) (Target, bool) {
	for _, b := range h.s.targets() {
		if b.Label == label && (context == "" || b.Context == context) {
			return b, true
		}
	}
	return Target{}, false
}

func TestTheTabsListedAsTargetsAreWhereATapSelectsThem(t *testing.T) {
	h := newHarness(t, config(t))
	h.wait("catalogue")
	// From the last tab back to the first, so each tap changes the tab.
	for i := len(h.s.tabs.Items) - 1; i >= 0; i-- {
		name := h.s.tabs.Items[i].Text
		b, ok := h.target(name, tabContext)
		if !ok {
			t.Fatalf("the tab %q is not among the targets", name)
		}
		test.TapCanvas(h.s.win.Canvas(), fyne.NewPos(b.X, b.Y))
		if got := h.s.tabs.SelectedIndex(); got != i {
			t.Errorf("a tap where the tab %q is listed (%v, %v) selected tab %d, want %d", name, b.X, b.Y, got, i)
		}
	}
}

func TestTheFilesOfAnOpenDialogAreTargetsByTheirPlaceAndATapOnOneOpensIt(t *testing.T) {
	h := newHarness(t, config(t))
	h.wait("catalogue")
	dir := t.TempDir()
	for _, name := range []string{"b.p12", "a.p12", ".hidden.p12"} {
		if err := os.WriteFile(filepath.Join(dir, name), []byte("x"), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	chosen := make(chan string, 1)
	d := newFileOpen(func(r fyne.URIReadCloser, err error) {
		if err == nil && r != nil {
			chosen <- r.URI().Path()
			r.Close()
		}
	}, h.s.win)
	loc, err := storage.ListerForURI(storage.NewFileURI(dir))
	if err != nil {
		t.Fatal(err)
	}
	d.SetLocation(loc)
	d.Show()
	h.wait("file-dialog")
	// The parent folder first, then the files by name; hidden ones not.
	if _, ok := h.target("file:3", "file"); ok {
		t.Error("a fourth row is listed; the hidden file should not be")
	}
	b, ok := h.target("file:2", "file")
	if !ok {
		t.Fatalf("the dialog's third row is not among the targets: %v", h.s.targets())
	}
	test.TapCanvas(h.s.win.Canvas(), fyne.NewPos(b.X, b.Y))
	h.wait("file-chosen")
	open, ok := h.target(langL("Open"), "")
	if !ok {
		t.Fatalf("no %q button is listed once a file is chosen: %v", langL("Open"), h.s.targets())
	}
	test.TapCanvas(h.s.win.Canvas(), fyne.NewPos(open.X, open.Y))
	select {
	case got := <-chosen:
		if filepath.Base(got) != "b.p12" {
			t.Errorf("the dialog opened %q, want b.p12", got)
		}
	default:
		t.Fatal("the dialog opened nothing")
	}
	if _, ok := h.target("file:1", "file"); ok {
		t.Error("the rows of a closed dialog are still listed")
	}
}
