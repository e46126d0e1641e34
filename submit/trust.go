package submit

import (
	"context"
	"crypto/x509"
	"net/http"
	"net/url"
	"strings"
)

// Trust is the part of the catalogue that says how the service checks a
// signer's certificate (GET /trust), so that a client can pre-check a
// certificate as the service will before it signs: the roots the
// service accepts signers' certificates from, intermediates that help to
// build paths to them, and the service's validation authority.
type Trust struct {
	// SignerAnchors are the roots a signer's certificate must chain to
	// (DER): the JPKI roots for digital signature, the commercial
	// registrars, LGPKI.
	SignerAnchors [][]byte `json:"signer_anchors"`
	// Intermediates may help to build paths to them (DER).
	Intermediates [][]byte `json:"intermediates,omitempty"`
	// ValidationAuthority is the service's VA; nil when it has none.
	ValidationAuthority *ValidationAuthority `json:"validation_authority,omitempty"`
	// TimestampAuthority is the time-stamp authority the service
	// recommends for signatures; nil when it names none.
	TimestampAuthority *TimestampAuthority `json:"timestamp_authority,omitempty"`
}

// TimestampAuthority is an RFC 3161 time-stamp authority reached over
// HTTP (POST application/timestamp-query).
type TimestampAuthority struct {
	// URL is the authority's absolute http or https URL.
	URL string `json:"url"`
}

// ValidationAuthority is the service's validation authority: an OCSP
// responder (RFC 6960) for every CA it serves, JPKI included, whose
// answers are signed by one certificate a client trusts directly (a
// "trusted responder", RFC 6960 §2.2).
type ValidationAuthority struct {
	// OCSPPath is the path of its OCSP endpoint on the service's origin,
	// "/api/v1/ocsp".
	OCSPPath string `json:"ocsp_path"`
	// Certificate is the certificate that signs its answers (DER).
	Certificate []byte `json:"certificate"`
}

// ServiceTrust is the catalogue's Trust with its certificates parsed.
type ServiceTrust struct {
	SignerAnchors []*x509.Certificate
	Intermediates []*x509.Certificate
	// VA signs the answers of the validation authority at VAPath (a path
	// on the service's origin); both are empty when it has none.
	VA     *x509.Certificate
	VAPath string
	// TSAURL is the time-stamp authority's URL; empty when the service
	// names none.
	TSAURL string
}

// Trust returns how the service checks signers' certificates (GET
// /trust): its signer trust anchors and its validation authority. The
// answer comes over the TLS connection the configured anchors
// authenticate. A reply whose certificates do not parse, that names no
// anchor, or whose VA is not on the service's origin is ErrBadReply; a
// service that does not announce them answers with a *ProblemError
// (ErrRefused) or ErrNotAPI.
func (c *Client) Trust(ctx context.Context) (*ServiceTrust, error) {
	var t Trust
	if err := c.do(ctx, call{method: http.MethodGet, path: "/trust", ok: []int{http.StatusOK}}, c.readJSON(&t)); err != nil {
		return nil, err
	}
	out := &ServiceTrust{}
	parse := func(what string, ders [][]byte) ([]*x509.Certificate, error) {
		var certs []*x509.Certificate
		for _, der := range ders {
			cert, err := x509.ParseCertificate(der)
			if err != nil {
				return nil, badReply("trust: a certificate of %s does not parse", what)
			}
			certs = append(certs, cert)
		}
		return certs, nil
	}
	var err error
	if out.SignerAnchors, err = parse("signer_anchors", t.SignerAnchors); err != nil {
		return nil, err
	}
	if len(out.SignerAnchors) == 0 {
		return nil, badReply("trust: no signer anchors")
	}
	if out.Intermediates, err = parse("intermediates", t.Intermediates); err != nil {
		return nil, err
	}
	if va := t.ValidationAuthority; va != nil {
		if !strings.HasPrefix(va.OCSPPath, "/") || strings.HasPrefix(va.OCSPPath, "//") {
			return nil, badReply("trust: the validation authority's path %q is not a path on the service", va.OCSPPath)
		}
		if _, err := url.Parse(va.OCSPPath); err != nil {
			return nil, badReply("trust: the validation authority's path %q is not a path on the service", va.OCSPPath)
		}
		certs, err := parse("validation_authority", [][]byte{va.Certificate})
		if err != nil {
			return nil, err
		}
		out.VA, out.VAPath = certs[0], va.OCSPPath
	}
	if tsa := t.TimestampAuthority; tsa != nil {
		u, err := url.Parse(tsa.URL)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			return nil, badReply("trust: the time-stamp authority's URL %q is not an http(s) URL", tsa.URL)
		}
		out.TSAURL = u.String()
	}
	return out, nil
}

// OriginURL returns the URL of path on the service's origin (scheme and
// host, without the API prefix): where the catalogue's paths point.
func (c *Client) OriginURL(path string) string {
	return (&url.URL{Scheme: c.base.Scheme, Host: c.base.Host}).String() + path
}

// OCSPAt posts a DER OCSP request to the validation authority at path on
// the service's origin (ServiceTrust.VAPath), over the service's
// authenticated connection, and returns the DER response, unverified, as
// OCSP does.
func (c *Client) OCSPAt(ctx context.Context, path string, req []byte) ([]byte, error) {
	return c.postOCSP(ctx, call{path: path, origin: true}, req)
}
