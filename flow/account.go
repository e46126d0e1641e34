package flow

import (
	"context"
	"crypto/x509"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"

	"github.com/shinsei-app/shinsei/i18n"
	"github.com/shinsei-app/shinsei/identity"
	"github.com/shinsei-app/shinsei/internal/fsx"
	"github.com/shinsei-app/shinsei/signer"
	"github.com/shinsei-app/shinsei/submit"
)

// MinPasswordLen is the shortest password the service accepts for an
// account (submit.Registration), in characters after NFC normalisation.
const MinPasswordLen = submit.MinPasswordLen

// passwordPolicyErrors are Register's errors for a chosen password that
// breaks the policy, checked before anything is signed or sent.
var passwordPolicyErrors = map[submit.PasswordFault]error{
	submit.PasswordTooShort:           ErrPasswordTooShort,
	submit.PasswordTooLong:            ErrPasswordTooLong,
	submit.PasswordUnusableCharacters: ErrPasswordUnusable,
	submit.PasswordGuessable:          ErrPasswordGuessable,
}

// RegisterRequest is what Register needs.
type RegisterRequest struct {
	// Credential signs the registration request: the applicant's card or
	// registry certificate file.
	Credential CredentialChoice
	// UserType is resident or company; empty means from the certificate.
	UserType submit.UserType
	// Email is a contact address for the service, optional.
	Email string
	// ChoosePassword asks for the account's password through
	// Callbacks.Secret (SecretNewPassword); otherwise the service
	// generates one.
	ChoosePassword bool
	// ResetPassword, for a certificate whose identity already has an
	// account, gives that account the new password (the old one stops
	// working for everyone holding it). Without it such a registration is
	// refused (submit.ReasonAccountExists) and nothing changes. The
	// surface asks the user before setting it.
	ResetPassword bool
}

// Account is a registered account.
type Account struct {
	// ID is the account ID the service issued; UserType is resident or
	// company; Service is the service's URL.
	ID       string          `json:"account_id"`
	UserType submit.UserType `json:"user_type"`
	Service  string          `json:"service"`
	// GeneratedPassword is the password the service generated, to be
	// shown to the user once; empty when the user chose it. Either way the
	// password is kept in the keyring.
	GeneratedPassword string `json:"-"`
	// PasswordKept says where the password was kept: the surface promises
	// the keyring only with PasswordInKeyring.
	PasswordKept PasswordKeeping `json:"-"`
}

// PasswordKeeping is where Register kept the account's password.
type PasswordKeeping int

const (
	// PasswordNotKept: the keyring refused it (Register's error says
	// why); a generated password must be noted by the user now.
	PasswordNotKept PasswordKeeping = iota
	// PasswordInKeyring: in the keyring, across restarts.
	PasswordInKeyring
	// PasswordForThisRun: in memory only (submit.MemoryKeyring, as the
	// sandbox uses), gone when the process ends.
	PasswordForThisRun
)

// passwordKeeping is where a password saved by a.creds lands.
func (a *App) passwordKeeping() PasswordKeeping {
	if _, ok := a.store.(*submit.MemoryKeyring); ok {
		return PasswordForThisRun
	}
	return PasswordInKeyring
}

// Register registers an account with the service by a registration
// request signed like an application: a single-use challenge from the
// service, the request signed with the credential (one PIN entry or the
// file's password, the pre-check and the user's confirmation, as Sign
// does), then the password kept in the keyring. The keyring is probed
// first, so that no password is issued that could not be kept.
func (a *App) Register(ctx context.Context, req RegisterRequest, cb Callbacks) (*Account, error) {
	if err := a.needService(); err != nil {
		return nil, err
	}
	// A password the service issues must land in the keyring.
	if err := a.creds.Probe(ctx); err != nil {
		return nil, &Error{Op: "register", Err: err}
	}
	reg := submit.Registration{Type: "registration", Email: req.Email, UserType: req.UserType, ResetPassword: req.ResetPassword}
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
		reg.Password = string(b)
		clear(b)
		if err, refused := passwordPolicyErrors[submit.CheckPassword(reg.Password)]; refused {
			return nil, err
		}
	}
	work, err := a.privateTemp("register")
	if err != nil {
		return nil, err
	}
	defer fsx.RemoveAll(work)
	var acc *submit.Account
	_, err = a.useCredential(ctx, req.Credential, cb, a.checked(signing{
		confirmRequired: true,
		check:           func(cert *x509.Certificate) *Precheck { return a.precheck(ctx, cert, nil, nil, -1) },
		use: func(cred signer.Credential, _ *Precheck) error {
			if reg.UserType == "" {
				reg.UserType = userTypeOf(cred.Cert)
			}
			if reg.UserType != submit.UserResident && reg.UserType != submit.UserCompany {
				return &Error{Op: "register", Err: fmt.Errorf("%w: %q", ErrUserType, reg.UserType)}
			}
			ch, err := a.client.NewChallenge(ctx)
			if err != nil {
				return &Error{Op: "register", Err: err}
			}
			reg.Challenge = ch.Challenge
			pkg, err := registrationPackage(ctx, work, reg, cred, cb)
			if err != nil {
				return err
			}
			acc, err = a.client.Register(ctx, pkg)
			clear(pkg)
			if err != nil {
				return &Error{Op: "register", Err: err}
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
		return out, &Error{Op: "register", Err: fmt.Errorf("account %s was registered but the service sent no password: %w", acc.AccountID, submit.ErrBadReply)}
	}
	if err := a.creds.SavePassword(ctx, acc.AccountID, password); err != nil {
		return out, &Error{Op: "register", Err: fmt.Errorf("account %s was registered, but its password could not be kept: %w", acc.AccountID, err)}
	}
	out.PasswordKept = a.passwordKeeping()
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
	h, err := identity.HolderOf(cert)
	switch {
	case err != nil:
		return ""
	case h.Corporation != nil:
		return submit.UserCompany
	}
	return submit.UserResident
}

// registrationPackage signs reg as the form of a package in dir and
// returns the package's bytes.
func registrationPackage(ctx context.Context, dir string, reg submit.Registration, cred signer.Credential, cb Callbacks) ([]byte, error) {
	form, err := json.Marshal(reg)
	if err != nil {
		return nil, &Error{Op: "register", Err: err}
	}
	formPath := filepath.Join(dir, "registration.json")
	err = os.WriteFile(formPath, form, 0o600)
	clear(form)
	if err != nil {
		return nil, &Error{Op: "register", Err: err}
	}
	defer os.Remove(formPath)
	pkgPath := filepath.Join(dir, "registration.asice")
	if _, err := signer.Build(ctx, pkgPath, []signer.File{{Path: formPath}}, cred, signer.BuildOptions{
		Progress: func(done, total int64) { cb.progress(StageHashing, done, total) }}); err != nil {
		return nil, &Error{Op: "register", Err: err}
	}
	defer os.Remove(pkgPath)
	data, err := os.ReadFile(pkgPath)
	if err != nil {
		return nil, &Error{Op: "register", Err: err}
	}
	return data, nil
}
