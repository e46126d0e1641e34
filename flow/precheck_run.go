package flow

import (
	"context"
	"crypto/x509"
	"fmt"
	"slices"
	"time"

	"github.com/shinsei-app/shinsei/i18n"

	"github.com/shinsei-app/shinsei/certcheck"
	"github.com/shinsei-app/shinsei/identity"
	"github.com/shinsei-app/shinsei/submit"
)

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
	if _, err := identity.FromJPKI(cert); err == nil {
		return kindResident
	}
	if _, err := identity.FromCorporate(cert); err == nil {
		return kindCompany
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
	return p
}

type addLine func(id LineID, field string, level Level, msg, todo i18n.Text)

func (a *App) precheckCertificate(ctx context.Context, p *Precheck, cert *x509.Certificate, proc *submit.Procedure, now time.Time, add addLine) {
	sources, err := a.sources(ctx)
	if err != nil {
		sources = []certcheck.Source{certcheck.JPKISource{}}
	}
	res := certcheck.Check(ctx, cert, certcheck.Options{Roots: a.cfg.TrustAnchors, Intermediates: a.cfg.Intermediates, At: now, Sources: sources})
	p.Cert = res
	renew := renewHint(kindOf(cert, res.Domain))
	pathOK := len(res.Path) > 0
	switch {
	case pathOK && cert.NotAfter.Sub(now) < expirySoon:
		add(LineCertificate, "", Amber, i18n.Text{Ja: "信頼できる認証局が発行した有効な電子証明書ですが、有効期限が近づいています（" + cert.NotAfter.Local().Format("2006-01-02") + "まで）。", En: "The certificate is valid and issued by a trusted authority, but it expires soon (" + cert.NotAfter.Local().Format("2006-01-02") + ")."},

			renew)
	case pathOK:
		add(LineCertificate, "", Green, i18n.Text{Ja: "信頼できる認証局が発行した、有効期限内の電子証明書です（" + cert.NotAfter.Local().Format("2006-01-02") + "まで有効）。", En: "The certificate is issued by a trusted authority and within its validity period (until " + cert.NotAfter.Local().Format("2006-01-02") + ")."},

			i18n.Text{})
	case res.Reason == certcheck.ReasonKeyUsage:
		add(LineCertificate, "", Green, i18n.Text{Ja: "信頼できる認証局が発行した、有効期限内の電子証明書です。", En: "The certificate is issued by a trusted authority and within its validity period."}, i18n.Text{})
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

	// Key usage.
	switch {
	case cert.KeyUsage == 0 || cert.KeyUsage&x509.KeyUsageContentCommitment != 0:
		add(LineKeyUsage, "", Green, i18n.Text{Ja: "この証明書は文書への署名に使えます。", En: "The certificate may be used to sign documents."}, i18n.Text{})
	case cert.KeyUsage&x509.KeyUsageDigitalSignature != 0:
		add(LineKeyUsage, "", Amber, i18n.Text{Ja: "この証明書は署名に使えますが、否認防止（nonRepudiation）の用途がありません。サービスが受け付けない場合があります。", En: "The certificate may sign, but lacks the nonRepudiation usage; the service may not accept it."},

			i18n.Text{Ja: "署名用の電子証明書（マイナンバーカードの署名用電子証明書、商業登記電子証明書）をお使いください。", En: "Please use a signature certificate (a My Number card's signature certificate, a commercial-registry certificate)."})
	default:
		add(LineKeyUsage, "", Red, i18n.Text{Ja: "この証明書は文書への署名には使えません（利用者証明用などの証明書です）。", En: "This certificate may not sign documents (it is for authentication or another use)."},
			i18n.Text{Ja: "署名用の電子証明書を選んでください。マイナンバーカードでは「署名用電子証明書」（英数字6～16文字のパスワード）を使います。", En: "Please choose a signature certificate. On a My Number card this is the signature certificate (password of 6–16 letters and digits)."},
		)
	}

	// The kind of certificate against the procedure.
	kind := kindOf(cert, res.Domain)
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

// revocationLine words the revocation finding of a checked path.
func revocationLine(res *certcheck.Result, renew i18n.Text) Finding {
	var worst *certcheck.CertResult
	rank := func(s certcheck.Status) int {
		switch s {
		case certcheck.StatusRevoked, certcheck.StatusOnHold:
			return 4
		case certcheck.StatusUnknown:
			return 3
		case certcheck.StatusNotCheckable:
			return 2
		case certcheck.StatusGood:
			return 1
		}
		return 0
	}
	for i := range res.Path {
		cr := &res.Path[i]
		if cr.Anchor {
			continue
		}
		if worst == nil || rank(cr.Revocation.Status) > rank(worst.Revocation.Status) {
			worst = cr
		}
	}
	if worst == nil {
		return finding(Amber, i18n.Text{Ja: "失効の確認対象がありません。", En: "There was nothing to check for revocation."}, i18n.Text{})
	}
	r := worst.Revocation
	who := sourceText(r.Source)
	switch r.Status {
	case certcheck.StatusGood:
		return finding(Green, i18n.Text{Ja: "失効していません（" + who.Ja + "で確認しました）。", En: "Not revoked (checked with " + who.En + ")."}, i18n.Text{})
	case certcheck.StatusRevoked:
		when := ""
		whenEn := ""
		if !r.RevokedAt.IsZero() {
			when = "（" + r.RevokedAt.Local().Format("2006-01-02") + "）"
			whenEn = " on " + r.RevokedAt.Local().Format("2006-01-02")
		}
		return finding(Red, i18n.Text{Ja: "この電子証明書は失効しています" + when + "。この証明書では申請できません。", En: "This certificate was revoked" + whenEn + "; it cannot be used to apply."},

			i18n.Text{Ja: renew.Ja + "（氏名・住所などが変わると、マイナンバーカードの署名用電子証明書は自動的に失効します。）", En: renew.En + " (A My Number card's signature certificate is revoked automatically when the name, address, sex or date of birth change.)"},
		)
	case certcheck.StatusOnHold:
		return finding(Red, i18n.Text{Ja: "この電子証明書は一時停止（保留）されています。停止中は申請できません。", En: "This certificate is suspended (on hold); it cannot be used while suspended."},
			i18n.Text{Ja: "証明書の発行元（法人の場合は登記所）に停止の解除をご確認ください。", En: "Please ask the issuer (for a company, the registry office) about lifting the suspension."})
	case certcheck.StatusNotCheckable:
		return finding(Amber, i18n.Text{Ja: "失効の確認はサービス側で行います（マイナンバーカードの失効情報は、登録された検証者だけが確認できます）。", En: "Revocation is checked by the service (My Number card revocation data is available to registered verifiers only)."},

			i18n.Text{Ja: "そのまま進めて問題ありません。申請の受付時にサービスが確認します。", En: "You may go on: the service checks it when the application arrives."})
	}
	return finding(Amber, i18n.Text{Ja: "失効しているかどうかを確認できませんでした。申請の受付時にサービスが確認します。", En: "Whether the certificate is revoked could not be established; the service checks it when the application arrives."},

		i18n.Text{Ja: "インターネットへの接続を確認してください。そのまま進めることもできます。", En: "Please check the network connection; you may also go on."})
}

func sourceText(src string) i18n.Text {
	switch src {
	case "va":
		return i18n.Text{Ja: "サービスの検証局（VA）", En: "the service's validation authority"}
	case "service":
		return i18n.Text{Ja: "サービス", En: "the service"}
	case "ocsp":
		return i18n.Text{Ja: "OCSPレスポンダ", En: "the OCSP responder"}
	case "crl":
		return i18n.Text{Ja: "失効リスト（CRL）", En: "the revocation list (CRL)"}
	}
	return i18n.Text{Ja: "確認先", En: "the source"}
}

func renewHint(k certKind) i18n.Text {
	switch k {
	case kindResident:
		return i18n.Text{Ja: "お住まいの市区町村の窓口で、署名用電子証明書の再発行（更新）をお手続きください。", En: "Please have the signature certificate reissued at your municipal office."}

	case kindCompany:
		return i18n.Text{Ja: "登記所で商業登記電子証明書の発行をお申し込みください。", En: "Please apply for a new commercial-registry certificate at the registry office."}
	}
	return i18n.Text{Ja: "証明書の発行元に再発行をお申し込みください。", En: "Please ask the certificate's issuer for a new one."}
}

// certReasonText words a failed path check.
func certReasonText(r certcheck.Reason, cert *x509.Certificate, renew i18n.Text) (i18n.Text, i18n.Text) {
	switch r {
	case certcheck.ReasonExpired:
		return i18n.Text{Ja: "電子証明書の有効期限が切れています（" + cert.NotAfter.Local().Format("2006-01-02") + "まで）。", En: "The certificate has expired (" + cert.NotAfter.Local().Format("2006-01-02") + ")."},
			renew
	case certcheck.ReasonNotYetValid:
		return i18n.Text{Ja: "電子証明書の有効期間がまだ始まっていません。", En: "The certificate is not valid yet."},
			i18n.Text{Ja: "パソコンの日付と時刻が正しいか確認してください。", En: "Please check this computer's date and time."}
	case certcheck.ReasonUntrusted:
		return i18n.Text{Ja: "信頼できる認証局が発行した証明書であることを確認できませんでした。", En: "The certificate could not be traced to a trusted authority."},
			i18n.Text{Ja: "マイナンバーカードまたは商業登記電子証明書をお使いください。設定の「信頼する証明書」もご確認ください。", En: "Please use a My Number card or a commercial-registry certificate, and check the trusted certificates in the settings."}

	}
	return i18n.Text{Ja: "電子証明書を検証できませんでした。", En: "The certificate could not be validated."},
		i18n.Text{Ja: "別の証明書をお使いいただくか、ヘルプデスクにお問い合わせください。", En: "Please use another certificate or contact the help desk."}
}

func (a *App) precheckIdentity(p *Precheck, cert *x509.Certificate, form *submit.FormDocument, proc *submit.Procedure, add addLine) {
	applicant := ApplicantOf(form)
	var res identity.Result
	if person, err := identity.FromJPKI(cert); err == nil {
		res = identity.MatchPerson(person, applicant)
	} else if corp, err := identity.FromCorporate(cert); err == nil {
		res = identity.MatchCorporation(corp, applicant)
	} else {
		add(LineIdentity, "", Amber, i18n.Text{Ja: "この証明書には本人確認の情報（氏名・住所など）がないため、申請者欄と照合できません。", En: "The certificate holds no identity data (name, address, …), so the applicant block cannot be compared."},
			i18n.Text{})
		return
	}
	p.Identity = &res
	if res.Overall == identity.OutcomeNotGiven {
		add(LineIdentity, "", Amber, i18n.Text{Ja: "申請者欄が空のため、証明書との照合はできません。", En: "The applicant block is empty, so nothing could be compared with the certificate."},
			i18n.Text{Ja: "「証明書から入力」で申請者欄を埋めることができます。", En: "You can fill in the applicant block from the certificate."})
		return
	}
	for _, f := range res.Fields {
		if f.Outcome == identity.OutcomeNotGiven {
			continue
		}
		level, todo := Green, i18n.Text{}
		if f.Outcome == identity.OutcomeMismatch {
			level = Red
			todo = i18n.Text{Ja: "申請者欄を証明書に記録されているとおりに直してください（「証明書から入力」も使えます）。", En: "Please write the applicant block as the certificate records it (you can fill it in from the certificate)."}

		}
		add(LineIdentity, f.Field, level, i18n.Text{Ja: f.Explain("ja"), En: f.Explain("en")}, todo)
	}
}

func (a *App) precheckService(ctx context.Context, p *Precheck, add addLine) {
	pr := a.probeService(ctx)
	switch {
	case pr.untrusted:
		add(LineService, "", Red, i18n.Text{Ja: "申請サービスの証明書を信頼できません。このサービスには送信しません。", En: "The service's certificate is not trusted; nothing will be sent to it."},
			i18n.Text{Ja: "設定のサービスのアドレスと「信頼する証明書」を確認してください。分からない場合はヘルプデスクにお問い合わせください。", En: "Please check the service address and its trusted certificates in the settings, or contact the help desk."},
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

func finding(level Level, msg, todo i18n.Text) Finding {
	return Finding{Level: level, Message: msg, Todo: todo}
}
