package main

import (
	"context"
	"crypto/x509"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"time"

	"github.com/shinsei-app/shinsei/identity"
	"github.com/shinsei-app/shinsei/pkcs11"
	"github.com/shinsei-app/shinsei/signer"
	"github.com/shinsei-app/shinsei/submit"
)

// minPassword is the service's shortest chosen password (submit.Registration).
const minPassword = 12

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

// credentialFlags select the key that signs: a PKCS#12 file or a token,
// exactly as sign selects it.
type credentialFlags struct {
	module, token, keyID, p12 *string
	pinStdin, finalTry        *bool
}

func addCredentialFlags(fs *flag.FlagSet) credentialFlags {
	return credentialFlags{
		module:   fs.String("module", "", "PKCS#11 module `PATH` of the card or token (default: the known modules found on this computer)"),
		token:    fs.String("token", "", "token `LABEL` (default: the My Number card's signature token, or the only token)"),
		keyID:    fs.String("key-id", "", "key CKA_ID in `HEX` (default: the signature key)"),
		p12:      fs.String("p12", "", "use the key in this PKCS#12 `FILE` (a commercial-registry certificate)"),
		pinStdin: fs.Bool("pin-stdin", false, "read the PIN or PKCS#12 password from the first line of standard input"),
		finalTry: fs.Bool("allow-final-try", false, "allow spending the PIN's final try"),
	}
}

func (c credentialFlags) given() bool {
	return *c.p12 != "" || *c.module != "" || *c.token != "" || *c.keyID != ""
}

// load returns the credential through sign's helpers; close releases a
// token (and wipes its PIN).
func (c credentialFlags) load(ctx context.Context, std *stdio, cmd string) (cred *signer.Credential, close func(), err error) {
	close = func() {}
	if *c.p12 != "" && (*c.module != "" || *c.token != "" || *c.keyID != "") {
		return nil, close, usageError("use either --p12 or a token (--module/--token/--key-id), not both", "%s: two credentials given", cmd)
	}
	if *c.p12 != "" {
		cred, err = p12Credential(std, *c.p12, *c.pinStdin)
		return cred, close, err
	}
	var tok *pkcs11.Token
	tok, cred, err = tokenCredential(ctx, std, *c.module, *c.token, *c.keyID, *c.pinStdin, *c.finalTry)
	if tok != nil {
		close = func() { tok.Close() }
	}
	return cred, close, err
}

// lineAtATime hands out its reader one line per Read, so that two secrets
// (a PIN, then a password) can be read from standard input in turn.
type lineAtATime struct{ r io.Reader }

func (l lineAtATime) Read(p []byte) (int, error) {
	n := 0
	for n < len(p) {
		m, err := l.r.Read(p[n : n+1])
		n += m
		if m == 1 && p[n-1] == '\n' {
			return n, nil
		}
		if err != nil {
			return n, err
		}
	}
	return n, nil
}

