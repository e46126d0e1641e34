//go:build cgo && linux

package flow_test

import (
	"context"
	"errors"
	"testing"

	"github.com/shinsei-app/shinsei/flow"
	"github.com/shinsei-app/shinsei/internal/testenv"
	"github.com/shinsei-app/shinsei/pkcs11"
	"github.com/shinsei-app/shinsei/sandbox/service"
	"github.com/shinsei-app/shinsei/sandbox/vcard"
	"github.com/shinsei-app/shinsei/submit"
)

// A withdrawal and an amendment signed on the My Number card each take
// one password entry, which the card verifies twice (the login and the
// signature key's context-specific login) and never wrongly; a
// withdrawal the service would refuse (the application was processed)
// or an amendment nobody asked for is refused before the card sees a
// password.
func TestAWithdrawalAndAnAmendmentOnTheCardTakeOnePasswordEachAndNoneWhenRefusedBefore(t *testing.T) {
	cs := testenv.Cards(t)
	card := cs.Insert(t, vcard.ScenarioHealthy)
	svc := startService(t, cs.Issuer.PKI, cs.Issuer.Registry)
	a, _ := openApp(t, svc, cs.Issuer.PKI, []*pkcs11.Library{cs.Lib}, func(c *flow.Config) { c.TriesReader = nil })
	ctx := context.Background()
	found, err := a.FindCredentials(ctx)
	if err != nil {
		t.Fatal(err)
	}
	var choice flow.CredentialChoice
	for _, tok := range found.Tokens {
		if tok.MyNumberCard {
			choice = tok.Choice()
		}
	}
	file := func(members int) *submit.Record {
		t.Helper()
		r := &recorder{pin: vcard.SignaturePIN}
		proc, doc := form(t, a, service.ProcMoveOut, card.SignatureCredential().Cert)
		doc.Fields["members"] = members
		_, rec, err := a.SignAndSubmit(ctx, flow.SignRequest{Procedure: proc.Procedure, Form: doc, Credential: choice}, "", r.callbacks())
		if err != nil {
			t.Fatal(err)
		}
		return rec
	}
	// want checks what the card saw since the last check.
	last := card.Stats()
	want := func(step string, r *recorder, pins, verifies, signatures int) {
		t.Helper()
		st := card.Stats()
		if r.pinCalls != pins || st.SignatureVerifies-last.SignatureVerifies != verifies || st.Signatures-last.Signatures != signatures || tries(card) != vcard.SignaturePINTries {
			t.Errorf("%s: password asked %d times, the card saw %d verifications and made %d signatures, %d tries left; want %d, %d, %d, %d",
				step, r.pinCalls, st.SignatureVerifies-last.SignatureVerifies, st.Signatures-last.Signatures, tries(card), pins, verifies, signatures, vcard.SignaturePINTries)
		}
		last = st
	}

	rec := file(2)
	last = card.Stats()
	r := &recorder{pin: vcard.SignaturePIN}
	st, err := a.Withdraw(ctx, flow.WithdrawRequest{Arrival: rec.ArrivalNumber, Credential: choice}, r.callbacks())
	if err != nil || st.Status != submit.StatusWithdrawn {
		t.Fatalf("withdraw: %+v, %v", st, err)
	}
	want("the signed withdrawal", r, 1, 2, 1)

	done := file(3)
	if _, err := svc.Advance(ctx, done.ArrivalNumber, service.SandboxAdvance{Status: submit.StatusCompleted}); err != nil {
		t.Fatal(err)
	}
	last = card.Stats()
	r = &recorder{pin: vcard.SignaturePIN}
	if _, err := a.Withdraw(ctx, flow.WithdrawRequest{Arrival: done.ArrivalNumber, Credential: choice}, r.callbacks()); !errors.Is(err, flow.ErrAlreadyProcessed) {
		t.Fatalf("withdrawal of a processed application: %v", err)
	}
	want("the withdrawal of a processed application", r, 0, 0, 0)

	asked := file(4)
	_, doc := form(t, a, service.ProcMoveOut, card.SignatureCredential().Cert)
	doc.Fields["members"] = 5
	amend := flow.AmendRequest{Arrival: asked.ArrivalNumber, Form: doc, Credential: choice}
	last = card.Stats()
	r = &recorder{pin: vcard.SignaturePIN}
	if _, err := a.Amend(ctx, amend, r.callbacks()); !errors.Is(err, flow.ErrAmendmentNotRequested) {
		t.Fatalf("an amendment nobody asked for: %v", err)
	}
	want("an amendment nobody asked for", r, 0, 0, 0)
	if _, err := svc.RequestCorrection(ctx, asked.ArrivalNumber, service.SandboxCorrection{Fields: []string{"fields.members"}, ReasonJA: "世帯の人数をご確認ください。"}); err != nil {
		t.Fatal(err)
	}
	out, err := a.Amend(ctx, amend, r.callbacks())
	if err != nil || out.Status.Status != submit.StatusReviewing {
		t.Fatalf("amend: %+v, %v", out, err)
	}
	want("the signed amendment", r, 1, 2, 1)
}
