package flow

import (
	"context"
	"time"

	"github.com/shinsei-app/shinsei/submit"
)

// MinPasswordLen is the shortest password the service accepts for an
// account (submit.Registration).
const MinPasswordLen = 12

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
}

// Register registers an account with the service by a registration
// request signed like an application: a single-use challenge from the
// service, the request signed with the credential (one PIN entry or the
// file's password, the pre-check and the user's confirmation, as Sign
// does), then the password kept in the keyring. The keyring is probed
// first, so that no password is issued that could not be kept.
func (a *App) Register(ctx context.Context, req RegisterRequest, cb Callbacks) (*Account, error) {
	return a.register(ctx, req, cb)
}

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

// LoginWithCertificate opens a session by signing a challenge with the
// credential (companies in e-procurement), asking the PIN or password
// once.
func (a *App) LoginWithCertificate(ctx context.Context, choice CredentialChoice, cb Callbacks) (*submit.Session, error) {
	return a.loginWithCertificate(ctx, choice, cb)
}

// Logout ends the account's session at the service (empty: the account
// kept in the keyring) and removes its session from the keyring, and its
// password too unless keepPassword. A session the service could not end
// is not an error (it ends by itself): LoggedOut says so.
func (a *App) Logout(ctx context.Context, account string, keepPassword bool) (*LoggedOut, error) {
	return a.logout(ctx, account, keepPassword)
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