// readPassword reads an account password: a line of standard input with
// fromStdin, else from the terminal without echo.
func readPassword(std *stdio, fromStdin bool, prompt string) (string, error) {
	b, err := readSecret(std, fromStdin, prompt)
	var f *failure
	if errors.As(err, &f) && f.code == exitUsage {
		if fromStdin {
			return "", usageError("pipe the password as one line on standard input (after the PIN line when --pin-stdin is given too)", "no password on standard input")
		}
		return "", usageError("run it in a terminal, or pipe the password with --password-stdin", "no terminal to ask for the password")
	}
	if err != nil {
		return "", err
	}
	defer clear(b)
	return string(b), nil
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
// keeps the ID and password in the OS keyring.
func runRegister(ctx context.Context, std *stdio, args []string) error {
	fs := newFlags("account register")
	var o netOptions
	o.register(fs)
	cf := addCredentialFlags(fs)
	passwordStdin := fs.Bool("password-stdin", false, "choose the account's password: read it from standard input (the line after the PIN with --pin-stdin); without it the service generates one")
	userType := fs.String("user-type", "", "`resident` or `company` (default: from the certificate)")
	email := fs.String("email", "", "contact e-mail `ADDRESS` for the service")
	show := fs.Bool("show-password", false, "print the password (it is kept in the keyring either way)")
	operands, err := parse(fs, args, std.err)
	if err != nil {
		return err
	}
	if len(operands) > 0 {
		return usageError("account register takes no file: the request is made from the certificate", "account register: unexpected %q", operands[0])
	}
	if !cf.given() {
		return usageError("sign the request with --p12 FILE (company) or a card/token (--module PATH)", "account register: no certificate given")
	}
	c, err := o.client("account register")
	if err != nil {
		return err
	}
	creds, err := submit.NewCredentials(nil, c.BaseURL())
	if err != nil {
		return err
	}
	// A password the service issues must land in the keyring: check it
	// works before anything is registered.
	if err := creds.Probe(ctx); err != nil {
		return err
	}
	in := std
	if *cf.pinStdin || *passwordStdin {
		in = &stdio{in: lineAtATime{std.in}, out: std.out, err: std.err}
	}
	cred, closeCred, err := cf.load(ctx, in, "account register")
	defer closeCred()
	if err != nil {
		return err
	}
	reg := submit.Registration{Type: "registration", Email: *email, UserType: submit.UserType(*userType)}
	if reg.UserType == "" {
		reg.UserType = userTypeOf(cred.Cert)
	}
	if reg.UserType != submit.UserResident && reg.UserType != submit.UserCompany {
		return usageError("give --user-type resident or --user-type company", "account register: the user type %q is not known", reg.UserType)
	}
	if *passwordStdin {
		if reg.Password, err = readPassword(in, true, ""); err != nil {
			return err
		}
		if len([]rune(reg.Password)) < minPassword {
			return usageError(fmt.Sprintf("choose a password of at least %d characters", minPassword), "account register: the password is too short")
		}
	}
	ch, err := c.NewChallenge(ctx)
	if err != nil {
		return err
	}
	reg.Challenge = ch.Challenge
	pkg, err := registrationPackage(ctx, reg, *cred)
	if err != nil {
		return err
	}
	acc, err := c.Register(ctx, pkg)
	clear(pkg)
	if err != nil {
		return err
	}
	view := registerView{AccountID: acc.AccountID, UserType: acc.UserType, Service: c.BaseURL(), KeyringService: creds.Service(), PasswordSource: "chosen"}
	password := reg.Password
	if acc.InitialPassword != "" {
		password, view.PasswordSource = acc.InitialPassword, "generated"
	}
	if password == "" {
		return &failure{code: exitEnvironment, err: fmt.Errorf("account register: account %s was registered but the service sent no initial password", acc.AccountID),
			hint: "ask the service's help desk to reset the password"}
	}
	if err := creds.SavePassword(ctx, acc.AccountID, password); err != nil {
		return &failure{code: exitEnvironment, err: fmt.Errorf("account %s was registered, but its password could not be kept: %w", acc.AccountID, err),
			hint: "unlock the OS keyring and run 'shinseictl account login --service URL --account " + acc.AccountID + " --password-stdin' with the password (ask the help desk to reset a generated one)"}
	}
	if *show {
		view.Password = password
	}
	if o.asJSON {
		writeJSON(std.out, view)
		return nil
	}
	fmt.Fprintf(std.out, "registered account %s (%s) at %s\n", acc.AccountID, acc.UserType, c.BaseURL())
	fmt.Fprintf(std.out, "  the %s password is kept in the OS keyring (service %q, user %q)\n", view.PasswordSource, creds.Service(), acc.AccountID)
	if *show {
		fmt.Fprintf(std.out, "  password: %s\n", password)
	}
	return nil
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

// registrationPackage signs reg as the form of a package, in a private
// temporary directory that is removed afterwards, and returns its bytes.
func registrationPackage(ctx context.Context, reg submit.Registration, cred signer.Credential) ([]byte, error) {
	dir, err := os.MkdirTemp("", "shinsei-registration-")
	if err != nil {
		return nil, &failure{code: exitEnvironment, err: err}
	}
	defer os.RemoveAll(dir)
	form, err := json.Marshal(reg)
	if err != nil {
		return nil, err
	}
	formPath := filepath.Join(dir, "registration.json")
	err = os.WriteFile(formPath, form, 0o600)
	clear(form)
	if err != nil {
		return nil, &failure{code: exitEnvironment, err: err}
	}
	pkgPath := filepath.Join(dir, "registration.asice")
	if _, err := signer.Build(ctx, pkgPath, []signer.File{{Path: formPath}}, cred, signer.BuildOptions{}); err != nil {
		return nil, err
	}
	return readInput(pkgPath, submit.MaxForm+1<<20)
}

type sessionView struct {
	AccountID string    `json:"account_id"`
	Service   string    `json:"service"`
	ExpiresAt time.Time `json:"expires_at"`
	Method    string    `json:"method"` // password, certificate
}

// runLogin opens a session with the password kept in the keyring (or
// asked, then kept), or with a signed challenge, and keeps the token in
// the keyring until it expires.
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
	c, err := o.client("account login")
	if err != nil {
		return err
	}
	creds, err := submit.NewCredentials(nil, c.BaseURL())
	if err != nil {
		return err
	}
	var s *submit.Session
	view := sessionView{Service: c.BaseURL(), Method: "password"}
	if cf.given() {
		if *passwordStdin {
			return usageError("use a password or a certificate, not both", "account login: --password-stdin with a certificate")
		}
		view.Method = "certificate"
		cred, closeCred, err := cf.load(ctx, std, "account login")
		defer closeCred()
		if err != nil {
			return err
		}
		ch, err := c.NewChallenge(ctx)
		if err != nil {
			return err
		}
		cl, err := submit.SignChallenge(*ch, *cred)
		if err != nil {
			return err
		}
		if s, err = c.CertificateLogin(ctx, *cl); err != nil {
			return err
		}
	} else {
		acc, err := resolveAccount(ctx, creds, *account)
		if err != nil {
			return err
		}
		password, entered := "", true
		if *passwordStdin {
			password, err = readPassword(std, true, "")
		} else if password, err = creds.Password(ctx, acc); errors.Is(err, submit.ErrNotStored) {
			password, err = readPassword(std, false, fmt.Sprintf("Password for %s: ", acc))
		} else {
			entered = false
		}
		if err != nil {
			return err
		}
		if s, err = c.Login(ctx, acc, password); err != nil {
			if !entered && submit.IsReason(err, submit.ReasonInvalidCredentials) {
				return &failure{code: exitNegative, err: fmt.Errorf("the password kept in the keyring was refused: %w", err),
					hint: "if the password was changed, run 'shinseictl account login --password-stdin' with the new one"}
			}
			return err
		}
		if entered {
			if err := creds.SavePassword(ctx, acc, password); err != nil {
				return err
			}
		}
	}
	if err := creds.SaveSession(ctx, *s); err != nil {
		return err
	}
	view.AccountID, view.ExpiresAt = s.AccountID, s.ExpiresAt
	if o.asJSON {
		writeJSON(std.out, view)
		return nil
	}
	fmt.Fprintf(std.out, "logged in to %s as %s until %s\n", view.Service, view.AccountID, view.ExpiresAt.Local().Format("2006-01-02 15:04 MST"))
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
// entries from the keyring.
func runLogout(ctx context.Context, std *stdio, args []string) error {
	fs := newFlags("account logout")
	var o netOptions
	o.register(fs)
	account := fs.String("account", "", "account `ID` (default: the account stored for the service)")
	keep := fs.Bool("keep-password", false, "end the session but keep the password in the keyring")
	if _, err := parse(fs, args, std.err); err != nil {
		return err
	}
	c, err := o.client("account logout")
	if err != nil {
		return err
	}
	creds, err := submit.NewCredentials(nil, c.BaseURL())
	if err != nil {
		return err
	}
	acc, err := resolveAccount(ctx, creds, *account)
	if err != nil {
		return err
	}
	view := logoutView{AccountID: acc, Service: c.BaseURL(), PasswordKept: *keep}
	s, err := creds.Session(ctx, acc, time.Now())
	switch {
	case err == nil:
		lerr := c.Logout(ctx, s.Token)
		switch {
		case lerr == nil || submit.IsReason(lerr, submit.ReasonLoginRequired):
			view.SessionEnded = true
		default:
			view.SessionNotice = fmt.Sprintf("the session could not be ended at the service (%v); it ends by itself at %s", lerr, s.ExpiresAt.Local().Format("2006-01-02 15:04 MST"))
		}
	case errors.Is(err, submit.ErrNotStored):
		view.SessionEnded = true // none open
	default:
		return err
	}
	if *keep {
		err = creds.DeleteSession(ctx, acc)
	} else {
		err = creds.Forget(ctx, acc)
	}
	if err != nil {
		return err
	}
	if o.asJSON {
		writeJSON(std.out, view)
		return nil
	}
	if view.SessionNotice != "" {
		fmt.Fprintln(std.err, "warning:", view.SessionNotice)
	}
	if *keep {
		fmt.Fprintf(std.out, "logged out %s from %s; the password stays in the keyring\n", acc, view.Service)
	} else {
		fmt.Fprintf(std.out, "logged out %s from %s and removed its password and session from the keyring\n", acc, view.Service)
	}
	return nil
}
