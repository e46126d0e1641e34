package flow

import (
	"context"
	"crypto/x509"
	"fmt"
	"slices"
	"time"

	"github.com/shinsei-app/shinsei/certcheck"
	"github.com/shinsei-app/shinsei/i18n"
	"github.com/shinsei-app/shinsei/identity"
	"github.com/shinsei-app/shinsei/submit"
)

// Precheck checks cert for the procedure and form: trust and validity,
// revocation (for JPKI in honest words: the service checks it, unless the
// service's validation authority answered), key usage, that the kind of
// certificate fits the procedure, the identity match field by field, the
// form against the schema, the service's reachability and TLS trust, and
// the clock. form and proc may be nil (a registration has no procedure;
// a certificate alone can be checked). Precheck never fails: what it
// cannot establish is a line.
func (a *App) Precheck(ctx context.Context, cert *x509.Certificate, form *submit.FormDocument, proc *submit.Procedure) *Precheck {
	return a.precheck(ctx, cert, form, proc, -1)
}

// Thresholds of the pre-check.
const (
	// clockAmber and clockRed bound the difference between this computer's
	// clock and the service's.
	clockAmber = 5 * time.Minute
	clockRed   = 15 * time.Minute
	// expirySoon makes a certificate that expires within it amber.
	expirySoon = 30 * 24 * time.Hour
)

// certKind is what kind of signer a certificate belongs to.
type certKind int

const (
	kindUnknown certKind = iota
	kindResident
	kindCompany
	kindStaff
)

func (k certKind) userType() submit.UserType {
	switch k {
	case kindResident:
		return submit.UserResident
	case kindCompany:
		return submit.UserCompany
	case kindStaff:
		return submit.UserStaff
	}
	return ""
}

func (k certKind) text() i18n.Text {
	switch k {
	case kindResident:
		return i18n.Text{Ja: "マイナンバーカードの署名用電子証明書", En: "a My Number card signature certificate"}
	case kindCompany:
		return i18n.Text{Ja: "商業登記電子証明書", En: "a commercial-registry certificate"}
	case kindStaff:
		return i18n.Text{Ja: "地方公共団体の職責証明書（LGPKI）", En: "a local government official certificate (LGPKI)"}
	}
	return i18n.Text{Ja: "種類の分からない電子証明書", En: "a certificate of an unknown kind"}
}

// kindOf tells what kind of signer cert belongs to, from its attributes
// and, failing that, the PKI its path ends in.
func kindOf(cert *x509.Certificate, domain certcheck.Domain) certKind {
	if h, err := identity.HolderOf(cert); err == nil {
		if h.Corporation != nil {
			return kindCompany
		}
		return kindResident
	}
	switch domain {
	case certcheck.DomainJPKI:
		return kindResident
	case certcheck.DomainRegistry:
		return kindCompany
	case certcheck.DomainLGPKI:
		return kindStaff
	}
	return kindUnknown
}

// precheck runs the pre-check; attachments < 0 skips counting them.
func (a *App) precheck(ctx context.Context, cert *x509.Certificate, form *submit.FormDocument, proc *submit.Procedure, attachments int) *Precheck {
	now := a.now()
	p := &Precheck{Certificate: cert, Procedure: proc, CheckedAt: now}
	add := func(id LineID, field string, level Level, msg, todo i18n.Text) {
		p.Lines = append(p.Lines, PrecheckLine{ID: id, Field: field, Finding: Finding{Level: level, Message: msg, Todo: todo}})
	}
	if cert == nil {
		add(LineCertificate, "", Red, i18n.Text{Ja: "電子証明書が読み取れていません。", En: "No certificate could be read."},
			i18n.Text{Ja: "カードまたは証明書ファイルを選び直してください。", En: "Please choose the card or certificate file again."})
	} else {
		a.precheckCertificate(ctx, p, cert, proc, now, add)
	}
	a.precheckFormAndService(ctx, p, cert, form, proc, attachments, add)
	return p
}

