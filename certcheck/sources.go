package certcheck

import (
	"context"
	"path/filepath"
	"time"
)

// SourcesOptions are what Sources builds the revocation sources from.
type SourcesOptions struct {
	// CRLFiles are CRLs given as files (PEM or DER), used before any
	// fetched one.
	CRLFiles []string
	// Offline uses no network: only CRLFiles and cached answers.
	Offline bool
	// CacheDir keeps fetched CRLs and OCSP answers (in its crl and ocsp
	// folders); empty means no disk cache.
	CacheDir string
	// Now is the clock (nil: time.Now).
	Now func() time.Time
	// Authorities are the validation authorities configured for the
	// caller — a VA (VASource), the service's own validation endpoint —
	// asked after the responders and distribution points the certificates
	// name.
	Authorities []Source
}

// Sources returns the revocation sources in the order every pre-check asks
// them, in the app and on the command line alike: the OCSP responders and
// then the CRL distribution points the certificates name, the configured
// validation authorities, and last the JPKI rule, so that a JPKI
// certificate is never "good" unless an authority answered for it.
func Sources(ctx context.Context, o SourcesOptions) ([]Source, error) {
	sub := func(name string) string {
		if o.CacheDir == "" {
			return ""
		}
		return filepath.Join(o.CacheDir, name)
	}
	ocsp, err := NewOCSPSource(OCSPOptions{Offline: o.Offline, CacheDir: sub("ocsp"), Now: o.Now})
	if err != nil {
		return nil, err
	}
	crl, err := NewCRLSource(ctx, CRLOptions{Files: o.CRLFiles, Offline: o.Offline, CacheDir: sub("crl"), Now: o.Now})
	if err != nil {
		return nil, err
	}
	list := append([]Source{ocsp, crl}, o.Authorities...)
	return append(list, JPKISource{}), nil
}
