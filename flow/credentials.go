package flow

import (
	"context"
	"crypto/x509"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"time"

	"github.com/shinsei-app/shinsei/certcheck"
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
	// Err is the error; explain.Of words it.
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
	// NoSignatureCert is set for a My Number card found, without a PIN,
	// to hold no signature certificate (a child's card): it cannot sign
	// and is not Usable.
	NoSignatureCert bool `json:"no_signature_certificate,omitempty"`
	// Note says what the user should know before choosing it (no
	// signature certificate, a locked PIN, the final try, an expired
	// authentication certificate); zero when nothing. A wrong PIN entered
	// since the last use is left to PIN (CountLow, TriesLeft), which a
	// surface words once.
	Note i18n.Text `json:"note,omitzero"`
}

// Choice returns the credential choice that selects this token.
func (t FoundToken) Choice() CredentialChoice {
	return CredentialChoice{Module: t.Module, Token: pkcs11.Selector{Label: t.Label, Serial: t.Serial}}
}

// Usable reports whether the token can be asked for its PIN: it is not
// locked, and it is not a card without a signature certificate.
func (t FoundToken) Usable() bool { return !t.PIN.Locked && !t.NoSignatureCert }

// KeptCertificate is a signature certificate kept in the keyring.
type KeptCertificate struct {
	// TokenLabel and TokenSerial name the token it was read from; Cert is
	// the certificate and KeptAt when it was kept.
	TokenLabel  string            `json:"token_label"`
	TokenSerial string            `json:"token_serial"`
	Cert        *x509.Certificate `json:"-"`
	KeptAt      time.Time         `json:"kept_at"`
}

// authExpirySoon is how long before the authentication certificate
// expires that a note says so.
const authExpirySoon = 30 * 24 * time.Hour

// FindCredentials lists the tokens of the configured PKCS#11 modules with
// what is readable without a PIN, and the signature certificates kept in
// the keyring. A module that cannot be used is reported in Problems, not
// as an error; the error is only the context's.
func (a *App) FindCredentials(ctx context.Context) (*FoundCredentials, error) {
	libs, probs, err := a.libraries(ctx)
	if err != nil {
		return nil, err
	}
	found := &FoundCredentials{Tokens: []FoundToken{}}
	for _, p := range probs {
		found.Problems = append(found.Problems, moduleProblem(p.path, p.err))
	}
	present := map[keptKey]bool{}
	for _, e := range libs {
		infos, err := e.lib.Tokens(ctx)
		if err != nil {
			if ctx.Err() != nil {
				return nil, ctx.Err()
			}
			found.Problems = append(found.Problems, moduleProblem(e.path, err))
			continue
		}
		// A My Number card shows an authentication token next to its
		// signature token, in the same reader: its certificate tells
		// whether the card itself is current.
		authSide := map[string]cardPublic{}
		for _, ti := range infos {
			if ti.Policy == pkcs11.PolicyJPKIAuth {
				authSide[ti.Reader] = a.readCardPublic(ctx, e, ti)
			}
		}
		for _, ti := range infos {
			if ti.Policy == pkcs11.PolicyJPKIAuth {
				continue
			}
			ft := a.describeToken(ctx, e, ti)
			if pub, ok := authSide[ti.Reader]; ok {
				if ft.AuthCert == nil {
					ft.AuthCert = pub.authCert
				}
				if ft.CACert == nil && pub.signCA != nil {
					ft.CACert = pub.signCA
					ft.CAGeneration, _ = certcheck.JPKIRoot(pub.signCA)
				}
			}
			ft.Note = tokenNote(ft, a.now())
			present[keptKey{Label: ft.Label, Serial: ft.Serial}] = true
			found.Tokens = append(found.Tokens, ft)
		}
	}
	found.Files = a.suggestedFiles()
	if kept, err := a.keptCertificates(ctx); err == nil {
		for _, k := range kept {
			if !present[keptKey{Label: k.TokenLabel, Serial: k.TokenSerial}] {
				found.Kept = append(found.Kept, k)
			}
		}
	}
	return found, ctx.Err()
}

// suggestedFiles returns the suggested certificate files that are
// regular files now.
func (a *App) suggestedFiles() []CredentialFile {
	var out []CredentialFile
	for _, f := range a.cfg.SuggestedFiles {
		if st, err := os.Stat(f.Path); err == nil && st.Mode().IsRegular() {
			out = append(out, f)
		}
	}
	return out
}

