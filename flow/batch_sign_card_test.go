//go:build cgo && linux

package flow_test

import (
	"context"
	"errors"
	"testing"

	"github.com/shinsei-app/shinsei/flow"
	"github.com/shinsei-app/shinsei/internal/fsx/fsxtest"
	"github.com/shinsei-app/shinsei/internal/testenv"
	"github.com/shinsei-app/shinsei/pkcs11"
	"github.com/shinsei-app/shinsei/sandbox/vcard"
)

// A batch on the virtual My Number card, counted at the card: one PIN
// entry makes one login VERIFY and one context-specific VERIFY per
// signature; a wrong PIN is presented once and stops the batch; the final
// try is refused before any PIN is presented, as for one signature.
func TestSignBatchOnTheVirtualCardPresentsOnePINEntryForEverySignature(t *testing.T) {
	cs := testenv.Cards(t)
	cases := []struct {
		name       string
		scenario   vcard.Scenario
		pin        string
		want       error
		verifies   int
		signatures int
		triesLeft  int
	}{
		{"three forms: one PIN entry, the login and three context-specific VERIFYs, three signatures", vcard.ScenarioHealthy, vcard.SignaturePIN, nil, 1 + 3, 3, vcard.SignaturePINTries},
		{"a wrong PIN: exactly one VERIFY and the batch stops with nothing signed", vcard.ScenarioHealthy, "WRONG2026", pkcs11.ErrPINIncorrect, 1, 0, vcard.SignaturePINTries - 1},
		{"the final try not confirmed: refused before any VERIFY", vcard.ScenarioFinalTry, vcard.SignaturePIN, pkcs11.ErrFinalTryNotConfirmed, 0, 0, 1},
		{"the card pulled out at the first signature: the batch stops, nothing signed, no further VERIFY", vcard.ScenarioRemovedDuringSigning, vcard.SignaturePIN, pkcs11.ErrCardRemoved, 1 + 1, 0, vcard.SignaturePINTries},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			card := cs.Insert(t, c.scenario)
			svc := startService(t, cs.Issuer.PKI, cs.Issuer.Registry)
			a, _ := openApp(t, svc, cs.Issuer.PKI, []*pkcs11.Library{cs.Lib}, func(c *flow.Config) { c.TriesReader, c.DoNotKeepCertificates = nil, true })
			forms := batchForms(t, []string{"a.txt", "b.txt", "c.txt"}, nil)
			out := fsxtest.TempDir(t)
			r := &recorder{pin: c.pin}
			res, err := a.SignBatch(context.Background(), flow.BatchSignRequest{Forms: forms, OutDir: out,
				Credential: flow.CredentialChoice{Token: pkcs11.Selector{Label: pkcs11.JPKISignatureLabel}}}, r.callbacks(), nil)
			if !errors.Is(err, c.want) || (c.want == nil && err != nil) {
				t.Fatalf("err %v, want %v", err, c.want)
			}
			st := card.Stats()
			if got := st.SignatureVerifies + st.AuthVerifies; got != c.verifies || st.Signatures != c.signatures || tries(card) != c.triesLeft {
				t.Errorf("the card saw %d VERIFYs carrying a PIN and made %d signatures, %d tries left; want %d, %d, %d",
					got, st.Signatures, tries(card), c.verifies, c.signatures, c.triesLeft)
			}
			if c.pin != "" && r.pinCalls > 1 {
				t.Errorf("the PIN was asked %d times", r.pinCalls)
			}
			if res.Signed != c.signatures || len(filesIn(t, out)) != c.signatures {
				t.Errorf("signed %d, files %v; want %d", res.Signed, filesIn(t, out), c.signatures)
			}
			if c.want != nil && (res.Signed+res.Failed+res.NotTried != 3 || !errors.Is(res.Stopped, c.want)) {
				t.Errorf("signed %d, failed %d, not tried %d, stopped by %v", res.Signed, res.Failed, res.NotTried, res.Stopped)
			}
		})
	}
}

// A refused form refuses the batch before the card is touched, counted at
// the card and at the module: no PIN asked, no VERIFY (not even the one
// without data that reads the tries), no session opened — on a card found
// for the first time, on the card the App signed with just before, and on
// a locked card, where the form's refusal is what the user is told.
func TestABatchWithARefusedFormLeavesTheCardUntouched(t *testing.T) {
	cs, card, m, a := appOnTheCardStack(t)
	batch := func(t *testing.T, missing bool) (*flow.BatchResult, *recorder, error) {
		t.Helper()
		forms := batchForms(t, []string{"a.txt", "b.txt"}, nil)
		if missing {
			forms[1] += ".missing"
		}
		r := &recorder{pin: vcard.SignaturePIN}
		res, err := a.SignBatch(context.Background(), flow.BatchSignRequest{Forms: forms, OutDir: fsxtest.TempDir(t),
			Credential: flow.CredentialChoice{Token: pkcs11.Selector{Label: pkcs11.JPKISignatureLabel}}}, r.callbacks(), nil)
		return res, r, err
	}
	refused := func(t *testing.T, card *vcard.Card) {
		t.Helper()
		before, opened := card.Stats(), m.Opened.Load()
		res, r, err := batch(t, true)
		if !errors.Is(err, flow.ErrInputMissing) || res.Refused != 1 || res.Signed != 0 {
			t.Fatalf("err %v, %d refused, %d signed; want ErrInputMissing, 1, 0", err, res.Refused, res.Signed)
		}
		if after := card.Stats(); r.pinCalls != 0 || after != before || m.Opened.Load() != opened {
			t.Errorf("PIN asked %d times; the card went from %+v to %+v; %d sessions opened: want the card untouched",
				r.pinCalls, before, after, m.Opened.Load()-opened)
		}
	}
	t.Run("a card found for the first time", func(t *testing.T) { refused(t, card) })
	t.Run("the card signed with just before", func(t *testing.T) {
		if _, _, err := batch(t, false); err != nil {
			t.Fatal(err)
		}
		refused(t, card)
	})
	t.Run("a locked card", func(t *testing.T) { refused(t, cs.Insert(t, vcard.ScenarioLocked)) })
}
