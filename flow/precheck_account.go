package flow

import (
	"crypto/x509"
	"slices"

	"github.com/shinsei-app/shinsei/i18n"
	"github.com/shinsei-app/shinsei/submit"
)

// accountUserType tells the user type of an account from its ID: the
// service issues "R" (resident) or "C" (company) and ten digits (the
// API's Account.account_id). Any other ID tells nothing ("").
func accountUserType(id string) submit.UserType {
	if len(id) != 11 {
		return ""
	}
	for _, c := range id[1:] {
		if c < '0' || c > '9' {
			return ""
		}
	}
	switch id[0] {
	case 'R':
		return submit.UserResident
	case 'C':
		return submit.UserCompany
	}
	return ""
}

// precheckAccount adds the line that says whether the logged-in account
// may send what cert signs for proc. A procedure that needs the login and
// the account holder's own signature (idpw+signature, no proxy) is
// refused by the service when the signer is not the holder
// (submit.ReasonSignerNotHolder): a company's certificate under a
// resident's account, or the other way round, is known here already, so
// it is a red line before anything is signed. Nothing is added when no
// account is given, the procedure takes any signer, or the kinds cannot
// be told.
func precheckAccount(p *Precheck, cert *x509.Certificate, proc *submit.Procedure, account string) {
	if p == nil || cert == nil || proc == nil || account == "" ||
		proc.Level != submit.LevelIDPWSignature || proc.ProxyAllowed {
		return
	}
	have := accountUserType(account)
	kind := kindOf(cert, "")
	if p.Cert != nil {
		kind = kindOf(cert, p.Cert.Domain)
	}
	want := kind.userType()
	if have == "" || want == "" || have == want {
		return
	}
	// Shown before the service's lines, as LineAccount is declared.
	at := len(p.Lines)
	for i, l := range p.Lines {
		if l.ID == LineService || l.ID == LineClock {
			at = i
			break
		}
	}
	p.Lines = slices.Insert(p.Lines, at, PrecheckLine{ID: LineAccount, Finding: accountFinding(account, have, kind)})
}

// accountFinding words an account of the user type have that cannot send
// what a certificate of kind signs.
func accountFinding(account string, have submit.UserType, kind certKind) Finding {
	holder := i18n.Text{Ja: "住民の方", En: "a resident's"}
	if have == submit.UserCompany {
		holder = i18n.Text{Ja: "法人", En: "a company's"}
	}
	k := kind.text()
	msg := i18n.Text{
		Ja: "ログイン中のアカウント（ID：" + account + "）は" + holder.Ja + "のアカウントです。この手続きは署名した方ご本人のアカウントで送る必要があるため、" + k.Ja + "で署名した申請はこのアカウントでは送れません。",
		En: "The account logged in (ID " + account + ") is " + holder.En + " account. This procedure must be sent from the signer's own account, so an application signed with " + k.En + " cannot be sent from it.",
	}
	var todo i18n.Text
	switch kind {
	case kindCompany:
		todo = i18n.Text{
			Ja: "法人のアカウントでログインし直してから、もう一度お試しください。法人のアカウントがまだない場合は、「アカウント」画面の「証明書ファイルで登録」で、商業登記電子証明書を使って登録してください。",
			En: "Please log in with the company's account and try again. If the company has no account yet, register one with the commercial-registry certificate on the Account screen (Register with a certificate file).",
		}
	case kindResident:
		todo = i18n.Text{
			Ja: "ご本人のアカウントでログインし直してから、もう一度お試しください。アカウントがまだない場合は、「アカウント」画面の「カードで登録」で、マイナンバーカードを使って登録してください。",
			En: "Please log in with your own account and try again. If you have no account yet, register one with your My Number card on the Account screen (Register with my card).",
		}
	default:
		todo = i18n.Text{
			Ja: "署名する方ご本人のアカウントでログインし直してから、もう一度お試しください。",
			En: "Please log in with the signer's own account and try again.",
		}
	}
	return Finding{Level: Red, Message: msg, Todo: todo}
}
