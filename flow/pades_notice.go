package flow

import (
	"context"
	"os"

	"github.com/shinsei-app/shinsei/certcheck"
	"github.com/shinsei-app/shinsei/i18n"
	"github.com/shinsei-app/shinsei/pades"
)

// VerifyNoticePDF verifies an official notice issued as a signed PDF
// (submit.Notice.PDF): a file on disk (ref.Path), or the notice of an
// application downloaded from the service (ref.Arrival and ref.ID) into
// the data directory's notices/ folder. Every signature of the PDF is
// verified by pades.Verify against the trust anchors, with the
// revocation sources of every check, and the answer is the one a
// package notice gets: integrity, certificate and revocation apart
// (Report and Files are not set; PDF is). The error is for a file that
// cannot be fetched or read as a signed PDF at all (pades.ErrMalformed,
// pades.ErrNoSignature, …).
func (a *App) VerifyNoticePDF(ctx context.Context, ref NoticeRef) (*NoticeReport, error) {
	path := ref.Path
	if path == "" {
		var err error
		if path, err = a.fetchNoticeFile(ctx, StatusQuery{Arrival: ref.Arrival}, ref.ID, ".pdf", a.client.NoticePDF); err != nil {
			return nil, err
		}
	}
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
	rep, err := pades.Verify(ctx, f, st.Size(), pades.Options{Roots: a.cfg.TrustAnchors, Intermediates: a.cfg.Intermediates, At: a.now(), Sources: sources})
	if err != nil {
		return nil, &Error{Op: "notice", Err: err}
	}
	out := &NoticeReport{Path: path, PDF: rep}
	contact := i18n.Text{Ja: "発行元の市区町村にお問い合わせください。", En: "Please contact the municipality that issued it."}
	// The notice is as good as its weakest signature; the last one,
	// which covers the whole file, names the signer.
	last := rep.Signatures[len(rep.Signatures)-1]
	out.Signer, out.Official, out.Domain, out.SigningTime = last.Signer, last.Official, last.Domain, last.SigningTime
	out.Integrity = finding(Green, i18n.Text{Ja: "通知書（PDF）は改ざんされていません（署名と内容が一致しています）。", En: "The notice (PDF) is intact: its signatures match its content."}, i18n.Text{})
	out.Certificate = finding(Green, i18n.Text{Ja: "地方公共団体の職責証明書（LGPKI）で署名されています（" + out.Official + "）。有効な証明書です。", En: "Signed with a local government official certificate (LGPKI) of " + out.Official + "; the certificate is valid."}, i18n.Text{})
	for _, s := range rep.Signatures {
		switch {
		case !s.Integrity.OK && out.Integrity.Level != Red:
			out.Integrity = finding(Red, i18n.Text{Ja: "通知書（PDF）の内容が署名と一致しません。改ざんまたは破損のおそれがあります（" + s.Integrity.Reason + "）。", En: "The notice (PDF) does not match its signature: it may have been altered or damaged (" + s.Integrity.Reason + ")."},
				i18n.Text{Ja: "この通知書の内容は信用しないでください。発行元の市区町村にお問い合わせください。", En: "Please do not rely on this notice; contact the municipality that issued it."})
		}
		switch {
		case out.Certificate.Level == Red:
		case !s.Certificate.OK:
			out.Certificate = finding(Red, i18n.Text{Ja: "署名者の証明書を確認できません（" + s.Certificate.Reason + "）。", En: "The signer's certificate does not check out (" + s.Certificate.Reason + ")."}, contact)
		case s.Domain != certcheck.DomainLGPKI && out.Certificate.Level == Green:
			out.Certificate = finding(Amber, i18n.Text{Ja: "有効な証明書で署名されていますが、地方公共団体の職責証明書（LGPKI）ではありません（" + s.Official + "）。", En: "Signed with a valid certificate of " + s.Official + ", but not a local government official (LGPKI) one."}, contact)
		}
		if out.Revocation.Level == Red {
			continue
		}
		switch {
		case s.Revocation.Reason == pades.ReasonRevoked:
			out.Revocation = finding(Red, i18n.Text{Ja: "署名した職員の証明書は失効しています。", En: "The official's certificate is revoked."}, contact)
		case s.Check == nil || len(s.Check.Path) == 0:
			out.Revocation = finding(Amber, i18n.Text{Ja: "証明書の検証ができなかったため、失効の確認は行っていません。", En: "Revocation was not checked, since the certificate itself could not be validated."}, i18n.Text{})
		default:
			// The words of a package notice (VerifyNotice): the signing
			// screen's amber says the service checks it on arrival, which
			// nobody does for a notice.
			if f := revocationLine(s.Check, contact); out.Revocation.Level == "" || f.Level.rank() > out.Revocation.Level.rank() {
				out.Revocation = f
			}
			if out.Revocation.Level == Amber {
				out.Revocation = finding(Amber, i18n.Text{Ja: "署名した職員の証明書が失効していないかどうかは、確認できませんでした。", En: "Whether the official's certificate is revoked could not be established."},
					i18n.Text{Ja: "インターネットに接続してから、もう一度確認してください。内容に疑問があるときは、発行元の市区町村にお問い合わせください。", En: "Please connect to the internet and check again; if in doubt, contact the municipality that issued it."})
			}
		}
	}
	return out, nil
}
