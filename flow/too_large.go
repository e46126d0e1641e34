package flow

import (
	"context"
	"errors"
	"fmt"

	"github.com/shinsei-app/shinsei/submit"
)

// TooLargeError is the service's refusal of an application larger than
// its procedure accepts (reason too-large, HTTP 413), with the limit the
// catalogue gives for the procedure, so that the message can name it.
// It wraps the send's error (a refused *submit.SendError around the
// *submit.ProblemError): the application is kept among the refused ones.
type TooLargeError struct {
	// Procedure is the procedure's ID.
	Procedure string
	// Limit is the procedure's limit on an application in bytes
	// (MaxPackageBytes); 0 when the catalogue could not be read.
	Limit int64
	// Signed is set for a signed package (its attachments count toward
	// the limit); unset for a form sent unsigned.
	Signed bool
	// Err is the send's error.
	Err error
}

// Error names the procedure and the limit.
func (e *TooLargeError) Error() string {
	if e.Limit > 0 {
		return fmt.Sprintf("flow: procedure %s accepts at most %d bytes per application: %v", e.Procedure, e.Limit, e.Err)
	}
	return fmt.Sprintf("flow: too large for procedure %s: %v", e.Procedure, e.Err)
}

// Unwrap gives the send's error.
func (e *TooLargeError) Unwrap() error { return e.Err }

// LimitText is the limit in words ("64MB"), empty when not known.
func (e *TooLargeError) LimitText() string {
	if e.Limit <= 0 {
		return ""
	}
	return sizeText(e.Limit, false)
}

// tooLarge turns the service's too-large refusal of a send into a
// *TooLargeError with the limit: for a form sent unsigned, the service's
// limit on a JSON body (submit.MaxForm); for a package, the procedure's
// in the catalogue, read now (the procedure at hand may be an older copy),
// else proc's. Any other error is returned as it is.
func (a *App) tooLarge(ctx context.Context, err error, proc submit.Procedure, media string) error {
	var prob *submit.ProblemError
	if err == nil || !errors.As(err, &prob) || prob.Problem.Reason != submit.ReasonTooLarge {
		return err
	}
	tl := &TooLargeError{Procedure: proc.ID, Signed: media == submit.MediaASiCE, Err: err}
	switch {
	case !tl.Signed:
		tl.Limit = submit.MaxForm
	default:
		if p, perr := a.client.Procedure(ctx, proc.ID); perr == nil {
			tl.Limit = MaxPackageBytes(*p)
		} else if proc.Form.MaxPackageBytes > 0 {
			tl.Limit = proc.Form.MaxPackageBytes
		}
	}
	return tl
}
