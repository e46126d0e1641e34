package main

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/shinsei-app/shinsei/flow"
	"github.com/shinsei-app/shinsei/submit"
)

// runAccount dispatches account register|login|logout.
func runAccount(ctx context.Context, std *stdio, args []string) error {
	if len(args) == 0 || args[0] == "-h" || args[0] == "--help" {
		for _, sub := range []string{"register", "login", "logout"} {
			fmt.Fprintln(std.err, "usage: shinseictl", synopsis("account "+sub))
		}
		if len(args) == 0 {
			return usageError("say what to do: account register, account login or account logout", "account: no subcommand")
		}
		return nil
	}
	switch args[0] {
	case "register":
		return runRegister(ctx, std, args[1:])
	case "login":
		return runLogin(ctx, std, args[1:])
	case "logout":
		return runLogout(ctx, std, args[1:])
	}
	return usageError("use account register, account login or account logout", "account: unknown subcommand %q", args[0])
}

// accountError names the service that has no account kept: a missing
// account is a usage error.
func accountError(err error, baseURL string) error {
	if errors.Is(err, flow.ErrNoAccount) {
		return noAccount(baseURL)
	}
	return err
}

type registerView struct {
	AccountID      string          `json:"account_id"`
	UserType       submit.UserType `json:"user_type"`
	Service        string          `json:"service"`
	KeyringService string          `json:"keyring_service"`
	// PasswordSource is "chosen" or "generated".
	PasswordSource string `json:"password_source"`
	Password       string `json:"password,omitempty"` // only with --show-password
}

