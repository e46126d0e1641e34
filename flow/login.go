package flow

import (
	"context"
	"crypto/x509"
	"errors"
	"fmt"
	"time"

	"github.com/shinsei-app/shinsei/i18n"
	"github.com/shinsei-app/shinsei/signer"
	"github.com/shinsei-app/shinsei/submit"
)

// Login opens a session for the account (empty: the account kept in the
// keyring) with the password kept in the keyring, or asked through
// Callbacks.Secret when none is and kept once accepted. The session
// token is kept in the keyring until it expires.
func (a *App) Login(ctx context.Context, account string, cb Callbacks) (*submit.Session, error) {
	return a.login(ctx, account, false, cb)
}

// LoginEnteringPassword is Login with the password asked through
// Callbacks.Secret even when one is kept (it was changed, or the user
// types it each time); once the service accepted it, it replaces the
// kept one.
func (a *App) LoginEnteringPassword(ctx context.Context, account string, cb Callbacks) (*submit.Session, error) {
	return a.login(ctx, account, true, cb)
}

// LoggedOut is what Logout did.
type LoggedOut struct {
	// Account is the account logged out.
	Account string
	// SessionEnded is set when the service ended the session, or none
	// was open; otherwise SessionErr says why the service could not end
	// it, and it ends by itself at SessionExpires.
	SessionEnded   bool
	SessionErr     error
	SessionExpires time.Time
	// PasswordKept is set when the password stays in the keyring.
	PasswordKept bool
}

// DefaultAccount returns the account kept in the keyring for the service
// (the last registered or logged in with), or an error wrapping
// submit.ErrNotStored.
func (a *App) DefaultAccount(ctx context.Context) (string, error) {
	if err := a.needService(); err != nil {
		return "", err
	}
	return a.creds.DefaultAccount(ctx)
}

func (a *App) login(ctx context.Context, account string, ask bool, cb Callbacks) (*submit.Session, error) {
	if err := a.needService(); err != nil {
		return nil, err
	}
	account, err := a.resolveAccount(ctx, account)
	if errors.Is(err, ErrNoAccount) {
		if perr := a.unreachable(ctx, "login"); perr != nil {
			return nil, perr
		}
	}
	if err != nil {
		return nil, err
	}
	return a.passwordLogin(ctx, account, ask, cb)
}

// LoginWithCertificate opens a session by signing a challenge with the
// credential (companies in e-procurement), asking the PIN or password
// once.
func (a *App) LoginWithCertificate(ctx context.Context, choice CredentialChoice, cb Callbacks) (*submit.Session, error) {
	if err := a.needService(); err != nil {
		return nil, err
	}
	var s *submit.Session
	_, err := a.useCredential(ctx, choice, cb, a.checked(signing{
		check: func(cert *x509.Certificate) *Precheck { return a.precheck(ctx, cert, nil, nil, -1) },
		use: func(cred signer.Credential, _ *Precheck) error {
			ch, err := a.client.NewChallenge(ctx)
			if err != nil {
				return &Error{Op: "certificate login", Err: err}
			}
			cl, err := submit.SignChallenge(*ch, cred)
			if err != nil {
				return &Error{Op: "certificate login", Err: err}
			}
			if s, err = a.client.CertificateLogin(ctx, *cl); err != nil {
				return &Error{Op: "certificate login", Err: err}
			}
			return nil
		},
	}))
	if err != nil {
		return nil, err
	}
	if err := a.creds.SaveSession(ctx, *s); err != nil {
		return s, &Error{Op: "keep the session", Err: err}
	}
	return s, nil
}

