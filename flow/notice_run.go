package flow

import (
	"context"
	"crypto/x509"
	"fmt"
	"os"
	"path/filepath"
	"regexp"

	"github.com/shinsei-app/shinsei/certcheck"
	"github.com/shinsei-app/shinsei/internal/fsx"
	"github.com/shinsei-app/shinsei/signer"
	"github.com/shinsei-app/shinsei/submit"
)

var safeID = regexp.MustCompile(`^[A-Za-z0-9_-]{1,64}$`)

func (a *App) verifyNotice(ctx context.Context, ref NoticeRef) (*NoticeReport, error) {
	path := ref.Path
	if path == "" {
		var err error
		if path, err = a.fetchNotice(ctx, ref.Arrival, ref.ID); err != nil {
			return nil, err
		}
	}
	now := a.now()
	rep, err := signer.Verify(ctx, path, signer.VerifyOptions{Roots: a.cfg.TrustAnchors, Intermediates: a.cfg.Intermediates, At: now})
	if err != nil {
		return nil, fmt.Errorf("flow: notice: %w", err)
	}
	out := &NoticeReport{Path: path, Report: rep, Signer: rep.Signer, SigningTime: rep.SigningTime, Files: rep.Files}
	if rep.Integrity.OK {
		out.Integrity = finding(Green, Text{"通知書は改ざんされていません（署名と内容が一致しています）。", "The notice is intact: its signature matches its content."}, Text{})
	} else {
		out.Integrity = finding(Red, Text{"通知書の内容が署名と一致しません。改ざんまたは破損のおそれがあります（" + rep.Integrity.Reason + "）。",
			"The notice's content does not match its signature: it may have been altered or damaged (" + rep.Integrity.Reason + ")."},
			Text{"この通知書の内容は信用しないでください。発行元の市区町村にお問い合わせください。", "Please do not rely on this notice; contact the municipality that issued it."})
	}
	if rep.Signer == nil {
		out.Certificate = finding(Red, Text{"署名者の証明書が見つかりません。", "The signer's certificate is missing."},
			Text{"発行元の市区町村にお問い合わせください。", "Please contact the municipality that issued it."})
		out.Revocation = finding(Amber, Text{"署名者の証明書がないため、失効の確認はできません。", "Without the signer's certificate, revocation cannot be checked."}, Text{})
		return out, nil
	}
	out.Official = rep.Signer.Subject.CommonName
	sources, err := a.sources(ctx)
	if err != nil {
		sources = nil
	}
	intermediates := append(append([]*x509.Certificate{}, a.cfg.Intermediates...), chainOf(rep)...)
	res := certcheck.Check(ctx, rep.Signer, certcheck.Options{Roots: a.cfg.TrustAnchors, Intermediates: intermediates, At: now, Sources: sources})
	out.Check, out.Domain = res, res.Domain
	renew := Text{"発行元の市区町村にお問い合わせください。", "Please contact the municipality that issued it."}
	switch {
	case len(res.Path) > 0 && res.Domain == certcheck.DomainLGPKI:
		out.Certificate = finding(Green, Text{"地方公共団体の職責証明書（LGPKI）で署名されています（" + out.Official + "）。有効な証明書です。",
			"Signed with a local government official certificate (LGPKI) of " + out.Official + "; the certificate is valid."}, Text{})
	case len(res.Path) > 0:
		out.Certificate = finding(Amber, Text{"有効な証明書で署名されていますが、地方公共団体の職責証明書（LGPKI）ではありません（" + out.Official + "）。",
			"Signed with a valid certificate of " + out.Official + ", but not a local government official (LGPKI) one."}, renew)
	default:
		m, _ := certReasonText(res.Reason, rep.Signer, renew)
		out.Certificate = finding(Red, m, renew)
	}
	if len(res.Path) > 0 {
		out.Revocation = revocationLine(res, renew)
	} else {
		out.Revocation = finding(Amber, Text{"証明書の検証ができなかったため、失効の確認は行っていません。", "Revocation was not checked, since the certificate itself could not be validated."}, Text{})
	}
	return out, nil
}

// chainOf returns the certificates a verification report found besides the
// signer's.
func chainOf(rep *signer.Report) []*x509.Certificate {
	if len(rep.Chain) < 2 {
		return nil
	}
	return rep.Chain[1:]
}

// fetchNotice downloads a notice of an application into the data
// directory's notices/ folder and returns the file.
func (a *App) fetchNotice(ctx context.Context, arrival, id string) (string, error) {
	if err := a.needService(); err != nil {
		return "", err
	}
	if err := a.needDataDir(); err != nil {
		return "", err
	}
	if !safeID.MatchString(id) || !safeID.MatchString(arrival) {
		return "", fmt.Errorf("flow: notice %q of %q: %w", id, arrival, ErrNoticeNotFound)
	}
	auth, _, err := a.auth(ctx, StatusQuery{Arrival: arrival})
	if err != nil {
		return "", err
	}
	dir := filepath.Join(a.cfg.DataDir, "notices")
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return "", fmt.Errorf("flow: notice: %w", err)
	}
	final := filepath.Join(dir, arrival+"-"+id+".asice")
	f, err := fsx.Create(final, 0)
	if err != nil {
		return "", fmt.Errorf("flow: notice: %w", err)
	}
	defer f.Abort()
	if _, err := a.client.Notice(ctx, id, auth, f); err != nil {
		if submit.IsReason(err, submit.ReasonNotFound) {
			return "", fmt.Errorf("flow: notice %s: %w: %w", id, ErrNoticeNotFound, err)
		}
		return "", fmt.Errorf("flow: notice %s: %w", id, err)
	}
	if err := f.Commit(); err != nil {
		return "", fmt.Errorf("flow: notice: %w", err)
	}
	return final, nil
}
