//go:build cgo && linux

package flow_test

import (
	"context"
	"errors"
	"slices"
	"testing"

	"github.com/shinsei-app/shinsei/flow"
	"github.com/shinsei-app/shinsei/internal/testenv"
	"github.com/shinsei-app/shinsei/pkcs11"
	"github.com/shinsei-app/shinsei/sandbox/kit"
	"github.com/shinsei-app/shinsei/sandbox/pki"
	"github.com/shinsei-app/shinsei/sandbox/service"
	"github.com/shinsei-app/shinsei/submit"
)

// signedMoveOut signs and files the resident's move-out notification on
// the card-like token and returns its receipt.
func signedMoveOut(t *testing.T, a *flow.App, w *world, change func(*submit.FormDocument)) *submit.Record {
	t.Helper()
	proc, doc := form(t, a, service.ProcMoveOut, w.resident.Cert)
	if change != nil {
		change(doc)
	}
	r := &recorder{pin: flowPIN}
	_, rec, err := a.SignAndSubmit(context.Background(), flow.SignRequest{Procedure: proc.Procedure, Form: doc, Credential: residentToken()}, "", r.callbacks())
	if err != nil {
		t.Fatal(err)
	}
	return rec
}

func TestAnApplicationIsWithdrawnWithTheCredentialItNeededAndTheAnswerIsKept(t *testing.T) {
	w := getWorld(t)
	svc := startService(t, w.pki, w.reg)
	a, _ := openApp(t, svc, w.pki, []*pkcs11.Library{testenv.SoftHSM(t)})
	ctx := context.Background()

	t.Run("an anonymous application is withdrawn with its inquiry number and nothing is asked", func(t *testing.T) {
		proc, doc := form(t, a, service.ProcBulkyWaste, w.resident.Cert)
		rec, err := a.Submit(ctx, flow.SubmitRequest{Procedure: &proc.Procedure, Form: doc}, flow.Callbacks{})
		if err != nil {
			t.Fatal(err)
		}
		r := &recorder{}
		st, err := a.Withdraw(ctx, flow.WithdrawRequest{Arrival: rec.ArrivalNumber, Reason: "不要になりました"}, r.callbacks())
		if err != nil || st.Status != submit.StatusWithdrawn {
			t.Fatalf("withdraw: %+v, %v", st, err)
		}
		if r.pinCalls+r.secretCalls+r.okCall != 0 {
			t.Errorf("the user was asked %d times", r.pinCalls+r.secretCalls+r.okCall)
		}
		// Withdrawn again: the same answer, and one answer in the journal.
		if st, err := a.Withdraw(ctx, flow.WithdrawRequest{Arrival: rec.ArrivalNumber}, r.callbacks()); err != nil || st.Status != submit.StatusWithdrawn {
			t.Fatalf("withdraw again: %+v, %v", st, err)
		}
		answers, err := a.Answers()
		if err != nil || len(answers) != 1 || answers[0].ArrivalNumber != rec.ArrivalNumber || answers[0].Answer.Kind != submit.EventWithdrawn {
			t.Fatalf("answers %+v, %v", answers, err)
		}
		if recs, _ := a.Receipts(); slices.ContainsFunc(recs, func(r submit.Record) bool { return r.Answer != nil }) {
			t.Error("an answer is listed among the receipts")
		}
	})

	t.Run("a signed application is withdrawn by a request signed on the card after one PIN", func(t *testing.T) {
		rec := signedMoveOut(t, a, w, func(d *submit.FormDocument) { d.Fields["members"] = 3 })
		r := &recorder{pin: flowPIN}
		if _, err := a.Withdraw(ctx, flow.WithdrawRequest{Arrival: rec.ArrivalNumber}, r.callbacks()); !errors.Is(err, flow.ErrNoCredential) || r.pinCalls != 0 {
			t.Fatalf("without a credential: %v after %d PIN prompts, want ErrNoCredential before any", err, r.pinCalls)
		}
		st, err := a.Withdraw(ctx, flow.WithdrawRequest{Arrival: rec.ArrivalNumber, Credential: residentToken()}, r.callbacks())
		if err != nil || st.Status != submit.StatusWithdrawn {
			t.Fatalf("withdraw: %+v, %v", st, err)
		}
		if r.pinCalls != 1 {
			t.Errorf("PIN asked %d times, want once", r.pinCalls)
		}
		if h := st.History; len(h) != 2 || h[1].Kind != submit.EventWithdrawn {
			t.Errorf("history %+v", h)
		}
	})

	t.Run("someone else's signature is refused by the service as not the applicant's", func(t *testing.T) {
		rec := signedMoveOut(t, a, w, func(d *submit.FormDocument) { d.Fields["members"] = 4 })
		other, err := w.pki.IssueResident(pki.Resident{Name: "佐藤　次郎", Sex: "1", BirthDate: "419900101", Address: "東京都千代田区九段南一丁目２番１号"}, pki.ResidentOptions{})
		if err != nil {
			t.Fatal(err)
		}
		w.reg.Record(w.pki.JPKISign, other.Cert)
		der, err := other.PKCS12(kit.P12Password)
		if err != nil {
			t.Fatal(err)
		}
		r := &recorder{secrets: map[flow.SecretKind]string{flow.SecretP12Password: kit.P12Password}}
		_, err = a.Withdraw(ctx, flow.WithdrawRequest{Arrival: rec.ArrivalNumber, Credential: flow.P12File(p12File(t, der))}, r.callbacks())
		if !errors.Is(err, flow.ErrNotApplicant) || !submit.IsReason(err, submit.ReasonNotApplicant) {
			t.Fatalf("got %v, want ErrNotApplicant", err)
		}
		if st, _ := a.RefreshStatus(ctx, rec.ArrivalNumber); st.Status != submit.StatusReceived {
			t.Errorf("the status is %s after a refused withdrawal", st.Status)
		}
	})

	t.Run("a processed application is refused before any PIN is asked", func(t *testing.T) {
		rec := signedMoveOut(t, a, w, func(d *submit.FormDocument) { d.Fields["members"] = 5 })
		if _, err := svc.Advance(ctx, rec.ArrivalNumber, service.SandboxAdvance{Status: submit.StatusCompleted}); err != nil {
			t.Fatal(err)
		}
		r := &recorder{pin: flowPIN}
		_, err := a.Withdraw(ctx, flow.WithdrawRequest{Arrival: rec.ArrivalNumber, Credential: residentToken()}, r.callbacks())
		if !errors.Is(err, flow.ErrAlreadyProcessed) || r.pinCalls != 0 {
			t.Fatalf("got %v after %d PIN prompts, want ErrAlreadyProcessed before any", err, r.pinCalls)
		}
	})
}

