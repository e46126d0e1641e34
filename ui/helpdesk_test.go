package ui

import (
	"context"
	"errors"
	"strings"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"github.com/shinsei-app/shinsei/diagnosis"
	"github.com/shinsei-app/shinsei/pkcs11"
	"github.com/shinsei-app/shinsei/submit"
)

// lockedCard answers the tries left as a My Number card whose signature
// password is locked does through PC/SC: none.
type lockedCard struct{}

func (lockedCard) TriesLeft(context.Context, pkcs11.TokenInfo) (int, error) { return 0, nil }

// texts are the texts of the labels and canvas texts in o, in order.
func texts(o fyne.CanvasObject) []string {
	switch w := o.(type) {
	case *fyne.Container:
		var out []string
		for _, c := range w.Objects {
			out = append(out, texts(c)...)
		}
		return out
	case *widget.Label:
		return []string{w.Text}
	case *textLabel:
		return []string{w.Text}
	case *canvas.Text:
		return []string{strings.TrimSpace(w.Text)}
	}
	return nil
}

// line finds the status line whose title is title: its texts, the level
// word first.
func line(lines *fyne.Container, title string) []string {
	for _, o := range lines.Objects {
		if t := texts(o); len(t) > 1 && t[1] == title {
			return t
		}
	}
	return nil
}

func TestTheHelpDeskShowsALockedPINAsAFailureAndThePastErrorsApart(t *testing.T) {
	h := newHarness(t, config(t))
	var softHSM []pkcs11.ModuleFile
	for _, m := range pkcs11.FindModules() {
		if m.Name == "SoftHSM" {
			softHSM = append(softHSM, m)
		}
	}
	if len(softHSM) == 0 {
		t.Fatal("SoftHSM's module is not found")
	}
	errs, err := diagnosis.OpenErrorLog("", 0)
	if err != nil {
		t.Fatal(err)
	}
	errs.Record("sign", errors.New("pkcs11: incorrect PIN"))
	// The token of the resident's certificate, read as a card that says
	// no try is left: its signature password is locked.
	h.s.opts.Diag = diagnosis.Options{Modules: softHSM, TriesReader: lockedCard{}, Keyring: &submit.MemoryKeyring{},
		ServiceURL: world.svc.URL(), Errors: errs}

	hd := h.s.help.get()
	test.Tap(hd.run)
	h.wait("diagnosed")
	r := hd.report
	if r == nil || r.Tokens.Status != diagnosis.StatusFail {
		t.Fatalf("the diagnosis did not fail the locked token: %+v", r)
	}
	if !r.Service.Reachable { // its chain is not checked here: no anchor is given
		t.Errorf("the sandbox service's API was not reachable: %+v", r.Service)
	}

	tokens := line(hd.lines, text(diagnosis.SectionTokens.Title()))
	if len(tokens) == 0 || tokens[0] != tr("level.fail") {
		t.Errorf("the tokens line is %q, want it marked %q", tokens, tr("level.fail"))
	}
	if !strings.Contains(strings.Join(tokens, " "), "市区町村の窓口") {
		t.Errorf("the tokens line does not send the resident to the municipal office: %q", tokens)
	}

	// The last errors are shown apart, with their own verdict, and the
	// overall verdict is the computer's now.
	history := text(diagnosis.SectionErrors.Title())
	if line(hd.lines, history) != nil || len(hd.lines.Objects) != len(r.Sections()) {
		t.Errorf("the past errors are among the computer's sections")
	}
	past := line(hd.past, history)
	if len(past) == 0 || past[0] != tr("level.warn") {
		t.Errorf("the past errors' line is %q, want it apart and marked %q", past, tr("level.warn"))
	}
	if want := "総合判定（現在の状態）：要対応"; !strings.Contains(hd.verdict.Text, want) || !strings.Contains(hd.verdict.Text, "過去のエラー：注意") {
		t.Errorf("the status says %q, want %q and the past errors apart", hd.verdict.Text, want)
	}
}
