package flow

import (
	"archive/zip"
	"bytes"
	"context"
	"crypto/x509"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/shinsei-app/shinsei/i18n"
	"github.com/shinsei-app/shinsei/identity"
	"github.com/shinsei-app/shinsei/internal/fsx"
	"github.com/shinsei-app/shinsei/internal/iox"
	"github.com/shinsei-app/shinsei/signer"
	"github.com/shinsei-app/shinsei/submit"
)

// Proxy filing (代理申請). The principal — the applicant — signs a power
// of attorney (委任状) naming the proxy and the procedure
// (SignPowerOfAttorney, a package of its own, POA.asice). The proxy signs
// the application with it (SignRequest.PowerOfAttorney,
// SignFilesRequest.PowerOfAttorney): the package then carries the
// principal's signature over the power of attorney unchanged and the
// proxy's signature over the form, the attachments and the power of
// attorney, each over its own manifest. The promises: a procedure that
// allows no proxy, a power of attorney for another procedure or signed by
// someone other than the form's applicant, or used outside its validity
// (有効期限, submit.PowerOfAttorney.ValidUntil) are refused before any PIN
// or password is asked; a proxy's certificate that is not the named proxy's
// is a red pre-check line, so nothing is signed the service would refuse.

// Errors of proxy filing.
var (
	// ErrProxyNotAllowed: the procedure does not allow a proxy, or is
	// one the account holder signs in person (idpw+signature).
	ErrProxyNotAllowed = errors.New("flow: this procedure cannot be filed by a proxy; nothing was signed and no PIN try was spent")
	// ErrPowerOfAttorneyInvalid: the power of attorney package is not
	// one: not intact, not signed once over the power of attorney alone,
	// unreadable, for another procedure, or naming no proxy.
	ErrPowerOfAttorneyInvalid = errors.New("flow: the power of attorney cannot be used; nothing was signed and no PIN try was spent")
	// ErrPrincipalNotApplicant: the power of attorney's signer is not the
	// form's applicant.
	ErrPrincipalNotApplicant = errors.New("flow: the power of attorney was signed by someone other than the form's applicant; nothing was signed and no PIN try was spent")
	// ErrPowerOfAttorneyExpired: the last day of the power of attorney
	// (valid_until) has passed.
	ErrPowerOfAttorneyExpired = errors.New("flow: the power of attorney has expired; nothing was signed or sent, and no PIN try was spent")
	// ErrPowerOfAttorneyNotYetValid: the power of attorney was issued
	// later than now, by this computer's clock.
	ErrPowerOfAttorneyNotYetValid = errors.New("flow: the power of attorney is not valid yet; nothing was signed or sent, and no PIN try was spent")
	// ErrValidUntilOutOfRange: the last day the principal chose for a
	// power of attorney is before today or more than
	// submit.PowerOfAttorneyMaxMonths ahead.
	ErrValidUntilOutOfRange = errors.New("flow: a power of attorney's last day must be from today to 6 months ahead; nothing was signed and no PIN try was spent")
)

// Pre-check lines of a proxy's signature, in place of LineIdentity.
const (
	// LinePrincipal: the form's applicant is the principal who signed the
	// power of attorney.
	LinePrincipal LineID = "principal"
	// LineProxy: the signer is the proxy the power of attorney names.
	LineProxy LineID = "proxy"
)

