package service

import (
	"archive/zip"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"net/http"
	"slices"
	"strings"

	"github.com/shinsei-app/shinsei/identity"
	"github.com/shinsei-app/shinsei/internal/iox"
	"github.com/shinsei-app/shinsei/signer"
	"github.com/shinsei-app/shinsei/submit"
)

// Proxy filing (代理申請). A package holding submit.PowerOfAttorneyName is
// a proxy's application: two CAdES signatures, the principal's over the
// power of attorney alone and the proxy's over the form, the attachments
// and the power of attorney. The service checks, in this order: the
// procedure allows a proxy (not idpw+signature) (proxy-not-allowed); the
// package's integrity (as any package); the two signatures' shape
// (power-of-attorney-invalid); each signer's certificate path, kind and
// revocation (the principal's of the kind the procedure's users need,
// the proxy's a resident's or a company's); the power of attorney (for
// this procedure, naming one proxy, a valid_until no later than
// submit.PowerOfAttorneyMaxMonths after its issue)
// (power-of-attorney-invalid); its validity at receipt
// (power-of-attorney-expired); the form's schema; the principal is the form's applicant, matched as the
// identity check of any application (principal-not-applicant, naming the
// fields); the proxy is the submitter: the name in the proxy's
// certificate, or the session's account (proxy-not-submitter).

// maxPowerOfAttorney caps the power of attorney's size.
const maxPowerOfAttorney = 64 << 10

// proxyReasonMessages are the wordings of the refusals of proxy filings,
// merged into reasonMessages.
var proxyReasonMessages = map[submit.Reason]reasonMessage{
	submit.ReasonProxyNotAllowed: {http.StatusForbidden,
		"この手続きは代理申請ができません。申請者ご本人が、ご自身の電子証明書で署名して申請してください。",
		"This procedure cannot be filed by a proxy. The applicant must sign and file it with their own certificate."},
	submit.ReasonPowerOfAttorneyInvalid: {http.StatusUnprocessableEntity,
		"委任状を確認できませんでした。この手続きのための委任状に、申請者ご本人が署名したものを添えて、署名し直してください。",
		"The power of attorney could not be accepted. Please attach a power of attorney for this procedure signed by the applicant, and sign again."},
	submit.ReasonPrincipalNotApplicant: {http.StatusUnprocessableEntity,
		"委任状に署名した方と、申請書の申請者が一致しません。申請者ご本人に委任状へ署名していただくか、申請者欄を委任した方の電子証明書の記録どおりに直して、署名し直してください。",
		"The person who signed the power of attorney is not the applicant of the form. Please have the applicant sign the power of attorney, or correct the applicant block to the principal's certificate, and sign again."},
	submit.ReasonPowerOfAttorneyExpired: {http.StatusUnprocessableEntity,
		"委任状の有効期限が過ぎています。委任者に新しい委任状を作っていただき、署名し直してください。",
		"The power of attorney has expired. Please ask the principal for a new power of attorney, and sign again."},
	submit.ReasonProxyNotSubmitter: {http.StatusForbidden,
		"委任状で指定された代理人と、申請書に署名・送信した方が一致しません。委任状で指定された代理人ご本人の電子証明書で署名し、指定された利用者IDで送信してください。",
		"The proxy named in the power of attorney is not the one who signed or sent the application. Please sign with the named proxy's own certificate and send it from the named user ID."},
}

func init() {
	for r, m := range proxyReasonMessages {
		reasonMessages[r] = m
	}
}

// carriesPowerOfAttorney reports whether the package at path holds a
// power of attorney: whether it is a proxy's application.
func carriesPowerOfAttorney(path string) bool {
	zr, err := zip.OpenReader(path)
	if err != nil {
		return false // the package's checks say why
	}
	defer zr.Close()
	return slices.ContainsFunc(zr.File, func(f *zip.File) bool { return strings.EqualFold(f.Name, submit.PowerOfAttorneyName) })
}

// accountKindRefusal is the refusal of an account whose user type the
// procedure is not for.
func accountKindRefusal(acct *accountRow) *apiProblem {
	return fail(submit.ReasonLoginRequired, "account: a "+string(acct.UserType)+" account cannot file this procedure").
		withStatus(http.StatusForbidden).
		withText("この手続きは、ログインしている利用者の種類（住民・法人）では申請できません。", "This procedure is not for this kind of account.")
}