// precheckFormAndService adds the identity match of the form's applicant
// block, the form against the schema, and the service's lines.
func (a *App) precheckFormAndService(ctx context.Context, p *Precheck, cert *x509.Certificate, form *submit.FormDocument, proc *submit.Procedure, attachments int, add addLine) {
	if form != nil && cert != nil {
		a.precheckIdentity(p, cert, form, proc, add)
	}
	if form != nil && proc != nil {
		if probs := ValidateForm(form, *proc, attachments); len(probs) > 0 {
			for _, pr := range probs {
				add(LineForm, pr.Field, Red, pr.Message, i18n.Text{Ja: "申請書を直してから、もう一度お試しください。", En: "Please correct the form and try again."})
			}
		} else {
			add(LineForm, "", Green, i18n.Text{Ja: "申請書の入力内容は、手続きの様式に合っています。", En: "The form fits the procedure's schema."}, i18n.Text{})
		}
	}
	if a.client != nil {
		a.precheckService(ctx, p, add)
	}
}

type addLine func(id LineID, field string, level Level, msg, todo i18n.Text)

func (a *App) precheckCertificate(ctx context.Context, p *Precheck, cert *x509.Certificate, proc *submit.Procedure, now time.Time, add addLine) {
	sources, err := a.sources(ctx)
	if err != nil {
		sources = []certcheck.Source{certcheck.JPKISource{}}
	}
	trust := a.signerTrust(ctx)
	res := checkCertificate(ctx, cert, certcheck.Options{Roots: trust.anchors, Intermediates: trust.intermediates, At: now, Sources: sources})
	p.Cert = res
	renew := renewHint(kindOf(cert, res.Domain))
	pathOK := len(res.Path) > 0
	switch {
	case pathOK && cert.NotAfter.Sub(now) < expirySoon:
		add(LineCertificate, "", Amber, i18n.Text{Ja: "信頼できる認証局が発行した有効な電子証明書ですが、有効期限が近づいています（" + i18n.DateJa(cert.NotAfter.Local()) + "まで）。", En: "The certificate is valid and issued by a trusted authority, but it expires soon (" + cert.NotAfter.Local().Format("2006-01-02") + ")."},

			renew)
	case pathOK:
		add(LineCertificate, "", Green, i18n.Text{Ja: "信頼できる認証局が発行した、有効期限内の電子証明書です（" + i18n.DateJa(cert.NotAfter.Local()) + "まで有効）。", En: "The certificate is issued by a trusted authority and within its validity period (until " + cert.NotAfter.Local().Format("2006-01-02") + ")."},

			i18n.Text{})
	case res.Reason == certcheck.ReasonKeyUsage:
		add(LineCertificate, "", Green, i18n.Text{Ja: "信頼できる認証局が発行した、有効期限内の電子証明書です。", En: "The certificate is issued by a trusted authority and within its validity period."}, i18n.Text{})
	case res.Reason == certcheck.ReasonExpired && certcheck.PreviousJPKIGeneration(cert, trust.anchors, now):
		m, todo := oldGenerationText(cert)
		add(LineCertificate, "", Red, m, todo)
	default:
		m, todo := certReasonText(res.Reason, cert, renew)
		add(LineCertificate, "", Red, m, todo)
	}

	// Revocation: the worst status on the path, in honest words.
	switch {
	case pathOK:
		f := revocationLine(res, renew)
		add(LineRevocation, "", f.Level, f.Message, f.Todo)
	case res.Reason == certcheck.ReasonKeyUsage:
	default:
		add(LineRevocation, "", Amber, i18n.Text{Ja: "証明書の検証ができなかったため、失効の確認は行っていません。", En: "Revocation was not checked, since the certificate itself could not be validated."}, i18n.Text{})
	}
	precheckUse(cert, proc, res.Domain, add)
}

