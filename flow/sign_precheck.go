package flow

import (
	"context"
	"crypto/x509"

	"github.com/shinsei-app/shinsei/certcheck"
	"github.com/shinsei-app/shinsei/i18n"
	"github.com/shinsei-app/shinsei/signer"
	"github.com/shinsei-app/shinsei/submit"
)

// RevocationUnknown reports whether the revocation status of a
// certificate on the checked path could not be established (the
// indeterminate result, exit class 4). A status only the service may read
// (a My Number card's, not checkable here) and a check not made
// (TrustNotChecked) are not unknown.
func (p *Precheck) RevocationUnknown() bool {
	if p == nil || p.Cert == nil {
		return false
	}
	for _, cr := range p.Cert.Path {
		if !cr.Anchor && cr.Revocation.Status == certcheck.StatusUnknown {
			return true
		}
	}
	return false
}

// NotCheckedNote is what a surface shows when a pre-check ran without
// trust anchors or a service (Precheck.TrustNotChecked).
var NotCheckedNote = i18n.Text{
	Ja: "信頼できる認証局の確認と失効の確認は行っていません（信頼する証明書もサービスも指定されていません）。有効期限・用途・証明書の種類・申請者欄との照合は確認しました。",
	En: "Trust and revocation were not checked (no trust anchors and no service were given); the validity period, key usage, certificate type and the applicant block were checked.",
}

// precheckSigner is the pre-check SignFiles runs between the PIN and the
// signature. With trust anchors — the configuration's, or those the
// service's catalogue announces — it is the window's pre-check. Without
// them it checks what needs no anchor: the validity period of the
// certificate and of the chain it came with, the key usage, the kind of
// certificate, the identity match and the form; and it asks the service,
// when one is configured, whether it serves the certificate's issuer and
// whether the certificate is revoked. With neither, the pre-check says
// that trust and revocation were not checked (TrustNotChecked).
func (a *App) precheckSigner(ctx context.Context, cred signer.Credential, form *submit.FormDocument, proc *submit.Procedure, attachments int) *Precheck {
	if cred.Cert == nil || len(a.signerTrust(ctx).anchors) > 0 {
		return a.precheck(ctx, cred.Cert, form, proc, attachments)
	}
	cert := cred.Cert
	now := a.now()
	p := &Precheck{Certificate: cert, Procedure: proc, CheckedAt: now}
	add := func(id LineID, field string, level Level, msg, todo i18n.Text) {
		p.Lines = append(p.Lines, PrecheckLine{ID: id, Field: field, Finding: Finding{Level: level, Message: msg, Todo: todo}})
	}
	renew := renewHint(kindOf(cert, ""))
	var reason certcheck.Reason
	for _, c := range append([]*x509.Certificate{cert}, cred.Chain...) {
		switch {
		case now.After(c.NotAfter):
			reason = certcheck.ReasonExpired
		case now.Before(c.NotBefore) && reason == "":
			reason = certcheck.ReasonNotYetValid
		}
	}
	res := &certcheck.Result{Outcome: certcheck.Good,
		Path: []certcheck.CertResult{{Cert: cert, Subject: cert.Subject.String(), Issuer: cert.Issuer.String(), NotBefore: cert.NotBefore, NotAfter: cert.NotAfter}}}
	switch {
	case reason == certcheck.ReasonExpired && certcheck.PreviousJPKIGeneration(cert, cred.Chain, now):
		m, todo := oldGenerationText(cert)
		add(LineCertificate, "", Red, m, todo)
		res.Outcome, res.Reason = certcheck.Bad, reason
	case reason != "":
		m, todo := certReasonText(reason, cert, renew)
		add(LineCertificate, "", Red, m, todo)
		res.Outcome, res.Reason = certcheck.Bad, reason
	case cert.NotAfter.Sub(now) < expirySoon:
		add(LineCertificate, "", Amber, i18n.Text{Ja: "有効期限内の電子証明書ですが、有効期限が近づいています（" + i18n.DateJa(cert.NotAfter.Local()) + "まで）。", En: "The certificate is within its validity period, but it expires soon (" + cert.NotAfter.Local().Format("2006-01-02") + ")."}, renew)
	default:
		add(LineCertificate, "", Green, i18n.Text{Ja: "有効期限内の電子証明書です（" + i18n.DateJa(cert.NotAfter.Local()) + "まで有効）。", En: "The certificate is within its validity period (until " + cert.NotAfter.Local().Format("2006-01-02") + ")."}, i18n.Text{})
	}
	if a.client == nil {
		p.TrustNotChecked = true
		res.Path[0].Revocation = certcheck.Revocation{Status: certcheck.StatusNotChecked}
		add(LineRevocation, "", Amber, NotCheckedNote,
			i18n.Text{Ja: "確認するには、信頼する証明書または申請サービスを指定してください。", En: "To check them, give the trust anchors or the service."})
	} else {
		r, served := a.serviceRevocation(ctx, cert, now)
		if !served {
			add(LineCertificate, "", Red, i18n.Text{Ja: "申請サービスは、この電子証明書の発行元を受け付けていません。", En: "The service does not accept certificates of this issuer."},
				i18n.Text{Ja: "マイナンバーカードまたは商業登記電子証明書をお使いください。", En: "Please use a My Number card or a commercial-registry certificate."})
			res.Outcome, res.Reason = certcheck.Bad, certcheck.ReasonUntrusted
		} else {
			res.Path[0].Revocation = r
			f := revocationLine(res, renew)
			add(LineRevocation, "", f.Level, f.Message, f.Todo)
			switch r.Status {
			case certcheck.StatusRevoked:
				res.Outcome, res.Reason = certcheck.Bad, certcheck.ReasonRevoked
			case certcheck.StatusOnHold:
				res.Outcome, res.Reason = certcheck.Bad, certcheck.ReasonOnHold
			}
		}
	}
	p.Cert = res
	precheckUse(cert, proc, "", add)
	a.precheckFormAndService(ctx, p, cert, form, proc, attachments, add)
	return p
}
