package flow

import (
	"context"

	"github.com/shinsei-app/shinsei/submit"
)

// SubmitRequest is what Submit sends: a package Sign made, an unsigned
// form for a procedure that takes one, or a file made elsewhere.
type SubmitRequest struct {
	// Signed is a package made by Sign.
	Signed *Signed
	// Procedure and Form are an unsigned submission (levels none and
	// idpw); Procedure is also used with Path.
	Procedure *submit.Procedure
	Form      *submit.FormDocument
	// Path is a signed package (.asice) or JSON form made elsewhere; its
	// procedure is read from its form when Procedure is nil.
	Path string
	// Account is the account to log in with when the procedure needs a
	// login; empty means the account kept in the keyring.
	Account string
}

// Submit sends an application through the outbox: it is copied there
// durably before anything is sent, so it survives a crash or a lost
// connection (SendPending sends it later with the same idempotency key,
// never twice). When the procedure needs a login, the session kept in the
// keyring is used, or a login made with the password kept there (asked
// through Callbacks.Secret when none is, and kept once accepted) — before
// anything is queued. Upload progress is reported as StageUpload. The
// receipt is recorded in the journal and returned.
func (a *App) Submit(ctx context.Context, req SubmitRequest, cb Callbacks) (*submit.Record, error) {
	return a.submit(ctx, req, cb)
}

// SignAndSubmit signs (Sign) and submits (Submit) in one go, logging in
// before the PIN is asked when the procedure needs a login. When signing
// succeeded and submitting failed, the Signed package is returned with
// the error; it stays in the outbox when the error is submit.ErrKept.
func (a *App) SignAndSubmit(ctx context.Context, req SignRequest, account string, cb Callbacks) (*Signed, *submit.Record, error) {
	return a.signAndSubmit(ctx, req, account, cb)
}

// Receipts returns the receipts kept in the journal for the configured
// service, oldest first (every service's when none is configured).
func (a *App) Receipts() ([]submit.Record, error) { return a.receipts() }

// Pending returns the applications waiting in the outbox for the
// configured service (every service's when none is configured).
func (a *App) Pending() ([]submit.Item, error) {
	if err := a.needDataDir(); err != nil {
		return nil, err
	}
	return a.forService(a.outbox.Pending())
}

// Refused returns the applications the service refused for good, kept
// with its reason (Item.Problem) in the outbox's refused area, for the
// configured service (every service's when none is configured).
func (a *App) Refused() ([]submit.Item, error) {
	if err := a.needDataDir(); err != nil {
		return nil, err
	}
	return a.forService(a.outbox.Refused())
}

// SendPending sends the applications waiting in the outbox for the
// service and reports each outcome. Procedures that need a login use
// the session or password kept in the keyring.
func (a *App) SendPending(ctx context.Context) ([]submit.Outcome, error) {
	return a.sendPending(ctx)
}

// RefreshStatus asks the service where an application is: with its
// inquiry number from the journal (an anonymous submission), else as the
// logged-in owner (with the session or password kept in the keyring).
func (a *App) RefreshStatus(ctx context.Context, arrival string) (*submit.ApplicationStatus, error) {
	return a.status(ctx, StatusQuery{Arrival: arrival})
}

// StatusQuery is what Status asks about, and how it proves its right.
type StatusQuery struct {
	// Arrival is the application's arrival number.
	Arrival string
	// InquiryNumber proves the right to ask about an anonymous
	// application; empty means the one kept in the journal, unless
	// Account is given.
	InquiryNumber string
	// Account asks as this owner, with the session or password kept in
	// the keyring; empty means the account the journal names for the
	// application, else the keyring's default.
	Account string
	// Poll, when set, asks again until the application is completed or
	// returned (submit.Client.Poll); when ctx ends first, the last status
	// seen is returned with ctx's error.
	Poll *submit.PollOptions
}

// Status asks the service where an application is (RefreshStatus with
// the inquiry number or account given, and optionally polling).
func (a *App) Status(ctx context.Context, q StatusQuery) (*submit.ApplicationStatus, error) {
	return a.status(ctx, q)
}
