package flow

import (
	"context"
	"crypto/x509"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"

	"github.com/shinsei-app/shinsei/internal/fsx"
	"github.com/shinsei-app/shinsei/pkcs11"
	"github.com/shinsei-app/shinsei/signer"
	"github.com/shinsei-app/shinsei/submit"
)

// Errors of the steps after the receipt: withdrawal and amendment. The
// service's refusals come back wrapped in them (with the
// *submit.ProblemError beside), so that a surface tells them apart with
// errors.Is.
var (
	// ErrAlreadyProcessed: the municipality processed the application
	// (completed or returned it), so it can no longer be withdrawn or
	// corrected. Nothing was signed or sent.
	ErrAlreadyProcessed = errors.New("flow: the application was already processed")
	// ErrNotApplicant: the withdrawal or amendment was signed by someone
	// other than the holder of the certificate that signed the
	// application; the service refused it.
	ErrNotApplicant = errors.New("flow: signed by someone other than the applicant")
	// ErrAmendmentNotRequested: the municipality asks for no correction
	// of the application now (none was asked, it was answered, or the
	// application was withdrawn or processed).
	ErrAmendmentNotRequested = errors.New("flow: no correction is requested for the application")
	// ErrCorrectionUnverified: the notice that asks for the correction
	// did not verify as the municipality's (NoticeReport says why), so
	// the fields it names are not used.
	ErrCorrectionUnverified = errors.New("flow: the request for correction could not be verified")
)

// WithdrawRequest is what Withdraw withdraws, and how it proves the
// right to.
type WithdrawRequest struct {
	// Arrival is the application's arrival number.
	Arrival string
	// InquiryNumber, Account and EnterPassword prove the right to the
	// application as for a status inquiry (StatusQuery).
	InquiryNumber string
	Account       string
	EnterPassword bool
	// Reason is the applicant's own words, optional.
	Reason string
	// Credential signs the withdrawal of an application whose procedure
	// needs a signature: the same holder's card or certificate file.
	Credential CredentialChoice
}

func (r WithdrawRequest) query() StatusQuery {
	return StatusQuery{Arrival: r.Arrival, InquiryNumber: r.InquiryNumber, Account: r.Account, EnterPassword: r.EnterPassword}
}

// Withdraw withdraws an application (取下げ) the municipality has not
// processed yet, proven with the same kind of credential the application
// needed: its inquiry number (level none), the owner's login (idpw), a
// withdrawal request signed by the applicant (signature: one PIN entry
// or the file's password, after the same checks before the PIN as every
// signature, and the pre-check and confirmation unless
// Config.NoPrecheck).
//
// The status is asked first: an application already completed or
// returned ends with ErrAlreadyProcessed before any PIN is asked or
// anything signed; one already withdrawn is answered with its status.
// The service's answer is kept in the receipts journal (an
// Answer of kind withdrawn) and returned. A signature by someone else is
// refused by the service: ErrNotApplicant.
func (a *App) Withdraw(ctx context.Context, req WithdrawRequest, cb Callbacks) (*submit.ApplicationStatus, error) {
	if err := a.needService(); err != nil {
		return nil, err
	}
	op := "withdraw " + req.Arrival
	q := req.query()
	st, err := a.StatusAsking(ctx, q, cb)
	if err != nil {
		return nil, err
	}
	switch st.Status {
	case submit.StatusWithdrawn:
		return st, nil
	case submit.StatusCompleted, submit.StatusReturned:
		return st, &Error{Op: op, Err: fmt.Errorf("%w (%s)", ErrAlreadyProcessed, st.Status)}
	}
	proc, err := a.Procedure(ctx, st.Procedure)
	if err != nil {
		return nil, err
	}
	auth, _, err := a.auth(ctx, q, cb)
	if err != nil {
		return nil, err
	}
	w := submit.Withdrawal{Type: submit.WithdrawalType, ArrivalNumber: req.Arrival, Reason: req.Reason}
	body, err := json.Marshal(w)
	if err != nil {
		return nil, &Error{Op: op, Err: err}
	}
	var out *submit.ApplicationStatus
	if !proc.Level.NeedsSignature() {
		if out, err = a.client.Withdraw(ctx, req.Arrival, auth, submit.MediaJSON, body); err != nil {
			return nil, lifecycleError(op, err)
		}
	} else {
		if !req.Credential.given() {
			return nil, &Error{Op: op + ": the application was signed, so its withdrawal must be signed", Err: ErrNoCredential}
		}
		work, err := a.privateTemp("withdraw")
		if err != nil {
			return nil, err
		}
		defer fsx.RemoveAll(work)
		_, err = a.useCredential(ctx, req.Credential, cb, a.checked(signing{
			confirmRequired: true,
			check:           func(cert *x509.Certificate) *Precheck { return a.precheck(ctx, cert, nil, nil, -1) },
			use: func(cred signer.Credential, _ *Precheck) error {
				pkg, err := smallPackage(ctx, work, "withdrawal.json", body, cred, cb)
				if err != nil {
					return &Error{Op: op, Err: err}
				}
				if out, err = a.client.Withdraw(ctx, req.Arrival, auth, submit.MediaASiCE, pkg); err != nil {
					return lifecycleError(op, err)
				}
				return nil
			},
		}))
		if err != nil {
			return nil, err
		}
	}
	at := out.UpdatedAt
	if ev := out.LastEvent(submit.EventWithdrawn); ev != nil {
		at = ev.At
	}
	if err := a.keepAnswer(out, submit.Answer{Kind: submit.EventWithdrawn, Status: out.Status, At: at}); err != nil {
		return out, &Error{Op: op + ": withdrawn, but the answer could not be kept in the receipts journal", Err: err}
	}
	return out, nil
}

