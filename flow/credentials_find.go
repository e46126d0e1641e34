package flow

import (
	"context"
	"crypto/x509"
	"errors"
	"fmt"
	"os"
	"slices"
	"time"

	"github.com/shinsei-app/shinsei/i18n"

	"github.com/shinsei-app/shinsei/certcheck"
	"github.com/shinsei-app/shinsei/pkcs11"
)

// authExpirySoon is how long before the authentication certificate
// expires that a note says so.
const authExpirySoon = 30 * 24 * time.Hour

func (a *App) findCredentials(ctx context.Context) (*FoundCredentials, error) {
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

// tokenNote says what the user should know before choosing the token.
func tokenNote(t FoundToken, now time.Time) i18n.Text {
	switch {
	case t.PIN.Locked:
		return i18n.Text{Ja: "暗証番号（パスワード）がロックされています。このカードでは署名できません。ロックの解除は、カードをお持ちのうえ、お住まいの市区町村の窓口でお手続きください。", En: "The PIN is locked; this card cannot sign. The lock can only be reset at your municipal office: please bring the card there."}

	case t.PIN.FinalTry:
		return i18n.Text{Ja: "暗証番号（パスワード）の入力はあと1回です。間違えるとロックされ、市区町村の窓口での手続きが必要になります。", En: "One PIN try is left. A wrong PIN locks the card, which is then reset only at the municipal office."}

	case t.AuthCert != nil && now.After(t.AuthCert.NotAfter):
		return i18n.Text{Ja: "カードの利用者証明用電子証明書の有効期限が切れています。市区町村の窓口で更新してください。", En: "The card's authentication certificate has expired; please renew it at your municipal office."}

	case t.SignatureCert != nil && now.After(t.SignatureCert.NotAfter):
		return i18n.Text{Ja: "署名用電子証明書の有効期限が切れています。市区町村の窓口で更新してください。", En: "The signature certificate has expired; please renew it at your municipal office."}

	case t.AuthCert != nil && t.AuthCert.NotAfter.Sub(now) < authExpirySoon:
		return i18n.Text{Ja: "カードの電子証明書の有効期限が近づいています（" + t.AuthCert.NotAfter.Format("2006-01-02") + "まで）。", En: "The card's certificates expire soon (" + t.AuthCert.NotAfter.Format("2006-01-02") + ")."}

	case t.PIN.CountLow && t.PIN.TriesLeft > 1:
		return i18n.Text{Ja: fmt.Sprintf("前回の利用以降に暗証番号の入力誤りがありました。残りの入力回数は%d回です。", t.PIN.TriesLeft), En: fmt.Sprintf("A wrong PIN was entered since the last use; %d tries are left.", t.PIN.TriesLeft)}

	case t.PIN.CountLow:
		return i18n.Text{Ja: "前回の利用以降に暗証番号の入力誤りがありました。", En: "A wrong PIN was entered since the last use."}
	}
	return i18n.Text{}
}

// moduleProblem explains a module that could not be used.
func moduleProblem(path string, err error) ModuleProblem {
	m, h := Explanation(err)
	if errors.Is(err, ErrNoModule) {
		path = ""
	}
	return ModuleProblem{Module: path, Message: m, Hint: h, Err: err}
}