// PowerOfAttorneyRequest is what SignPowerOfAttorney signs.
type PowerOfAttorneyRequest struct {
	// Procedure is the procedure's ID.
	Procedure string
	// Proxy names the proxy: the name in the proxy's certificate, or the
	// user ID of the proxy's account on the service; exactly one.
	Proxy submit.ProxyRef
	// Credential is the principal's key.
	Credential CredentialChoice
	// Confirm asks Callbacks.ConfirmSign with the pre-check before the
	// power of attorney is signed, whatever it found (the window shows
	// it and signs on the principal's tap); without it only a revocation
	// status that could not be established is asked (AcceptIndeterminate).
	Confirm bool
	// Out is where the package is written; Overwrite replaces a file
	// there (otherwise ErrOutExists before any PIN).
	Out       string
	Overwrite bool
	// AcceptIndeterminate signs when the revocation status could not be
	// established (as SignFilesRequest.AcceptIndeterminate).
	AcceptIndeterminate bool
	// ValidUntil is the last day a proxy may file with it (有効期限): its
	// date (year, month, day, as in its own location) is written as a day
	// in Japan. From today to submit.PowerOfAttorneyMaxMonths ahead
	// (ErrValidUntilOutOfRange before any PIN); the zero value is the
	// default, submit.PowerOfAttorneyDefaultMonths after the day of issue.
	ValidUntil time.Time
}

// PowerOfAttorney is a power of attorney as read from its package.
type PowerOfAttorney struct {
	// Path is the package.
	Path string `json:"path"`
	// Document is what it says.
	Document submit.PowerOfAttorney `json:"power_of_attorney"`
	// Principal is its signer's certificate.
	Principal *x509.Certificate `json:"-"`
	// Validity is when it may be used (Document.ValidUntil).
	Validity submit.Validity `json:"-"`
	// certificate is the check of the principal's certificate path at
	// reading, against the anchors the pre-check uses; trusted says
	// whether there were any.
	certificate signer.Check
	trusted     bool
	// now is the clock of the App that read it.
	now func() time.Time
}

// SignPowerOfAttorney signs, with the principal's credential, a power of
// attorney for the procedure naming the proxy, into its own package at
// req.Out (submit.PowerOfAttorneyName, no form: it is carried into the
// proxy's application). Before any PIN or password: a proxy named by
// exactly one of name and account, the output, and — when the service's
// catalogue knows the procedure — a procedure that allows a proxy
// (ErrProxyNotAllowed). The principal's block is filled from the
// principal's certificate, after the PIN; the pre-check is SignFiles'.
func (a *App) SignPowerOfAttorney(ctx context.Context, req PowerOfAttorneyRequest, cb Callbacks) (*Signed, error) {
	req.Proxy.Name, req.Proxy.Account = strings.TrimSpace(req.Proxy.Name), strings.TrimSpace(req.Proxy.Account)
	switch {
	case req.Procedure == "":
		return nil, &Error{Op: "power of attorney: no procedure", Err: ErrPowerOfAttorneyInvalid}
	case (req.Proxy.Name == "") == (req.Proxy.Account == ""):
		return nil, &Error{Op: "power of attorney: name the proxy by name or by account, one of them", Err: ErrPowerOfAttorneyInvalid}
	case req.Out == "":
		return nil, &Error{Op: "power of attorney: no package path given", Err: signer.ErrInvalidFile}
	}
	if err := checkOutput(req.Out, req.Overwrite); err != nil {
		return nil, err
	}
	until, err := a.validUntil(req.ValidUntil)
	if err != nil {
		return nil, err
	}
	proc := a.formProcedure(ctx, &submit.FormDocument{Procedure: req.Procedure})
	if proc != nil && !proc.AllowsProxy() {
		return nil, &Error{Op: "power of attorney: " + req.Procedure, Err: ErrProxyNotAllowed}
	}
	work, err := a.privateTemp("poa")
	if err != nil {
		return nil, err
	}
	defer fsx.RemoveAll(work)
	signed := &Signed{Path: req.Out}
	if proc != nil {
		signed.Procedure = *proc
	}
	_, err = a.useCredential(ctx, req.Credential, cb, signing{
		checkCred: func(cred signer.Credential) *Precheck {
			return a.precheckSigner(ctx, cred, nil, proc, -1)
		},
		confirmRequired: req.Confirm,
		confirm: func(ctx context.Context, p *Precheck) (bool, error) {
			if req.Confirm {
				return cb.ConfirmSign(ctx, p)
			}
			if !p.RevocationUnknown() || req.AcceptIndeterminate {
				return true, nil
			}
			if cb.ConfirmSign == nil {
				return false, &Error{Op: "power of attorney", Err: ErrIndeterminate}
			}
			return cb.ConfirmSign(ctx, p)
		},
		use: func(cred signer.Credential, p *Precheck) error {
			doc := submit.PowerOfAttorney{Type: submit.PowerOfAttorneyType, Procedure: req.Procedure,
				Principal: principalBlock(cred.Cert, proc), Proxy: req.Proxy, IssuedAt: a.now().Truncate(time.Second), ValidUntil: until}
			if doc.ValidUntil == "" {
				doc.ValidUntil = submit.PowerOfAttorneyDefaultUntil(doc.IssuedAt)
			}
			if _, err := doc.Validity(); err != nil {
				// The day turned while the PIN was asked.
				return &Error{Op: "power of attorney: " + err.Error(), Err: ErrValidUntilOutOfRange}
			}
			signed.Written = &doc
			data, err := json.MarshalIndent(doc, "", "  ")
			if err != nil {
				return &Error{Op: "power of attorney", Err: err}
			}
			letter := filepath.Join(work, submit.PowerOfAttorneyName)
			if err := os.WriteFile(letter, data, 0o600); err != nil {
				return &Error{Op: "power of attorney", Err: err}
			}
			signed.supporting = true
			return signed.build(ctx, []signer.File{{Name: submit.PowerOfAttorneyName, Path: letter}}, cred, p, a.tsa(ctx), cb)
		},
	})
	if err != nil {
		return nil, err
	}
	return signed, nil
}

