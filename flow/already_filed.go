package flow

import (
	"errors"
	"fmt"

	"github.com/shinsei-app/shinsei/submit"
)

// ErrAlreadyFiled is matched by *AlreadyFiledError: the service already
// holds this signed package (the same signature), filed before — from
// this or another device, in another session, or without one — and did
// not store it again. The item left the outbox for the refused items, so
// it is not sent again.
var ErrAlreadyFiled = errors.New("flow: the service already holds this signed package; it was not filed again")

// AlreadyFiledError is the service's already-received answer to a
// submission. It matches ErrAlreadyFiled, and unwraps to the outbox's
// *submit.SendError as well.
type AlreadyFiledError struct {
	// ArrivalNumber is the earlier application's, told only to the
	// account that filed it; "" for anyone else (and for a package first
	// filed without a session).
	ArrivalNumber string
	// Item is the outbox item, now among the refused items.
	Item submit.Item
	send error
}

// Error names the arrival number when the service told it.
func (e *AlreadyFiledError) Error() string {
	if e.ArrivalNumber != "" {
		return fmt.Sprintf("%v (arrival number %s)", ErrAlreadyFiled, e.ArrivalNumber)
	}
	return ErrAlreadyFiled.Error()
}

// Unwrap returns ErrAlreadyFiled and the outbox's error.
func (e *AlreadyFiledError) Unwrap() []error { return []error{ErrAlreadyFiled, e.send} }

// alreadyFiledError turns the outbox's refusal of an item as
// already-received into an *AlreadyFiledError; any other error is
// returned as it is.
func alreadyFiledError(err error) error {
	var se *submit.SendError
	var pe *submit.ProblemError
	if !errors.As(err, &se) || !se.Refused || !errors.As(err, &pe) || pe.Problem.Reason != submit.ReasonAlreadyReceived {
		return err
	}
	return &AlreadyFiledError{ArrivalNumber: pe.Problem.ArrivalNumber, Item: se.Item, send: err}
}
