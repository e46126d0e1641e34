package flow

import (
	"context"
	"crypto/x509"
	"errors"
	"fmt"
	"os"
	"path/filepath"

	"github.com/shinsei-app/shinsei/i18n"

	"github.com/shinsei-app/shinsei/internal/iox"
	"github.com/shinsei-app/shinsei/pkcs11"
	"github.com/shinsei-app/shinsei/signer"
)

// MaxP12Size bounds a PKCS#12 file; real ones are a few kilobytes. A
// larger file is refused as signer.ErrNotPKCS12 before its password is
// asked.
const MaxP12Size = 1 << 20

// signing says how useCredential asks for confirmation.
type signing struct {
	// check pre-checks the signer's certificate; nil uses the credential
	// without a pre-check or a confirmation (Config.NoPrecheck).
	check func(cert *x509.Certificate) *Precheck
	// checkCred, when set, is used instead of check: a pre-check that
	// needs the chain the credential came with (SignFiles).
	checkCred func(cred signer.Credential) *Precheck
	// confirm, when set, is asked instead of Callbacks.ConfirmSign.
	confirm func(ctx context.Context, p *Precheck) (bool, error)
	// confirm is required (Sign, Register) or optional (a login).
	confirmRequired bool
	// use signs with the credential once the user confirmed.
	use func(cred signer.Credential, p *Precheck) error
}

// useCredential opens the chosen credential with one PIN entry or one
// password, pre-checks its certificate, asks the user to confirm and then
// lets s.use sign. A red pre-check, the user declining or any failure
// ends it before s.use; the token is closed (the PIN wiped) on return.
func (a *App) useCredential(ctx context.Context, choice CredentialChoice, cb Callbacks, s signing) (*Precheck, error) {
	if s.confirmRequired && cb.ConfirmSign == nil {
		return nil, fmt.Errorf("%w: ConfirmSign", ErrNoCallback)
	}
	switch {
	case choice.P12 != "" && (choice.Module != "" || choice.Token != (pkcs11.Selector{}) || choice.KeyID != nil):
		return nil, fmt.Errorf("%w: both a PKCS#12 file and a token", ErrNoCredential)
	case choice.P12 != "":
		return a.useP12(ctx, choice, cb, s)
	}
	return a.useToken(ctx, choice, cb, s)
}

func (a *App) useToken(ctx context.Context, choice CredentialChoice, cb Callbacks, s signing) (*Precheck, error) {
	if cb.PIN == nil {
		return nil, fmt.Errorf("%w: PIN", ErrNoCallback)
	}
	tok, known, err := a.openCard(ctx, choice)
	if err != nil {
		return nil, err
	}
	defer tok.Close() // logs out and wipes the PIN kept for the signature
	asked := 0
	err = tok.Login(ctx, func(ctx context.Context, req pkcs11.PINRequest) (pkcs11.PINAnswer, error) {
		asked++
		if asked > 1 {
			return pkcs11.PINAnswer{}, ErrSecondPrompt
		}
		return cb.PIN(ctx, req)
	})
	if err != nil {
		if errors.Is(err, pkcs11.ErrCardRemoved) {
			a.forgetCard(known)
		}
		return nil, &Error{Op: choice.String(), Err: err}
	}
	key, err := tok.Signer(ctx, choice.KeyID)
	if err != nil {
		return nil, &Error{Op: choice.String(), Err: err}
	}
	cert := key.Info().Certificate
	if cert == nil {
		return nil, &Error{Op: choice.String(), Err: pkcs11.ErrNoCertificate}
	}
	var chain []*x509.Certificate
	if certs, err := tok.Certificates(ctx); err == nil {
		for _, c := range certs {
			if c.Cert.IsCA && !c.Cert.Equal(cert) {
				chain = append(chain, c.Cert)
			}
		}
	}
	if !a.cfg.DoNotKeepCertificates {
		info := tok.Info()
		// Best effort: a keyring that cannot keep it only means the next
		// pre-check needs the PIN again.
		_ = a.keepCertificate(ctx, info.Label, info.Serial, cert)
	}
	return a.confirmAndUse(ctx, signer.Credential{Signer: key, Cert: cert, Chain: chain}, cb, s)
}

