package flow

import (
	"context"
	"crypto/x509"
	"fmt"
	"slices"
	"time"

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

func (k certKind) text() Text {
	switch k {
	case kindResident:
		return Text{"マイナンバーカードの署名用電子証明書", "a My Number card signature certificate"}
	case kindCompany:
		return Text{"商業登記電子証明書", "a commercial-registry certificate"}
	case kindStaff:
		return Text{"地方公共団体の職責証明書（LGPKI）", "a local government official certificate (LGPKI)"}
	}
	return Text{"種類の分からない電子証明書", "a certificate of an unknown kind"}
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
	add := func(id LineID, field string, level Level, msg, todo Text) {
		p.Lines = append(p.Lines, PrecheckLine{ID: id, Field: field, Finding: Finding{Level: level, Message: msg, Todo: todo}})
	}
	if cert == nil {
		add(LineCertificate, "", Red, Text{"電子証明書が読み取れていません。", "No certificate could be read."},
			Text{"カードまたは証明書ファイルを選び直してください。", "Please choose the card or certificate file again."})
	} else {
		a.precheckCertificate(ctx, p, cert, proc, now, add)
	}
	if form != nil && cert != nil {
		a.precheckIdentity(p, cert, form, proc, add)
	}
	if form != nil && proc != nil {
		if probs := ValidateForm(form, *proc, attachments); len(probs) > 0 {
			for _, pr := range probs {
				add(LineForm, pr.Field, Red, pr.Message, Text{"申請書を直してから、もう一度お試しください。", "Please correct the form and try again."})
			}
		} else {
			add(LineForm, "", Green, Text{"申請書の入力内容は、手続きの様式に合っています。", "The form fits the procedure's schema."}, Text{})
		}
	}
	if a.client != nil {
		a.precheckService(ctx, p, add)
	}
	return p
}

type addLine func(id LineID, field string, level Level, msg, todo Text)

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
		add(LineCertificate, "", Amber, Text{
			"信頼できる認証局が発行した有効な電子証明書ですが、有効期限が近づいています（" + cert.NotAfter.Local().Format("2006-01-02") + "まで）。",
			"The certificate is valid and issued by a trusted authority, but it expires soon (" + cert.NotAfter.Local().Format("2006-01-02") + ")."}, renew)
	case pathOK:
		add(LineCertificate, "", Green, Text{
			"信頼できる認証局が発行した、有効期限内の電子証明書です（" + cert.NotAfter.Local().Format("2006-01-02") + "まで有効）。",
			"The certificate is issued by a trusted authority and within its validity period (until " + cert.NotAfter.Local().Format("2006-01-02") + ")."}, Text{})
	case res.Reason == certcheck.ReasonKeyUsage:
		add(LineCertificate, "", Green, Text{"信頼できる認証局が発行した、有効期限内の電子証明書です。", "The certificate is issued by a trusted authority and within its validity period."}, Text{})
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
		add(LineRevocation, "", Amber, Text{"証明書の検証ができなかったため、失効の確認は行っていません。", "Revocation was not checked, since the certificate itself could not be validated."}, Text{})
	}

	// Key usage.
	switch {
	case cert.KeyUsage == 0 || cert.KeyUsage&x509.KeyUsageContentCommitment != 0:
		add(LineKeyUsage, "", Green, Text{"この証明書は文書への署名に使えます。", "The certificate may be used to sign documents."}, Text{})
	case cert.KeyUsage&x509.KeyUsageDigitalSignature != 0:
		add(LineKeyUsage, "", Amber, Text{"この証明書は署名に使えますが、否認防止（nonRepudiation）の用途がありません。サービスが受け付けない場合があります。",
			"The certificate may sign, but lacks the nonRepudiation usage; the service may not accept it."},
			Text{"署名用の電子証明書（マイナンバーカードの署名用電子証明書、商業登記電子証明書）をお使いください。", "Please use a signature certificate (a My Number card's signature certificate, a commercial-registry certificate)."})
	default:
		add(LineKeyUsage, "", Red, Text{"この証明書は文書への署名には使えません（利用者証明用などの証明書です）。", "This certificate may not sign documents (it is for authentication or another use)."},
			Text{"署名用の電子証明書を選んでください。マイナンバーカードでは「署名用電子証明書」（英数字6～16文字のパスワード）を使います。",
				"Please choose a signature certificate. On a My Number card this is the signature certificate (password of 6–16 letters and digits)."})
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
		add(LineCertificateType, "", Amber, Text{"この証明書の種類を判別できません。サービスが受け付けない場合があります。", "The kind of this certificate cannot be told; the service may not accept it."},
			Text{"住民の方はマイナンバーカード、法人の方は商業登記電子証明書をお使いください。", "Residents: please use the My Number card. Companies: please use the commercial-registry certificate."})
	case len(allowed) == 0 || slices.Contains(allowed, kind.userType()):
		k := kind.text()
		add(LineCertificateType, "", Green, Text{k.Ja + "です。この手続きに使えます。", "It is " + k.En + ", accepted for this procedure."}, Text{})
	default:
		k := kind.text()
		want := Text{"マイナンバーカード", "your My Number card"}
		if slices.Contains(allowed, submit.UserCompany) {
			want = Text{"法人の商業登記電子証明書", "the company's commercial-registry certificate"}
		}
		add(LineCertificateType, "", Red, Text{k.Ja + "は、この手続きには使えません。", "This is " + k.En + ", which this procedure does not accept."},
			Text{want.Ja + "で署名してください。", "Please sign with " + want.En + "."})
	}
}