// runRegister registers an account by a certificate-signed request and
// keeps the ID and password in the OS keyring (flow.Register).
func runRegister(ctx context.Context, std *stdio, args []string) error {
	fs := newFlags("account register")
	var o netOptions
	o.register(fs)
	cf := addCredentialFlags(fs)
	passwordStdin := fs.Bool("password-stdin", false, "choose the account's password: read it from standard input (the line after the PIN with --pin-stdin); without it the service generates one")
	userType := fs.String("user-type", "", "`resident` or `company` (default: from the certificate)")
	email := fs.String("email", "", "contact e-mail `ADDRESS` for the service")
	show := fs.Bool("show-password", false, "print the password (it is kept in the keyring either way)")
	reset := fs.Bool("reset-password", false, "when the certificate's holder already has an account, give it the new password: the old one stops working for everyone holding it (asked on a terminal; with --yes without one)")
	yes := fs.Bool("yes", false, "with --reset-password: reset without asking")
	operands, err := parse(fs, args, std.err)
	if err != nil {
		return err
	}
	if *yes && !*reset {
		return usageError("--yes confirms --reset-password: give both, or neither", "account register: --yes without --reset-password")
	}
	if len(operands) > 0 {
		return usageError("account register takes no file: the request is made from the certificate", "account register: unexpected %q", operands[0])
	}
	if !cf.given() {
		return usageError("sign the request with --p12 FILE (company) or a card/token (--module PATH)", "account register: no certificate given")
	}
	cfg := cliConfig()
	if err := o.configure("account register", &cfg); err != nil {
		return err
	}
	choice, err := cf.choice("account register", &cfg)
	if err != nil {
		return err
	}
	ut := submit.UserType(*userType)
	if ut != "" && ut != submit.UserResident && ut != submit.UserCompany {
		return usageError("give --user-type resident or --user-type company", "account register: the user type %q is not known", ut)
	}
	if *reset && !*yes && !confirm(std, "If this certificate's holder already has an account, its password is replaced and the old one stops working for everyone who holds it. Reset it?") {
		return usageError("to reset the password, confirm on a terminal or add --yes", "account register: the password reset was not confirmed; nothing was sent")
	}
	app, err := openApp(ctx, cfg)
	if err != nil {
		return err
	}
	defer app.Close()
	p := newPrompter(std, *cf.pinStdin, *passwordStdin, *cf.finalTry)
	defer p.wipe()
	p.keepChosen = *show
	acc, err := app.Register(ctx, flow.RegisterRequest{Credential: choice, UserType: ut, Email: *email, ChoosePassword: *passwordStdin, ResetPassword: *reset}, p.callbacks())
	baseURL := app.Client().BaseURL()
	keyringService, _ := submit.ServiceKey(baseURL)
	switch {
	case errors.Is(err, flow.ErrPasswordTooShort):
		return usageError(fmt.Sprintf("choose a password of at least %d characters", flow.MinPasswordLen), "account register: the password is too short")
	case errors.Is(err, flow.ErrUserType):
		return usageError("give --user-type resident or --user-type company", "account register: the user type %q is not known", ut)
	case err != nil && acc != nil && errors.Is(err, submit.ErrBadReply):
		return &failure{code: exitEnvironment, err: fmt.Errorf("account register: account %s was registered but the service sent no initial password", acc.ID),
			hint: "ask the service's help desk to reset the password"}
	case err != nil && acc != nil:
		return &failure{code: exitEnvironment, err: fmt.Errorf("account %s was registered, but its password could not be kept: %w", acc.ID, flow.Cause(err)),
			hint: "unlock the OS keyring and run 'shinseictl account login --service URL --account " + acc.ID + " --password-stdin' with the password (ask the help desk to reset a generated one)"}
	case submit.IsReason(err, submit.ReasonAccountExists):
		var pe *submit.ProblemError
		errors.As(err, &pe)
		return &failure{code: exitNegative, err: fmt.Errorf("account register: an account (%s) already exists for this certificate's holder; nothing was changed", pe.Problem.Detail),
			hint: "log in with it: 'shinseictl account login --service URL --account " + pe.Problem.Detail + " --password-stdin'; only if its password is forgotten, register again with --reset-password (the old password then stops working for everyone holding it)"}
	case err != nil:
		return cf.useError(err)
	}
	view := registerView{AccountID: acc.ID, UserType: acc.UserType, Service: baseURL, KeyringService: keyringService, PasswordSource: "chosen"}
	password := p.chosen
	if acc.GeneratedPassword != "" {
		password, view.PasswordSource = acc.GeneratedPassword, "generated"
	}
	if *show {
		view.Password = password
	}
	if o.asJSON {
		writeJSON(std.out, view)
		return nil
	}
	fmt.Fprintf(std.out, "registered account %s (%s) at %s\n", acc.ID, acc.UserType, baseURL)
	fmt.Fprintf(std.out, "  the %s password is kept in the OS keyring (service %q, user %q)\n", view.PasswordSource, keyringService, acc.ID)
	if *show {
		fmt.Fprintf(std.out, "  password: %s\n", password)
	}
	return nil
}

type sessionView struct {
	AccountID string    `json:"account_id"`
	Service   string    `json:"service"`
	ExpiresAt time.Time `json:"expires_at"`
	Method    string    `json:"method"` // password, certificate
	// NotKept: no OS keyring, so neither the password nor the session
	// was kept; each command is given --password-stdin instead.
	NotKept bool `json:"not_kept,omitempty"`
}

