package certcheck

import (
	"crypto/sha256"
	"crypto/x509"
	"encoding/hex"
	"errors"
	"fmt"
	"slices"
	"strings"
)

// Domain is the kind of PKI a path ends in; it decides how results are
// worded (JPKI revocation is checked by the service, not here).
type Domain string

// Trust domains.
const (
	DomainJPKI     Domain = "jpki"                // 公的個人認証 (My Number card)
	DomainRegistry Domain = "commercial-registry" // 商業登記 (法務省)
	DomainLGPKI    Domain = "lgpki"               // 地方公共団体組織認証基盤
	DomainOther    Domain = "other"               // public CAs and anchors the user configures
)

// jpkiRoots pins the real JPKI roots by SHA-256 fingerprint. Both
// generations of a root share one subject name; tell them apart by key.
// The product takes the root certificate from the card or from a file and
// accepts it only when it is pinned here.
var jpkiRoots = map[string]string{
	"D227F6CDE11D35C5252178F106F843D24651944975413B539FA2FB68DBFA365F": "JPKI for digital signature, 2023 generation",
	"19645405A1FE14377434BD55957628AC4038557C542403A2243F21C706FC9355": "JPKI for digital signature, 2015 generation",
	"64114F29620C24ED2631D46476A040E7EE740D956089C00B036A6A8118C322B5": "JPKI for user authentication, 2023 generation",
	"4DCFC4CA0AAF9FB2A3081B3F0C991C320B3ACC008667A341EEAEC5AF1D58CA7D": "JPKI for user authentication, 2015 generation",
}

// ErrNotPinned means a certificate offered as a trust anchor is not one of
// the pinned roots.
var ErrNotPinned = errors.New("certcheck: not a pinned root certificate")

// Fingerprint is the upper-case hex SHA-256 of a certificate.
func Fingerprint(c *x509.Certificate) string {
	sum := sha256.Sum256(c.Raw)
	return strings.ToUpper(hex.EncodeToString(sum[:]))
}

// JPKIRoot accepts c as a JPKI trust anchor only when its fingerprint is
// pinned, and says which root and generation it is.
func JPKIRoot(c *x509.Certificate) (string, error) {
	if name, ok := jpkiRoots[Fingerprint(c)]; ok {
		return name, nil
	}
	return "", fmt.Errorf("%w: %q is not a JPKI root", ErrNotPinned, c.Subject.String())
}

// PinnedRoot accepts c as a trust anchor only when its fingerprint is one
// of pins (upper- or lower-case hex SHA-256), as for registrar
// certificates, which are renewed every three years and published by hash.
func PinnedRoot(c *x509.Certificate, pins []string) error {
	fp := Fingerprint(c)
	if slices.ContainsFunc(pins, func(p string) bool { return strings.EqualFold(p, fp) }) {
		return nil
	}
	return fmt.Errorf("%w: %q has fingerprint %s", ErrNotPinned, c.Subject.String(), fp)
}

// DomainOf says which PKI an anchor belongs to: a pinned JPKI root or a
// root named like one (the sandbox's), the Ministry of Justice registrar,
// LGPKI, or other.
func DomainOf(anchor *x509.Certificate) Domain {
	s := anchor.Subject
	switch {
	case jpkiRoots[Fingerprint(anchor)] != "", slices.Contains(s.OrganizationalUnit, jpkiSignOU):
		return DomainJPKI
	case slices.Contains(s.Organization, "Japanese Government") && slices.Contains(s.OrganizationalUnit, "Ministry of Justice"):
		return DomainRegistry
	case slices.ContainsFunc(s.Organization, func(o string) bool { return strings.HasPrefix(o, "LGPKI") }):
		return DomainLGPKI
	}
	return DomainOther
}
