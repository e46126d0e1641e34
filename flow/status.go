package flow

import (
	"context"
	"errors"

	"github.com/shinsei-app/shinsei/submit"
)

// RefreshStatus asks the service where an application is: with its
// inquiry number from the journal (an anonymous submission), else as the
// logged-in owner (with the session or password kept in the keyring).
func (a *App) RefreshStatus(ctx context.Context, arrival string) (*submit.ApplicationStatus, error) {
	return a.Status(ctx, StatusQuery{Arrival: arrival})
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
	// EnterPassword logs in, when the owner's session is needed, with a
	// password asked through Callbacks.Secret instead of the one kept in
	// the keyring, which is then not needed.
	EnterPassword bool
	// Poll, when set, asks again until the application's status is
	// settled (submit.Client.Poll: completed, returned, withdrawn, or a
	// correction requested); when ctx ends first, the last status seen is
	// returned with ctx's error.
	Poll *submit.PollOptions
}

// auth is how an inquiry about the application proves its right: the
// inquiry number given, else the one kept in the journal (unless an
// account is given), else the owner's session.
func (a *App) auth(ctx context.Context, q StatusQuery, cb Callbacks) (submit.Auth, string, error) {
	if q.InquiryNumber != "" {
		return submit.Auth{InquiryNumber: q.InquiryNumber}, "", nil
	}
	account := q.Account
	if account == "" {
		if rec, ok := a.record(q.Arrival); ok {
			if rec.InquiryNumber != "" {
				return submit.Auth{InquiryNumber: rec.InquiryNumber}, "", nil
			}
			account = rec.Account
		}
	}
	account, err := a.resolveAccountFor(ctx, account, q.EnterPassword)
	if errors.Is(err, ErrNoAccount) {
		if perr := a.unreachable(ctx, "status of "+q.Arrival); perr != nil {
			return submit.Auth{}, "", perr
		}
	}
	if err != nil {
		return submit.Auth{}, "", err
	}
	tok, err := a.session(ctx, account, false, q.EnterPassword, cb)
	if err != nil {
		return submit.Auth{}, "", err
	}
	return submit.Auth{Token: tok}, account, nil
}

// Status asks the service where an application is (RefreshStatus with
// the inquiry number or account given, and optionally polling).
func (a *App) Status(ctx context.Context, q StatusQuery) (*submit.ApplicationStatus, error) {
	return a.StatusAsking(ctx, q, Callbacks{})
}

// StatusAsking is Status with the callbacks a login may need
// (Callbacks.Secret, with StatusQuery.EnterPassword).
func (a *App) StatusAsking(ctx context.Context, q StatusQuery, cb Callbacks) (*submit.ApplicationStatus, error) {
	if err := a.needService(); err != nil {
		return nil, err
	}
	auth, account, err := a.auth(ctx, q, cb)
	if err != nil {
		return nil, err
	}
	ask := func() (*submit.ApplicationStatus, error) {
		if q.Poll != nil {
			return a.client.Poll(ctx, q.Arrival, auth, *q.Poll)
		}
		return a.client.Status(ctx, q.Arrival, auth)
	}
	st, err := ask()
	if submit.IsReason(err, submit.ReasonLoginRequired) && account != "" {
		if auth.Token, err = a.session(ctx, account, true, q.EnterPassword, cb); err != nil {
			return nil, err
		}
		st, err = ask()
	}
	if err != nil {
		return st, &Error{Op: "status of " + q.Arrival, Err: err}
	}
	return st, nil
}