// Logout ends the account's session at the service (empty: the account
// kept in the keyring) and removes its session from the keyring, and its
// password too unless keepPassword. A session the service could not end
// is not an error (it ends by itself): LoggedOut says so.
func (a *App) Logout(ctx context.Context, account string, keepPassword bool) (*LoggedOut, error) {
	if err := a.needService(); err != nil {
		return nil, err
	}
	account, err := a.resolveAccount(ctx, account)
	if err != nil {
		return nil, err
	}
	out := &LoggedOut{Account: account, SessionEnded: true, PasswordKept: keepPassword}
	s, err := a.creds.Session(ctx, account, a.now())
	switch {
	case err == nil:
		if lerr := a.client.Logout(ctx, s.Token); lerr != nil && !submit.IsReason(lerr, submit.ReasonLoginRequired) {
			// The session ends by itself; the keyring is cleaned anyway.
			out.SessionEnded, out.SessionErr, out.SessionExpires = false, lerr, s.ExpiresAt
		}
	case !errors.Is(err, submit.ErrNotStored):
		return nil, &Error{Op: "logout", Err: err}
	}
	if keepPassword {
		err = a.creds.DeleteSession(ctx, account)
	} else {
		err = a.creds.Forget(ctx, account)
	}
	if err != nil {
		return nil, &Error{Op: "logout", Err: err}
	}
	return out, nil
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
		return "", &Error{Op: "account", Err: err}
	}
	return id, nil
}

// unreachable returns the service's own failure when it cannot be
// reached or is not the API, for a use case that lacks an account: that
// the service is down is what the user must hear first, not that no
// account is kept. Nil when the service answers.
func (a *App) unreachable(ctx context.Context, op string) error {
	_, err := a.client.Procedures(ctx)
	if errors.Is(err, submit.ErrUnreachable) || errors.Is(err, submit.ErrNotAPI) {
		return &Error{Op: op, Err: err}
	}
	return nil
}

// resolveAccountFor is resolveAccount; with enter (a password typed for
// this run) a keyring that cannot be used is no account kept.
func (a *App) resolveAccountFor(ctx context.Context, account string, enter bool) (string, error) {
	id, err := a.resolveAccount(ctx, account)
	if enter && errors.Is(err, submit.ErrNoKeyring) {
		return "", fmt.Errorf("%w: %w", ErrNoAccount, err)
	}
	return id, err
}

// session is sessionToken, or with enter enteredSession.
func (a *App) session(ctx context.Context, account string, renew, enter bool, cb Callbacks) (string, error) {
	if enter {
		return a.enteredSession(ctx, account, renew, cb)
	}
	return a.sessionToken(ctx, account, renew, cb)
}

// enteredSession logs in with a password asked through cb.Secret, once
// per App and account: the session (and, to renew it, the password) is
// held in memory for the rest of the App's use, never read from the
// keyring; the session is kept there too when the keyring works.
func (a *App) enteredSession(ctx context.Context, account string, renew bool, cb Callbacks) (string, error) {
	a.enteredMu.Lock()
	defer a.enteredMu.Unlock()
	e := a.entered[account]
	if e.token != "" && !renew {
		return e.token, nil
	}
	if e.password == "" {
		if cb.Secret == nil {
			return "", fmt.Errorf("%w: Secret", ErrNoCallback)
		}
		b, err := cb.Secret(ctx, SecretRequest{Kind: SecretAccountPassword, Subject: account,
			Prompt: i18n.Text{Ja: "ID「" + account + "」のパスワードを入力してください。", En: "Enter the password of ID “" + account + "”."}})
		if err != nil {
			return "", err
		}
		e.password = string(b)
		clear(b)
	}
	s, err := a.client.Login(ctx, account, e.password)
	if err != nil {
		return "", &Error{Op: "login as " + account, Err: err}
	}
	e.token = s.Token
	if a.entered == nil {
		a.entered = map[string]enteredLogin{}
	}
	a.entered[account] = e
	_ = a.creds.SaveSession(ctx, *s) // best effort: the keyring is not needed here
	return s.Token, nil
}

// enteredLogin is a login made with a password typed for this run.
type enteredLogin struct{ password, token string }

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
			return "", &Error{Op: "account", Err: err}
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
		return nil, &Error{Op: "account " + account, Err: err}
	}
	s, err := a.client.Login(ctx, account, pw)
	if err != nil {
		return nil, &Error{Op: "login as " + account, Err: err}
	}
	if entered {
		if err := a.creds.SavePassword(ctx, account, pw); errors.Is(err, submit.ErrNoKeyring) {
			// Logged in, nothing kept: a batch without a keyring gives
			// the password to each command.
			return s, &Error{Op: "keep the password of " + account, Err: err}
		} else if err != nil {
			return nil, &Error{Op: "keep the password of " + account, Err: err}
		}
	}
	if err := a.creds.SaveSession(ctx, *s); err != nil {
		return nil, &Error{Op: "keep the session of " + account, Err: err}
	}
	return s, nil
}
