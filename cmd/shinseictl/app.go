package main

import (
	"context"
	"encoding/hex"
	"errors"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"github.com/shinsei-app/shinsei/flow"
	"github.com/shinsei-app/shinsei/pkcs11"
	"github.com/shinsei-app/shinsei/signer"
	"github.com/shinsei-app/shinsei/submit"
)

// dataDirEnv overrides the data directory (outbox, refused items, journal).
const dataDirEnv = "SHINSEI_DATA_DIR"

// cliConfig is the part of flow.Config every command shares: the command
// line keeps nothing in the keyring but account passwords and sessions
// (no signature certificates), and registration and certificate login
// leave the certificate's check to the service. sign pre-checks anyway,
// with the anchors and service it is given (flags, or the saved
// settings).
func cliConfig() flow.Config {
	return flow.Config{DoNotKeepCertificates: true, NoPrecheck: true}
}

// openApp opens the App the command's flags configure.
func openApp(ctx context.Context, cfg flow.Config) (*flow.App, error) {
	a, err := flow.Open(ctx, cfg)
	if err != nil && cfg.DataDir != "" {
		return nil, &failure{code: exitEnvironment, err: flow.Cause(err), hint: "check that the data directory can be written (--data-dir)"}
	}
	return a, err
}

// netOptions are the flags every command that talks to the service shares.
type netOptions struct {
	service string
	anchors multiFlag
	system  bool
	timeout time.Duration
	dataDir string
	asJSON  bool
	saved   settingsFlags
}

func (o *netOptions) register(fs *flag.FlagSet) {
	fs.StringVar(&o.service, "service", "", "the service's `URL` (https://host[:port])")
	fs.Var(&o.anchors, "anchor", "trust this CA `CERT` for the service's server certificate: LGPKI, a private CA, … (PEM or DER; repeatable; without it the system's roots are used)")
	fs.BoolVar(&o.system, "system-roots", false, "trust the system's roots as well as the --anchor certificates")
	fs.DurationVar(&o.timeout, "timeout", submit.DefaultTimeout, "time limit of each request")
	o.saved.register(fs)
	o.registerLocal(fs)
}

func (o *netOptions) registerLocal(fs *flag.FlagSet) {
	fs.StringVar(&o.dataDir, "data-dir", "", "directory of the outbox and the receipts journal (default $"+dataDirEnv+", else the user's config directory/shinsei)")
	fs.BoolVar(&o.asJSON, "json", false, "print one JSON document")
}

// configure checks --service and the anchors and sets the service in cfg.
// Without --service, the service of the saved settings (--settings, else
// the window's settings file, unless --no-settings) is used, with their
// anchors unless --anchor is given.
func (o *netOptions) configure(cmd string, cfg *flow.Config) error {
	anchors, err := loadCertFiles(o.anchors)
	if err != nil {
		return err
	}
	if o.service == "" {
		saved, err := o.saved.load(cmd)
		if err != nil {
			return err
		}
		if saved != nil {
			ok, err := saved.service(cmd, cfg)
			switch {
			case err != nil:
				return err
			case ok:
				if len(anchors) > 0 {
					cfg.ServiceAnchors, cfg.ServiceSystemRoots = anchors, o.system
				}
				cfg.Timeout = o.timeout
				return nil
			}
		}
		return usageError("give the service's address with --service https://…", "%s: no --service", cmd)
	}
	if _, err := submit.CanonicalURL(o.service); err != nil {
		return usageError("give the service as https://host[:port]", "%s: %w", cmd, err)
	}
	cfg.ServiceURL, cfg.ServiceAnchors, cfg.ServiceSystemRoots, cfg.Timeout = o.service, anchors, o.system || len(anchors) == 0, o.timeout
	return nil
}

// dataDirPath is --data-dir, else $SHINSEI_DATA_DIR, else <config dir>/shinsei.
func (o *netOptions) dataDirPath() (string, error) {
	if o.dataDir != "" {
		return o.dataDir, nil
	}
	if d := os.Getenv(dataDirEnv); d != "" {
		return d, nil
	}
	base, err := os.UserConfigDir()
	if err != nil {
		return "", &failure{code: exitEnvironment, err: fmt.Errorf("no data directory: %w", err),
			hint: "give one with --data-dir DIR or $" + dataDirEnv}
	}
	return filepath.Join(base, "shinsei"), nil
}