// precheckUse adds the lines that need no outside knowledge beside the
// validity: the key usage, and the kind of certificate against the
// procedure (domain is the PKI of the path's anchor, when one was found).
func precheckUse(cert *x509.Certificate, proc *submit.Procedure, domain certcheck.Domain, add addLine) {
	// Key usage.
	switch {
	case cert.KeyUsage == 0 || cert.KeyUsage&x509.KeyUsageContentCommitment != 0:
		add(LineKeyUsage, "", Green, i18n.Text{Ja: "この証明書は文書への署名に使えます。", En: "The certificate may be used to sign documents."}, i18n.Text{})
	case cert.KeyUsage&x509.KeyUsageDigitalSignature != 0:
		add(LineKeyUsage, "", Amber, i18n.Text{Ja: "この証明書は署名に使えますが、否認防止（nonRepudiation）の用途がありません。サービスが受け付けない場合があります。", En: "The certificate may sign, but lacks the nonRepudiation usage; the service may not accept it."},

			i18n.Text{Ja: "署名用の電子証明書（マイナンバーカードの署名用電子証明書、商業登記電子証明書）をお使いください。", En: "Please use a signature certificate (a My Number card's signature certificate, a commercial-registry certificate)."})
	default:
		add(LineKeyUsage, "", Red, i18n.Text{Ja: "この証明書は文書への署名には使えません（利用者証明用などの証明書です）。", En: "This certificate may not sign documents (it is for authentication or another use)."},
			i18n.Text{Ja: "署名用の電子証明書を選んでください。マイナンバーカードでは「署名用電子証明書」（英数字6〜16文字のパスワード）を使います。", En: "Please choose a signature certificate. On a My Number card this is the signature certificate (password of 6–16 letters and digits)."},
		)
	}

	// The kind of certificate against the procedure.
	kind := kindOf(cert, domain)
	var allowed []submit.UserType
	if proc != nil {
		allowed = proc.For
	} else {
		allowed = []submit.UserType{submit.UserResident, submit.UserCompany}
	}
	switch {
	case kind == kindUnknown:
		add(LineCertificateType, "", Amber, i18n.Text{Ja: "この証明書の種類を判別できません。サービスが受け付けない場合があります。", En: "The kind of this certificate cannot be told; the service may not accept it."},
			i18n.Text{Ja: "住民の方はマイナンバーカード、法人の方は商業登記電子証明書をお使いください。", En: "Residents: please use the My Number card. Companies: please use the commercial-registry certificate."})
	case len(allowed) == 0 || slices.Contains(allowed, kind.userType()):
		k := kind.text()
		add(LineCertificateType, "", Green, i18n.Text{Ja: k.Ja + "です。この手続きに使えます。", En: "It is " + k.En + ", accepted for this procedure."}, i18n.Text{})
	default:
		k := kind.text()
		want := i18n.Text{Ja: "マイナンバーカード", En: "your My Number card"}
		if slices.Contains(allowed, submit.UserCompany) {
			want = i18n.Text{Ja: "法人の商業登記電子証明書", En: "the company's commercial-registry certificate"}
		}
		add(LineCertificateType, "", Red, i18n.Text{Ja: k.Ja + "は、この手続きには使えません。", En: "This is " + k.En + ", which this procedure does not accept."},
			i18n.Text{Ja: want.Ja + "で署名してください。", En: "Please sign with " + want.En + "."})
	}
}

