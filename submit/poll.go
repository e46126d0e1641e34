package submit

import (
	"context"
	"time"
)

// PollOptions configure Poll.
type PollOptions struct {
	// Interval is the time between inquiries; zero means one minute. It
	// grows to four times that while the service cannot be reached, and
	// follows the service's Retry-After when it asks to slow down.
	Interval time.Duration
	// Done says when to stop; nil stops at a settled status
	// (Status.Settled: completed, returned, withdrawn, or waiting for the
	// applicant's correction).
	Done func(*ApplicationStatus) bool
}

// Poll asks for an application's status until opts.Done is satisfied, ctx
// ends, or the service gives a definite refusal (not found, not allowed).
// Transient failures (unreachable, 5xx, rate limits) are waited out. On
// ctx's end it returns the last status seen, if any, with ctx's error.
func (c *Client) Poll(ctx context.Context, arrival string, auth Auth, opts PollOptions) (*ApplicationStatus, error) {
	interval := opts.Interval
	if interval <= 0 {
		interval = time.Minute
	}
	done := opts.Done
	if done == nil {
		done = func(s *ApplicationStatus) bool { return s.Status.Settled() }
	}
	var last *ApplicationStatus
	wait := interval
	for {
		st, err := c.Status(ctx, arrival, auth)
		switch {
		case err == nil:
			last, wait = st, interval
			if done(st) {
				return st, nil
			}
		case ctx.Err() != nil:
			return last, err
		case !Retryable(err):
			return last, err
		default:
			wait = min(2*wait, 4*interval)
			if ra := retryAfterOf(err); ra > wait {
				wait = ra
			}
		}
		t := time.NewTimer(wait)
		select {
		case <-ctx.Done():
			t.Stop()
			return last, ctx.Err()
		case <-t.C:
		}
	}
}