// noAccount is the usage error for a procedure or command that needs an
// account when none is given or kept (flow.ErrNoAccount).
func noAccount(baseURL string) error {
	key, _ := submit.ServiceKey(baseURL)
	return usageError("give your account with --account ID (or log in first: 'shinseictl account login --account ID'); register with 'shinseictl account register' only if you have no account yet", "no account given and none stored for %s", key)
}

// credentialFlags select the key that signs: a PKCS#12 file or a token.
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

// choice checks the flags and returns the credential they choose, with
// the module to load in cfg.
func (c credentialFlags) choice(cmd string, cfg *flow.Config) (flow.CredentialChoice, error) {
	if *c.p12 != "" && (*c.module != "" || *c.token != "" || *c.keyID != "") {
		return flow.CredentialChoice{}, usageError("use either --p12 or a token (--module/--token/--key-id), not both", "%s: two credentials given", cmd)
	}
	if *c.p12 != "" {
		return flow.P12File(*c.p12), nil
	}
	choice := flow.CredentialChoice{Token: pkcs11.Selector{Label: *c.token}}
	if *c.keyID != "" {
		id, err := hex.DecodeString(*c.keyID)
		if err != nil {
			return choice, usageError("give the key's CKA_ID in hex, as 'shinseictl tokens' shows it", "sign: --key-id: %w", err)
		}
		choice.KeyID = id
	}
	cfg.Module = *c.module
	return choice, nil
}

// useError is for a use of the chosen credential: a PKCS#12 file
// that cannot be opened is unreadable input, as it always was.
func (c credentialFlags) useError(err error) error {
	var pe *os.PathError
	switch {
	case *c.p12 == "":
	case errors.As(err, &pe) && pe.Path == *c.p12:
		return usageError("check the path of the PKCS#12 file", "sign: %w", pe)
	case errors.Is(err, signer.ErrNotPKCS12):
		if fi, serr := os.Stat(*c.p12); serr == nil && fi.Size() > flow.MaxP12Size {
			return usageError("give the .p12 file issued with the certificate", "sign: %s is larger than a PKCS#12 certificate file can be", *c.p12)
		}
	}
	return err
}

// prompter answers flow's callbacks as the command line always has: the
// PIN (or a PKCS#12 file's password) is the first line of standard input
// with --pin-stdin, an account password the next line with
// --password-stdin, and otherwise each is asked on the terminal without
// echo. The PIN is read once and never retried; its final try is spent
// only with --allow-final-try or the user's yes on the terminal; a locked
// card never gets here (flow stops before asking).
type prompter struct {
	std, lines                          *stdio // lines reads standard input one line at a time
	pinStdin, passwordStdin, allowFinal bool
	// firstAsked is set once the PIN or PKCS#12 password was asked for;
	// ahead holds its standard-input line when it was read before the
	// password on the next line (Register asks for the new password
	// before the credential).
	firstAsked bool
	ahead      *[]byte
	aheadErr   error
	// chosen keeps the new account password for --show-password.
	keepChosen bool
	chosen     string
	// askedPassword is set once an account password was asked for.
	askedPassword bool
}

func newPrompter(std *stdio, pinStdin, passwordStdin, allowFinal bool) *prompter {
	return &prompter{std: std, lines: &stdio{in: lineAtATime{std.in}, out: std.out, err: std.err, lang: std.lang},
		pinStdin: pinStdin, passwordStdin: passwordStdin, allowFinal: allowFinal}
}

func (p *prompter) callbacks() flow.Callbacks {
	return flow.Callbacks{PIN: p.pin, Secret: p.secret}
}

// wipe zeroes a line read ahead and never used (a locked card).
func (p *prompter) wipe() {
	if p.ahead != nil {
		clear(*p.ahead)
	}
}

// first returns the PIN or PKCS#12 password: the line read ahead, or
// one read now.
func (p *prompter) first(prompt string) ([]byte, error) {
	p.firstAsked = true
	if p.ahead != nil {
		b, err := *p.ahead, p.aheadErr
		p.ahead, p.aheadErr = nil, nil
		return b, err
	}
	if p.pinStdin {
		return readSecret(p.lines, true, prompt)
	}
	return readSecret(p.std, false, prompt)
}