// validUntil is the valid_until of a power of attorney signed now for
// the principal's choice t: "" (the default) for the zero time, else
// t's date, from today to submit.PowerOfAttorneyMaxMonths ahead
// (ErrValidUntilOutOfRange).
func (a *App) validUntil(t time.Time) (string, error) {
	if t.IsZero() {
		return "", nil
	}
	day := t.Format(submit.DateLayout)
	now := a.now()
	if today, latest := submit.PowerOfAttorneyDay(now), submit.PowerOfAttorneyLatestUntil(now); day < today || day > latest {
		return "", &Error{Op: fmt.Sprintf("power of attorney: valid until %s, not from %s to %s", day, today, latest), Err: ErrValidUntilOutOfRange}
	}
	return day, nil
}

// principalBlock is the principal's applicant block from the
// certificate: the procedure's applicant fields, or every field the
// certificate holds when the procedure is not known.
func principalBlock(cert *x509.Certificate, proc *submit.Procedure) map[string]any {
	values := applicantValues(Prefill(cert))
	block := map[string]any{}
	for k, v := range values {
		if v != "" && (proc == nil || slices.Contains(proc.Form.Applicant, k)) {
			block[k] = v
		}
	}
	return block
}

// PrincipalName is the principal's name as the signing certificate holds
// it: a person's name, or a company's name.
func (poa *PowerOfAttorney) PrincipalName() string {
	h, err := identity.HolderOf(poa.Principal)
	switch {
	case err != nil:
		return ""
	case h.Corporation != nil:
		return h.Corporation.Name
	}
	return h.Applicant().Name
}