// lifecycleError wraps the service's refusal of a withdrawal or an
// amendment in the sentinel that names it.
func lifecycleError(op string, err error) error {
	for r, s := range map[submit.Reason]error{submit.ReasonAlreadyProcessed: ErrAlreadyProcessed,
		submit.ReasonNotApplicant: ErrNotApplicant, submit.ReasonAmendmentNotRequested: ErrAmendmentNotRequested} {
		if submit.IsReason(err, r) {
			return &Error{Op: op, Err: fmt.Errorf("%w: %w", s, err)}
		}
	}
	return &Error{Op: op, Err: err}
}

// keepAnswer records the service's answer about st's application in the
// receipts journal, beside its receipt (when the journal holds one, with
// its account and inquiry number).
func (a *App) keepAnswer(st *submit.ApplicationStatus, ans submit.Answer) error {
	if a.journal == nil {
		return nil
	}
	rec := submit.Record{Service: a.client.BaseURL(), Procedure: st.Procedure, ArrivalNumber: st.ArrivalNumber,
		InquiryNumber: st.InquiryNumber, ReceivedAt: st.ReceivedAt, PackageSHA256: st.PackageSHA256}
	if r, ok := a.record(st.ArrivalNumber); ok {
		rec.Account, rec.InquiryNumber = r.Account, r.InquiryNumber
	}
	rec.RecordedAt = a.now().UTC()
	rec.Answer = &ans
	return a.journal.Append(rec)
}

// Answers returns the service's answers to withdrawals and amendments
// kept in the journal for the configured service, oldest first.
func (a *App) Answers() ([]submit.Record, error) {
	if err := a.needDataDir(); err != nil {
		return nil, err
	}
	recs, err := a.journal.Answers()
	if err != nil {
		return nil, &Error{Op: "receipts", Err: err}
	}
	return ofService(a, recs, func(r submit.Record) string { return r.Service }), nil
}

// smallPackage signs data as the only file, name, of a package in dir
// and returns the package's bytes.
func smallPackage(ctx context.Context, dir, name string, data []byte, cred signer.Credential, cb Callbacks) ([]byte, error) {
	formPath := filepath.Join(dir, name)
	if err := os.WriteFile(formPath, data, 0o600); err != nil {
		return nil, err
	}
	pkgPath := filepath.Join(dir, "request.asice")
	if _, err := signer.Build(ctx, pkgPath, []signer.File{{Path: formPath}}, cred, signer.BuildOptions{
		Progress: func(done, total int64) { cb.progress(StageHashing, done, total) }}); err != nil {
		return nil, err
	}
	return os.ReadFile(pkgPath)
}

// given reports whether anything was chosen: a file, a module, a token or
// a key.
func (c CredentialChoice) given() bool {
	return c.P12 != "" || c.Module != "" || c.Token != (pkcs11.Selector{}) || c.KeyID != nil
}
