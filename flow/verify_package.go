package flow

import (
	"context"
	"crypto/x509"
	"time"

	"github.com/shinsei-app/shinsei/certcheck"
	"github.com/shinsei-app/shinsei/i18n"
	"github.com/shinsei-app/shinsei/signer"
)

// PackageVerifyOptions are the options a signed package or notice is
// verified with, by every surface (shinseictl verify, the window's
// notice check): the trust anchors and intermediates of the
// configuration, at the time at (zero: now), and as trusted responders
// the validation authorities whose OCSP answers a signature may carry —
// the configured service VA (Config.ServiceVA), or, when none is
// configured, the one the service's catalogue announces. The JPKI
// validation data the service adds on receipt is signed by that VA.
//
// Without trust anchors of its own, the App trusts the signer anchors
// and intermediates the service it is configured with announces (as a
// pre-check does).
func (a *App) PackageVerifyOptions(ctx context.Context, at time.Time) signer.VerifyOptions {
	roots, inter := a.cfg.TrustAnchors, a.cfg.Intermediates
	if len(roots) == 0 && a.client != nil {
		t := a.signerTrust(ctx)
		roots, inter = t.anchors, t.intermediates
	}
	return signer.VerifyOptions{Roots: roots, Intermediates: inter, At: at,
		TrustedResponders: a.validationAuthorities(ctx)}
}

// validationAuthorities returns the configured VA, or the catalogue's
// when none is configured; nil when neither gives one.
func (a *App) validationAuthorities(ctx context.Context) []*x509.Certificate {
	if a.cfg.ServiceVA != nil {
		return []*x509.Certificate{a.cfg.ServiceVA}
	}
	if st := a.serviceTrust(ctx); st != nil && st.VA != nil {
		return []*x509.Certificate{st.VA}
	}
	return nil
}

// embeddedDecides reports whether the validation data a signature
// carries decides its signer's revocation, as verify reads it
// (signer.Report.Revocation): every certificate of the path good, or one
// revoked or on hold, at the time checked.
func embeddedDecides(rep *signer.Report) bool {
	if rep == nil || rep.Revocation == nil {
		return false
	}
	c := rep.Revocation.Check
	return c.OK || c.Reason == string(certcheck.ReasonRevoked) || c.Reason == string(certcheck.ReasonOnHold)
}

// embeddedRevocationLine says what the validation data a notice carries
// decided about its signer's revocation.
func embeddedRevocationLine(er *signer.EmbeddedRevocation, renew i18n.Text) Finding {
	at := er.At.Local()
	if er.Check.OK {
		return finding(Green, i18n.Text{Ja: "署名した職員の証明書は、" + i18n.DateJa(at) + "の時点で失効していません（通知書に含まれる検証データで確認しました。インターネットには接続していません）。",
			En: "The official's certificate was not revoked at " + at.Format("2006-01-02 15:04") + " (checked with the validation data the notice carries, without the network)."}, i18n.Text{})
	}
	return finding(Red, i18n.Text{Ja: "署名した職員の証明書は、署名の時点で失効していました（通知書に含まれる検証データによる）。この通知書は有効ではありません。",
		En: "The official's certificate was already revoked when the notice was signed (by the validation data the notice carries); the notice is not valid."}, renew)
}