// namesProxyAccount reports whether the package at path is a proxy's
// application whose power of attorney names account as the proxy: then
// an account of a kind the procedure is not for may file it (a company
// filing for a resident as the named proxy). It is read without
// verifying: checkProxyApplication then checks the whole package, and
// that the session is the named account.
func namesProxyAccount(path, account string) bool {
	zr, err := zip.OpenReader(path)
	if err != nil {
		return false
	}
	defer zr.Close()
	for _, f := range zr.File {
		if f.Name != submit.PowerOfAttorneyName || f.UncompressedSize64 > maxPowerOfAttorney {
			continue
		}
		rc, err := f.Open()
		if err != nil {
			return false
		}
		data, err := iox.ReadAll(rc, maxPowerOfAttorney)
		rc.Close()
		var poa submit.PowerOfAttorney
		if err != nil || json.Unmarshal(data, &poa) != nil {
			return false
		}
		return poa.Type == submit.PowerOfAttorneyType && poa.Proxy.Account != "" && poa.Proxy.Account == account
	}
	return false
}

// checkProxyApplication checks a proxy's application for proc and
// returns the record to store: the proxy's certificate and signature
// identify it.
func (s *Service) checkProxyApplication(ctx context.Context, proc *submit.Procedure, acct *accountRow, body *receivedBody) (*applicationRow, *apiProblem) {
	if !proc.AllowsProxy() {
		return nil, fail(submit.ReasonProxyNotAllowed, "procedure")
	}
	rep, p := s.verifyIntegrity(ctx, body.path)
	if p != nil {
		return nil, p
	}
	principalSig, proxySig, p := proxySignatures(rep)
	if p != nil {
		return nil, p
	}
	principal, p := s.checkSigner(ctx, rep, principalSig, proc.For)
	if p != nil {
		return nil, p
	}
	proxy, p := s.checkSigner(ctx, rep, proxySig, []submit.UserType{submit.UserResident, submit.UserCompany})
	if p != nil {
		return nil, p
	}
	poa, p := readPowerOfAttorney(body.path, rep)
	if p != nil {
		return nil, p
	}
	if poa.Procedure != proc.ID {
		return nil, fail(submit.ReasonPowerOfAttorneyInvalid, "power of attorney: procedure")
	}
	if p := s.checkValidity(poa); p != nil {
		return nil, p
	}
	if p := proxy.readForm(body.path); p != nil {
		return nil, p
	}
	proxy.attachments-- // the power of attorney is no attachment
	doc, p := decodeForm(proxy.form, proc, true)
	if p != nil {
		return nil, p
	}
	if p := checkAttachments(proc, proxy); p != nil {
		return nil, p
	}
	if p := principal.checkIdentity(doc); p != nil {
		if p.Problem.Reason != submit.ReasonIdentityMismatch {
			return nil, p
		}
		return nil, fail(submit.ReasonPrincipalNotApplicant, strings.Replace(p.Problem.Detail, "applicant:", "applicant/principal:", 1))
	}
	if p := proxy.isProxy(poa.Proxy, acct); p != nil {
		return nil, p
	}
	return &applicationRow{SignerCertSHA256: proxy.certSHA256(), SignatureSHA256: signatureKey(rep)}, nil
}

// proxySignatures finds the package's two signatures: the principal's,
// over the power of attorney alone, and the proxy's, over the form and
// every other file. Anything else is power-of-attorney-invalid.
func proxySignatures(rep *signer.Report) (principal, proxy *signer.SignatureResult, _ *apiProblem) {
	var cades []*signer.SignatureResult
	for i := range rep.Signatures {
		if rep.Signatures[i].Kind == signer.KindCAdES {
			cades = append(cades, &rep.Signatures[i])
		}
	}
	if len(cades) != 2 {
		return nil, nil, fail(submit.ReasonPowerOfAttorneyInvalid, "package: a proxy's application has two signatures, the principal's and the proxy's")
	}
	for _, c := range cades {
		if slices.Equal(c.Covers, []string{submit.PowerOfAttorneyName}) {
			principal = c
		} else {
			proxy = c
		}
	}
	if principal == nil || proxy == nil {
		return nil, nil, fail(submit.ReasonPowerOfAttorneyInvalid, "package: no signature over the power of attorney alone")
	}
	for _, f := range rep.Files {
		if !slices.Contains(proxy.Covers, f.Name) {
			return nil, nil, fail(submit.ReasonPowerOfAttorneyInvalid, "package: the proxy's signature does not cover every file")
		}
	}
	return principal, proxy, nil
}

