// Package certcheck decides whether a certificate will be accepted: trust
// anchors and pins, path building, validity at a chosen time, key usage,
// and revocation by CRL, OCSP and validation authorities, asked in the one
// order Sources gives. Every finding is a *Error whose Reason a caller can
// switch on; package explain words it.
//
// It never calls a JPKI certificate "good" by itself (only the service, a
// registered verifier, may check JPKI revocation), never trusts a CRL or an
// OCSP answer whose signature it has not checked, and never reads a reply
// without a timeout and a size cap. It imports no user interface and
// nothing above the core.
package certcheck

import (
	"crypto/x509"
	"errors"
	"fmt"
	"time"

	"github.com/shinsei-app/shinsei/identity"
)

// Reason says why a certificate was not accepted.
type Reason string

// Reasons a path check gives.
const (
	ReasonUntrusted   Reason = "untrusted"     // no path to a configured anchor
	ReasonExpired     Reason = "expired"       // a certificate on the path is past notAfter
	ReasonNotYetValid Reason = "not-yet-valid" // a certificate on the path is before notBefore
	ReasonKeyUsage    Reason = "key-usage"     // the certificate may not sign documents
	ReasonInvalid     Reason = "invalid"       // anything else wrong with the path
)

// Error is a definite negative about one certificate on the path.
type Error struct {
	Reason Reason
	// Cert is the certificate the finding is about (the leaf, an
	// intermediate or the anchor).
	Cert *x509.Certificate
	Err  error
}

func (e *Error) Error() string {
	subject := "certificate"
	if e.Cert != nil {
		subject = fmt.Sprintf("certificate %q", e.Cert.Subject.String())
	}
	if e.Err != nil {
		return fmt.Sprintf("%s: %s: %v", subject, e.Reason, e.Err)
	}
	return fmt.Sprintf("%s: %s", subject, e.Reason)
}

func (e *Error) Unwrap() error { return e.Err }

// Options configure a check. The zero value trusts nothing.
type Options struct {
	// Roots are the trust anchors.
	Roots []*x509.Certificate
	// Intermediates may be used to build the path.
	Intermediates []*x509.Certificate
	// SystemRoots adds the operating system's trust store to Roots (public
	// CAs, e.g. for a service's server certificate).
	SystemRoots bool
	// At is the time the path must be valid at; zero means now.
	At time.Time
	// Sources are asked, in order, for the revocation status of each
	// certificate on the path (Check only).
	Sources []Source
	// RequireRevocation makes a certificate whose status no source could
	// establish fail the check (hard fail) instead of passing with an
	// unknown status (soft fail).
	RequireRevocation bool
}

// handledCritical lists critical extensions this package understands, so
// that their presence does not make a path invalid.
var handledCritical = []string{identity.OIDRegistrar.String()}

// VerifyPath builds a path from leaf to one of opts.Roots, valid at opts.At,
// and returns it leaf first. A failure is a *Error.
func VerifyPath(leaf *x509.Certificate, opts Options) ([]*x509.Certificate, error) {
	at := opts.At
	if at.IsZero() {
		at = time.Now()
	}
	// prepareVerify (crlpath.go) adds the RFC 5280 name-matching and
	// self-issued pathLen rules crypto/x509 lacks.
	in := prepareVerify(withoutHandledCritical(leaf), opts.Roots, opts.Intermediates)
	roots, inter := x509.NewCertPool(), x509.NewCertPool()
	if opts.SystemRoots {
		system, err := x509.SystemCertPool()
		if err != nil {
			return nil, &Error{Reason: ReasonUntrusted, Cert: leaf, Err: fmt.Errorf("the system trust store cannot be read: %w", err)}
		}
		roots = system
	}
	for _, c := range in.roots {
		roots.AddCert(c)
	}
	for _, c := range in.inter {
		inter.AddCert(c)
	}
	// No CertificatePolicies: crypto/x509 then starts from anyPolicy with
	// explicit policy not required, mapping allowed and anyPolicy not
	// inhibited (RFC 5280 §6.1.1 defaults, as PKITS assumes).
	chains, err := in.leaf.Verify(x509.VerifyOptions{
		Roots: roots, Intermediates: inter, CurrentTime: at,
		KeyUsages: []x509.ExtKeyUsage{x509.ExtKeyUsageAny},
	})
	if err != nil {
		return nil, classify(leaf, at, err)
	}
	chain, err := in.pick(chains)
	if err != nil {
		return nil, &Error{Reason: ReasonInvalid, Cert: leaf, Err: err}
	}
	chain[0] = leaf
	return chain, nil
}

// VerifySigning is VerifyPath plus the rule that the leaf may sign
// documents: keyUsage, when present, must allow digitalSignature or
// nonRepudiation.
func VerifySigning(leaf *x509.Certificate, opts Options) ([]*x509.Certificate, error) {
	chain, err := VerifyPath(leaf, opts)
	if err != nil {
		return nil, err
	}
	if leaf.KeyUsage != 0 && leaf.KeyUsage&(x509.KeyUsageDigitalSignature|x509.KeyUsageContentCommitment) == 0 {
		return nil, &Error{Reason: ReasonKeyUsage, Cert: leaf, Err: errors.New("keyUsage allows neither digitalSignature nor nonRepudiation")}
	}
	return chain, nil
}

func withoutHandledCritical(c *x509.Certificate) *x509.Certificate {
	if len(c.UnhandledCriticalExtensions) == 0 {
		return c
	}
	cp := *c
	cp.UnhandledCriticalExtensions = nil
	for _, oid := range c.UnhandledCriticalExtensions {
		known := false
		for _, h := range handledCritical {
			known = known || oid.String() == h
		}
		if !known {
			cp.UnhandledCriticalExtensions = append(cp.UnhandledCriticalExtensions, oid)
		}
	}
	return &cp
}

func classify(leaf *x509.Certificate, at time.Time, err error) error {
	var inv x509.CertificateInvalidError
	if errors.As(err, &inv) && inv.Reason == x509.Expired {
		c := inv.Cert
		if c == nil {
			c = leaf
		}
		if at.Before(c.NotBefore) {
			return &Error{Reason: ReasonNotYetValid, Cert: c, Err: err}
		}
		return &Error{Reason: ReasonExpired, Cert: c, Err: err}
	}
	var ua x509.UnknownAuthorityError
	if errors.As(err, &ua) {
		return &Error{Reason: ReasonUntrusted, Cert: leaf, Err: err}
	}
	return &Error{Reason: ReasonInvalid, Cert: leaf, Err: err}
}
