package ui

import (
	"context"
	"strings"
	"sync/atomic"
	"testing"

	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"github.com/shinsei-app/shinsei/flow"
	"github.com/shinsei-app/shinsei/pkcs11"
	"github.com/shinsei-app/shinsei/sandbox/kit"
	"github.com/shinsei-app/shinsei/sandbox/service"
	"github.com/shinsei-app/shinsei/submit"
)

// filed counts the signed filings of the tests.
var filed atomic.Int64

// fileForTest files an application through flow with cfg (the same data
// folder and keyring as the window's), as the window would have: the
// bulky waste form, or the move-out notification signed on the SoftHSM
// card.
func fileForTest(t *testing.T, cfg flow.Config, signed bool) *submit.Record {
	t.Helper()
	ctx := context.Background()
	a, err := flow.Open(ctx, cfg)
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close()
	if !signed {
		p, err := a.Procedure(ctx, service.ProcBulkyWaste)
		if err != nil {
			t.Fatal(err)
		}
		doc := &submit.FormDocument{Procedure: service.ProcBulkyWaste,
			Applicant: map[string]any{"name": "高橋　花子", "address": "東京都千代田区千代田1-1"}, Fields: service.SampleFields(service.ProcBulkyWaste)}
		rec, err := a.Submit(ctx, flow.SubmitRequest{Procedure: &p.Procedure, Form: doc}, flow.Callbacks{})
		if err != nil {
			t.Fatal(err)
		}
		return rec
	}
	p, err := a.Procedure(ctx, service.ProcMoveOut)
	if err != nil {
		t.Fatal(err)
	}
	doc, err := flow.ParseForm([]byte(movingForm))
	if err != nil {
		t.Fatal(err)
	}
	// Each filing differs, so that no two carry the same signature.
	doc.Fields["members"] = int(filed.Add(1)) + 2
	cb := flow.Callbacks{
		PIN: func(context.Context, pkcs11.PINRequest) (pkcs11.PINAnswer, error) {
			return pkcs11.PINAnswer{PIN: []byte(kit.PIN)}, nil
		},
		ConfirmSign: func(context.Context, *flow.Precheck) (bool, error) { return true, nil },
	}
	_, rec, err := a.SignAndSubmit(ctx, flow.SignRequest{Procedure: p.Procedure, Form: doc,
		Credential: flow.CredentialChoice{Token: pkcs11.Selector{Label: kit.TokenLabel}}}, "", cb)
	if err != nil {
		t.Fatal(err)
	}
	return rec
}

// refreshEntry asks the status of an entry of the history.
func (h *harness) refreshEntry(hist *history, arrival string) {
	h.t.Helper()
	btn, ok := hist.refresh[arrival]
	if !ok {
		h.t.Fatalf("the history has no entry %s", arrival)
	}
	test.Tap(btn)
	h.wait("status")
}

