package flow

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"

	"github.com/shinsei-app/shinsei/internal/fsx"
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
	// Again sends a package even when the journal holds a receipt for the
	// very same package (SHA-256) from this service; without it Submit
	// sends nothing and returns that receipt with an *AlreadyReceivedError.
	// The surface asks the user before setting it. A signed package the
	// service already holds is still not stored again: the service
	// answers already-received (*AlreadyFiledError).
	Again bool
	// EnterPassword logs in with a password asked through
	// Callbacks.Secret (once per run) instead of the one kept in the
	// keyring, which is then not needed (a batch without a keyring).
	EnterPassword bool
	// stampAsked is set by SignAndSubmit when the time-stamp authority
	// failed moments ago while signing: it is not asked (and waited for)
	// a second time.
	stampAsked bool
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
	if err := a.needService(); err != nil {
		return nil, err
	}
	if err := a.needDataDir(); err != nil {
		return nil, err
	}
	var (
		path, media string
		proc        *submit.Procedure
		checked     bool // alreadyFiled was asked
	)
	switch {
	case req.Signed != nil:
		p := req.Signed.Procedure
		path, media, proc = req.Signed.Path, submit.MediaASiCE, &p
	case req.Form != nil:
		if req.Procedure == nil {
			return nil, &Error{Op: "submit: an unsigned form needs its procedure", Err: ErrFormInvalid}
		}
		proc = req.Procedure
		if err := CheckForm(req.Form, *proc, -1); err != nil {
			return nil, err
		}
		data, err := marshalForm(req.Form)
		if err != nil {
			return nil, err
		}
		work, err := a.privateTemp("submit")
		if err != nil {
			return nil, err
		}
		defer fsx.RemoveAll(work)
		path, media = filepath.Join(work, FormFileName), submit.MediaJSON
		if err := os.WriteFile(path, data, 0o600); err != nil {
			return nil, &Error{Op: "submit", Err: err}
		}
	case req.Path != "":
		if err := checkInputFile(req.Path); err != nil {
			return nil, err // a FIFO or device is refused at once, never opened
		}
		in, err := submit.ReadInput(ctx, req.Path)
		if err != nil {
			return nil, &Error{Op: "submit", Err: err}
		}
		path, media, proc = in.Path, in.MediaType, req.Procedure
		if proc == nil {
			// Nothing filed twice: a package already received or queued
			// is found before the service is asked anything.
			checked = true
			if rec, done, err := a.alreadyFiled(ctx, path, req, cb); done {
				return rec, err
			}
			pi, err := a.Procedure(ctx, in.Form.Procedure)
			switch {
			case errors.Is(err, submit.ErrUnreachable):
				// Nothing lost: queued now, its level asked when the
				// service answers again (SendPending).
				proc = &submit.Procedure{ID: in.Form.Procedure, Level: submit.LevelUnresolved}
			case err != nil:
				return nil, err
			default:
				proc = &pi.Procedure
			}
		}
	default:
		return nil, &Error{Op: "submit: nothing to submit", Err: ErrFormInvalid}
	}
	if !checked {
		if rec, done, err := a.alreadyFiled(ctx, path, req, cb); done {
			return rec, err
		}
	}
	if err := a.checkCarried(req.Signed, path, media); err != nil {
		return nil, err
	}
	if media == submit.MediaASiCE && !req.stampAsked {
		a.stampBeforeSubmit(ctx, path)
	}
	if signed := media == submit.MediaASiCE; proc.Level != submit.LevelUnresolved && proc.Level.NeedsSignature() != signed {
		return nil, &LevelError{Procedure: proc.ID, Level: proc.Level, Signed: signed}
	}
	account := req.Account
	withSession := false
	if named := proxyAccount(req.Signed, path, media); named != "" {
		// A proxy named by account files from that account's session.
		account, withSession = named, true
	}
	if proc.Level.NeedsLogin() || withSession {
		var err error
		if account, err = a.resolveAccount(ctx, account); err != nil {
			return nil, err
		}
		// Log in before queuing, so that a login that cannot be made
		// stops here with nothing queued — unless the service cannot be
		// reached: then the application is queued, and the login is made
		// when it is sent.
		if _, err := a.session(ctx, account, false, req.EnterPassword, cb); err != nil && !errors.Is(err, submit.ErrUnreachable) {
			return nil, err
		}
	}
	var kept keptUnsigned
	if media == submit.MediaJSON {
		// Kept as filed, for a correction request to open (OriginalForm).
		kept = a.keepUnsignedForm(path, proc.ID)
	}
	it, err := a.outbox.Add(ctx, submit.Draft{Service: a.client.BaseURL(), Account: account, Procedure: proc.ID,
		Level: proc.Level, MediaType: media, Path: path, WithSession: withSession})
	if err != nil {
		kept.drop()
		return nil, &Error{Op: "submit", Err: fmt.Errorf("%w: %w", ErrNotQueued, err)}
	}
	if req.Form == nil {
		rec, err := a.sendQueued(ctx, it, *proc, req.EnterPassword, cb)
		a.dropUnlessFiled(kept, err)
		return rec, err
	}
	// An unsigned form is this attempt's own copy: a cancel withdraws it
	// from the outbox as SignAndSubmit's does a signed package, unless it
	// went out in full once (then it may have arrived, and the error
	// says it stays queued).
	var guard cancelGuard
	rec, err := a.sendQueued(ctx, it, *proc, req.EnterPassword, guard.callbacks(ctx, cb))
	if guard.cancelled(ctx, err) {
		err = a.withdraw(ctx.Err(), nil, false, it.ID)
		a.dropUnlessFiled(kept, err)
		return nil, err
	}
	a.dropUnlessFiled(kept, err)
	return rec, guard.mayHaveArrived(ctx, err)
}

