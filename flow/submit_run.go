package flow

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"

	"github.com/shinsei-app/shinsei/i18n"

	"github.com/shinsei-app/shinsei/submit"
)

func (a *App) submit(ctx context.Context, req SubmitRequest, cb Callbacks) (*submit.Record, error) {
	if err := a.needService(); err != nil {
		return nil, err
	}
	if err := a.needDataDir(); err != nil {
		return nil, err
	}
	var (
		path, media string
		proc        *submit.Procedure
	)
	switch {
	case req.Signed != nil:
		p := req.Signed.Procedure
		path, media, proc = req.Signed.Path, submit.MediaASiCE, &p
	case req.Form != nil:
		if req.Procedure == nil {
			return nil, fmt.Errorf("flow: submit: an unsigned form needs its procedure: %w", ErrFormInvalid)
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
		defer os.RemoveAll(work)
		path, media = filepath.Join(work, FormFileName), submit.MediaJSON
		if err := os.WriteFile(path, data, 0o600); err != nil {
			return nil, fmt.Errorf("flow: submit: %w", err)
		}
	case req.Path != "":
		in, err := submit.ReadInput(ctx, req.Path)
		if err != nil {
			return nil, fmt.Errorf("flow: submit: %w", err)
		}
		path, media, proc = in.Path, in.MediaType, req.Procedure
		if proc == nil {
			pi, err := a.Procedure(ctx, in.Form.Procedure)
			if err != nil {
				return nil, err
			}
			proc = &pi.Procedure
		}
	default:
		return nil, fmt.Errorf("flow: submit: nothing to submit: %w", ErrFormInvalid)
	}
	if signed := media == submit.MediaASiCE; proc.Level.NeedsSignature() != signed {
		return nil, &LevelError{Procedure: proc.ID, Level: proc.Level, Signed: signed}
	}
	account := ""
	if proc.Level.NeedsLogin() {
		var err error
		if account, err = a.resolveAccount(ctx, req.Account); err != nil {
			return nil, err
		}
		// Log in before queuing, so that a login that cannot be made
		// stops here with nothing queued.
		if _, err := a.sessionToken(ctx, account, false, cb); err != nil {
			return nil, err
		}
	}
	it, err := a.outbox.Add(ctx, submit.Draft{Service: a.client.BaseURL(), Account: account, Procedure: proc.ID,
		Level: proc.Level, MediaType: media, Path: path})
	if err != nil {
		return nil, fmt.Errorf("flow: submit: %w: %w", ErrNotQueued, err)
	}
	if cb.Queued != nil {
		cb.Queued(*it, *proc)
	}
	rec, err := a.outbox.Send(ctx, it.ID, a.sender(cb))
	if err != nil {
		return rec, fmt.Errorf("flow: submit: %w", err)
	}
	return rec, nil
}

// sender is how the outbox sends for this App.
func (a *App) sender(cb Callbacks) submit.Sender {
	return submit.Sender{Client: a.client, Journal: a.journal, Retry: a.cfg.Retry,
		Session: func(ctx context.Context, account string, renew bool) (string, error) {
			return a.sessionToken(ctx, account, renew, cb)
		},
		Progress: func(sent, total int64) { cb.progress(StageUpload, sent, total) },
	}
}

func (a *App) signAndSubmit(ctx context.Context, req SignRequest, account string, cb Callbacks) (*Signed, *submit.Record, error) {
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
		if _, err := a.sessionToken(ctx, acc, false, cb); err != nil {
			return nil, nil, err
		}
		account = acc
	}
	signed, err := a.sign(ctx, req, cb)
	if err != nil {
		return nil, nil, err
	}
	rec, err := a.submit(ctx, SubmitRequest{Signed: signed, Account: account}, cb)
	return signed, rec, err
}

// forService keeps the outbox items of the configured service.
func (a *App) forService(items []submit.Item, err error) ([]submit.Item, error) {
	if err != nil {
		return nil, fmt.Errorf("flow: outbox: %w", err)
	}
	return ofService(a, items, func(it submit.Item) string { return it.Service }), nil
}

