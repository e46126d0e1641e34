//go:build cgo && linux

package ui

import (
	"strings"
	"testing"

	"fyne.io/fyne/v2/test"

	"github.com/shinsei-app/shinsei/i18n"
	"github.com/shinsei-app/shinsei/internal/testenv"
	"github.com/shinsei-app/shinsei/sandbox/vcard"
)

// A resident signs twice in one sitting with the same My Number card, on
// the virtual card behind pcscd and OpenSC, counted at the card: each time
// the PIN dialog shows the tries the card holds just then, read once, and
// the PIN is presented once for the login and once for each signature —
// a wrong PIN once, never again. The second time the window's App opens
// the card where it found it without reading it through its token
// (flow/token_memo.go), so the tries shown are the probe's alone.
func TestSigningTwiceWithOneCardShowsTheTriesTheCardHoldsEachTime(t *testing.T) {
	if !inCardProcess(t) {
		return
	}
	useLanguage(i18n.Japanese)
	cs := testenv.Cards(t)
	setupWorld(t)
	issuer, err := vcard.NewIssuer(world.w.PKI, world.w.Registry)
	if err != nil {
		t.Fatal(err)
	}
	card, err := issuer.Issue(vcard.ScenarioHealthy)
	if err != nil {
		t.Fatal(err)
	}
	cs.Reinsert(t, card)
	cfg := config(t, cs.Lib)
	cfg.TriesReader = nil // the card's, over PC/SC
	h := newHarness(t, cfg)
	openBatch(t, h, "転出届.txt", "住民票.txt")
	b := h.s.batch

	sign := func(pin, wantTries string) vcard.Stats {
		t.Helper()
		before := card.Stats()
		signWithToken(t, h)
		h.wait("pin")
		if got := h.s.pin.tries.Text; !strings.Contains(got, wantTries) {
			t.Errorf("the PIN dialog says %q, want %q", got, wantTries)
		}
		test.Type(h.s.pin.entry, pin)
		test.Tap(h.s.pin.ok)
		h.wait("batch-done")
		after := card.Stats()
		return vcard.Stats{TriesQueries: after.TriesQueries - before.TriesQueries,
			SignatureVerifies: after.SignatureVerifies - before.SignatureVerifies, Signatures: after.Signatures - before.Signatures}
	}
	// The first time the card is looked for in every slot (OpenSC asks it
	// for its tries at each C_GetTokenInfo), and its tries are read again
	// after the wrong PIN, to say how many are left: readings, never tries.
	if got := sign("WRONG2026", "残り回数：5回"); got.SignatureVerifies != 1 || got.Signatures != 0 {
		t.Errorf("a wrong PIN: the card saw %+v, want one VERIFY carrying a PIN and no signature", got)
	}
	if b.result == nil || b.result.Signed != 0 {
		t.Fatalf("signed with a wrong PIN: %+v", b.result)
	}
	if got, want := sign(vcard.SignaturePIN, "残り回数：4回"), (vcard.Stats{TriesQueries: 1, SignatureVerifies: 1 + 2, Signatures: 2}); got != want {
		t.Errorf("the right PIN: the card saw %+v, want %+v", got, want)
	}
	if b.result == nil || b.result.Signed != 2 {
		t.Fatalf("result %+v, want both forms signed", b.result)
	}
	if left, _ := card.TriesLeft(); left != vcard.SignaturePINTries {
		t.Errorf("%d tries left after the right PIN, want %d", left, vcard.SignaturePINTries)
	}
}
