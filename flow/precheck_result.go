package flow

import (
	"crypto/x509"
	"fmt"
	"log/slog"
	"slices"
	"strings"
	"time"

	"github.com/shinsei-app/shinsei/certcheck"
	"github.com/shinsei-app/shinsei/i18n"
	"github.com/shinsei-app/shinsei/identity"
	"github.com/shinsei-app/shinsei/submit"
)

// Level is how a finding is shown: green (fine), amber (worth knowing,
// does not stop signing), red (signing would fail; it is not offered).
type Level string

// Levels, from good to bad.
const (
	Green Level = "green"
	Amber Level = "amber"
	Red   Level = "red"
)

func (l Level) rank() int {
	switch l {
	case Amber:
		return 1
	case Red:
		return 2
	}
	return 0
}

// Finding is one verdict shown to the user: its level, what was found and
// what to do about it (empty when nothing).
type Finding struct {
	// Level is green, amber or red.
	Level Level `json:"level"`
	// Message says what was found; it may quote the user's own personal
	// data (identity lines).
	Message i18n.Text `json:"message"`
	// Todo says what to do; empty when nothing.
	Todo i18n.Text `json:"todo,omitzero"`
}

// LineID names a line of the pre-check.
type LineID string

// Lines of a pre-check, in the order they are shown.
const (
	// LineCertificate: the certificate chains to a trust anchor and is
	// within its validity period.
	LineCertificate LineID = "certificate"
	// LineRevocation: the certificate is not revoked (or, for JPKI, that
	// the service checks it).
	LineRevocation LineID = "revocation"
	// LineKeyUsage: the certificate may sign documents.
	LineKeyUsage LineID = "key-usage"
	// LineCertificateType: the kind of certificate fits the procedure
	// (a resident's My Number card, a company's registry certificate).
	LineCertificateType LineID = "certificate-type"
	// LineIdentity: one line per applicant field compared with the
	// certificate (Field names it), or one line when nothing could be
	// compared.
	LineIdentity LineID = "identity"
	// LineForm: the form fits the procedure's schema (one line per
	// problem, Field names it).
	LineForm LineID = "form"
	// LineAccount: the account logged in may send what the certificate
	// signs (a procedure that needs the holder's own signature).
	LineAccount LineID = "account"
	// LineService: the service answers and its TLS certificate is trusted.
	LineService LineID = "service"
	// LineClock: this computer's clock against the service's.
	LineClock LineID = "clock"
)

// PrecheckLine is one line of the pre-check panel.
type PrecheckLine struct {
	// ID says what the line is about.
	ID LineID `json:"id"`
	// Field is the identity field (identity.Field…) or form field
	// ("fields.x") the line is about, empty otherwise.
	Field string `json:"field,omitempty"`
	Finding
}

// Precheck is what the client can tell before anything is signed: whether
// the service will accept the certificate and the form, and why not. Its
// lines' texts may quote personal data (the identity comparison) for the
// user's own screen; String and LogValue leave them out.
type Precheck struct {
	// Lines are the findings in the order they are shown.
	Lines []PrecheckLine `json:"lines"`
	// Certificate is the certificate checked.
	Certificate *x509.Certificate `json:"-"`
	// Procedure is the procedure checked against; nil for a registration.
	Procedure *submit.Procedure `json:"procedure,omitempty"`
	// Cert is certcheck's result, Identity the identity match (nil when
	// no form was given or the certificate holds no identity).
	Cert     *certcheck.Result `json:"-"`
	Identity *identity.Result  `json:"-"`
	// ClockSkew is how far this computer's clock is behind the service's
	// (negative: ahead); zero when the service was not asked.
	ClockSkew time.Duration `json:"clock_skew,omitempty"`
	// CheckedAt is when the pre-check ran.
	CheckedAt time.Time `json:"checked_at"`
	// TrustNotChecked is set when neither trust anchors nor a service
	// were configured, so whether a trusted authority issued the
	// certificate and whether it is revoked were not checked (SignFiles).
	TrustNotChecked bool `json:"trust_not_checked,omitempty"`
}

// OK reports whether nothing is red.
func (p *Precheck) OK() bool { return p != nil && p.Worst() != Red }

// Worst returns the worst level of the lines (Green for none).
func (p *Precheck) Worst() Level {
	w := Green
	for _, l := range p.Lines {
		if l.Level.rank() > w.rank() {
			w = l.Level
		}
	}
	return w
}

// Reds returns the red lines.
func (p *Precheck) Reds() []PrecheckLine {
	var out []PrecheckLine
	for _, l := range p.Lines {
		if l.Level == Red {
			out = append(out, l)
		}
	}
	return out
}

// Line returns the first line with the ID (and, when field is not empty,
// that field).
func (p *Precheck) Line(id LineID, field string) (PrecheckLine, bool) {
	for _, l := range p.Lines {
		if l.ID == id && (field == "" || l.Field == field) {
			return l, true
		}
	}
	return PrecheckLine{}, false
}

// String summarises the pre-check by line IDs and levels, without texts.
// markFilled words the green identity lines of fields that were filled
// in from the certificate itself as such: they match by construction, and
// the resident should know where the values came from.
func (p *Precheck) markFilled(fields []string) {
	for i, l := range p.Lines {
		if l.ID == LineIdentity && l.Level == Green && slices.Contains(fields, l.Field) {
			label := ApplicantLabel(l.Field)
			p.Lines[i].Message = i18n.Text{Ja: label.Ja + "は、電子証明書の記録から入力しました。", En: "The " + label.En + " was filled in from the certificate."}

		}
	}
}

func (p *Precheck) String() string {
	if p == nil {
		return "precheck: none"
	}
	var parts []string
	for _, l := range p.Lines {
		id := string(l.ID)
		if l.Field != "" {
			id += ":" + l.Field
		}
		parts = append(parts, id+"="+string(l.Level))
	}
	return fmt.Sprintf("precheck: %s (%s)", p.Worst(), strings.Join(parts, " "))
}

// LogValue logs the summary only.
func (p *Precheck) LogValue() slog.Value { return slog.StringValue(p.String()) }

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
			when = "（" + i18n.DateJa(r.RevokedAt.Local()) + "）"
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
		return i18n.Text{Ja: "電子証明書の有効期限が切れています（" + i18n.DateJa(cert.NotAfter.Local()) + "まで）。", En: "The certificate has expired (" + cert.NotAfter.Local().Format("2006-01-02") + ")."},
			renew
	case certcheck.ReasonNotYetValid:
		return i18n.Text{Ja: "電子証明書の有効期間がまだ始まっていません。", En: "The certificate is not valid yet."},
			i18n.Text{Ja: "パソコンの日付と時刻が正しいか確認してください。", En: "Please check this computer's date and time."}
	case certcheck.ReasonUntrusted:
		return i18n.Text{Ja: "信頼できる認証局が発行した証明書であることを確認できませんでした。", En: "The certificate could not be traced to a trusted authority."},
			i18n.Text{Ja: "マイナンバーカードまたは商業登記電子証明書をお使いください。設定の「信頼する認証局」もご確認ください。", En: "Please use a My Number card or a commercial-registry certificate, and check “Trusted authorities” in the settings."}

	}
	return i18n.Text{Ja: "電子証明書を検証できませんでした。", En: "The certificate could not be validated."},
		i18n.Text{Ja: "別の証明書をお使いいただくか、ヘルプデスクにお問い合わせください。", En: "Please use another certificate or contact the help desk."}
}

func finding(level Level, msg, todo i18n.Text) Finding {
	return Finding{Level: level, Message: msg, Todo: todo}
}
