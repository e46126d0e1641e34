package flow

import (
	"context"
	"crypto/x509"
	"errors"

	"github.com/shinsei-app/shinsei/submit"
)

// signerTrust is what a signer's certificate is checked with: the trust
// anchors, the intermediates and the service's validation authority.
type signerTrust struct {
	anchors, intermediates []*x509.Certificate
	// va signs the answers of the validation authority; vaPath, when
	// set, is where the catalogue says it answers (a path on the
	// service's origin), otherwise the service's own /ocsp.
	va     *x509.Certificate
	vaPath string
	// fromService is set when the anchors are the catalogue's.
	fromService bool
}

// signerTrust returns the anchors, intermediates and validation
// authority a pre-check uses: the configuration's first, and for what it
// does not give — no TrustAnchors, no ServiceVA — what the service's
// catalogue announces (GET /trust, fetched once). Without a service, or
// when the catalogue cannot be read, it is the configuration alone.
func (a *App) signerTrust(ctx context.Context) signerTrust {
	t := signerTrust{anchors: a.cfg.TrustAnchors, intermediates: a.cfg.Intermediates, va: a.cfg.ServiceVA}
	if len(t.anchors) > 0 && t.va != nil {
		return t
	}
	st := a.serviceTrust(ctx)
	if st == nil {
		return t
	}
	if len(t.anchors) == 0 {
		t.anchors, t.fromService = st.SignerAnchors, true
		t.intermediates = append(append([]*x509.Certificate{}, t.intermediates...), st.Intermediates...)
	}
	if t.va == nil && st.VA != nil {
		t.va, t.vaPath = st.VA, st.VAPath
	}
	return t
}

// serviceTrust returns what the service's catalogue announces about its
// checks of signers, asked once per App: nil without a service, or when
// it cannot be read. An answer, or a service that does not announce it,
// is kept; a service that could not be reached is asked again next time.
func (a *App) serviceTrust(ctx context.Context) *submit.ServiceTrust {
	if a.client == nil {
		return nil
	}
	a.trustMu.Lock()
	defer a.trustMu.Unlock()
	if a.trustAsked {
		return a.trust
	}
	st, err := a.client.Trust(ctx)
	switch {
	case err == nil:
		a.trust, a.trustAsked = st, true
	case errors.Is(err, submit.ErrRefused), errors.Is(err, submit.ErrNotAPI), errors.Is(err, submit.ErrBadReply):
		a.trustAsked = true // the service does not announce them
	}
	return a.trust
}
