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

// appOnTheCardStack opens an App on the card stack's OpenSC module,
// counting its listings, with a healthy card inserted.
func appOnTheCardStack(t *testing.T) (*testenv.CardStack, *vcard.Card, *testenv.CountingModule, *flow.App) {
	t.Helper()
	cs := testenv.Cards(t)
	card := cs.Insert(t, vcard.ScenarioHealthy)
	m := &testenv.CountingModule{Module: cs.Lib.Module()}
	lib, err := pkcs11.OpenModule(m)
	if err != nil {
		t.Fatal(err)
	}
	svc := startService(t, cs.Issuer.PKI, cs.Issuer.Registry)
	a, _ := openApp(t, svc, cs.Issuer.PKI, []*pkcs11.Library{lib}, func(c *flow.Config) { c.TriesReader, c.DoNotKeepCertificates = nil, true })
	return cs, card, m, a
}

// The App finds a card's signature token once: the next signature opens
// it in the slot where it was found, without OpenSC looking through every
// reader, as long as no card went in or out of any reader since; a card
// changed or taken out and put back in between is looked for again, and
// the signatures are the new card's, with one PIN entry each time.
func TestTheCardFoundOnceIsOpenedWhereItWasUntilACardGoesInOrOut(t *testing.T) {
	cs, first, m, a := appOnTheCardStack(t)
	// listed counts the module's calls that looked through every reader;
	// asked, the VERIFYs without data the card answered with its tries.
	batch := func(t *testing.T, card *vcard.Card) (listed int32, asked int) {
		t.Helper()
		before, stats := m.Lists.Load(), card.Stats()
		forms := batchForms(t, []string{"a.txt", "b.txt"}, nil)
		r := &recorder{pin: vcard.SignaturePIN}
		res, err := a.SignBatch(context.Background(), flow.BatchSignRequest{Forms: forms, OutDir: fsxtest.TempDir(t),
			Credential: flow.CredentialChoice{Token: pkcs11.Selector{Label: pkcs11.JPKISignatureLabel}}}, r.callbacks(), nil)
		if err != nil || res.Signed != 2 {
			t.Fatalf("batch: %v (%d signed)", err, res.Signed)
		}
		for _, it := range res.Items {
			if !it.Signed.Certificate.Equal(card.SignatureCredential().Cert) {
				t.Errorf("%s was signed with another card's certificate", it.Form)
			}
		}
		st := card.Stats()
		if v, s := st.SignatureVerifies-stats.SignatureVerifies, st.Signatures-stats.Signatures; r.pinCalls != 1 || v != 1+2 || s != 2 {
			t.Errorf("PIN asked %d times; the card saw %d VERIFYs and made %d signatures; want 1, 3, 2", r.pinCalls, v, s)
		}
		return m.Lists.Load() - before, st.TriesQueries - stats.TriesQueries
	}

	if n, _ := batch(t, first); n == 0 {
		t.Errorf("the first batch found the card without listing the slots")
	}
	// Opened where it was found: the token is not read again (OpenSC
	// would ask the card for its tries at C_GetTokenInfo); the probe asks
	// for them once, before the PIN.
	if n, asked := batch(t, first); n != 0 || asked != 1 {
		t.Errorf("the second batch listed the slots or read a slot's description %d times and asked the card for its tries %d times; want none and once", n, asked)
	}
	t.Run("another card in the reader is looked for again", func(t *testing.T) {
		second := cs.Insert(t, vcard.ScenarioHealthy)
		if n, _ := batch(t, second); n == 0 {
			t.Errorf("the new card was not looked for")
		}
		if n, asked := batch(t, second); n != 0 || asked != 1 {
			t.Errorf("the card found was looked for again (%d calls) or asked for its tries %d times, want once", n, asked)
		}
	})
	t.Run("the same card taken out and put back is looked for again", func(t *testing.T) {
		cs.Reinsert(t, first)
		if n, _ := batch(t, first); n == 0 {
			t.Errorf("the card put back was not looked for")
		}
	})
}

// A card opened where it was found is not read through its token, so the
// tries its prompt shows are those its probe read just before: a wrong PIN
// entered in one batch shows in the next one's prompt.
func TestACardOpenedWhereItWasFoundShowsItsTriesLeftNow(t *testing.T) {
	_, card, m, a := appOnTheCardStack(t)
	batch := func(pin string) (*recorder, error) {
		r := &recorder{pin: pin}
		_, err := a.SignBatch(context.Background(), flow.BatchSignRequest{Forms: batchForms(t, []string{"a.txt"}, nil), OutDir: fsxtest.TempDir(t),
			Credential: flow.CredentialChoice{Token: pkcs11.Selector{Label: pkcs11.JPKISignatureLabel}}}, r.callbacks(), nil)
		return r, err
	}
	if _, err := batch(vcard.SignaturePIN); err != nil {
		t.Fatal(err)
	}
	listed := m.Lists.Load()
	if _, err := batch("WRONG9"); !errors.Is(err, pkcs11.ErrPINIncorrect) {
		t.Fatalf("a wrong PIN: %v, want ErrPINIncorrect", err)
	}
	r, err := batch(vcard.SignaturePIN)
	if err != nil {
		t.Fatal(err)
	}
	if n := m.Lists.Load() - listed; n != 0 {
		t.Errorf("the card was looked for again (%d calls): not the path under test", n)
	}
	want := pkcs11.PINStatus{CountLow: true, TriesLeft: vcard.SignaturePINTries - 1}
	if len(r.pinRequests) != 1 || r.pinRequests[0].Status != want {
		t.Errorf("the prompt after a wrong PIN showed %+v, want %+v", r.pinRequests, want)
	}
	if left, _ := card.TriesLeft(); left != vcard.SignaturePINTries {
		t.Errorf("%d tries left after the right PIN, want %d", left, vcard.SignaturePINTries)
	}
}
