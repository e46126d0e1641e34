package flow

import (
	"context"
	"crypto"
	"crypto/x509"
	"fmt"
	"time"

	"github.com/shinsei-app/shinsei/certcheck"
	"github.com/shinsei-app/shinsei/submit"
)

// revocationSources are the sources a pre-check asks, in certcheck.Sources'
// order, with the service (its validation authority, or its validation
// endpoint) as the configured authority.
type revocationSources struct {
	list []certcheck.Source
}

func (a *App) sources(ctx context.Context) ([]certcheck.Source, error) {
	a.revocMu.Lock()
	defer a.revocMu.Unlock()
	if a.revoc != nil {
		return a.revoc.list, nil
	}
	var authorities []certcheck.Source
	if a.client != nil {
		if t := a.signerTrust(ctx); t.va != nil {
			va, err := serviceVA(a.client, t.va, t.vaPath, a.now)
			if err != nil {
				return nil, &Error{Op: "revocation", Err: err}
			}
			authorities = append(authorities, va)
		} else {
			authorities = append(authorities, &serviceValidation{client: a.client})
		}
	}
	list, err := certcheck.Sources(ctx, certcheck.SourcesOptions{Offline: a.cfg.Offline, CacheDir: a.cfg.RevocationCacheDir,
		Now: a.cfg.Now, Authorities: authorities})
	if err != nil {
		return nil, &Error{Op: "revocation", Err: err}
	}
	a.revoc = &revocationSources{list: list}
	return list, nil
}

// serviceVA asks the service's validation authority (POST /ocsp, or the
// path on the service's origin the catalogue announces) through the
// service client and verifies its signed answer with every check
// certcheck applies, trusting the VA certificate directly. Its answers
// carry Source "va"; a CA the service does not serve is left to the next
// source.
func serviceVA(client *submit.Client, responder *x509.Certificate, path string, now func() time.Time) (*certcheck.VASource, error) {
	loc := client.BaseURL() + submit.APIPrefix + "/ocsp"
	if path != "" {
		loc = client.OriginURL(path)
	}
	return certcheck.NewVASource(certcheck.VAOptions{
		URL:       loc,
		Responder: responder,
		Exchange: func(ctx context.Context, req []byte) ([]byte, error) {
			var der []byte
			var err error
			if path != "" {
				der, err = client.OCSPAt(ctx, path, req)
			} else {
				der, err = client.OCSP(ctx, req)
			}
			if submit.IsReason(err, submit.ReasonCertificateUntrusted) {
				return nil, fmt.Errorf("%w: %w", certcheck.ErrVANotServing, err)
			}
			return der, err
		},
		OCSP: certcheck.OCSPOptions{Hash: crypto.SHA1, Now: now},
	})
}

// serviceValidation asks the service, as the registered verifier it is,
// over the TLS connection authenticated by the configured anchors (POST
// /validation). Its answers carry Source "service".
type serviceValidation struct {
	client *submit.Client
}

// Check implements certcheck.Source.
func (s *serviceValidation) Check(ctx context.Context, q certcheck.Query) (certcheck.Revocation, bool) {
	loc := s.client.BaseURL() + submit.APIPrefix + "/validation"
	v, err := s.client.Validate(ctx, q.Cert.Raw)
	if err != nil {
		if submit.IsReason(err, submit.ReasonCertificateUntrusted) {
			return certcheck.Revocation{}, false
		}
		return certcheck.Revocation{Status: certcheck.StatusUnknown, Source: "service", Location: loc,
			Detail: "the service could not be asked: " + err.Error()}, true
	}
	r := certcheck.Revocation{Status: certcheck.Status(v.Status), Reason: v.Reason, RevokedAt: v.RevokedAt,
		Source: "service", Location: loc, ThisUpdate: v.CheckedAt}
	switch r.Status {
	case certcheck.StatusGood, certcheck.StatusRevoked, certcheck.StatusOnHold:
	default:
		r.Status = certcheck.StatusUnknown
		r.Detail = "the service does not know the certificate's status"
	}
	return r, true
}
