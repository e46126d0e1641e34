package ui

import (
	"context"
	"strings"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"github.com/shinsei-app/shinsei/pkcs11"
)

// labelTexts are the texts of every label in o, widgets included.
func labelTexts(t *testing.T, o fyne.CanvasObject) []string {
	switch v := o.(type) {
	case *widget.Label:
		return []string{v.Text}
	case *textLabel:
		return []string{v.Text}
	case *fyne.Container:
		var out []string
		for _, c := range v.Objects {
			out = append(out, labelTexts(t, c)...)
		}
		return out
	case fyne.Widget:
		var out []string
		for _, c := range test.TempWidgetRenderer(t, v).Objects() {
			out = append(out, labelTexts(t, c)...)
		}
		return out
	}
	return nil
}

// containing are the texts that contain s.
func containing(texts []string, s string) []string {
	var out []string
	for _, t := range texts {
		if strings.Contains(t, s) {
			out = append(out, t)
		}
	}
	return out
}

func TestAfterAWrongPasswordOnSoftHSMTheCardSaysOnceThatTheTriesLeftCouldNotBeRead(t *testing.T) {
	h := newHarness(t, config(t))
	d := h.toPIN()
	test.Type(d.entry, "WRONG99")
	test.Tap(d.ok)
	h.wait("error")
	if !strings.Contains(h.s.lastError, "残り回数はカードから読めませんでした") || h.count("error") != 1 {
		t.Errorf("the wrong password is told %d times, as %q; want once, saying the tries left could not be read", h.count("error"), h.s.lastError)
	}

	h.s.goHome()
	h.startProcedure("move-out-notification")
	h.wait("credentials")
	tile := labelTexts(t, h.s.cred.list)
	if got := containing(tile, "誤り"); len(got) != 1 || got[0] != tr("pin.tries_low_unread") {
		t.Errorf("after a wrong password the card screen says %q; want once %q", got, tr("pin.tries_low_unread"))
	}
	h.s.goHome()
	d = h.toPIN()
	if d.tries.Text != tr("pin.tries_low_unread") || !strings.Contains(d.tries.Text, "残り回数はカードから読めませんでした") {
		t.Errorf("the PIN dialog says %q about the tries; want that they could not be read", d.tries.Text)
	}
	// The right password ends the count-low state for the other tests.
	test.Type(d.entry, "SANDBOX1")
	test.Tap(d.ok)
	h.wait("precheck")
	test.Tap(h.s.check.back)
	h.wait("form")
}

// fourLeft answers over PC/SC as a card after one wrong password does.
type fourLeft struct{}

func (fourLeft) TriesLeft(context.Context, pkcs11.TokenInfo) (int, error) { return 4, nil }

func TestAfterAWrongPasswordTheTriesTheCardTellsAreSaidOnce(t *testing.T) {
	_, lib := fakeCard(t, 1)
	cfg := config(t, lib)
	cfg.TriesReader = fourLeft{}
	h := newHarness(t, cfg)
	h.startProcedure("move-out-notification")
	h.wait("credentials")
	want := tr("pin.tries_left", map[string]any{"N": 4})
	tile := labelTexts(t, h.s.cred.list)
	if got := containing(tile, "4"); len(got) != 1 || got[0] != want {
		t.Errorf("the card screen says %q; want the tries once: %q", got, want)
	}
	if got := containing(tile, "誤り"); len(got) != 0 {
		t.Errorf("the card screen also says %q: one warning is enough", got)
	}
	h.s.goHome()
	d := h.toPIN()
	if d.tries.Text != want {
		t.Errorf("the PIN dialog says %q; want %q", d.tries.Text, want)
	}
}

func TestALockedCardSaysItIsLockedOnce(t *testing.T) {
	_, lib := fakeCard(t, 5)
	h := newHarness(t, config(t, lib))
	h.startProcedure("move-out-notification")
	h.wait("credentials")
	if got := containing(labelTexts(t, h.s.cred.list), "ロック"); len(got) != 1 || got[0] != tr("pin.locked") {
		t.Errorf("the locked card's tile says %q; want once %q", got, tr("pin.locked"))
	}
}