// revocationLine words the revocation finding of a checked path.
func revocationLine(res *certcheck.Result, renew Text) Finding {
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
		return finding(Amber, Text{"失効の確認対象がありません。", "There was nothing to check for revocation."}, Text{})
	}
	r := worst.Revocation
	who := sourceText(r.Source)
	switch r.Status {
	case certcheck.StatusGood:
		return finding(Green, Text{"失効していません（" + who.Ja + "で確認しました）。", "Not revoked (checked with " + who.En + ")."}, Text{})
	case certcheck.StatusRevoked:
		when := ""
		whenEn := ""
		if !r.RevokedAt.IsZero() {
			when = "（" + r.RevokedAt.Local().Format("2006-01-02") + "）"
			whenEn = " on " + r.RevokedAt.Local().Format("2006-01-02")
		}
		return finding(Red, Text{"この電子証明書は失効しています" + when + "。この証明書では申請できません。",
			"This certificate was revoked" + whenEn + "; it cannot be used to apply."},
			Text{renew.Ja + "（氏名・住所などが変わると、マイナンバーカードの署名用電子証明書は自動的に失効します。）",
				renew.En + " (A My Number card's signature certificate is revoked automatically when the name, address, sex or date of birth change.)"})
	case certcheck.StatusOnHold:
		return finding(Red, Text{"この電子証明書は一時停止（保留）されています。停止中は申請できません。", "This certificate is suspended (on hold); it cannot be used while suspended."},
			Text{"証明書の発行元（法人の場合は登記所）に停止の解除をご確認ください。", "Please ask the issuer (for a company, the registry office) about lifting the suspension."})
	case certcheck.StatusNotCheckable:
		return finding(Amber, Text{"失効の確認はサービス側で行います（マイナンバーカードの失効情報は、登録された検証者だけが確認できます）。",
			"Revocation is checked by the service (My Number card revocation data is available to registered verifiers only)."},
			Text{"そのまま進めて問題ありません。申請の受付時にサービスが確認します。", "You may go on: the service checks it when the application arrives."})
	}
	return finding(Amber, Text{"失効しているかどうかを確認できませんでした。申請の受付時にサービスが確認します。",
		"Whether the certificate is revoked could not be established; the service checks it when the application arrives."},
		Text{"インターネットへの接続を確認してください。そのまま進めることもできます。", "Please check the network connection; you may also go on."})
}

func sourceText(src string) Text {
	switch src {
	case "va":
		return Text{"サービスの検証局（VA）", "the service's validation authority"}
	case "service":
		return Text{"サービス", "the service"}
	case "ocsp":
		return Text{"OCSPレスポンダ", "the OCSP responder"}
	case "crl":
		return Text{"失効リスト（CRL）", "the revocation list (CRL)"}
	}
	return Text{"確認先", "the source"}
}

func renewHint(k certKind) Text {
	switch k {
	case kindResident:
		return Text{"お住まいの市区町村の窓口で、署名用電子証明書の再発行（更新）をお手続きください。",
			"Please have the signature certificate reissued at your municipal office."}
	case kindCompany:
		return Text{"登記所で商業登記電子証明書の発行をお申し込みください。", "Please apply for a new commercial-registry certificate at the registry office."}
	}
	return Text{"証明書の発行元に再発行をお申し込みください。", "Please ask the certificate's issuer for a new one."}
}

