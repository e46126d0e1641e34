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
