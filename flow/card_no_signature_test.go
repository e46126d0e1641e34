//go:build cgo && linux

package flow_test

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/shinsei-app/shinsei/flow"
	"github.com/shinsei-app/shinsei/internal/testenv"
	"github.com/shinsei-app/shinsei/pkcs11"
	"github.com/shinsei-app/shinsei/sandbox/service"
	"github.com/shinsei-app/shinsei/sandbox/vcard"
)

// A My Number card without a signature certificate (a child's card) is
// told apart in the list of credentials, before any password: it is not
// usable, its note says why and what to do, and the card sees no VERIFY
// carrying a password, neither from the listing nor from an attempt to
// sign with it anyway.
func TestACardWithoutASignatureCertificateIsListedAsUnusableBeforeAnyPassword(t *testing.T) {
	cs := testenv.Cards(t)
	card := cs.Insert(t, vcard.ScenarioNoSignatureCert)
	svc := startService(t, cs.Issuer.PKI, cs.Issuer.Registry)
	a, _ := openApp(t, svc, cs.Issuer.PKI, []*pkcs11.Library{cs.Lib}, func(c *flow.Config) { c.TriesReader = nil })
	ctx := context.Background()

	found, err := a.FindCredentials(ctx)
	if err != nil {
		t.Fatal(err)
	}
	var tok *flow.FoundToken
	for i := range found.Tokens {
		if found.Tokens[i].MyNumberCard {
			tok = &found.Tokens[i]
		}
	}
	if tok == nil {
		t.Fatalf("no My Number card among %+v", found.Tokens)
	}
	if !tok.NoSignatureCert || tok.Usable() {
		t.Errorf("the card is listed with NoSignatureCert=%v, usable=%v; want it known to lack the certificate and unusable", tok.NoSignatureCert, tok.Usable())
	}
	if !strings.Contains(tok.Note.Ja, "署名用電子証明書が入っていません") || !strings.Contains(tok.Note.Ja, "パスワードはお聞きしません") {
		t.Errorf("the card's note reads %q, want it to say the certificate is missing and no password is asked", tok.Note.Ja)
	}
	if st := card.Stats(); st.SignatureVerifies+st.AuthVerifies != 0 {
		t.Fatalf("listing the card made it verify %d passwords", st.SignatureVerifies+st.AuthVerifies)
	}

	// Chosen anyway (a script, an old list): refused before the password.
	r := &recorder{pin: vcard.SignaturePIN}
	proc, doc := form(t, a, service.ProcMoveOut, nil)
	_, _, err = a.SignAndSubmit(ctx, flow.SignRequest{Procedure: proc.Procedure, Form: doc, Credential: tok.Choice(), FillApplicant: true}, "", r.callbacks())
	if !errors.Is(err, flow.ErrNoSignatureCertificate) {
		t.Errorf("signing with it ends with %v, want ErrNoSignatureCertificate", err)
	}
	if st := card.Stats(); r.pinCalls != 0 || st.SignatureVerifies+st.AuthVerifies != 0 || tries(card) != vcard.SignaturePINTries {
		t.Errorf("password asked %d times, the card saw %d VERIFYs and has %d tries left; want none, none and %d",
			r.pinCalls, st.SignatureVerifies+st.AuthVerifies, tries(card), vcard.SignaturePINTries)
	}
}
