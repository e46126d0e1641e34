package flow

import (
	"context"
	"crypto/x509"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"time"

	"github.com/shinsei-app/shinsei/certcheck"
	"github.com/shinsei-app/shinsei/i18n"
	"github.com/shinsei-app/shinsei/internal/fsx"
	"github.com/shinsei-app/shinsei/pades"
	"github.com/shinsei-app/shinsei/signer"
	"github.com/shinsei-app/shinsei/submit"
)

// NoticeRef names an official notice: a package file already on disk
// (Path), or a notice of an application to download from the service
// (Arrival and ID).
type NoticeRef struct {
	// Path is a notice package on disk.
	Path string
	// Arrival is the application's arrival number, ID the notice's (as
	// RefreshStatus lists them).
	Arrival string
	ID      string
}

// NoticeReport is the verification of an official notice, its three
// questions answered apart: is it intact, is the signer's certificate a
// trusted official (LGPKI) one valid now, and is it revoked.
type NoticeReport struct {
	// Path is the notice package verified (downloaded into the data
	// directory's notices/ folder when fetched).
	Path string `json:"path"`
	// Integrity: the package is unaltered and its signature valid.
	// Certificate: the signer's certificate is a trusted official one,
	// valid now. Revocation: it is not revoked.
	Integrity   Finding `json:"integrity"`
	Certificate Finding `json:"certificate"`
	Revocation  Finding `json:"revocation"`
	// RevocationSource is signer.RevocationSourceEmbedded when the
	// revocation was decided offline from the validation data the notice
	// carries (CAdES-B-LT), empty when the live sources were asked.
	RevocationSource string `json:"revocation_source,omitempty"`
	// Signer is the signer's certificate; Official its holder's post or
	// name as the certificate gives it.
	Signer   *x509.Certificate `json:"-"`
	Official string            `json:"official,omitempty"`
	// Domain is the PKI the signer's path ends in (LGPKI expected).
	Domain certcheck.Domain `json:"domain,omitempty"`
	// SigningTime is what the signer claims, for display only.
	SigningTime *time.Time `json:"signing_time,omitempty"`
	// Files are the package's files as verified.
	Files []signer.FileResult `json:"files,omitempty"`
	// Title and Text are what the notice says (its form's title and
	// text), read only when the notice is intact.
	Title i18n.Text `json:"title,omitzero"`
	Text  i18n.Text `json:"text,omitzero"`
	// PDF is the verification of a notice issued as a signed PDF: each
	// signature, what it covers and what changed after it.
	PDF *pades.Report `json:"pdf,omitempty"`
	// Report and Check are the underlying results.
	Report *signer.Report    `json:"-"`
	Check  *certcheck.Result `json:"-"`
}

// OK reports whether nothing is red.
func (r *NoticeReport) OK() bool {
	return r != nil && r.Integrity.Level != Red && r.Certificate.Level != Red && r.Revocation.Level != Red
}

var safeID = regexp.MustCompile(`^[A-Za-z0-9_-]{1,64}$`)