// ReadPowerOfAttorney reads the power of attorney package at path: intact,
// signed once, over submit.PowerOfAttorneyName alone, which is a power
// of attorney naming a procedure and one proxy. Anything else is
// ErrPowerOfAttorneyInvalid (or an input error for a missing file).
// Whether its signer is trusted is the pre-check's and the service's
// concern.
func (a *App) ReadPowerOfAttorney(ctx context.Context, path string) (*PowerOfAttorney, error) {
	if err := checkInputFile(path); err != nil {
		return nil, err
	}
	invalid := func(why string) error {
		return &Error{Op: "power of attorney " + path + ": " + why, Err: ErrPowerOfAttorneyInvalid}
	}
	trust := a.signerTrust(ctx)
	rep, err := signer.Verify(ctx, path, signer.VerifyOptions{Roots: trust.anchors, Intermediates: trust.intermediates, At: a.now()})
	switch {
	case errors.Is(err, signer.ErrMalformed) || errors.Is(err, signer.ErrTooLarge):
		return nil, invalid(err.Error())
	case err != nil:
		return nil, &Error{Op: "power of attorney", Err: err}
	case !rep.Integrity.OK:
		return nil, invalid("not intact (" + rep.Integrity.Reason + ")")
	case len(rep.Signatures) != 1 || rep.Signatures[0].Kind != signer.KindCAdES ||
		!slices.Equal(rep.Signatures[0].Covers, []string{submit.PowerOfAttorneyName}):
		return nil, invalid("not one signature over " + submit.PowerOfAttorneyName + " alone")
	}
	data, err := readPackaged(path, submit.PowerOfAttorneyName, 64<<10)
	if err != nil {
		return nil, invalid(err.Error())
	}
	var doc submit.PowerOfAttorney
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&doc); err != nil {
		return nil, invalid("not a power of attorney")
	}
	switch {
	case doc.Type != submit.PowerOfAttorneyType || doc.Procedure == "":
		return nil, invalid("not a power of attorney")
	case (doc.Proxy.Name == "") == (doc.Proxy.Account == ""):
		return nil, invalid("names no proxy")
	}
	validity, err := doc.Validity()
	if err != nil {
		return nil, invalid(err.Error())
	}
	return &PowerOfAttorney{Path: path, Document: doc, Principal: rep.Signatures[0].Signer, Validity: validity,
		certificate: rep.Signatures[0].Certificate, trusted: len(trust.anchors) > 0, now: a.now}, nil
}

// checkValidity says whether the power of attorney may be used now:
// ErrPowerOfAttorneyExpired after its last day,
// ErrPowerOfAttorneyNotYetValid before its issue.
func (poa *PowerOfAttorney) checkValidity() error {
	now := time.Now()
	if poa.now != nil {
		now = poa.now()
	}
	switch poa.Validity.At(now) {
	case submit.Expired:
		return &Error{Op: "power of attorney: valid until " + poa.Document.ValidUntil, Err: ErrPowerOfAttorneyExpired}
	case submit.NotYetValid:
		return &Error{Op: "power of attorney: issued " + poa.Document.IssuedAt.Format(time.RFC3339), Err: ErrPowerOfAttorneyNotYetValid}
	}
	return nil
}

// readPackaged reads one entry of a package, at most limit bytes.
func readPackaged(path, name string, limit int64) ([]byte, error) {
	zr, err := zip.OpenReader(path)
	if err != nil {
		return nil, err
	}
	defer zr.Close()
	for _, f := range zr.File {
		if f.Name == name {
			rc, err := f.Open()
			if err != nil {
				return nil, err
			}
			defer rc.Close()
			return iox.ReadAll(rc, limit)
		}
	}
	return nil, fmt.Errorf("no %s", name)
}

// CheckFor reports whether the power of attorney can be used for proc
// now: it is for that procedure (ErrPowerOfAttorneyInvalid), the
// procedure allows a proxy (ErrProxyNotAllowed), and it is within its
// validity (ErrPowerOfAttorneyExpired, ErrPowerOfAttorneyNotYetValid).
// Whether its signer is the form's applicant is checked when signing.
func (poa *PowerOfAttorney) CheckFor(proc submit.Procedure) error {
	if poa.Document.Procedure != proc.ID {
		return &Error{Op: fmt.Sprintf("power of attorney: for %s, not %s", poa.Document.Procedure, proc.ID), Err: ErrPowerOfAttorneyInvalid}
	}
	if !proc.AllowsProxy() {
		return &Error{Op: "power of attorney: " + proc.ID, Err: ErrProxyNotAllowed}
	}
	return poa.checkValidity()
}

