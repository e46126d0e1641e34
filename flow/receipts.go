package flow

import (
	"context"
	"slices"

	"github.com/shinsei-app/shinsei/submit"
)

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

// forService keeps the outbox items of the configured service.
func (a *App) forService(items []submit.Item, err error) ([]submit.Item, error) {
	if err != nil {
		return nil, &Error{Op: "outbox", Err: err}
	}
	return ofService(a, items, func(it submit.Item) string { return it.Service }), nil
}

// Receipts returns the receipts kept in the journal for the configured
// service, oldest first (every service's when none is configured).
func (a *App) Receipts() ([]submit.Record, error) {
	if err := a.needDataDir(); err != nil {
		return nil, err
	}
	recs, err := a.journal.Receipts()
	if err != nil {
		return nil, &Error{Op: "receipts", Err: err}
	}
	return ofService(a, recs, func(r submit.Record) string { return r.Service }), nil
}

// ofService keeps the entries of the configured service (all without
// one), in place.
func ofService[T any](a *App, all []T, service func(T) string) []T {
	if a.client == nil {
		return all
	}
	return slices.DeleteFunc(all, func(x T) bool { return service(x) != a.client.BaseURL() })
}

// SendPending sends the applications waiting in the outbox for the
// service and reports each outcome. Procedures that need a login use
// the session or password kept in the keyring. An item the service
// already holds (already-received) is reported with an
// *AlreadyFiledError, and is among the refused items, not sent again.
func (a *App) SendPending(ctx context.Context) ([]submit.Outcome, error) {
	return a.sendPending(ctx, false, Callbacks{})
}

// SendPendingEnteringPassword is SendPending logging in, where a
// procedure needs it, with a password asked through cb.Secret (once per
// account) instead of the one kept in the keyring, which is then not
// needed.
func (a *App) SendPendingEnteringPassword(ctx context.Context, cb Callbacks) ([]submit.Outcome, error) {
	return a.sendPending(ctx, true, cb)
}

func (a *App) sendPending(ctx context.Context, enter bool, cb Callbacks) ([]submit.Outcome, error) {
	if err := a.needService(); err != nil {
		return nil, err
	}
	if err := a.needDataDir(); err != nil {
		return nil, err
	}
	outs, err := a.outbox.Flush(ctx, a.sender(cb, enter))
	for i := range outs {
		outs[i].Err = alreadyFiledError(outs[i].Err)
	}
	if err != nil {
		return outs, &Error{Op: "send pending", Err: err}
	}
	return outs, nil
}

// record finds the journal's record of an application.
func (a *App) record(arrival string) (*submit.Record, bool) {
	if a.journal == nil {
		return nil, false
	}
	recs, err := a.journal.Receipts()
	if err != nil {
		return nil, false
	}
	for i := len(recs) - 1; i >= 0; i-- {
		if recs[i].Service == a.client.BaseURL() && recs[i].ArrivalNumber == arrival {
			return &recs[i], true
		}
	}
	return nil, false
}
