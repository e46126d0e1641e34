//go:build cgo && linux

package pcsc_test

import (
	"slices"
	"testing"

	"github.com/shinsei-app/shinsei/internal/testenv"
	"github.com/shinsei-app/shinsei/pcsc"
	"github.com/shinsei-app/shinsei/pkcs11"
	"github.com/shinsei-app/shinsei/sandbox/vcard"
)

// signatureToken is the card's signature token as OpenSC lists it, with
// its reader.
func signatureToken(t testing.TB, cs *testenv.CardStack) pkcs11.TokenInfo {
	t.Helper()
	tokens, err := cs.Lib.Tokens(ctx)
	if err != nil {
		t.Fatal(err)
	}
	for _, tok := range tokens {
		if tok.Label == pkcs11.JPKISignatureLabel {
			return tok
		}
	}
	t.Fatalf("OpenSC does not list %q", pkcs11.JPKISignatureLabel)
	return pkcs11.TokenInfo{}
}

// ProbeSignature reads in one transaction what HasSignatureCertificate
// and TriesLeft read, without a PIN, and the readers' state, which
// changes when a card goes out and in.
func TestProbeSignatureReadsTheCertificateTheTriesAndTheReadersWithoutAPIN(t *testing.T) {
	cs := testenv.Cards(t)
	cases := []struct {
		name     string
		scenario vcard.Scenario
		has      bool
		tries    int
	}{
		{"a healthy card: a certificate and every try", vcard.ScenarioHealthy, true, vcard.SignaturePINTries},
		{"one try left", vcard.ScenarioFinalTry, true, 1},
		{"no signature certificate: none, and the tries are not read", vcard.ScenarioNoSignatureCert, false, -1},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			card := cs.Insert(t, c.scenario)
			tok := signatureToken(t, cs)
			p, err := pcsc.JPKITries{}.ProbeSignature(ctx, tok)
			if err != nil {
				t.Fatal(err)
			}
			if p.HasSignatureCertificate != c.has || p.TriesLeft != c.tries {
				t.Errorf("certificate %v, %d tries; want %v, %d", p.HasSignatureCertificate, p.TriesLeft, c.has, c.tries)
			}
			if st := card.Stats(); st.SignatureVerifies+st.AuthVerifies != 0 {
				t.Errorf("the card saw %d VERIFYs carrying a PIN", st.SignatureVerifies+st.AuthVerifies)
			}
			i := slices.IndexFunc(p.Readers, func(r pcsc.ReaderState) bool { return r.Reader == tok.Reader })
			if i < 0 || !p.Readers[i].Present {
				t.Fatalf("readers %+v: the card's reader %q not shown with a card", p.Readers, tok.Reader)
			}
			again, err := pcsc.JPKITries{}.ProbeSignature(ctx, tok)
			if err != nil || !slices.Equal(again.Readers, p.Readers) {
				t.Errorf("read again with nothing changed: %+v, %v; want %+v", again.Readers, err, p.Readers)
			}
			cs.Reinsert(t, card)
			after, err := pcsc.JPKITries{}.ProbeSignature(ctx, signatureToken(t, cs))
			if err != nil || slices.Equal(after.Readers, p.Readers) {
				t.Errorf("after the card went out and in: %+v, %v; want another state than %+v", after.Readers, err, p.Readers)
			}
		})
	}
}