// checkFor checks, before any PIN, that the power of attorney serves the
// form: the same procedure, one that allows a proxy when the catalogue
// knows it (proc), within its validity now, and its signer is the form's
// applicant.
func (poa *PowerOfAttorney) checkFor(form *submit.FormDocument, proc *submit.Procedure) error {
	if form == nil {
		return &Error{Op: "sign: a proxy signs a JSON form", Err: ErrPowerOfAttorneyInvalid}
	}
	if poa.Document.Procedure != form.Procedure {
		return &Error{Op: fmt.Sprintf("sign: the power of attorney is for %s, the form for %s", poa.Document.Procedure, form.Procedure), Err: ErrPowerOfAttorneyInvalid}
	}
	if proc != nil && !proc.AllowsProxy() {
		return &Error{Op: "sign: " + proc.ID, Err: ErrProxyNotAllowed}
	}
	if err := poa.checkValidity(); err != nil {
		return err
	}
	if res := poa.principalMatch(form); !res.OK() {
		var fields []string
		for _, f := range res.Mismatches() {
			fields = append(fields, f.Field)
		}
		return &Error{Op: "sign: applicant " + strings.Join(fields, ","), Err: ErrPrincipalNotApplicant}
	}
	return nil
}

// principalMatch compares the form's applicant block with the
// principal's certificate, as the service does.
func (poa *PowerOfAttorney) principalMatch(form *submit.FormDocument) identity.Result {
	h, err := identity.HolderOf(poa.Principal)
	if err != nil {
		return identity.Result{Overall: identity.OutcomeMismatch}
	}
	a := ApplicantOf(form)
	if h.Person != nil {
		return identity.MatchPerson(h.Person, a)
	}
	return identity.MatchCorporation(h.Corporation, a)
}

// adjust turns a pre-check of the proxy's certificate into a proxy's: the
// applicant block is the principal's, not the signer's, so the identity
// lines give way to the principal's line, and the proxy's line says
// whether the signer is the proxy the power of attorney names (red when
// named by a name the certificate does not hold).
func (poa *PowerOfAttorney) adjust(p *Precheck, cert *x509.Certificate) {
	kind := kindOf(cert, "")
	lines := p.Lines[:0]
	for _, l := range p.Lines {
		switch {
		case l.ID == LineIdentity:
			continue
		case l.ID == LineCertificateType && (kind == kindResident || kind == kindCompany):
			// A proxy signs as a person or a company, whoever the
			// procedure's applicants are.
			k := kind.text()
			l.Finding = Finding{Level: Green, Message: i18n.Text{Ja: k.Ja + "です。代理人の署名に使えます。", En: "It is " + k.En + ", accepted for a proxy's signature."}}
		}
		lines = append(lines, l)
	}
	p.Lines, p.Identity = lines, nil
	add := func(id LineID, level Level, msg, todo i18n.Text) {
		p.Lines = append(p.Lines, PrecheckLine{ID: id, Finding: Finding{Level: level, Message: msg, Todo: todo}})
	}
	switch {
	case poa.trusted && !poa.certificate.OK:
		add(LinePrincipal, Red, i18n.Text{Ja: "委任状に署名した電子証明書を確認できませんでした（有効期間外、または信頼できない発行元のものです）。", En: "The certificate that signed the power of attorney could not be accepted (outside its validity, or from an untrusted issuer)."},
			i18n.Text{Ja: "委任者に、有効な電子証明書で委任状を作り直していただいてください。", En: "Please ask the principal for a new power of attorney signed with a valid certificate."})
	default:
		add(LinePrincipal, Green, i18n.Text{Ja: "申請者欄は、委任状に署名した委任者の電子証明書の記録と一致しています。", En: "The applicant block matches the certificate of the principal who signed the power of attorney."}, i18n.Text{})
	}
	named := poa.Document.Proxy
	if named.Account != "" {
		add(LineProxy, Green, i18n.Text{Ja: "委任状は利用者ID「" + named.Account + "」の方を代理人としています。その利用者IDでログインして送信してください。", En: "The power of attorney names the account " + named.Account + " as the proxy: send the application logged in with that user ID."}, i18n.Text{})
		return
	}
	ok := false
	if h, err := identity.HolderOf(cert); err == nil {
		switch {
		case h.Person != nil:
			ok = identity.MatchPerson(h.Person, identity.Applicant{Name: named.Name}).OK()
		case h.Corporation != nil:
			ok = identity.MatchCorporation(h.Corporation, identity.Applicant{CorporateName: named.Name}).OK() ||
				identity.MatchCorporation(h.Corporation, identity.Applicant{RepresentativeName: named.Name}).OK()
		}
	}
	if ok {
		add(LineProxy, Green, i18n.Text{Ja: "署名する電子証明書は、委任状で指定された代理人のものです。", En: "The signing certificate is that of the proxy the power of attorney names."}, i18n.Text{})
		return
	}
	add(LineProxy, Red, i18n.Text{Ja: "署名する電子証明書は、委任状で指定された代理人のものではありません。", En: "The signing certificate is not that of the proxy the power of attorney names."},
		i18n.Text{Ja: "委任状で指定された代理人ご本人の電子証明書で署名するか、委任者に委任状を作り直していただいてください。", En: "Please sign with the named proxy's own certificate, or ask the principal for a new power of attorney."})
}

