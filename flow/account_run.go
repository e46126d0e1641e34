package flow

import (
	"context"
	"crypto/x509"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"

	"github.com/shinsei-app/shinsei/i18n"

	"github.com/shinsei-app/shinsei/identity"
	"github.com/shinsei-app/shinsei/signer"
	"github.com/shinsei-app/shinsei/submit"
)

func (a *App) register(ctx context.Context, req RegisterRequest, cb Callbacks) (*Account, error) {
	if err := a.needService(); err != nil {
		return nil, err
	}
	// A password the service issues must land in the keyring.
	if err := a.creds.Probe(ctx); err != nil {
		return nil, fmt.Errorf("flow: register: %w", err)
	}
	reg := submit.Registration{Type: "registration", Email: req.Email, UserType: req.UserType}
	if req.ChoosePassword {
		if cb.Secret == nil {
			return nil, fmt.Errorf("%w: Secret", ErrNoCallback)
		}
		b, err := cb.Secret(ctx, SecretRequest{Kind: SecretNewPassword, MinLen: MinPasswordLen,
			Prompt: i18n.Text{Ja: fmt.Sprintf("新しいアカウントのパスワードを決めて入力してください（%d文字以上）。", MinPasswordLen), En: fmt.Sprintf("Choose the new account's password (at least %d characters).", MinPasswordLen)},
		})
		if err != nil {
			return nil, err
		}
		n := runeLen(b)
		reg.Password = string(b)
		clear(b)
		if n < MinPasswordLen {
			return nil, ErrPasswordTooShort
		}
	}
	work, err := a.privateTemp("register")
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(work)
	var acc *submit.Account
	_, err = a.useCredential(ctx, req.Credential, cb, a.checked(signing{
		confirmRequired: true,
		check:           func(cert *x509.Certificate) *Precheck { return a.precheck(ctx, cert, nil, nil, -1) },
		use: func(cred signer.Credential, _ *Precheck) error {
			if reg.UserType == "" {
				reg.UserType = userTypeOf(cred.Cert)
			}
			if reg.UserType != submit.UserResident && reg.UserType != submit.UserCompany {
				return fmt.Errorf("flow: register: %w: %q", ErrUserType, reg.UserType)
			}
			ch, err := a.client.NewChallenge(ctx)
			if err != nil {
				return fmt.Errorf("flow: register: %w", err)
			}
			reg.Challenge = ch.Challenge
			pkg, err := registrationPackage(ctx, work, reg, cred, cb)
			if err != nil {
				return err
			}
			acc, err = a.client.Register(ctx, pkg)
			clear(pkg)
			if err != nil {
				return fmt.Errorf("flow: register: %w", err)
			}
			return nil
		},
	}))
	if err != nil {
		return nil, err
	}
	out := &Account{ID: acc.AccountID, UserType: acc.UserType, Service: a.client.BaseURL()}
	password := reg.Password
	if acc.InitialPassword != "" {
		password, out.GeneratedPassword = acc.InitialPassword, acc.InitialPassword
	}
	if password == "" {
		return out, fmt.Errorf("flow: register: account %s was registered but the service sent no password: %w", acc.AccountID, submit.ErrBadReply)
	}
	if err := a.creds.SavePassword(ctx, acc.AccountID, password); err != nil {
		return out, fmt.Errorf("flow: register: account %s was registered, but its password could not be kept: %w", acc.AccountID, err)
	}
	return out, nil
}

// checked drops the pre-check and the confirmation from s when the App is
// configured without them (Config.NoPrecheck).
func (a *App) checked(s signing) signing {
	if a.cfg.NoPrecheck {
		s.check, s.confirmRequired = nil, false
	}
	return s
}

// userTypeOf tells a company's registry certificate from a resident's.
func userTypeOf(cert *x509.Certificate) submit.UserType {
	if _, err := identity.FromCorporate(cert); err == nil {
		return submit.UserCompany
	}
	if _, err := identity.FromJPKI(cert); err == nil {
		return submit.UserResident
	}
	return ""
}

// registrationPackage signs reg as the form of a package in dir and
// returns the package's bytes.
func registrationPackage(ctx context.Context, dir string, reg submit.Registration, cred signer.Credential, cb Callbacks) ([]byte, error) {
	form, err := json.Marshal(reg)
	if err != nil {
		return nil, fmt.Errorf("flow: register: %w", err)
	}
	formPath := filepath.Join(dir, "registration.json")
	err = os.WriteFile(formPath, form, 0o600)
	clear(form)
	if err != nil {
		return nil, fmt.Errorf("flow: register: %w", err)
	}
	defer os.Remove(formPath)
	pkgPath := filepath.Join(dir, "registration.asice")
	if _, err := signer.Build(ctx, pkgPath, []signer.File{{Path: formPath}}, cred, signer.BuildOptions{
		Progress: func(done, total int64) { cb.progress(StageHashing, done, total) }}); err != nil {
		return nil, fmt.Errorf("flow: register: %w", err)
	}
	defer os.Remove(pkgPath)
	data, err := os.ReadFile(pkgPath)
	if err != nil {
		return nil, fmt.Errorf("flow: register: %w", err)
	}
	return data, nil
}

func (a *App) login(ctx context.Context, account string, ask bool, cb Callbacks) (*submit.Session, error) {
	if err := a.needService(); err != nil {
		return nil, err
	}
	account, err := a.resolveAccount(ctx, account)
	if err != nil {
		return nil, err
	}
	return a.passwordLogin(ctx, account, ask, cb)
}

func (a *App) loginWithCertificate(ctx context.Context, choice CredentialChoice, cb Callbacks) (*submit.Session, error) {
	if err := a.needService(); err != nil {
		return nil, err
	}
	var s *submit.Session
	_, err := a.useCredential(ctx, choice, cb, a.checked(signing{
		check: func(cert *x509.Certificate) *Precheck { return a.precheck(ctx, cert, nil, nil, -1) },
		use: func(cred signer.Credential, _ *Precheck) error {
			ch, err := a.client.NewChallenge(ctx)
			if err != nil {
				return fmt.Errorf("flow: certificate login: %w", err)
			}
			cl, err := submit.SignChallenge(*ch, cred)
			if err != nil {
				return fmt.Errorf("flow: certificate login: %w", err)
			}
			if s, err = a.client.CertificateLogin(ctx, *cl); err != nil {
				return fmt.Errorf("flow: certificate login: %w", err)
			}
			return nil
		},
	}))
	if err != nil {
		return nil, err
	}
	if err := a.creds.SaveSession(ctx, *s); err != nil {
		return s, fmt.Errorf("flow: keep the session: %w", err)
	}
	return s, nil
}

func (a *App) logout(ctx context.Context, account string, keepPassword bool) (*LoggedOut, error) {
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
		return nil, fmt.Errorf("flow: logout: %w", err)
	}
	if keepPassword {
		err = a.creds.DeleteSession(ctx, account)
	} else {
		err = a.creds.Forget(ctx, account)
	}
	if err != nil {
		return nil, fmt.Errorf("flow: logout: %w", err)
	}
	return out, nil
}
