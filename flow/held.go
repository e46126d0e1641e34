package flow

import (
	"context"
	"errors"

	"github.com/shinsei-app/shinsei/submit"
)

// SendHeld sends one application waiting in the outbox now (an item
// Pending lists), with its idempotency key, so it never arrives twice,
// and returns its receipt, recorded in the journal. A procedure that
// needs a login uses the session or password kept in the keyring, asking
// through cb.Secret when none is kept. When it is not received, the error
// says where the item is now (*submit.SendError: still held, or refused;
// refused as too large, inside a *TooLargeError with the limit).
func (a *App) SendHeld(ctx context.Context, id string, cb Callbacks) (*submit.Record, error) {
	if err := a.needService(); err != nil {
		return nil, err
	}
	if err := a.needDataDir(); err != nil {
		return nil, err
	}
	rec, err := a.outbox.Send(ctx, id, a.sender(cb, false))
	if err != nil {
		var se *submit.SendError
		if errors.As(err, &se) {
			err = a.tooLarge(ctx, alreadyFiledError(err), submit.Procedure{ID: se.Item.Procedure}, se.Item.MediaType)
		}
		return rec, &Error{Op: "send held " + id, Err: err}
	}
	return rec, nil
}

// Refusal is the service's refusal of an item Refused lists, as the
// error the service answered (a *submit.ProblemError, with its reason and
// its messages in both languages), so that it is explained like any
// other; nil when the item holds no refusal.
func Refusal(it submit.Item) error {
	if it.Problem == nil {
		return nil
	}
	return &submit.ProblemError{Status: it.HTTPStatus, Problem: *it.Problem}
}