// serviceStatus asks the service where an application is, with cfg.
func serviceStatus(t *testing.T, cfg flow.Config, arrival string) submit.Status {
	t.Helper()
	a, err := flow.Open(context.Background(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close()
	st, err := a.RefreshStatus(context.Background(), arrival)
	if err != nil {
		t.Fatal(err)
	}
	return st.Status
}

func TestAnApplicationIsWithdrawnFromItsHistoryEntryAfterAConfirmation(t *testing.T) {
	cfg := config(t)
	rec := fileForTest(t, cfg, false)
	h := newHarness(t, cfg)
	hist := h.openHistory()
	if _, ok := hist.life.withdraws[rec.ArrivalNumber]; ok {
		t.Fatal("a withdraw button is offered before the status is known")
	}
	h.refreshEntry(hist, rec.ArrivalNumber)
	btn, ok := hist.life.withdraws[rec.ArrivalNumber]
	if !ok || btn.Text != "取り下げる" || btn.Importance != widget.DangerImportance {
		t.Fatalf("a received application offers no 「取り下げる」 button (%v)", ok)
	}
	if _, ok := hist.life.amends[rec.ArrivalNumber]; ok {
		t.Error("a correction is offered while none is requested")
	}

	// Cancelled in the dialog: nothing is sent.
	test.Tap(btn)
	h.wait("withdraw-confirm")
	if hist.life.choice != nil {
		t.Error("an anonymous application's withdrawal offers a card or file to sign with")
	}
	hist.life.confirm.Dismiss()
	if got := serviceStatus(t, cfg, rec.ArrivalNumber); got != submit.StatusReceived {
		t.Fatalf("after Cancel the service says %s", got)
	}

	test.Tap(btn)
	h.wait("withdraw-confirm")
	hist.life.confirm.Confirm()
	h.wait("withdrawn")
	if state := hist.states[rec.ArrivalNumber].Text; !strings.Contains(state, tr("history.withdrawn")) || !strings.Contains(state, "経過：到達 ") || !strings.Contains(state, "→ 取下げ ") {
		t.Errorf("the entry reads %q after the withdrawal", state)
	}
	if _, ok := hist.life.withdraws[rec.ArrivalNumber]; ok {
		t.Error("a withdrawn application still offers 「取り下げる」")
	}
	if got := serviceStatus(t, cfg, rec.ArrivalNumber); got != submit.StatusWithdrawn {
		t.Errorf("the service says %s", got)
	}
}

func TestASignedApplicationIsWithdrawnWithTheCardChosenInTheDialogAfterOnePIN(t *testing.T) {
	cfg := config(t)
	rec := fileForTest(t, cfg, true)
	h := newHarness(t, cfg)
	hist := h.openHistory()
	h.refreshEntry(hist, rec.ArrivalNumber)
	test.Tap(hist.life.withdraws[rec.ArrivalNumber])
	h.wait("withdraw-confirm")
	if hist.life.choice == nil || len(hist.life.choice.Options) == 0 || hist.life.choice.Selected == "" {
		t.Fatal("the dialog offers no card or file to sign the withdrawal with")
	}
	hist.life.confirm.Confirm()
	h.wait("pin")
	test.Type(h.s.pin.entry, kit.PIN)
	test.Tap(h.s.pin.ok)
	h.wait("withdrawn")
	if h.count("pin") != 1 {
		t.Errorf("the PIN was asked %d times", h.count("pin"))
	}
	if got := serviceStatus(t, cfg, rec.ArrivalNumber); got != submit.StatusWithdrawn {
		t.Errorf("the service says %s", got)
	}
}

func TestACorrectionRequestOpensTheOriginalFormWithItsFieldsMarkedAndTheAmendmentIsSigned(t *testing.T) {
	cfg := config(t)
	rec := fileForTest(t, cfg, true)
	if _, err := world.svc.RequestCorrection(context.Background(), rec.ArrivalNumber, service.SandboxCorrection{
		Fields: []string{"fields.new_address"}, ReasonJA: "転出先の番地をご確認ください。"}); err != nil {
		t.Fatal(err)
	}
	h := newHarness(t, cfg)
	hist := h.openHistory()
	h.refreshEntry(hist, rec.ArrivalNumber)
	amend, ok := hist.life.amends[rec.ArrivalNumber]
	if !ok || amend.Text != "補正する" {
		t.Fatal("a correction request offers no 「補正する」 button")
	}
	if _, ok := hist.life.withdraws[rec.ArrivalNumber]; !ok {
		t.Error("an application asked to be corrected may still be withdrawn, but no button says so")
	}
	test.Tap(amend)
	h.wait("correction")
	if state := hist.states[rec.ArrivalNumber].Text; !strings.Contains(state, "転出先の番地をご確認ください。") || !strings.Contains(state, "千代田区長") {
		t.Errorf("the entry reads %q: want the reason and the official who signed the request", state)
	}
	h.chooseToken()
	f := h.s.form
	if f.note.Text != tr("form.applicant_original") {
		t.Errorf("the applicant note reads %q", f.note.Text)
	}
	if len(f.marked) != 1 || f.marked[0] != "fields.new_address" {
		t.Fatalf("the form marks %v, want the new address only", f.marked)
	}
	if f.proxy != nil {
		t.Error("an amendment's form offers 「代理で申請する」")
	}
	if got := f.fields["new_address"].(*widget.Entry).Text; got == "" || f.applicant["name"].Text != "高橋　花子" {
		t.Fatalf("the form is not the original: new address %q, name %q", got, f.applicant["name"].Text)
	}
	f.fields["new_address"].(*widget.Entry).SetText("大阪府大阪市北区中之島1-3-21")
	test.Tap(f.next)
	h.enterPIN(kit.PIN)
	h.confirmSign()
	h.wait("amended")
	if h.count("pin") != 1 {
		t.Errorf("the PIN was asked %d times", h.count("pin"))
	}
	if got := serviceStatus(t, cfg, rec.ArrivalNumber); got != submit.StatusReviewing {
		t.Errorf("after the amendment the service says %s", got)
	}
	hist = h.s.history.get()
	if !strings.Contains(hist.status.Text, tr("history.amended")) {
		t.Errorf("the history says %q", hist.status.Text)
	}
	// The entry shows each step: received, correction requested, amended.
	if state := hist.states[rec.ArrivalNumber].Text; !strings.Contains(state, "到達 ") || !strings.Contains(state, "補正依頼 ") || !strings.Contains(state, "→ 補正 ") {
		t.Errorf("the entry reads %q, want each step of its history", state)
	}
}

func TestAProcessedApplicationOffersNeitherWithdrawalNorCorrection(t *testing.T) {
	cfg := config(t)
	rec := fileForTest(t, cfg, false)
	if _, err := world.svc.Advance(context.Background(), rec.ArrivalNumber, service.SandboxAdvance{Status: submit.StatusCompleted}); err != nil {
		t.Fatal(err)
	}
	h := newHarness(t, cfg)
	hist := h.openHistory()
	h.refreshEntry(hist, rec.ArrivalNumber)
	if _, ok := hist.life.withdraws[rec.ArrivalNumber]; ok {
		t.Error("a completed application offers 「取り下げる」")
	}
	if _, ok := hist.life.amends[rec.ArrivalNumber]; ok {
		t.Error("a completed application offers 「補正する」")
	}
	if state := hist.states[rec.ArrivalNumber].Text; !strings.Contains(state, "完了") || !strings.Contains(state, "→ 処理 ") {
		t.Errorf("the entry reads %q", state)
	}
}