// readAhead reads the PIN line that comes before the password line on
// standard input, for first to return when the PIN is asked for.
func (p *prompter) readAhead() error {
	if !p.pinStdin || !p.passwordStdin || p.firstAsked || p.ahead != nil {
		return nil
	}
	b, err := readSecret(p.lines, true, "")
	p.ahead, p.aheadErr = &b, err
	return err
}

func (p *prompter) pin(_ context.Context, req pkcs11.PINRequest) (pkcs11.PINAnswer, error) {
	std, what := p.std, pinName(req)
	if req.Status.CountLow && !req.Status.FinalTry {
		fmt.Fprint(std.err, std.tr(fmt.Sprintf("note: 「%s」の%sは、前回正しく入力されたあとに誤って入力されています。\n", req.Token, what),
			fmt.Sprintf("note: a wrong PIN was entered for token %q since its last successful use.\n", req.Token)))
	}
	if n := req.Status.TriesLeft; n > 1 {
		fmt.Fprint(std.err, std.tr(fmt.Sprintf("note: 「%s」の%sは、あと%d回入力できます。\n", req.Token, what, n),
			fmt.Sprintf("note: the PIN of token %q has %d tries left.\n", req.Token, n)))
	}
	confirmed := p.allowFinal
	if req.Status.FinalTry {
		fmt.Fprint(std.err, std.tr(fmt.Sprintf("warning: 「%s」の%sの入力は残り1回です。間違えるとロックされます。\n", req.Token, what),
			fmt.Sprintf("warning: token %q has ONE PIN try left; a wrong PIN locks it.\n", req.Token)))
		if !confirmed && !confirm(std, std.tr("最後の1回を使って入力しますか？", "Spend the final try?")) {
			return pkcs11.PINAnswer{}, pkcs11.ErrFinalTryNotConfirmed
		}
		confirmed = true
	}
	pin, err := p.first(std.tr(what+pinFormat(req)+"を入力してください: ", fmt.Sprintf("PIN for %q: ", req.Token)))
	return pkcs11.PINAnswer{PIN: pin, ConfirmFinalTry: confirmed}, err
}

func (p *prompter) secret(_ context.Context, req flow.SecretRequest) ([]byte, error) {
	switch req.Kind {
	case flow.SecretP12Password:
		return p.first(p.std.tr("証明書ファイル（.p12）のパスワードを入力してください: ", "PKCS#12 password: "))
	case flow.SecretNewPassword:
		if err := p.readAhead(); err != nil {
			return nil, err
		}
		b, err := readPassword(p.stdinOr(p.passwordStdin), p.passwordStdin, p.std.tr("新しいパスワードを入力してください: ", "New password: "))
		if err == nil && p.keepChosen {
			p.chosen = string(b)
		}
		return b, err
	}
	p.askedPassword = true
	return readPassword(p.stdinOr(p.passwordStdin), p.passwordStdin,
		p.std.tr(fmt.Sprintf("ID「%s」のパスワードを入力してください: ", req.Subject), fmt.Sprintf("Password for %s: ", req.Subject)))
}

func (p *prompter) stdinOr(fromStdin bool) *stdio {
	if fromStdin {
		return p.lines
	}
	return p.std
}

// pinName is how the Japanese prompt names the PIN asked for: in the
// words of J-LIS for the My Number card's two secrets.
func pinName(req pkcs11.PINRequest) string {
	switch req.Policy {
	case pkcs11.PolicyJPKISignature:
		return "署名用電子証明書のパスワード"
	case pkcs11.PolicyJPKIAuth:
		return "利用者証明用電子証明書の暗証番号"
	}
	return "PIN"
}

// pinFormat is the format the Japanese prompt reminds of.
func pinFormat(req pkcs11.PINRequest) string {
	switch req.Policy {
	case pkcs11.PolicyJPKISignature:
		return "（英大文字と数字の6～16文字）"
	case pkcs11.PolicyJPKIAuth:
		return "（数字4桁）"
	}
	return ""
}
