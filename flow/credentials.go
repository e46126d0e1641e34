package flow

import (
	"context"
	"crypto/x509"
	"fmt"
	"path/filepath"
	"time"

	"github.com/shinsei-app/shinsei/i18n"

	"github.com/shinsei-app/shinsei/pkcs11"
)

// CredentialChoice is the signing credential the user chose: a key on a
// token (a My Number card, a SoftHSM token) or a PKCS#12 file. Exactly
// one of Token (with Module) and P12 is meant to be set; FoundToken.Choice
// and P12File make them.
type CredentialChoice struct {
	// Module is the PKCS#11 module's path; empty means the module the
	// token is found in among those configured.
	Module string
	// Token selects the token by label and/or serial, never by slot.
	Token pkcs11.Selector
	// KeyID is the key's CKA_ID; nil means the signature key of a My
	// Number card, or the token's only key.
	KeyID []byte
	// P12 is the path of a PKCS#12 file (a commercial-registry
	// certificate).
	P12 string
}

// P12File chooses the PKCS#12 file at path.
func P12File(path string) CredentialChoice { return CredentialChoice{P12: path} }

// IsP12 reports whether the choice is a PKCS#12 file.
func (c CredentialChoice) IsP12() bool { return c.P12 != "" }

// String describes the choice for messages: the file's base name or the
// token's label. A token's serial is left out (a card's serial can
// identify its holder).
func (c CredentialChoice) String() string {
	if c.P12 != "" {
		return "PKCS#12 file " + filepath.Base(c.P12)
	}
	if c.Token.Label != "" {
		return fmt.Sprintf("token %q", c.Token.Label)
	}
	return "the token"
}

// FoundCredentials is what FindCredentials found: the tokens present,
// the suggested certificate files present, certificates kept in the
// keyring from earlier uses of tokens that are not present now, and
// modules that could not be used. Any PKCS#12 file can always be chosen
// besides (P12File).
type FoundCredentials struct {
	// Tokens are the tokens present that can sign.
	Tokens []FoundToken `json:"tokens"`
	// Files are the Config.SuggestedFiles that exist, in order.
	Files []CredentialFile `json:"files,omitempty"`
	// Kept are signature certificates kept in the keyring for tokens not
	// present now.
	Kept []KeptCertificate `json:"kept,omitempty"`
	// Problems are the modules that could not be loaded or listed, with
	// what to do; the tokens of the other modules are still listed.
	Problems []ModuleProblem `json:"problems,omitempty"`
}

// ModuleProblem is a PKCS#11 module that could not be used.
type ModuleProblem struct {
	// Module is the module's path, empty when none was found at all.
	Module string `json:"module"`
	// Message and Hint explain the problem (Explanation of Err).
	Message i18n.Text `json:"message"`
	Hint    i18n.Text `json:"hint"`
	// Err is the error, for errors.Is.
	Err error `json:"-"`
}

// CredentialFile is a certificate file (.p12) offered as a choice
// without browsing for it (Config.SuggestedFiles).
type CredentialFile struct {
	// Path is the file's path.
	Path string `json:"path"`
	// Label says what the file is; Note what to know before choosing it
	// (for the sandbox's practice file, its public password). Note may
	// be zero.
	Label i18n.Text `json:"label"`
	Note  i18n.Text `json:"note,omitzero"`
	// Cert is the signature certificate the file holds, when the caller
	// knows it (the sandbox issued it); nil otherwise. It is shown and
	// pre-fills the form before the password is asked; what is
	// pre-checked and signed is always the certificate read from the file
	// with the password.
	Cert *x509.Certificate `json:"-"`
}

// Choice returns the credential choice that selects this file.
func (f CredentialFile) Choice() CredentialChoice { return P12File(f.Path) }

// FoundToken is a token that can sign, with everything readable about it
// without a PIN.
type FoundToken struct {
	// Module is the module's path ("library:N" for Config.Libraries[N]),
	// ModuleName what installs it ("OpenSC", "JPKI", "SoftHSM", or the
	// path's base name).
	Module     string `json:"module"`
	ModuleName string `json:"module_name"`
	// Label, Serial, Manufacturer and Model are the token's; Reader is
	// the card reader (the slot's description).
	Label        string `json:"label"`
	Serial       string `json:"serial"`
	Manufacturer string `json:"manufacturer,omitempty"`
	Model        string `json:"model,omitempty"`
	Reader       string `json:"reader,omitempty"`
	// MyNumberCard is set for a My Number card's signature token (or a
	// token standing in for one).
	MyNumberCard bool             `json:"my_number_card"`
	Policy       pkcs11.PINPolicy `json:"policy"`
	// PIN is the PIN status; TriesLeft is exact when it could be read over
	// PC/SC (TriesExact), else -1 unless final or locked.
	PIN        pkcs11.PINStatus `json:"pin"`
	TriesExact bool             `json:"tries_exact"`
	// CACert is the issuing authority's certificate the token shows
	// without a PIN (a card's signature CA), CAGeneration the pinned JPKI
	// root it is ("JPKI digital signature root (2023 generation)"), empty
	// when it is not a pinned root.
	CACert       *x509.Certificate `json:"-"`
	CAGeneration string            `json:"ca_generation,omitempty"`
	// AuthCert is the card's user-authentication certificate (no personal
	// data in it): its dates tell whether the card itself is current.
	AuthCert *x509.Certificate `json:"-"`
	// SignatureCert is the signature certificate when known before the
	// PIN: shown by the token itself, or kept in the keyring from an
	// earlier use (CertKept). Nil for a My Number card met for the first
	// time: it is read after the one PIN entry.
	SignatureCert *x509.Certificate `json:"-"`
	CertKept      bool              `json:"cert_kept"`
	// Note says what the user should know before choosing it (a locked
	// PIN, the final try, an expired authentication certificate); zero
	// when nothing.
	Note i18n.Text `json:"note,omitzero"`
}

// Choice returns the credential choice that selects this token.
func (t FoundToken) Choice() CredentialChoice {
	return CredentialChoice{Module: t.Module, Token: pkcs11.Selector{Label: t.Label, Serial: t.Serial}}
}

// Usable reports whether the token can be asked for its PIN (it is not
// locked).
func (t FoundToken) Usable() bool { return !t.PIN.Locked }

// KeptCertificate is a signature certificate kept in the keyring.
type KeptCertificate struct {
	// TokenLabel and TokenSerial name the token it was read from; Cert is
	// the certificate and KeptAt when it was kept.
	TokenLabel  string            `json:"token_label"`
	TokenSerial string            `json:"token_serial"`
	Cert        *x509.Certificate `json:"-"`
	KeptAt      time.Time         `json:"kept_at"`
}

// FindCredentials lists the tokens of the configured PKCS#11 modules with
// what is readable without a PIN, and the signature certificates kept in
// the keyring. A module that cannot be used is reported in Problems, not
// as an error; the error is only the context's.
func (a *App) FindCredentials(ctx context.Context) (*FoundCredentials, error) {
	return a.findCredentials(ctx)
}

// ForgetCertificate removes the signature certificate kept in the keyring
// for the token; none kept is not an error.
func (a *App) ForgetCertificate(ctx context.Context, label, serial string) error {
	return a.forgetKept(ctx, label, serial)
}