// proxyFor reads the power of attorney at path for the form and checks
// it before any PIN (checkFor); nil when path is empty.
func (a *App) proxyFor(ctx context.Context, path string, form *submit.FormDocument, proc *submit.Procedure) (*PowerOfAttorney, error) {
	if path == "" {
		return nil, nil
	}
	poa, err := a.ReadPowerOfAttorney(ctx, path)
	if err != nil {
		return nil, err
	}
	if err := poa.checkFor(form, proc); err != nil {
		return nil, err
	}
	return poa, nil
}

// proxyAccount is the account a package's power of attorney names as the
// proxy, "" when it names none or the package carries none: a proxy
// named by account sends from that account's session. Read without
// verifying: the service checks the package.
func proxyAccount(signed *Signed, path, media string) string {
	if poa := carriedPowerOfAttorney(signed, path, media); poa != nil {
		return poa.Proxy.Account
	}
	return ""
}

// carriedPowerOfAttorney is the power of attorney a package carries, nil
// when it carries none. Read without verifying: the service checks the
// package.
func carriedPowerOfAttorney(signed *Signed, path, media string) *submit.PowerOfAttorney {
	if signed != nil && signed.PowerOfAttorney != nil {
		return &signed.PowerOfAttorney.Document
	}
	if media != submit.MediaASiCE {
		return nil
	}
	data, err := readPackaged(path, submit.PowerOfAttorneyName, 64<<10)
	if err != nil {
		return nil
	}
	var doc submit.PowerOfAttorney
	if json.Unmarshal(data, &doc) != nil {
		return nil
	}
	return &doc
}

// checkCarried refuses, before any password or upload, a package whose
// power of attorney the service would refuse as used outside its
// validity (ErrPowerOfAttorneyExpired, ErrPowerOfAttorneyNotYetValid).
// Dates the service would refuse as no power of attorney's are left to
// its answer.
func (a *App) checkCarried(signed *Signed, path, media string) error {
	doc := carriedPowerOfAttorney(signed, path, media)
	if doc == nil {
		return nil
	}
	v, err := doc.Validity()
	if err != nil {
		return nil
	}
	poa := &PowerOfAttorney{Document: *doc, Validity: v, now: a.now}
	if err := poa.checkValidity(); err != nil {
		return &Error{Op: "submit", Err: err}
	}
	return nil
}