// runLogin opens a session with the password kept in the keyring (or
// asked, then kept), or with a signed challenge, and keeps the token in
// the keyring until it expires (flow.Login, flow.LoginWithCertificate).
func runLogin(ctx context.Context, std *stdio, args []string) error {
	fs := newFlags("account login")
	var o netOptions
	o.register(fs)
	account := fs.String("account", "", "account `ID` (default: the account stored for the service)")
	passwordStdin := fs.Bool("password-stdin", false, "read the password from standard input (and keep it in the keyring)")
	cf := addCredentialFlags(fs)
	operands, err := parse(fs, args, std.err)
	if err != nil {
		return err
	}
	if len(operands) > 0 {
		return usageError("passwords are never taken from the command line: use --password-stdin or the terminal prompt", "account login: unexpected argument")
	}
	cfg := cliConfig()
	if err := o.configure("account login", &cfg); err != nil {
		return err
	}
	var choice flow.CredentialChoice
	if cf.given() {
		if *passwordStdin {
			return usageError("use a password or a certificate, not both", "account login: --password-stdin with a certificate")
		}
		if choice, err = cf.choice("account login", &cfg); err != nil {
			return err
		}
	}
	app, err := openApp(ctx, cfg)
	if err != nil {
		return err
	}
	defer app.Close()
	baseURL := app.Client().BaseURL()
	p := newPrompter(std, *cf.pinStdin, *passwordStdin, *cf.finalTry)
	defer p.wipe()
	view := sessionView{Service: baseURL, Method: "password"}
	var s *submit.Session
	switch {
	case cf.given():
		view.Method = "certificate"
		if s, err = app.LoginWithCertificate(ctx, choice, p.callbacks()); err != nil {
			return cf.useError(err)
		}
	case *passwordStdin:
		s, err = app.LoginEnteringPassword(ctx, *account, p.callbacks())
		if s != nil && errors.Is(err, submit.ErrNoKeyring) {
			// The password is right; with no keyring nothing is kept.
			view.NotKept = true
			break
		}
		if err != nil {
			return accountError(err, baseURL)
		}
	default:
		s, err = app.Login(ctx, *account, p.callbacks())
		if err != nil && !p.askedPassword && submit.IsReason(err, submit.ReasonInvalidCredentials) {
			return &failure{code: exitNegative, err: fmt.Errorf("the password kept in the keyring was refused: %w", flow.Cause(err)),
				hint: "if the password was changed, run 'shinseictl account login --password-stdin' with the new one"}
		}
		if err != nil {
			return accountError(err, baseURL)
		}
	}
	view.AccountID, view.ExpiresAt = s.AccountID, s.ExpiresAt
	if o.asJSON {
		writeJSON(std.out, view)
		return nil
	}
	fmt.Fprintf(std.out, "logged in to %s as %s until %s\n", view.Service, view.AccountID, view.ExpiresAt.Local().Format("2006-01-02 15:04 MST"))
	if view.NotKept {
		fmt.Fprintln(std.err, "note: no OS keyring is available, so nothing was kept: give the password to each command with --password-stdin (submit, status)")
	}
	return nil
}

type logoutView struct {
	AccountID     string `json:"account_id"`
	Service       string `json:"service"`
	SessionEnded  bool   `json:"session_ended"`
	PasswordKept  bool   `json:"password_kept"`
	SessionNotice string `json:"session_notice,omitempty"`
}

// runLogout ends the session at the service and removes the account's
// entries from the keyring (flow.Logout).
func runLogout(ctx context.Context, std *stdio, args []string) error {
	fs := newFlags("account logout")
	var o netOptions
	o.register(fs)
	account := fs.String("account", "", "account `ID` (default: the account stored for the service)")
	keep := fs.Bool("keep-password", false, "end the session but keep the password in the keyring")
	if _, err := parse(fs, args, std.err); err != nil {
		return err
	}
	cfg := cliConfig()
	if err := o.configure("account logout", &cfg); err != nil {
		return err
	}
	app, err := openApp(ctx, cfg)
	if err != nil {
		return err
	}
	defer app.Close()
	baseURL := app.Client().BaseURL()
	out, err := app.Logout(ctx, *account, *keep)
	if err != nil {
		return accountError(err, baseURL)
	}
	view := logoutView{AccountID: out.Account, Service: baseURL, SessionEnded: out.SessionEnded, PasswordKept: out.PasswordKept}
	if out.SessionErr != nil {
		view.SessionNotice = fmt.Sprintf("the session could not be ended at the service (%v); it ends by itself at %s", out.SessionErr, out.SessionExpires.Local().Format("2006-01-02 15:04 MST"))
	}
	if o.asJSON {
		writeJSON(std.out, view)
		return nil
	}
	if view.SessionNotice != "" {
		fmt.Fprintln(std.err, "warning:", view.SessionNotice)
	}
	if *keep {
		fmt.Fprintf(std.out, "logged out %s from %s; the password stays in the keyring\n", out.Account, view.Service)
	} else {
		fmt.Fprintf(std.out, "logged out %s from %s and removed its password and session from the keyring\n", out.Account, view.Service)
	}
	return nil
}