func (a *App) receipts() ([]submit.Record, error) {
	if err := a.needDataDir(); err != nil {
		return nil, err
	}
	recs, err := a.journal.Receipts()
	if err != nil {
		return nil, fmt.Errorf("flow: receipts: %w", err)
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

func (a *App) sendPending(ctx context.Context) ([]submit.Outcome, error) {
	if err := a.needService(); err != nil {
		return nil, err
	}
	if err := a.needDataDir(); err != nil {
		return nil, err
	}
	outs, err := a.outbox.Flush(ctx, a.sender(Callbacks{}))
	if err != nil {
		return outs, fmt.Errorf("flow: send pending: %w", err)
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

// auth is how an inquiry about the application proves its right: the
// inquiry number given, else the one kept in the journal (unless an
// account is given), else the owner's session.
func (a *App) auth(ctx context.Context, q StatusQuery) (submit.Auth, string, error) {
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
	account, err := a.resolveAccount(ctx, account)
	if err != nil {
		return submit.Auth{}, "", err
	}
	tok, err := a.sessionToken(ctx, account, false, Callbacks{})
	if err != nil {
		return submit.Auth{}, "", err
	}
	return submit.Auth{Token: tok}, account, nil
}

func (a *App) status(ctx context.Context, q StatusQuery) (*submit.ApplicationStatus, error) {
	if err := a.needService(); err != nil {
		return nil, err
	}
	auth, account, err := a.auth(ctx, q)
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
		if auth.Token, err = a.sessionToken(ctx, account, true, Callbacks{}); err != nil {
			return nil, err
		}
		st, err = ask()
	}
	if err != nil {
		return st, fmt.Errorf("flow: status of %s: %w", q.Arrival, err)
	}
	return st, nil
}

// resolveAccount is the given account, else the keyring's default.
func (a *App) resolveAccount(ctx context.Context, account string) (string, error) {
	if account != "" {
		return account, nil
	}
	id, err := a.creds.DefaultAccount(ctx)
	if errors.Is(err, submit.ErrNotStored) {
		return "", fmt.Errorf("%w: %w", ErrNoAccount, err)
	}
	if err != nil {
		return "", fmt.Errorf("flow: %w", err)
	}
	return id, nil
}

// sessionToken returns a session token for account: the one kept in the
// keyring unless renew, else a login with the password kept there — or,
// when none is kept and cb.Secret is set, asked for and kept once the
// service accepted it.
func (a *App) sessionToken(ctx context.Context, account string, renew bool, cb Callbacks) (string, error) {
	if !renew {
		s, err := a.creds.Session(ctx, account, a.now())
		if err == nil {
			return s.Token, nil
		}
		if !errors.Is(err, submit.ErrNotStored) {
			return "", fmt.Errorf("flow: %w", err)
		}
	}
	s, err := a.passwordLogin(ctx, account, false, cb)
	if err != nil {
		return "", err
	}
	return s.Token, nil
}

// passwordLogin logs in with the kept password, or one asked for: when
// none is kept, or always with ask.
func (a *App) passwordLogin(ctx context.Context, account string, ask bool, cb Callbacks) (*submit.Session, error) {
	var (
		pw      string
		err     error
		entered bool
	)
	if ask {
		if cb.Secret == nil {
			return nil, fmt.Errorf("%w: Secret", ErrNoCallback)
		}
		err = submit.ErrNotStored
	} else {
		pw, err = a.creds.Password(ctx, account)
	}
	if errors.Is(err, submit.ErrNotStored) && cb.Secret != nil {
		b, serr := cb.Secret(ctx, SecretRequest{Kind: SecretAccountPassword, Subject: account,
			Prompt: i18n.Text{Ja: "ID「" + account + "」のパスワードを入力してください。", En: "Enter the password of ID “" + account + "”."}})
		if serr != nil {
			return nil, serr
		}
		pw, err, entered = string(b), nil, true
		clear(b)
	}
	if err != nil {
		return nil, fmt.Errorf("flow: account %s: %w", account, err)
	}
	s, err := a.client.Login(ctx, account, pw)
	if err != nil {
		return nil, fmt.Errorf("flow: login as %s: %w", account, err)
	}
	if entered {
		if err := a.creds.SavePassword(ctx, account, pw); err != nil {
			return nil, fmt.Errorf("flow: keep the password of %s: %w", account, err)
		}
	}
	if err := a.creds.SaveSession(ctx, *s); err != nil {
		return nil, fmt.Errorf("flow: keep the session of %s: %w", account, err)
	}
	return s, nil
}
