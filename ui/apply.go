package ui

import (
	"context"
	"errors"

	"github.com/shinsei-app/shinsei/flow"
	"github.com/shinsei-app/shinsei/submit"
)

// runApplication signs (when the procedure needs it) and sends the draft:
// flow asks for the PIN or password, shows the pre-check through the
// panel, reports progress; the receipt screen ends it. Any failure is
// explained where it happened and nothing is retried by itself.
func (s *shell) runApplication() {
	a := s.flowApp()
	if a == nil || s.draft == nil {
		return
	}
	d := s.draft
	ctx, cancel := context.WithCancel(s.ctx)
	prog := newProgress(s, cancel)
	s.progress = prog
	cb := s.callbacks(prog)
	if !d.proc.Level.NeedsSignature() {
		s.showApply(prog.view())
		s.event("progress")
	}
	go func() {
		defer cancel()
		if d.amend != nil {
			out, err := a.Amend(ctx, flow.AmendRequest{Arrival: d.amend.Arrival, Form: d.form, Attachments: d.attachments,
				Credential: d.credential}, cb)
			onMain(func() { s.finishAmendment(out, err) })
			return
		}
		var rec *submit.Record
		var signed *flow.Signed
		var err error
		if d.proc.Level.NeedsSignature() {
			signed, rec, err = a.SignAndSubmit(ctx, flow.SignRequest{Procedure: d.proc.Procedure, Form: d.form,
				Attachments: d.attachments, Credential: d.credential, FillApplicant: d.fillsAfterPIN(),
				PowerOfAttorney: d.poaPath()}, "", cb)
		} else {
			proc := d.proc.Procedure
			rec, err = a.Submit(ctx, flow.SubmitRequest{Procedure: &proc, Form: d.form}, cb)
		}
		var note error
		if signed != nil {
			note = signed.TimestampNote
		}
		onMain(func() { s.finishApplication(rec, err, note) })
	}()
}

// finishApplication shows the receipt, or what went wrong and what to do;
// note is why the signature has no time-stamp (Signed.TimestampNote), shown
// on the receipt.
func (s *shell) finishApplication(rec *submit.Record, err error, note error) {
	defer s.returnMemoryAfterNextFrame() // the signing and sending are over, whatever the outcome
	var pe *flow.PrecheckError
	switch {
	case err == nil && rec != nil:
		s.receipt = newReceiptScreen(s, *rec, note)
		s.showApply(s.receipt.view())
		s.event("receipt")
	case errors.As(err, &pe) && pe.Precheck != nil:
		s.showFailedPrecheck(pe.Precheck)
	case errors.Is(err, submit.ErrKept):
		// Before a cancel: an application that went out in full stays
		// queued even when cancelled, since it may have arrived.
		s.backToForm(tr("apply.kept"))
		s.showError(err)
	case errors.Is(err, context.Canceled):
		s.backToForm(tr("progress.cancelled"))
	case errors.Is(err, flow.ErrDeclined):
		s.backToForm(tr("precheck.declined"))
	case errors.Is(err, errPINCancelled):
		s.backToForm("")
	default:
		s.backToForm("")
		s.showError(err)
	}
}
