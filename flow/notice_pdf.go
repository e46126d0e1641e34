package flow

import (
	"bytes"
	"context"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/shinsei-app/shinsei/certcheck"
	"github.com/shinsei-app/shinsei/i18n"
	"github.com/shinsei-app/shinsei/pades"
)

// IsPDF reports whether path names a PDF: by its extension, or by the
// "%PDF-" it starts with.
func IsPDF(path string) bool {
	if strings.EqualFold(filepath.Ext(path), ".pdf") {
		return true
	}
	f, err := os.Open(path)
	if err != nil {
		return false
	}
	defer f.Close()
	head := make([]byte, 5)
	n, _ := io.ReadFull(f, head)
	return bytes.Equal(head[:n], []byte("%PDF-"))
}

// verifyPDFNotice is VerifyNotice for a notice issued as a signed PDF:
// every signature of the file through pades, the certificates with the
// app's revocation sources, summed up in the three answers. The first
// signature is the official's; a later one (a further signature, a
// document time-stamp) may only add to it.
func (a *App) verifyPDFNotice(ctx context.Context, path string, now time.Time) (*NoticeReport, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, &Error{Op: "notice", Err: err}
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return nil, &Error{Op: "notice", Err: err}
	}
	sources, err := a.sources(ctx)
	if err != nil {
		sources = nil
	}
	rep, err := pades.Verify(ctx, f, st.Size(), pades.Options{Roots: a.cfg.TrustAnchors, Intermediates: a.cfg.Intermediates, At: now, Sources: sources})
	if err != nil {
		return nil, &Error{Op: "notice", Err: err}
	}
	out := &NoticeReport{Path: path, PDF: rep}
	renew := i18n.Text{Ja: "発行元の市区町村にお問い合わせください。", En: "Please contact the municipality that issued it."}
	n := strconv.Itoa(len(rep.Signatures))
	out.Integrity = finding(Green, i18n.Text{Ja: "通知書（PDF）は改ざんされていません（署名 " + n + " 件、いずれも内容と一致しています）。",
		En: "The notice (PDF) is intact: its " + n + " signature(s) match its content."}, i18n.Text{})
	for _, s := range rep.Signatures {
		if s.Integrity.OK && s.SubFilter == pades.SubFilterDocTS && !s.Certificate.OK {
			if out.Integrity.Level == Green {
				out.Integrity = finding(Amber, i18n.Text{Ja: "通知書の署名は内容と一致していますが、付いている文書タイムスタンプは信頼できる時刻認証局のものと確認できません（" + s.Certificate.Reason + "）。",
					En: "The notice's signatures match its content, but the document time-stamp it carries is not from a trusted time-stamp authority (" + s.Certificate.Reason + ")."}, renew)
			}
			continue
		}
		if s.Integrity.OK {
			continue
		}
		switch s.Integrity.Reason {
		case pades.ReasonChangedAfter:
			out.Integrity = finding(Red, i18n.Text{Ja: "署名のあとで通知書の内容が変更されています（" + s.Integrity.Detail + "）。",
				En: "The notice was changed after it was signed (" + s.Integrity.Detail + ")."},
				i18n.Text{Ja: "この通知書の内容は信用しないでください。発行元の市区町村にお問い合わせください。", En: "Please do not rely on this notice; contact the municipality that issued it."})
		default:
			out.Integrity = finding(Red, i18n.Text{Ja: "通知書の内容が署名と一致しません。改ざんまたは破損のおそれがあります（" + s.Integrity.Reason + "）。",
				En: "The notice's content does not match its signature: it may have been altered or damaged (" + s.Integrity.Reason + ")."},
				i18n.Text{Ja: "この通知書の内容は信用しないでください。発行元の市区町村にお問い合わせください。", En: "Please do not rely on this notice; contact the municipality that issued it."})
		}
		break
	}
	first := rep.Signatures[0]
	out.Signer, out.SigningTime = first.Signer, first.SigningTime
	if first.Signer == nil {
		out.Certificate = finding(Red, i18n.Text{Ja: "署名者の証明書が見つかりません。", En: "The signer's certificate is missing."}, renew)
		out.Revocation = finding(Amber, i18n.Text{Ja: "署名者の証明書がないため、失効の確認はできません。", En: "Without the signer's certificate, revocation cannot be checked."}, i18n.Text{})
		return out, nil
	}
	out.Official = first.Official
	if first.Organisation != "" {
		out.Official += "（" + first.Organisation + "）"
	}
	res := first.Check
	out.Check, out.Domain = res, first.Domain
	switch {
	case res != nil && len(res.Path) > 0 && res.Domain == certcheck.DomainLGPKI:
		out.Certificate = finding(Green, i18n.Text{Ja: "地方公共団体の職責証明書（LGPKI）で署名されています（" + out.Official + "）。有効な証明書です。", En: "Signed with a local government official certificate (LGPKI) of " + out.Official + "; the certificate is valid."}, i18n.Text{})
	case res != nil && len(res.Path) > 0:
		out.Certificate = finding(Amber, i18n.Text{Ja: "有効な証明書で署名されていますが、地方公共団体の職責証明書（LGPKI）ではありません（" + out.Official + "）。", En: "Signed with a valid certificate of " + out.Official + ", but not a local government official (LGPKI) one."}, renew)
	default:
		reason := certcheck.ReasonInvalid
		if res != nil {
			reason = res.Reason
		}
		m, _ := certReasonText(reason, first.Signer, renew)
		out.Certificate = finding(Red, m, renew)
	}
	if res != nil && len(res.Path) > 0 {
		out.Revocation = revocationLine(res, renew)
		if out.Revocation.Level == Amber {
			out.Revocation = finding(Amber, i18n.Text{Ja: "署名した職員の証明書が失効していないかどうかは、確認できませんでした。", En: "Whether the official's certificate is revoked could not be established."},
				i18n.Text{Ja: "インターネットに接続してから、もう一度確認してください。内容に疑問があるときは、発行元の市区町村にお問い合わせください。", En: "Please connect to the internet and check again; if in doubt, contact the municipality that issued it."})
		}
	} else {
		out.Revocation = finding(Amber, i18n.Text{Ja: "証明書の検証ができなかったため、失効の確認は行っていません。", En: "Revocation was not checked, since the certificate itself could not be validated."}, i18n.Text{})
	}
	return out, nil
}