// describeToken reads what the token shows without a PIN.
func (a *App) describeToken(ctx context.Context, e libraryEntry, ti pkcs11.TokenInfo) FoundToken {
	ft := FoundToken{Module: e.path, ModuleName: e.name, Label: ti.Label, Serial: ti.Serial,
		Manufacturer: ti.Manufacturer, Model: ti.Model, Reader: ti.Reader, Policy: ti.Policy, PIN: ti.PIN,
		MyNumberCard: ti.Policy == pkcs11.PolicyJPKISignature}
	tok, err := e.lib.OpenToken(ctx, pkcs11.Selector{Label: ti.Label, Serial: ti.Serial}, pkcs11.WithTriesReader(a.triesReader()))
	if err != nil {
		return ft
	}
	defer tok.Close()
	ft.PIN = tok.Info().PIN
	ft.TriesExact = ft.PIN.TriesLeft >= 0
	ft.NoSignatureCert = a.lacksSignatureCertificate(ctx, tok)
	certs, err := tok.Certificates(ctx)
	if err != nil {
		return ft
	}
	var leaves []*x509.Certificate
	for _, c := range certs {
		if c.Cert.IsCA {
			if gen, err := certcheck.JPKIRoot(c.Cert); err == nil && ft.CAGeneration == "" {
				ft.CACert, ft.CAGeneration = c.Cert, gen
			} else if ft.CACert == nil {
				ft.CACert = c.Cert
			}
			continue
		}
		leaves = append(leaves, c.Cert)
	}
	// A token that shows its signature certificate without a PIN (a
	// SoftHSM token, most company tokens): the key's certificate.
	if keys, err := tok.Keys(ctx); err == nil {
		for _, k := range keys {
			if k.Certificate != nil {
				ft.SignatureCert = k.Certificate
				break
			}
		}
	}
	if ft.SignatureCert == nil && !ft.MyNumberCard && len(leaves) == 1 {
		ft.SignatureCert = leaves[0]
	}
	if ft.SignatureCert == nil {
		if kc, err := a.keptCertificate(ctx, ti.Label, ti.Serial); err == nil && kc != nil {
			ft.SignatureCert, ft.CertKept = kc.Cert, true
		}
	}
	return ft
}

// cardPublic is what a My Number card shows on its authentication token
// without a PIN: under OpenSC the user-authentication certificate (no
// personal data in it) and both CA certificates, the signature CA among
// them.
type cardPublic struct {
	authCert, signCA *x509.Certificate
}

func (a *App) readCardPublic(ctx context.Context, e libraryEntry, ti pkcs11.TokenInfo) cardPublic {
	var pub cardPublic
	tok, err := e.lib.OpenToken(ctx, pkcs11.Selector{Label: ti.Label, Serial: ti.Serial})
	if err != nil {
		return pub
	}
	defer tok.Close()
	certs, err := tok.Certificates(ctx)
	if err != nil {
		return pub
	}
	for _, c := range certs {
		switch {
		case !c.Cert.IsCA && pub.authCert == nil:
			pub.authCert = c.Cert
		case c.Cert.IsCA && slices.Contains(c.Cert.Subject.OrganizationalUnit, jpkiSignatureOU):
			pub.signCA = c.Cert
		}
	}
	return pub
}

// jpkiSignatureOU marks the JPKI authority for digital signature (both
// root generations, and the sandbox's).
const jpkiSignatureOU = "JPKI for digital signature"

// noSignatureCertNote is what the list of credentials says of a card
// without a signature certificate (FoundToken.NoSignatureCert).
var noSignatureCertNote = i18n.Text{
	Ja: "このカードには署名用電子証明書が入っていません（15歳未満の方のカードなど）。このカードでは署名できないため、パスワードはお聞きしません。署名用電子証明書の入ったカードをお使いいただくか、市区町村の窓口でご相談ください。",
	En: "This card holds no signature certificate (as on the card of a child under 15), so it cannot sign and no password is asked. Please use a card with a signature certificate, or ask at the municipal office.",
}

// tokenNote says what the user should know before choosing the token; a
// wrong PIN entered since the last use is left to FoundToken.PIN.
func tokenNote(t FoundToken, now time.Time) i18n.Text {
	switch {
	case t.NoSignatureCert:
		return noSignatureCertNote
	case t.PIN.Locked:
		return i18n.Text{Ja: "署名用電子証明書のパスワードロックがかかっています。このカードでは署名できません。パスワードの初期化（再設定）は、カードをお持ちのうえ、お住まいの市区町村の窓口でお手続きください。", En: "The PIN is locked; this card cannot sign. The lock can only be reset at your municipal office: please bring the card there."}

	case t.PIN.FinalTry:
		return i18n.Text{Ja: "署名用電子証明書のパスワードの入力はあと1回です。間違えるとパスワードロックがかかり、市区町村の窓口で初期化（再設定）が必要になります。", En: "One PIN try is left. A wrong PIN locks the card, which is then reset only at the municipal office."}

	case t.AuthCert != nil && now.After(t.AuthCert.NotAfter):
		return i18n.Text{Ja: "カードの利用者証明用電子証明書の有効期限が切れています。市区町村の窓口で更新してください。", En: "The card's authentication certificate has expired; please renew it at your municipal office."}

	case t.SignatureCert != nil && now.After(t.SignatureCert.NotAfter):
		return i18n.Text{Ja: "署名用電子証明書の有効期限が切れています。市区町村の窓口で更新してください。", En: "The signature certificate has expired; please renew it at your municipal office."}

	case t.AuthCert != nil && t.AuthCert.NotAfter.Sub(now) < authExpirySoon:
		return i18n.Text{Ja: "カードの電子証明書の有効期限が近づいています（" + i18n.DateJa(t.AuthCert.NotAfter) + "まで）。", En: "The card's certificates expire soon (" + t.AuthCert.NotAfter.Format("2006-01-02") + ")."}

	}
	return i18n.Text{}
}

// moduleProblem explains a module that could not be used.
func moduleProblem(path string, err error) ModuleProblem {
	if errors.Is(err, ErrNoModule) {
		path = ""
	}
	return ModuleProblem{Module: path, Err: err}
}
