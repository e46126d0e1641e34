package certcheck

import (
	"bytes"
	"crypto/x509"
	"strings"
	"time"
)

// PreviousJPKIGeneration reports whether cert was issued directly by a
// JPKI root of a previous generation among roots. Both generations share
// one subject name, so the root is the one whose key signed cert; it is
// of a previous generation when it is pinned as the 2015 generation, or
// when it has expired at at while another root of the same name is valid
// then (the sandbox's roots, which are not pinned).
func PreviousJPKIGeneration(cert *x509.Certificate, roots []*x509.Certificate, at time.Time) bool {
	if cert == nil {
		return false
	}
	for _, r := range roots {
		if r == nil || DomainOf(r) != DomainJPKI || !bytes.Equal(r.RawSubject, cert.RawIssuer) || cert.CheckSignatureFrom(r) != nil {
			continue
		}
		if strings.Contains(jpkiRoots[Fingerprint(r)], "2015 generation") {
			return true
		}
		if !at.After(r.NotAfter) {
			continue
		}
		for _, other := range roots {
			if other != nil && !other.Equal(r) && bytes.Equal(other.RawSubject, r.RawSubject) &&
				!at.Before(other.NotBefore) && !at.After(other.NotAfter) {
				return true
			}
		}
	}
	return false
}
