package flow

import (
	"context"
	"errors"
	"sync/atomic"

	"github.com/shinsei-app/shinsei/submit"
)

// cancelGuard follows one attempt to send an application, so that a
// cancel leaves nothing behind: it notes the outbox item queued for the
// attempt and whether its body went out in full once. An item that went
// out in full may have arrived and stays, to be asked about with its
// idempotency key; any other is the attempt's own and is withdrawn.
type cancelGuard struct {
	queued    string
	fullySent atomic.Bool
}

// callbacks wraps cb to note the item queued and the upload's end.
func (g *cancelGuard) callbacks(ctx context.Context, cb Callbacks) Callbacks {
	inner := cb
	cb.Queued = func(it submit.Item, proc submit.Procedure) {
		g.queued = it.ID
		if inner.Queued != nil {
			inner.Queued(it, proc)
		}
	}
	cb.Progress = func(stage Stage, done, total int64) {
		// Read in full after the cancel, a body cannot have gone out in
		// full: the cancel closes the connection it is written to.
		if stage == StageUpload && total > 0 && done >= total && ctx.Err() == nil {
			g.fullySent.Store(true)
		}
		if inner.Progress != nil {
			inner.Progress(stage, done, total)
		}
	}
	return cb
}

// cancelled reports whether the attempt ended by a cancel that must be
// undone: ctx was cancelled, the attempt failed, and nothing went out in
// full (otherwise the error is the send's, which says the application
// stays queued since it may have arrived).
func (g *cancelGuard) cancelled(ctx context.Context, err error) bool {
	return err != nil && ctx.Err() != nil && !g.fullySent.Load()
}

// mayHaveArrived words the error of an attempt cancelled after its body
// went out in full: the transport reports only the cancel, yet the
// service may hold the application, so the kept item's error says so
// (submit.SendError.MayHaveArrived) rather than "not delivered". Any
// other error is returned as it is.
func (g *cancelGuard) mayHaveArrived(ctx context.Context, err error) error {
	var se *submit.SendError
	if err == nil || ctx.Err() == nil || !g.fullySent.Load() || !errors.As(err, &se) || se.Refused || se.NotSent || se.MayHaveArrived() {
		return err
	}
	se.Err = &submit.NetError{Op: "request", Sent: true, Err: se.Err}
	return err
}
