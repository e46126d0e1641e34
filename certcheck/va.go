package certcheck

import (
	"bytes"
	"context"
	"crypto/x509"
	"errors"
	"fmt"
	"slices"
)

const (
	vaSourceName = "va"
	// jpkiSignOU is the organizational unit that marks the JPKI root for
	// digital signature (both generations share the subject name).
	jpkiSignOU = "JPKI for digital signature"
	// JPKINotCheckableDetail is the Detail JPKISource gives.
	JPKINotCheckableDetail = "JPKI revocation information is given only to registered verifiers; the service checks it"
)

// ErrVANotServing is what VAOptions.Exchange wraps when the VA does not
// answer for the certificate's CA; VASource.Check then reports ok=false,
// so that the next source is asked.
var ErrVANotServing = errors.New("the validation authority does not answer for this CA")

// VAOptions configure a validation authority: an OCSP responder that the
// client trusts directly and that answers for several CAs (RFC 6960 §2.2
// "trusted responder"), such as the service's.
type VAOptions struct {
	// URL is the VA's OCSP endpoint (http or https). Required; with
	// Exchange it only names the VA in the answers' Location.
	URL string
	// Responder is the VA's signing certificate, trusted as it is, not
	// through a CA. Required.
	Responder *x509.Certificate
	// Serves lists the CA certificates whose certificates the VA answers
	// for (matched by subject and key); empty means every CA.
	Serves []*x509.Certificate
	// Exchange, when set, sends a DER OCSP request to the VA and returns
	// its DER answer in place of an HTTP request to URL: for a VA reached
	// through a client of its own (the service's, with its TLS anchors).
	// An error wrapping ErrVANotServing means the VA does not serve the
	// CA; any other error is an ErrOCSPUnreachable answer. The answer is
	// verified like any other.
	Exchange func(ctx context.Context, req []byte) ([]byte, error)
	// OCSP sets the transport, timing, nonce and cache; its URL and
	// TrustedResponders are replaced by the fields above.
	OCSP OCSPOptions
}

// VASource answers revocation queries by asking a validation authority.
// Its answers carry Source "va". It is safe for concurrent use.
type VASource struct {
	ocsp   *OCSPSource
	serves []*x509.Certificate
}

// NewVASource checks opts and returns a source; options that cannot work
// are an error wrapping ErrInvalidOptions.
func NewVASource(opts VAOptions) (*VASource, error) {
	if opts.URL == "" {
		return nil, fmt.Errorf("%w: VA: no URL", ErrInvalidOptions)
	}
	if opts.Responder == nil {
		return nil, fmt.Errorf("%w: VA: no responder certificate", ErrInvalidOptions)
	}
	o := opts.OCSP
	o.URL = opts.URL
	o.TrustedResponders = []*x509.Certificate{opts.Responder}
	src, err := newOCSPSource(o, vaSourceName)
	if err != nil {
		return nil, fmt.Errorf("certcheck: VA: %w", err)
	}
	if ask := opts.Exchange; ask != nil {
		src.exchange = func(ctx context.Context, u string, req []byte) ([]byte, error) {
			der, err := ask(ctx, req)
			switch {
			case errors.Is(err, ErrVANotServing):
				return nil, err
			case err != nil:
				return nil, fmt.Errorf("%w: %s: %w", ErrOCSPUnreachable, u, err)
			}
			return der, nil
		}
	}
	return &VASource{ocsp: src, serves: slices.Clone(opts.Serves)}, nil
}

// Check asks the VA about q.Cert when its issuer is among the CAs the VA
// serves, and reports ok=false otherwise.
func (v *VASource) Check(ctx context.Context, q Query) (Revocation, bool) {
	if q.Cert == nil || q.Issuer == nil || !v.servesIssuer(q.Issuer) {
		return Revocation{}, false
	}
	return v.ocsp.Check(ctx, q)
}

func (v *VASource) servesIssuer(issuer *x509.Certificate) bool {
	if len(v.serves) == 0 {
		return true
	}
	for _, ca := range v.serves {
		if bytes.Equal(ca.RawSubject, issuer.RawSubject) && ocspSameKey(ca, issuer) {
			return true
		}
	}
	return false
}

// JPKISource makes sure the client never calls a JPKI certificate "good"
// on its own: JPKI gives revocation information only to registered
// verifiers (the service), so for a certificate issued under a JPKI root
// for digital signature it answers StatusNotCheckable with
// JPKINotCheckableDetail. Put it after the sources that may answer for
// JPKI (a VA run by the service); Check prefers their answers. The root is
// recognised by DomainOf: a pinned JPKI root, or one named like it (the
// sandbox's).
type JPKISource struct{}

// Check answers StatusNotCheckable for a JPKI-issued certificate and
// reports ok=false for any other.
func (JPKISource) Check(_ context.Context, q Query) (Revocation, bool) {
	if q.Cert == nil || !jpkiIssued(q) {
		return Revocation{}, false
	}
	return Revocation{Status: StatusNotCheckable, Source: "service", Detail: JPKINotCheckableDetail}, true
}

// jpkiIssued reports whether q's issuer, or the anchor of q's path, is in
// the JPKI domain.
func jpkiIssued(q Query) bool {
	if q.Issuer != nil && DomainOf(q.Issuer) == DomainJPKI {
		return true
	}
	n := len(q.Path)
	return n > 0 && q.Path[n-1] != q.Cert && DomainOf(q.Path[n-1]) == DomainJPKI
}