// VerifyNotice verifies an official notice: the package's integrity, the
// signer's certificate against the trust anchors, and its revocation,
// reported apart. A notice named by arrival and ID is downloaded first
// (as the application's owner, or with its inquiry number). The error is
// only for a notice that cannot be read or fetched at all.
func (a *App) VerifyNotice(ctx context.Context, ref NoticeRef) (*NoticeReport, error) {
	path := ref.Path
	if path == "" {
		var err error
		if path, err = a.fetchNotice(ctx, StatusQuery{Arrival: ref.Arrival}, ref.ID); err != nil {
			return nil, err
		}
	}
	now := a.now()
	if IsPDF(path) {
		return a.verifyPDFNotice(ctx, path, now)
	}
	// Without anchors of its own, the App trusts what the service it is
	// configured with announces (as a pre-check does): the command line.
	opts := a.PackageVerifyOptions(ctx, now)
	roots, inter := opts.Roots, opts.Intermediates
	rep, err := signer.Verify(ctx, path, opts)
	if err != nil {
		return nil, &Error{Op: "notice", Err: err}
	}
	out := &NoticeReport{Path: path, Report: rep, Signer: rep.Signer, SigningTime: rep.SigningTime, Files: rep.Files}
	if rep.Integrity.OK {
		out.Title, out.Text = noticeText(path, rep.Files)
		out.Integrity = finding(Green, i18n.Text{Ja: "通知書は改ざんされていません（署名と内容が一致しています）。", En: "The notice is intact: its signature matches its content."}, i18n.Text{})
		if !rep.Decided() {
			// A time-stamp token over the notice is not validated yet.
			out.Integrity = finding(Amber, i18n.Text{Ja: "通知書の署名は内容と一致していますが、付いているタイムスタンプはまだ検証できません。", En: "The notice's signature matches its content, but the time-stamp it carries cannot be validated yet."},
				i18n.Text{Ja: "内容は署名のとおりです。タイムスタンプの確認が必要なときは、発行元の市区町村にお問い合わせください。", En: "The content is as signed. If you need the time-stamp confirmed, please contact the municipality that issued the notice."})
		}
	} else {
		out.Integrity = finding(Red, i18n.Text{Ja: "通知書の内容が署名と一致しません。改ざんまたは破損のおそれがあります（" + rep.Integrity.Reason + "）。", En: "The notice's content does not match its signature: it may have been altered or damaged (" + rep.Integrity.Reason + ")."},

			i18n.Text{Ja: "この通知書の内容は信用しないでください。発行元の市区町村にお問い合わせください。", En: "Please do not rely on this notice; contact the municipality that issued it."})
	}
	if rep.Signer == nil {
		out.Certificate = finding(Red, i18n.Text{Ja: "署名者の証明書が見つかりません。", En: "The signer's certificate is missing."},
			i18n.Text{Ja: "発行元の市区町村にお問い合わせください。", En: "Please contact the municipality that issued it."})
		out.Revocation = finding(Amber, i18n.Text{Ja: "署名者の証明書がないため、失効の確認はできません。", En: "Without the signer's certificate, revocation cannot be checked."}, i18n.Text{})
		return out, nil
	}
	out.Official = rep.Signer.Subject.CommonName
	// Validation data the notice carries that decides its signer's
	// revocation (as verify reads it) is used offline; the live sources
	// are asked only when it does not.
	embedded := embeddedDecides(rep)
	var sources []certcheck.Source
	if !embedded {
		if sources, err = a.sources(ctx); err != nil {
			sources = nil
		}
	}
	intermediates := append(append([]*x509.Certificate{}, inter...), chainOf(rep)...)
	// A signature time-stamp that holds proves when the notice was signed:
	// the certificate is checked then, not now (signer.Report.ProvenTime).
	at := now
	if rep.ProvenTime != nil {
		at = *rep.ProvenTime
	}
	res := certcheck.Check(ctx, rep.Signer, certcheck.Options{Roots: roots, Intermediates: intermediates, At: at, Sources: sources})
	out.Check, out.Domain = res, res.Domain
	renew := i18n.Text{Ja: "発行元の市区町村にお問い合わせください。", En: "Please contact the municipality that issued it."}
	switch {
	case len(res.Path) > 0 && res.Domain == certcheck.DomainLGPKI:
		out.Certificate = finding(Green, i18n.Text{Ja: "地方公共団体の職責証明書（LGPKI）で署名されています（" + out.Official + "）。有効な証明書です。", En: "Signed with a local government official certificate (LGPKI) of " + out.Official + "; the certificate is valid."},
			i18n.Text{})
	case len(res.Path) > 0:
		out.Certificate = finding(Amber, i18n.Text{Ja: "有効な証明書で署名されていますが、地方公共団体の職責証明書（LGPKI）ではありません（" + out.Official + "）。", En: "Signed with a valid certificate of " + out.Official + ", but not a local government official (LGPKI) one."},
			renew)
	default:
		m, _ := certReasonText(res.Reason, rep.Signer, renew)
		out.Certificate = finding(Red, m, renew)
	}
	if len(res.Path) > 0 && embedded {
		out.Revocation, out.RevocationSource = embeddedRevocationLine(rep.Revocation, renew), signer.RevocationSourceEmbedded
	} else if len(res.Path) > 0 {
		out.Revocation = revocationLine(res, renew)
		if out.Revocation.Level == Amber {
			// The signing screen's words (the service checks it on
			// arrival) do not fit a notice: nobody checks it later.
			out.Revocation = finding(Amber, i18n.Text{Ja: "署名した職員の証明書が失効していないかどうかは、確認できませんでした。", En: "Whether the official's certificate is revoked could not be established."},
				i18n.Text{Ja: "インターネットに接続してから、もう一度確認してください。内容に疑問があるときは、発行元の市区町村にお問い合わせください。", En: "Please connect to the internet and check again; if in doubt, contact the municipality that issued it."})
		}
	} else {
		out.Revocation = finding(Amber, i18n.Text{Ja: "証明書の検証ができなかったため、失効の確認は行っていません。", En: "Revocation was not checked, since the certificate itself could not be validated."}, i18n.Text{})
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

// fetchNotice downloads a notice of the application q asks about into
// the data directory's notices/ folder, proving the right as q says, and
// returns the file.
func (a *App) fetchNotice(ctx context.Context, q StatusQuery, id string) (string, error) {
	return a.fetchNoticeFile(ctx, q, id, ".asice", a.client.Notice)
}

// fetchNoticeFile downloads a notice with get (the package, or its PDF)
// into the notices/ folder, as ARRIVAL-ID plus ext.
func (a *App) fetchNoticeFile(ctx context.Context, q StatusQuery, id, ext string, get func(context.Context, string, submit.Auth, io.Writer) (int64, error)) (string, error) {
	arrival := q.Arrival
	if err := a.needService(); err != nil {
		return "", err
	}
	if err := a.needDataDir(); err != nil {
		return "", err
	}
	if !safeID.MatchString(id) || !safeID.MatchString(arrival) {
		return "", &Error{Op: fmt.Sprintf("notice %q of %q", id, arrival), Err: ErrNoticeNotFound}
	}
	auth, _, err := a.auth(ctx, q, Callbacks{})
	if err != nil {
		return "", err
	}
	dir := filepath.Join(a.cfg.DataDir, "notices")
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return "", &Error{Op: "notice", Err: err}
	}
	final := filepath.Join(dir, arrival+"-"+id+ext)
	f, err := fsx.Create(final, 0)
	if err != nil {
		return "", &Error{Op: "notice", Err: err}
	}
	defer f.Abort()
	if _, err := get(ctx, id, auth, f); err != nil {
		if submit.IsReason(err, submit.ReasonNotFound) {
			return "", &Error{Op: "notice " + id, Err: fmt.Errorf("%w: %w", ErrNoticeNotFound, err)}
		}
		return "", &Error{Op: "notice " + id, Err: err}
	}
	if err := f.Commit(); err != nil {
		return "", &Error{Op: "notice", Err: err}
	}
	return final, nil
}