func TestACorrectionRequestIsReadFromItsVerifiedNoticeAndAnsweredByASignedAmendment(t *testing.T) {
	w := getWorld(t)
	svc := startService(t, w.pki, w.reg)
	a, _ := openApp(t, svc, w.pki, []*pkcs11.Library{testenv.SoftHSM(t)})
	ctx := context.Background()
	rec := signedMoveOut(t, a, w, nil)

	r := &recorder{pin: flowPIN}
	proc, doc := form(t, a, service.ProcMoveOut, w.resident.Cert)
	doc.Fields["new_address"] = "大阪府大阪市北区中之島一丁目３番２１号"
	amend := flow.AmendRequest{Arrival: rec.ArrivalNumber, Form: doc, Credential: residentToken()}
	if _, err := a.Amend(ctx, amend, r.callbacks()); !errors.Is(err, flow.ErrAmendmentNotRequested) || r.pinCalls != 0 {
		t.Fatalf("an amendment nobody asked for: %v after %d PIN prompts", err, r.pinCalls)
	}

	if _, err := svc.RequestCorrection(ctx, rec.ArrivalNumber, service.SandboxCorrection{Fields: []string{"fields.new_address", "applicant.address"},
		ReasonJA: "転出先の番地をご確認ください。", ReasonEN: "Please check the block number of the new address."}); err != nil {
		t.Fatal(err)
	}
	c, err := a.CorrectionRequest(ctx, flow.StatusQuery{Arrival: rec.ArrivalNumber}, flow.Callbacks{})
	if err != nil {
		t.Fatal(err)
	}
	if !c.Notice.OK() || !slices.Equal(c.Fields, []string{"fields.new_address", "applicant.address"}) || c.Reason.Ja != "転出先の番地をご確認ください。" {
		t.Fatalf("correction %+v (notice OK %v)", c, c.Notice.OK())
	}
	if got := c.MarkedFields(proc.Procedure); !slices.Equal(got, []string{"applicant.address", "fields.new_address"}) {
		t.Errorf("marked fields %v, want the form's order", got)
	}

	// A form of another procedure is refused before any PIN.
	_, wrong := form(t, a, service.ProcChildAllowance, w.resident.Cert)
	if _, err := a.Amend(ctx, flow.AmendRequest{Arrival: rec.ArrivalNumber, Form: wrong, Credential: residentToken()}, r.callbacks()); !errors.Is(err, flow.ErrFormInvalid) || r.pinCalls != 0 {
		t.Fatalf("a form of another procedure: %v after %d PIN prompts", err, r.pinCalls)
	}

	orig, err := a.OriginalForm(ctx, rec.ArrivalNumber)
	if err != nil || orig == nil || orig.Procedure != service.ProcMoveOut || orig.Fields["new_address"] == doc.Fields["new_address"] {
		t.Fatalf("the original form kept on this computer: %+v, %v", orig, err)
	}
	out, err := a.Amend(ctx, amend, r.callbacks())
	if err != nil {
		t.Fatal(err)
	}
	if r.pinCalls != 1 || r.okCall != 1 {
		t.Errorf("PIN asked %d times and confirmation %d times, want once each", r.pinCalls, r.okCall)
	}
	want := []submit.EventKind{submit.EventReceived, submit.EventCorrectionRequested, submit.EventAmended}
	var got []submit.EventKind
	for _, h := range out.Status.History {
		got = append(got, h.Kind)
	}
	if out.Status.Status != submit.StatusReviewing || !slices.Equal(got, want) {
		t.Fatalf("after the amendment: %s %v", out.Status.Status, got)
	}
	answers, err := a.Answers()
	if err != nil || len(answers) != 1 || answers[0].Answer.Kind != submit.EventAmended || answers[0].Answer.PackageSHA256 != out.Status.LastEvent(submit.EventAmended).PackageSHA256 {
		t.Fatalf("answers %+v, %v", answers, err)
	}

	// Answered: a second amendment is not asked for, and no PIN is spent.
	r2 := &recorder{pin: flowPIN}
	if _, err := a.Amend(ctx, amend, r2.callbacks()); !errors.Is(err, flow.ErrAmendmentNotRequested) || r2.pinCalls != 0 {
		t.Errorf("a second amendment: %v after %d PIN prompts", err, r2.pinCalls)
	}
}