// certReasonText words a failed path check.
func certReasonText(r certcheck.Reason, cert *x509.Certificate, renew Text) (Text, Text) {
	switch r {
	case certcheck.ReasonExpired:
		return Text{"電子証明書の有効期限が切れています（" + cert.NotAfter.Local().Format("2006-01-02") + "まで）。",
			"The certificate has expired (" + cert.NotAfter.Local().Format("2006-01-02") + ")."}, renew
	case certcheck.ReasonNotYetValid:
		return Text{"電子証明書の有効期間がまだ始まっていません。", "The certificate is not valid yet."},
			Text{"パソコンの日付と時刻が正しいか確認してください。", "Please check this computer's date and time."}
	case certcheck.ReasonUntrusted:
		return Text{"信頼できる認証局が発行した証明書であることを確認できませんでした。", "The certificate could not be traced to a trusted authority."},
			Text{"マイナンバーカードまたは商業登記電子証明書をお使いください。設定の「信頼する証明書」もご確認ください。",
				"Please use a My Number card or a commercial-registry certificate, and check the trusted certificates in the settings."}
	}
	return Text{"電子証明書を検証できませんでした。", "The certificate could not be validated."},
		Text{"別の証明書をお使いいただくか、ヘルプデスクにお問い合わせください。", "Please use another certificate or contact the help desk."}
}

func (a *App) precheckIdentity(p *Precheck, cert *x509.Certificate, form *submit.FormDocument, proc *submit.Procedure, add addLine) {
	applicant := ApplicantOf(form)
	var res identity.Result
	if person, err := identity.FromJPKI(cert); err == nil {
		res = identity.MatchPerson(person, applicant)
	} else if corp, err := identity.FromCorporate(cert); err == nil {
		res = identity.MatchCorporation(corp, applicant)
	} else {
		add(LineIdentity, "", Amber, Text{"この証明書には本人確認の情報（氏名・住所など）がないため、申請者欄と照合できません。",
			"The certificate holds no identity data (name, address, …), so the applicant block cannot be compared."}, Text{})
		return
	}
	p.Identity = &res
	if res.Overall == identity.OutcomeNotGiven {
		add(LineIdentity, "", Amber, Text{"申請者欄が空のため、証明書との照合はできません。", "The applicant block is empty, so nothing could be compared with the certificate."},
			Text{"「証明書から入力」で申請者欄を埋めることができます。", "You can fill in the applicant block from the certificate."})
		return
	}
	for _, f := range res.Fields {
		if f.Outcome == identity.OutcomeNotGiven {
			continue
		}
		level, todo := Green, Text{}
		if f.Outcome == identity.OutcomeMismatch {
			level = Red
			todo = Text{"申請者欄を証明書に記録されているとおりに直してください（「証明書から入力」も使えます）。",
				"Please write the applicant block as the certificate records it (you can fill it in from the certificate)."}
		}
		add(LineIdentity, f.Field, level, Text{f.Explain("ja"), f.Explain("en")}, todo)
	}
}

func (a *App) precheckService(ctx context.Context, p *Precheck, add addLine) {
	pr := a.probeService(ctx)
	switch {
	case pr.untrusted:
		add(LineService, "", Red, Text{"申請サービスの証明書を信頼できません。このサービスには送信しません。", "The service's certificate is not trusted; nothing will be sent to it."},
			Text{"設定のサービスのアドレスと「信頼する証明書」を確認してください。分からない場合はヘルプデスクにお問い合わせください。",
				"Please check the service address and its trusted certificates in the settings, or contact the help desk."})
		return
	case !pr.reached:
		add(LineService, "", Amber, Text{"申請サービスに接続できません。署名はできますが、送信は接続できるようになってからになります。",
			"The service cannot be reached. You can sign now; the application is sent once the connection works."},
			Text{"インターネットへの接続を確認してください。", "Please check the network connection."})
		return
	}
	add(LineService, "", Green, Text{"申請サービスに接続でき、サービスの証明書も信頼できます。", "The service answers and its certificate is trusted."}, Text{})
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
		add(LineClock, "", Red, Text{fmt.Sprintf("パソコンの時計がサービスと%d分ずれています。証明書の確認が正しくできません。", mins),
			fmt.Sprintf("This computer's clock is %d minutes off the service's; certificates cannot be checked correctly.", mins)},
			Text{"パソコンの日付と時刻を正しく合わせてから、もう一度お試しください（時刻の自動設定をおすすめします）。",
				"Please set this computer's date and time correctly (automatic time is best) and try again."})
	case abs > clockAmber:
		add(LineClock, "", Amber, Text{fmt.Sprintf("パソコンの時計がサービスと%d分ずれています。", mins),
			fmt.Sprintf("This computer's clock is %d minutes off the service's.", mins)},
			Text{"パソコンの日付と時刻を合わせてください（時刻の自動設定をおすすめします）。", "Please set this computer's date and time (automatic time is best)."})
	default:
		add(LineClock, "", Green, Text{"パソコンの時計は正確です。", "This computer's clock is right."}, Text{})
	}
}

func finding(level Level, msg, todo Text) Finding {
	return Finding{Level: level, Message: msg, Todo: todo}
}