// checkSigner checks one signature's certificate as verifySigned checks
// an application's signer: path, kind for users, revocation.
func (s *Service) checkSigner(ctx context.Context, rep *signer.Report, sig *signer.SignatureResult, users []submit.UserType) (*verifiedPackage, *apiProblem) {
	if p := checkPath(sig.Certificate); p != nil {
		return nil, p
	}
	one := *rep
	one.Signer, one.Chain, one.Certificate = sig.Signer, sig.Chain, sig.Certificate
	v := &verifiedPackage{report: &one, chain: sig.Chain}
	if p := v.certificateFor(users); p != nil {
		return nil, p
	}
	if _, p := s.checkRevocation(ctx, sig.Signer, sig.Chain); p != nil {
		return nil, p
	}
	return v, nil
}

// readPowerOfAttorney reads and decodes the power of attorney the
// report verified.
func readPowerOfAttorney(path string, rep *signer.Report) (*submit.PowerOfAttorney, *apiProblem) {
	i := slices.IndexFunc(rep.Files, func(f signer.FileResult) bool { return f.Name == submit.PowerOfAttorneyName })
	if i < 0 || rep.Files[i].Size > maxPowerOfAttorney {
		return nil, fail(submit.ReasonPowerOfAttorneyInvalid, "power of attorney: missing or too large")
	}
	zr, err := zip.OpenReader(path)
	if err != nil {
		return nil, fail(submit.ReasonBadRequest, "package: not a readable ASiC-E package")
	}
	defer zr.Close()
	var data []byte
	for _, f := range zr.File {
		if f.Name != submit.PowerOfAttorneyName {
			continue
		}
		rc, err := f.Open()
		if err != nil {
			return nil, fail(submit.ReasonPowerOfAttorneyInvalid, "power of attorney: cannot be read")
		}
		data, err = iox.ReadAll(rc, maxPowerOfAttorney)
		rc.Close()
		sum := sha256.Sum256(data)
		if err != nil || hex.EncodeToString(sum[:]) != rep.Files[i].SHA256 {
			return nil, fail(submit.ReasonPowerOfAttorneyInvalid, "power of attorney: cannot be read")
		}
	}
	var poa submit.PowerOfAttorney
	if p := decodeJSONBytes(data, &poa); p != nil {
		return nil, fail(submit.ReasonPowerOfAttorneyInvalid, "power of attorney: "+p.Problem.Detail)
	}
	switch {
	case poa.Type != submit.PowerOfAttorneyType:
		return nil, fail(submit.ReasonPowerOfAttorneyInvalid, "power of attorney: type")
	case (poa.Proxy.Name == "") == (poa.Proxy.Account == ""):
		return nil, fail(submit.ReasonPowerOfAttorneyInvalid, "power of attorney: proxy (a name or an account, one of them)")
	}
	if _, err := poa.Validity(); err != nil {
		return nil, fail(submit.ReasonPowerOfAttorneyInvalid, "power of attorney: "+err.Error())
	}
	return &poa, nil
}

// checkValidity refuses a power of attorney used, at receipt, outside its
// validity (power-of-attorney-expired): after its valid_until, or before
// its issued_at.
func (s *Service) checkValidity(poa *submit.PowerOfAttorney) *apiProblem {
	v, err := poa.Validity()
	if err != nil {
		return fail(submit.ReasonPowerOfAttorneyInvalid, "power of attorney: "+err.Error())
	}
	switch v.At(s.now()) {
	case submit.Expired:
		return fail(submit.ReasonPowerOfAttorneyExpired, "power of attorney: valid until "+poa.ValidUntil)
	case submit.NotYetValid:
		return fail(submit.ReasonPowerOfAttorneyExpired, "power of attorney: not valid yet (issued_at is ahead of the service's clock)").
			withMessage("委任状の作成日時が、受付の時刻より後になっています。委任者のパソコンの時計を確かめて委任状を作り直していただき、署名し直してください。",
				"The power of attorney is dated after the time of receipt. Please ask the principal to check their computer's clock and make a new power of attorney, and sign again.")
	}
	return nil
}

// isProxy checks that v's signer, submitting in acct's session (nil
// without one), is the proxy the power of attorney names.
func (v *verifiedPackage) isProxy(named submit.ProxyRef, acct *accountRow) *apiProblem {
	if named.Account != "" {
		if acct == nil || acct.ID != named.Account {
			return fail(submit.ReasonProxyNotSubmitter, "proxy: account")
		}
		return nil
	}
	ok := false
	switch {
	case v.person != nil:
		ok = identity.MatchPerson(v.person, identity.Applicant{Name: named.Name}).OK()
	case v.corp != nil:
		ok = identity.MatchCorporation(v.corp, identity.Applicant{CorporateName: named.Name}).OK() ||
			identity.MatchCorporation(v.corp, identity.Applicant{RepresentativeName: named.Name}).OK()
	}
	if !ok {
		return fail(submit.ReasonProxyNotSubmitter, "proxy: name")
	}
	return nil
}
