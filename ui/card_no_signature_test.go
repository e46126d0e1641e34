package ui

import (
	"context"
	"testing"

	"github.com/shinsei-app/shinsei/pkcs11"
	"github.com/shinsei-app/shinsei/sandbox/service"
)

// childCard answers over PC/SC as a My Number card without a signature
// certificate does (pcsc.JPKITries): the tries are readable, the
// certificate is not there.
type childCard struct{}

func (childCard) TriesLeft(context.Context, pkcs11.TokenInfo) (int, error) { return 5, nil }

func (childCard) HasSignatureCertificate(context.Context, pkcs11.TokenInfo) (bool, error) {
	return false, nil
}

func TestACardWithoutASignatureCertificateIsRefusedOnTheCardScreenWithNoPasswordAsked(t *testing.T) {
	m, lib := fakeCard(t, 0)
	cfg := config(t, lib)
	cfg.TriesReader = childCard{}
	h := newHarness(t, cfg)
	h.startProcedure(service.ProcMoveOut)
	h.wait("credentials")
	c := h.s.cred
	if len(c.found.Tokens) != 1 || !c.found.Tokens[0].NoSignatureCert {
		t.Fatalf("the card is not found to lack its signature certificate: %+v", c.found.Tokens)
	}
	if len(c.choices) != 0 {
		t.Fatal("a card that cannot sign is offered for signing")
	}
	note := text(c.found.Tokens[0].Note)
	if !showsLabel(t, c.list, note) {
		t.Errorf("the card screen does not say %q", note)
	}
	for _, other := range []string{tr("pin.locked"), tr("cred.cert_after_pin")} {
		if showsLabel(t, c.list, other) {
			t.Errorf("the card screen also says %q: one message is the reason", other)
		}
	}
	if m.LoginCalls() != 0 || h.count("pin") != 0 {
		t.Errorf("the card was logged in %d times and the password asked %d times; want neither", m.LoginCalls(), h.count("pin"))
	}
}