// openCard opens the chosen token for a login and checks what is
// readable without a PIN: a PIN the token's flags or the card show locked
// and a My Number card without a signature certificate end it before any
// prompt. A card's signature token is opened where it was found the last
// time when no card went in or out of any reader since (token_memo.go);
// known is that card, nil when the token was looked for in every slot.
func (a *App) openCard(ctx context.Context, choice CredentialChoice) (*pkcs11.Token, *knownCard, error) {
	tries := &probedTries{TriesReader: a.triesReader(), n: -1}
	if tok, known := a.openKnownCard(ctx, choice, tries); tok != nil {
		return tok, known, nil
	}
	tok, e, err := a.openToken(ctx, choice, tries)
	if err != nil {
		return nil, nil, err
	}
	if err := a.checkBeforePIN(ctx, tok, e, choice, tries); err != nil {
		tok.Close()
		return nil, nil, err
	}
	return tok, nil, nil
}

// checkBeforePIN checks what tok, just looked for in every slot, shows
// without a PIN, keeps the tries its card's probe read for Login and
// remembers where the card was found.
func (a *App) checkBeforePIN(ctx context.Context, tok *pkcs11.Token, e libraryEntry, choice CredentialChoice, tries *probedTries) error {
	// What is readable without a PIN first: a PIN the token's flags show
	// locked ends here, and the prompt is never shown. Login reads the
	// status again with the exact tries, just before its prompt, and ends
	// there when the PIN is locked.
	if st := tok.Info().PIN; st.Locked {
		return &Error{Op: choice.String(), Err: pkcs11.ErrPINLocked}
	}
	probe, probed := a.probeCard(ctx, tok.Info())
	if !probed {
		// A card that holds no signature certificate can never sign:
		// refused before its PIN is asked.
		return a.checkSignatureCertificate(ctx, tok, choice)
	}
	if !probe.HasSignatureCertificate && choice.KeyID == nil {
		return &Error{Op: choice.String(), Err: fmt.Errorf("%w: %w", ErrNoSignatureCertificate, pkcs11.ErrNoCertificate)}
	}
	// Read just now: Login, which comes next, shows them in its prompt.
	tries.keep(probe.TriesLeft)
	a.rememberCard(e, tok, probe.Readers)
	return nil
}

func (a *App) useP12(ctx context.Context, choice CredentialChoice, cb Callbacks, s signing) (*Precheck, error) {
	if cb.Secret == nil {
		return nil, fmt.Errorf("%w: Secret", ErrNoCallback)
	}
	data, err := readLimited(choice.P12, MaxP12Size)
	if err != nil {
		return nil, &Error{Op: "PKCS#12 file", Err: err}
	}
	defer clear(data)
	name := filepath.Base(choice.P12)
	pw, err := cb.Secret(ctx, SecretRequest{Kind: SecretP12Password, Subject: name,
		Prompt: i18n.Text{Ja: "証明書ファイル「" + name + "」のパスワードを入力してください。", En: "Enter the password of the certificate file “" + name + "”."}})
	if err != nil {
		return nil, err
	}
	cred, err := signer.LoadPKCS12(data, pw)
	clear(pw)
	if err != nil {
		return nil, &Error{Op: "PKCS#12 file " + name, Err: err}
	}
	return a.confirmAndUse(ctx, *cred, cb, s)
}

// confirmAndUse pre-checks, asks, and signs.
func (a *App) confirmAndUse(ctx context.Context, cred signer.Credential, cb Callbacks, s signing) (*Precheck, error) {
	if s.check == nil && s.checkCred == nil {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		return nil, s.use(cred, nil)
	}
	var p *Precheck
	if s.checkCred != nil {
		p = s.checkCred(cred)
	} else {
		p = s.check(cred.Cert)
	}
	if err := ctx.Err(); err != nil {
		return p, err
	}
	if !p.OK() {
		return p, &PrecheckError{Precheck: p}
	}
	confirm := cb.ConfirmSign
	if s.confirm != nil {
		confirm = s.confirm
	}
	if confirm != nil {
		ok, err := confirm(ctx, p)
		if err != nil {
			return p, err
		}
		if !ok {
			return p, ErrDeclined
		}
	}
	if err := ctx.Err(); err != nil {
		return p, err
	}
	return p, s.use(cred, p)
}

// readLimited reads a whole small file, refusing one over limit bytes.
func readLimited(path string, limit int64) ([]byte, error) {
	if err := checkInputFile(path); err != nil {
		return nil, err // a FIFO or device is refused at once, never opened
	}
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	data, err := iox.ReadAll(f, limit) // zeroes what it read when it refuses
	if errors.Is(err, iox.ErrTooLarge) {
		return nil, fmt.Errorf("%s is larger than %d bytes: %w", filepath.Base(path), limit, signer.ErrNotPKCS12)
	}
	if err != nil {
		return nil, err
	}
	return data, nil
}