// sendQueued sends an item of the outbox now, telling cb.Queued first.
func (a *App) sendQueued(ctx context.Context, it *submit.Item, proc submit.Procedure, enter bool, cb Callbacks) (*submit.Record, error) {
	if cb.Queued != nil {
		cb.Queued(*it, proc)
	}
	rec, err := a.outbox.Send(ctx, it.ID, a.sender(cb, enter))
	if err != nil {
		return rec, &Error{Op: "submit", Err: a.tooLarge(ctx, alreadyFiledError(err), proc, it.MediaType)}
	}
	return rec, nil
}

// alreadyFiled keeps a package from being filed twice: one the journal
// holds a receipt for (at this service) is not sent unless req.Again,
// and one waiting in the outbox is sent as that item, with its
// idempotency key. done reports that Submit ends with rec and err.
func (a *App) alreadyFiled(ctx context.Context, path string, req SubmitRequest, cb Callbacks) (rec *submit.Record, done bool, err error) {
	sha, err := fileSHA256(ctx, path)
	if err != nil {
		return nil, true, &Error{Op: "submit", Err: err}
	}
	if r, ok := a.Received(sha); ok && !req.Again {
		return r, true, &Error{Op: "submit", Err: &AlreadyReceivedError{Record: *r}}
	}
	if it, ok := a.queuedAs(sha); ok {
		proc := submit.Procedure{ID: it.Procedure, Level: it.Level}
		if req.Procedure != nil && req.Procedure.ID == it.Procedure {
			proc = *req.Procedure
		}
		rec, err := a.sendQueued(ctx, it, proc, req.EnterPassword, cb)
		return rec, true, err
	}
	return nil, false, nil
}

// sender is how the outbox sends for this App: with the session kept in
// the keyring, or, with enter, one logged in with a password asked
// through cb.Secret.
func (a *App) sender(cb Callbacks, enter bool) submit.Sender {
	return submit.Sender{Client: a.client, Journal: a.journal, Retry: a.cfg.Retry,
		Session: func(ctx context.Context, account string, renew bool) (string, error) {
			account, err := a.resolveAccountFor(ctx, account, enter)
			if err != nil {
				return "", err
			}
			return a.session(ctx, account, renew, enter, cb)
		},
		Progress: func(sent, total int64) { cb.progress(StageUpload, sent, total) },
		Resolve: func(ctx context.Context, procedure string) (submit.AuthLevel, error) {
			p, err := a.client.Procedure(ctx, procedure)
			if err != nil {
				return "", err
			}
			return p.Level, nil
		},
	}
}

// SignAndSubmit signs (Sign) and submits (Submit) in one go, logging in
// before the PIN is asked when the procedure needs a login. When signing
// succeeded and submitting failed, the Signed package is returned with
// the error; it stays in the outbox when the error is submit.ErrKept.
//
// Cancelling ctx leaves nothing behind at any stage: before the package
// is complete Sign writes nothing; after it, the package (when Sign chose
// its path) is removed and the outbox item withdrawn, and the error is
// context.Canceled. Only an item that went out in full once stays, since
// the service may hold it (the error then says so, as Submit's does).
func (a *App) SignAndSubmit(ctx context.Context, req SignRequest, account string, cb Callbacks) (*Signed, *submit.Record, error) {
	if err := a.needService(); err != nil {
		return nil, nil, err
	}
	if err := a.needDataDir(); err != nil {
		return nil, nil, err
	}
	if req.Procedure.Level.NeedsLogin() {
		acc, err := a.resolveAccount(ctx, account)
		if err != nil {
			return nil, nil, err
		}
		if _, err := a.session(ctx, acc, false, false, cb); err != nil {
			return nil, nil, err
		}
		account = acc
		req.account = acc
	}
	signed, err := a.Sign(ctx, req, cb)
	if err != nil {
		return nil, nil, err
	}
	// Nothing left behind on Cancel: from here on, a cancel removes the
	// package Sign made and withdraws the item queued for it, unless the
	// item went out in full once (then it may have arrived, and stays to
	// be asked about with its idempotency key).
	var guard cancelGuard
	if ctx.Err() == nil {
		var rec *submit.Record
		rec, err = a.Submit(ctx, SubmitRequest{Signed: signed, Account: account, stampAsked: signed.TimestampNote != nil}, guard.callbacks(ctx, cb))
		if err == nil || ctx.Err() == nil {
			return signed, rec, err
		}
	}
	if guard.fullySent.Load() {
		return signed, nil, guard.mayHaveArrived(ctx, err)
	}
	return nil, nil, a.withdraw(ctx.Err(), signed, req.Out == "", guard.queued)
}

// withdraw undoes an application cancelled before it went out in full:
// the outbox item queued for it (when there is one) and, for a signed
// one, the package, when Sign chose its path (a path the caller named is
// the caller's). The error is the cancellation, or what could not be
// removed beside it.
func (a *App) withdraw(cause error, signed *Signed, ownPath bool, queued string) error {
	var errs []error
	if queued != "" {
		if err := a.outbox.Withdraw(queued); err != nil && !errors.Is(err, submit.ErrNoItem) {
			errs = append(errs, err)
		}
	}
	if ownPath {
		if err := os.Remove(signed.Path); err != nil && !errors.Is(err, fs.ErrNotExist) {
			errs = append(errs, err)
		}
	}
	return &Error{Op: "submit: cancelled", Err: errors.Join(append([]error{cause}, errs...)...)}
}