func (a *App) precheckIdentity(p *Precheck, cert *x509.Certificate, form *submit.FormDocument, proc *submit.Procedure, add addLine) {
	applicant := ApplicantOf(form)
	holder, err := identity.HolderOf(cert)
	if err != nil {
		add(LineIdentity, "", Amber, i18n.Text{Ja: "この証明書には本人確認の情報（氏名・住所など）がないため、申請者欄と照合できません。", En: "The certificate holds no identity data (name, address, …), so the applicant block cannot be compared."},
			i18n.Text{})
		return
	}
	res := holder.Match(applicant)
	p.Identity = &res
	if res.Overall == identity.OutcomeNotGiven {
		add(LineIdentity, "", Amber, i18n.Text{Ja: "申請者欄が空のため、証明書との照合はできません。", En: "The applicant block is empty, so nothing could be compared with the certificate."},
			i18n.Text{Ja: "申請書に戻って、申請者欄をご記入ください。", En: "Please go back to the form and fill in the applicant block."})
		return
	}
	for _, f := range res.Fields {
		if f.Outcome == identity.OutcomeNotGiven {
			continue
		}
		level, todo := Green, i18n.Text{}
		if f.Outcome == identity.OutcomeMismatch {
			level = Red
			todo = i18n.Text{Ja: "申請者欄を、証明書に記録されているとおりに直してください。", En: "Please write the applicant block as the certificate records it."}

		}
		add(LineIdentity, f.Field, level, i18n.Text{Ja: f.Explain("ja"), En: f.Explain("en")}, todo)
	}
}

func (a *App) precheckService(ctx context.Context, p *Precheck, add addLine) {
	pr := a.probeServiceOnce(ctx)
	switch {
	case pr.untrusted:
		add(LineService, "", Red, i18n.Text{Ja: "申請サービスの証明書を信頼できません。このサービスには送信しません。", En: "The service's certificate is not trusted; nothing will be sent to it."},
			i18n.Text{Ja: "設定の「サービスのURL」と「サービスの証明書」を確認してください。分からない場合はヘルプデスクにお問い合わせください。", En: "Please check “Service URL” and “Service's CA certificates” in the settings, or contact the help desk."},
		)
		return
	case !pr.reached:
		add(LineService, "", Amber, i18n.Text{Ja: "申請サービスに接続できません。署名はできますが、送信は接続できるようになってからになります。", En: "The service cannot be reached. You can sign now; the application is sent once the connection works."},

			i18n.Text{Ja: "インターネットへの接続を確認してください。", En: "Please check the network connection."})
		return
	}
	add(LineService, "", Green, i18n.Text{Ja: "申請サービスに接続でき、サービスの証明書も信頼できます。", En: "The service answers and its certificate is trusted."}, i18n.Text{})
	if pr.date.IsZero() {
		return
	}
	// This computer's time when the service wrote its Date: midway
	// through the exchange.
	local := a.now().Add(-pr.received.Sub(pr.sent) / 2)
	skew := pr.date.Sub(local).Round(time.Second)
	p.ClockSkew = skew
	abs := skew
	if abs < 0 {
		abs = -abs
	}
	mins := int(abs.Minutes())
	switch {
	case abs > clockRed:
		add(LineClock, "", Red, i18n.Text{Ja: fmt.Sprintf("パソコンの時計がサービスと%d分ずれています。証明書の確認が正しくできません。", mins), En: fmt.Sprintf("This computer's clock is %d minutes off the service's; certificates cannot be checked correctly.", mins)},

			i18n.Text{Ja: "パソコンの日付と時刻を正しく合わせてから、もう一度お試しください（時刻の自動設定をおすすめします）。", En: "Please set this computer's date and time correctly (automatic time is best) and try again."},
		)
	case abs > clockAmber:
		add(LineClock, "", Amber, i18n.Text{Ja: fmt.Sprintf("パソコンの時計がサービスと%d分ずれています。", mins), En: fmt.Sprintf("This computer's clock is %d minutes off the service's.", mins)},

			i18n.Text{Ja: "パソコンの日付と時刻を合わせてください（時刻の自動設定をおすすめします）。", En: "Please set this computer's date and time (automatic time is best)."})
	default:
		add(LineClock, "", Green, i18n.Text{Ja: "パソコンの時計は正確です。", En: "This computer's clock is right."}, i18n.Text{})
	}
}
