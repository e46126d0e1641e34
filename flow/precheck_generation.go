package flow

import (
	"crypto/x509"
	"fmt"

	"github.com/shinsei-app/shinsei/i18n"
)

// oldGenerationText words a My Number card certificate issued by the
// previous generation of the JPKI root (certcheck.PreviousJPKIGeneration):
// it cannot sign any more whatever its own dates say, and the municipal
// office issues a new one under the current generation.
func oldGenerationText(cert *x509.Certificate) (msg, todo i18n.Text) {
	until := cert.NotAfter.Local()
	msg = i18n.Text{
		Ja: fmt.Sprintf("旧世代の認証局が発行した証明書です。地方公共団体情報システム機構（J-LIS）の前の世代の認証局は有効期限が切れたため、この証明書は、証明書に記録された期限（%d年%d月%d日まで）にかかわらず、署名・申請には使えません。", until.Year(), until.Month(), until.Day()),
		En: "The certificate was issued by the previous generation of the certification authority. That generation of the J-LIS authority has expired, so the certificate can no longer sign or apply, whatever its own end date (" + until.Format("January 2, 2006") + ") says.",
	}
	todo = i18n.Text{
		Ja: "お住まいの市区町村の窓口で、署名用電子証明書の更新（新しい証明書の発行）をお手続きください。新しい証明書は現在の世代の認証局が発行します。",
		En: "Please have the signature certificate renewed at your municipal office; the new one is issued by the current generation of the authority.",
	}
	return msg, todo
}
