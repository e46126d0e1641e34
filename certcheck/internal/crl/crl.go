// Package crl is certcheck's CRL scanner, built on cryptobyte.
// x509.ParseRevocationList allocates a
// big.Int, a time.Time and an extension slice for every entry and never
// checks the signature; a CRL of a large CA has a million entries. Parse
// walks the DER once, validates every entry's structure, and keeps only an
// open-addressing table of entry offsets keyed by a hash of the serial's DER
// bytes: one allocation for the whole index, and the entry itself is decoded
// only when a lookup lands on it. The package also holds what the scanner
// and certcheck's CRL source share: RFC 5280 name comparison, CRL
// distribution points and issuing distribution points, and a certificate
// parser that tolerates a distribution point crypto/x509 refuses.
package crl

import (
	"bytes"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/asn1"
	"errors"
	"fmt"
	"hash/maphash"
	"math"
	"math/big"
	"sort"
	"strings"
	"sync"
	"time"

	"golang.org/x/crypto/cryptobyte"
	cbasn1 "golang.org/x/crypto/cryptobyte/asn1"
)

// Errors a CRL is rejected with. Each is wrapped with the particulars.
var (
	// ErrMalformed: the bytes are not a DER CertificateList.
	ErrMalformed = errors.New("malformed CRL")
	// ErrSignature: the signature does not verify with the issuer's key,
	// or uses an algorithm that is not accepted.
	ErrSignature = errors.New("CRL signature does not verify")
	// ErrSigner: no certificate that may sign this CRL was found (wrong
	// name, no cRLSign key usage, or an invalid or revoked CRL signer).
	ErrSigner = errors.New("no valid CRL signer")
	// ErrStale: the check time is past nextUpdate (or before thisUpdate).
	ErrStale = errors.New("CRL is not current")
	// ErrCritical: the CRL or one of its entries has a critical
	// extension this package does not understand.
	ErrCritical = errors.New("CRL has an unsupported critical extension")
)

// Reason is an RFC 5280 Reason code.
type Reason int

// RFC 5280 §5.3.1 reason codes (7 is not used).
const (
	ReasonUnspecified          Reason = 0
	ReasonKeyCompromise        Reason = 1
	ReasonCACompromise         Reason = 2
	ReasonAffiliationChanged   Reason = 3
	ReasonSuperseded           Reason = 4
	ReasonCessationOfOperation Reason = 5
	ReasonCertificateHold      Reason = 6
	ReasonRemoveFromCRL        Reason = 8
	ReasonPrivilegeWithdrawn   Reason = 9
	ReasonAACompromise         Reason = 10
)

var reasonNames = map[Reason]string{
	ReasonUnspecified: "unspecified", ReasonKeyCompromise: "keyCompromise",
	ReasonCACompromise: "cACompromise", ReasonAffiliationChanged: "affiliationChanged",
	ReasonSuperseded: "superseded", ReasonCessationOfOperation: "cessationOfOperation",
	ReasonCertificateHold: "certificateHold", ReasonRemoveFromCRL: "removeFromCRL",
	ReasonPrivilegeWithdrawn: "privilegeWithdrawn", ReasonAACompromise: "aACompromise",
}

// Valid reports whether r is one of the RFC 5280 codes (7 is not).
func (r Reason) Valid() bool {
	_, ok := reasonNames[r]
	return ok
}

// String returns the RFC 5280 name of the reason ("keyCompromise", …).
func (r Reason) String() string {
	if n, ok := reasonNames[r]; ok {
		return n
	}
	return fmt.Sprintf("reason(%d)", int(r))
}

// Entry is what a CRL says about one revoked certificate.
type Entry struct {
	// RevokedAt is the entry's revocationDate.
	RevokedAt time.Time
	// Reason is ReasonUnspecified when the entry has no reason code.
	Reason Reason
	// InvalidityDate is zero when the entry does not give one.
	InvalidityDate time.Time
}

// CRL is a parsed certificate revocation list: what a revocation lookup
// needs, and an index of its entries. It refers to the DER it was parsed
// from, which must not be modified. A CRL is safe for concurrent use.
type CRL struct {
	// Raw is the whole DER CertificateList; RawTBSCertList the signed part.
	Raw, RawTBSCertList []byte
	// RawIssuer is the DER issuer Name.
	RawIssuer              []byte
	ThisUpdate, NextUpdate time.Time // NextUpdate is zero when absent
	// Number is the CRL number, nil when absent.
	Number *big.Int
	// BaseNumber is the delta CRL indicator's base CRL number; nil for a
	// complete CRL.
	BaseNumber *big.Int
	// IssuingDistributionPoint is the CRL's scope; nil when the CRL covers
	// every certificate of its issuer for every reason.
	IssuingDistributionPoint *IssuingDistributionPoint
	// AuthorityKeyID is the key identifier of the signer, when given.
	AuthorityKeyID []byte
	// SignatureAlgorithm is UnknownSignatureAlgorithm for one this package
	// does not verify.
	SignatureAlgorithm x509.SignatureAlgorithm
	// Signature is the signature over RawTBSCertList.
	Signature []byte

	issuerKey  string   // canonical issuer name
	issuerRDNs []string // the same, by RDN
	rawIDP     []byte   // the IDP extension value, to compare scopes
	// unsupported holds an unknown critical extension: the CRL parses but
	// may not be used (RFC 5280 §5.2, §5.3).
	unsupported    error
	sigEncodingErr error
	entries        int
	table          []uint32 // entry offset+1 in Raw; 0 is empty
	seed           maphash.Seed
	changes        []issuerChange // certificateIssuer changes, in DER order

	mu       sync.Mutex
	verified map[string]error // by signer SubjectPublicKeyInfo
}

// issuerChange records a certificateIssuer entry extension: it applies to
// the entry at off and every later one until the next change.
type issuerChange struct {
	off uint32
	key string
}

func malformed(format string, args ...any) error {
	return fmt.Errorf("%w: %s", ErrMalformed, fmt.Sprintf(format, args...))
}

// Parse parses a DER CRL. It checks the structure of the whole list
// (every entry included) but not the signature: use CheckSignatureFrom or
// certcheck.CRLSource, which always does. A CRL with an unknown critical extension
// parses, but Usable reports it.
func Parse(der []byte) (*CRL, error) {
	if len(der) >= math.MaxUint32 {
		return nil, malformed("%d bytes is too large", len(der))
	}
	c := &CRL{Raw: der}
	in := cryptobyte.String(der)
	var outer, tbsElem, sigAlg cryptobyte.String
	var sig asn1.BitString
	if !in.ReadASN1(&outer, cbasn1.SEQUENCE) {
		return nil, malformed("not a DER SEQUENCE")
	}
	if !in.Empty() {
		return nil, malformed("trailing data after the CertificateList")
	}
	if !outer.ReadASN1Element(&tbsElem, cbasn1.SEQUENCE) || !outer.ReadASN1Element(&sigAlg, cbasn1.SEQUENCE) ||
		!outer.ReadASN1BitString(&sig) || !outer.Empty() {
		return nil, malformed("bad CertificateList structure")
	}
	c.RawTBSCertList, c.Signature = tbsElem, sig.Bytes
	if sig.BitLength%8 != 0 {
		// It parses (as crypto/x509 parses it), but cannot verify.
		c.Signature = sig.RightAlign()
		c.sigEncodingErr = fmt.Errorf("%w: the signature is %d bits, not whole bytes", ErrSignature, sig.BitLength)
	}
	c.SignatureAlgorithm = signatureAlgorithm(sigAlg)

	var body cryptobyte.String
	tbs := tbsElem
	if !tbs.ReadASN1(&body, cbasn1.SEQUENCE) {
		return nil, malformed("bad TBSCertList")
	}
	v2 := false
	if body.PeekASN1Tag(cbasn1.INTEGER) {
		var v int64
		if !body.ReadASN1Integer(&v) || v != 1 {
			return nil, malformed("unsupported version")
		}
		v2 = true
	}
	var innerAlg, issuer cryptobyte.String
	if !body.ReadASN1Element(&innerAlg, cbasn1.SEQUENCE) || !bytes.Equal(innerAlg, sigAlg) {
		return nil, malformed("the signature algorithm inside and outside the signed part differ")
	}
	if !body.ReadASN1Element(&issuer, cbasn1.SEQUENCE) {
		return nil, malformed("bad issuer")
	}
	c.RawIssuer = issuer
	var err error
	if c.issuerRDNs, err = canonicalRDNs(issuer); err != nil {
		return nil, malformed("issuer: %v", err)
	}
	c.issuerKey = strings.Join(c.issuerRDNs, ",")
	var ok bool
	if c.ThisUpdate, ok = readTime(&body); !ok {
		return nil, malformed("bad thisUpdate")
	}
	if body.PeekASN1Tag(cbasn1.UTCTime) || body.PeekASN1Tag(cbasn1.GeneralizedTime) {
		if c.NextUpdate, ok = readTime(&body); !ok {
			return nil, malformed("bad nextUpdate")
		}
	}
	var revoked cryptobyte.String
	hasRevoked := false
	if body.PeekASN1Tag(cbasn1.SEQUENCE) {
		if !body.ReadASN1(&revoked, cbasn1.SEQUENCE) {
			return nil, malformed("bad revokedCertificates")
		}
		hasRevoked = true
	}
	if body.PeekASN1Tag(cbasn1.Tag(0).ContextSpecific().Constructed()) {
		var wrapper, exts cryptobyte.String
		if !v2 || !body.ReadASN1(&wrapper, cbasn1.Tag(0).ContextSpecific().Constructed()) ||
			!wrapper.ReadASN1(&exts, cbasn1.SEQUENCE) || !wrapper.Empty() {
			return nil, malformed("bad crlExtensions")
		}
		if err := c.parseExtensions(exts); err != nil {
			return nil, err
		}
	}
	if !body.Empty() {
		return nil, malformed("unexpected data in TBSCertList")
	}
	if hasRevoked {
		if err := c.index(der, revoked); err != nil {
			return nil, err
		}
	}
	if len(c.changes) > 0 && (c.IssuingDistributionPoint == nil || !c.IssuingDistributionPoint.IndirectCRL) && c.unsupported == nil {
		c.unsupported = fmt.Errorf("%w: certificateIssuer entries in a CRL that is not indirect", ErrCritical)
	}
	return c, nil
}

func (c *CRL) parseExtensions(exts cryptobyte.String) error {
	seen := map[string]bool{}
	for !exts.Empty() {
		var ext, oid, val cryptobyte.String
		critical := false
		if !exts.ReadASN1(&ext, cbasn1.SEQUENCE) || !ext.ReadASN1(&oid, cbasn1.OBJECT_IDENTIFIER) ||
			(ext.PeekASN1Tag(cbasn1.BOOLEAN) && !ext.ReadASN1Boolean(&critical)) ||
			!ext.ReadASN1(&val, cbasn1.OCTET_STRING) || !ext.Empty() {
			return malformed("bad CRL extension")
		}
		if seen[string(oid)] {
			return malformed("duplicate CRL extension %s", oidString(oid))
		}
		seen[string(oid)] = true
		switch {
		case bytes.Equal(oid, oidExtCRLNumber):
			n, ok := readNonNegativeInteger(val)
			if !ok {
				return malformed("bad CRL number")
			}
			c.Number = n
		case bytes.Equal(oid, oidExtDeltaCRL):
			n, ok := readNonNegativeInteger(val)
			if !ok {
				return malformed("bad delta CRL indicator")
			}
			c.BaseNumber = n
		case bytes.Equal(oid, oidExtIDP):
			idp, err := parseIDP(val, c.issuerRDNs)
			if err != nil {
				return malformed("issuing distribution point: %v", err)
			}
			c.IssuingDistributionPoint, c.rawIDP = idp, val
		case bytes.Equal(oid, oidExtAKI):
			var aki, kid cryptobyte.String
			var present bool
			if !val.ReadASN1(&aki, cbasn1.SEQUENCE) ||
				!aki.ReadOptionalASN1(&kid, &present, cbasn1.Tag(0).ContextSpecific()) {
				return malformed("bad authority key identifier")
			}
			c.AuthorityKeyID = kid
		case bytes.Equal(oid, oidExtIssuerAltName), bytes.Equal(oid, oidExtFreshestCRL), bytes.Equal(oid, oidExtAIA):
			// Not needed for a lookup; understood well enough to ignore.
		default:
			if critical && c.unsupported == nil {
				c.unsupported = fmt.Errorf("%w: %s", ErrCritical, oidString(oid))
			}
		}
	}
	return nil
}

// index validates every entry and fills the lookup table.
func (c *CRL) index(der []byte, revoked cryptobyte.String) error {
	n := 0
	for count := revoked; !count.Empty(); n++ {
		if !count.SkipASN1(cbasn1.SEQUENCE) {
			return malformed("bad revoked certificate entry")
		}
	}
	if n == 0 {
		return nil
	}
	// Offsets are recovered from capacities: cryptobyte only ever reslices
	// the input, so cap(der)-cap(sub) is sub's offset in der.
	base := cap(der)
	if &der[base-cap(revoked)] != &revoked[0] {
		return errors.New("crl: internal error: offsets")
	}
	size := 1
	for size < 2*n {
		size <<= 1
	}
	c.table, c.seed, c.entries = make([]uint32, size), maphash.MakeSeed(), n
	mask := uint64(size - 1)
	for !revoked.Empty() {
		off := uint32(base - cap(revoked))
		var entry, serial, when cryptobyte.String
		var tag cbasn1.Tag
		if !revoked.ReadASN1(&entry, cbasn1.SEQUENCE) || !entry.ReadASN1(&serial, cbasn1.INTEGER) || !validInteger(serial) {
			return malformed("bad serial number in entry %d", off)
		}
		if !entry.ReadAnyASN1(&when, &tag) || !validTime(tag, when) {
			return malformed("bad revocation date")
		}
		if !entry.Empty() {
			var exts cryptobyte.String
			if !entry.ReadASN1(&exts, cbasn1.SEQUENCE) || !entry.Empty() {
				return malformed("bad entry extensions")
			}
			if err := c.scanEntryExtensions(exts, off); err != nil {
				return err
			}
		}
		i := maphash.Bytes(c.seed, serial) & mask
		for c.table[i] != 0 {
			i = (i + 1) & mask
		}
		c.table[i] = off + 1
	}
	return nil
}

func (c *CRL) scanEntryExtensions(exts cryptobyte.String, off uint32) error {
	for !exts.Empty() {
		var ext, oid, val cryptobyte.String
		critical := false
		if !exts.ReadASN1(&ext, cbasn1.SEQUENCE) || !ext.ReadASN1(&oid, cbasn1.OBJECT_IDENTIFIER) ||
			(ext.PeekASN1Tag(cbasn1.BOOLEAN) && !ext.ReadASN1Boolean(&critical)) ||
			!ext.ReadASN1(&val, cbasn1.OCTET_STRING) || !ext.Empty() {
			return malformed("bad entry extension")
		}
		switch {
		case bytes.Equal(oid, oidExtReasonCode):
			var r int
			if !val.ReadASN1Enum(&r) || !val.Empty() || !Reason(r).Valid() {
				return malformed("bad reason code")
			}
		case bytes.Equal(oid, oidExtInvalidity):
			var t cryptobyte.String
			if !val.ReadASN1(&t, cbasn1.GeneralizedTime) || !validTime(cbasn1.GeneralizedTime, t) {
				return malformed("bad invalidity date")
			}
		case bytes.Equal(oid, oidExtCertIssuer):
			var names cryptobyte.String
			if !val.ReadASN1(&names, cbasn1.SEQUENCE) || !val.Empty() {
				return malformed("bad certificate issuer")
			}
			keys, err := generalNameKeys(names)
			if err != nil {
				return malformed("certificate issuer: %v", err)
			}
			key := ""
			for _, k := range keys {
				if dn, ok := strings.CutPrefix(k, "dn:"); ok {
					key = dn
					break
				}
			}
			c.changes = append(c.changes, issuerChange{off: off, key: key})
		case bytes.Equal(oid, oidExtHoldInstr):
		default:
			if critical && c.unsupported == nil {
				c.unsupported = fmt.Errorf("%w: entry extension %s", ErrCritical, oidString(oid))
			}
		}
	}
	return nil
}

// IssuerKey is the CRL issuer's canonical name (NameKey of RawIssuer).
func (c *CRL) IssuerKey() string { return c.issuerKey }

// SameScope reports whether c and d have the same issuing distribution
// point extension (or neither has one), as a delta CRL and the complete
// CRL it applies to must.
func (c *CRL) SameScope(d *CRL) bool { return string(c.rawIDP) == string(d.rawIDP) }

// Reasons is the set of reasons the CRL covers.
func (c *CRL) Reasons() ReasonFlags {
	if c.IssuingDistributionPoint == nil {
		return AllReasons
	}
	return c.IssuingDistributionPoint.OnlySomeReasons & AllReasons
}

// Len is the number of entries.
func (c *CRL) Len() int { return c.entries }

// IsDelta reports whether the CRL is a delta CRL.
func (c *CRL) IsDelta() bool { return c.BaseNumber != nil }

// Issuer is the issuer name as text, for messages.
func (c *CRL) Issuer() string { return nameString(c.RawIssuer) }

// Usable returns the reason a correctly signed CRL still may not be used
// (an unknown critical extension), or nil.
func (c *CRL) Usable() error { return c.unsupported }

// Lookup finds cert in the CRL. For an indirect CRL an entry matches only
// when the certificate issuer it applies to is cert's issuer. Lookup says
// nothing about whether the CRL covers cert or may be trusted: certcheck.CRLSource
// decides that.
func (c *CRL) Lookup(cert *x509.Certificate) (Entry, bool) {
	serial, ok := SerialBytes(cert)
	if !ok {
		return Entry{}, false
	}
	e, found, err := c.LookupSerial(serial, NameKey(cert.RawIssuer))
	return e, found && err == nil
}

// Indirect reports whether the CRL is an indirect CRL (its entries may be
// about certificates of other issuers).
func (c *CRL) Indirect() bool {
	return c.IssuingDistributionPoint != nil && c.IssuingDistributionPoint.IndirectCRL
}

// LookupSerial finds the entry for the serial's DER content bytes (see
// SerialBytes) issued by issuerKey (a canonical name, see NameKey; only
// consulted for indirect CRLs). An error means the entry is malformed.
func (c *CRL) LookupSerial(serial []byte, issuerKey string) (Entry, bool, error) {
	if len(c.table) == 0 {
		return Entry{}, false, nil
	}
	mask := uint64(len(c.table) - 1)
	for i := maphash.Bytes(c.seed, serial) & mask; c.table[i] != 0; i = (i + 1) & mask {
		off := c.table[i] - 1
		in := cryptobyte.String(c.Raw[off:])
		var entry, s cryptobyte.String
		if !in.ReadASN1(&entry, cbasn1.SEQUENCE) || !entry.ReadASN1(&s, cbasn1.INTEGER) {
			return Entry{}, false, malformed("bad entry")
		}
		if !bytes.Equal(s, serial) {
			continue
		}
		if c.Indirect() && c.entryIssuer(off) != issuerKey {
			continue
		}
		e, err := parseEntryRest(entry)
		return e, err == nil, err
	}
	return Entry{}, false, nil
}

// entryIssuer is the canonical name of the issuer of the certificate the
// entry at off is about (RFC 5280 §5.3.3).
func (c *CRL) entryIssuer(off uint32) string {
	i := sort.Search(len(c.changes), func(i int) bool { return c.changes[i].off > off })
	if i == 0 {
		return c.issuerKey
	}
	return c.changes[i-1].key
}

// parseEntryRest decodes an entry after its serial number.
func parseEntryRest(entry cryptobyte.String) (Entry, error) {
	var e Entry
	var ok bool
	if e.RevokedAt, ok = readTime(&entry); !ok {
		return e, malformed("bad revocation date")
	}
	if entry.Empty() {
		return e, nil
	}
	var exts cryptobyte.String
	if !entry.ReadASN1(&exts, cbasn1.SEQUENCE) {
		return e, malformed("bad entry extensions")
	}
	for !exts.Empty() {
		var ext, oid, val cryptobyte.String
		critical := false
		if !exts.ReadASN1(&ext, cbasn1.SEQUENCE) || !ext.ReadASN1(&oid, cbasn1.OBJECT_IDENTIFIER) ||
			(ext.PeekASN1Tag(cbasn1.BOOLEAN) && !ext.ReadASN1Boolean(&critical)) || !ext.ReadASN1(&val, cbasn1.OCTET_STRING) {
			return e, malformed("bad entry extension")
		}
		switch {
		case bytes.Equal(oid, oidExtReasonCode):
			var r int
			if !val.ReadASN1Enum(&r) {
				return e, malformed("bad reason code")
			}
			e.Reason = Reason(r)
		case bytes.Equal(oid, oidExtInvalidity):
			if e.InvalidityDate, ok = readTime(&val); !ok {
				return e, malformed("bad invalidity date")
			}
		}
	}
	return e, nil
}

// CheckSignatureFrom checks that issuer may sign this CRL and did: its
// subject is the CRL's issuer name, its keyUsage (when present) allows
// cRLSign, and its key verifies the signature with an accepted algorithm
// (SHA-1 and MD5 are not accepted). It does not check issuer's own
// validity: certcheck.CRLSource does that on a validated path.
func (c *CRL) CheckSignatureFrom(issuer *x509.Certificate) error {
	if !NamesEqual(issuer.RawSubject, c.RawIssuer) {
		return fmt.Errorf("%w: the CRL is issued by %q, not by %q", ErrSigner, c.Issuer(), issuer.Subject.String())
	}
	if issuer.KeyUsage != 0 && issuer.KeyUsage&x509.KeyUsageCRLSign == 0 {
		return fmt.Errorf("%w: %q may not sign CRLs (its keyUsage lacks cRLSign)", ErrSigner, issuer.Subject.String())
	}
	return c.checkSignatureKey(issuer)
}

// checkSignatureKey verifies the signature with issuer's key, remembering
// the result per key so that a large CRL is hashed once.
func (c *CRL) checkSignatureKey(issuer *x509.Certificate) error {
	if c.sigEncodingErr != nil {
		return c.sigEncodingErr
	}
	switch c.SignatureAlgorithm {
	case x509.UnknownSignatureAlgorithm:
		return fmt.Errorf("%w: unsupported signature algorithm", ErrSignature)
	case x509.MD5WithRSA, x509.SHA1WithRSA, x509.ECDSAWithSHA1, x509.DSAWithSHA1:
		return fmt.Errorf("%w: insecure signature algorithm %v", ErrSignature, c.SignatureAlgorithm)
	}
	key := string(issuer.RawSubjectPublicKeyInfo)
	c.mu.Lock()
	err, done := c.verified[key]
	c.mu.Unlock()
	if done {
		return err
	}
	if err = issuer.CheckSignature(c.SignatureAlgorithm, c.RawTBSCertList, c.Signature); err != nil {
		err = fmt.Errorf("%w with the key of %q: %v", ErrSignature, issuer.Subject.String(), err)
	}
	c.mu.Lock()
	if c.verified == nil {
		c.verified = map[string]error{}
	}
	c.verified[key] = err
	c.mu.Unlock()
	return err
}

// CheckTime checks that the CRL is current at the time at, allowing skew
// either way: thisUpdate not after at, nextUpdate present and not before
// at. An error wraps ErrStale.
func (c *CRL) CheckTime(at time.Time, skew time.Duration) error {
	return c.CheckTimes(at, at, skew)
}

// CheckTimes is CheckTime for a check at a time at that may lie in the past
// (verifying an old signature): the CRL may not be issued later than at or
// the present time now, whichever is later, and must not have expired
// before at. A CRL issued after at is newer information about at, not less.
func (c *CRL) CheckTimes(at, now time.Time, skew time.Duration) error {
	latest := at
	if now.After(latest) {
		latest = now
	}
	if c.ThisUpdate.After(latest.Add(skew)) {
		return fmt.Errorf("%w: issued %s, in the future (check time %s)", ErrStale, c.ThisUpdate.UTC().Format(time.RFC3339), latest.UTC().Format(time.RFC3339))
	}
	if c.NextUpdate.IsZero() {
		return fmt.Errorf("%w: it has no nextUpdate, so its freshness is unknown", ErrStale)
	}
	if at.After(c.NextUpdate.Add(skew)) {
		return fmt.Errorf("%w: its nextUpdate %s has passed (check time %s)", ErrStale, c.NextUpdate.UTC().Format(time.RFC3339), at.UTC().Format(time.RFC3339))
	}
	return nil
}

// SerialBytes returns the DER content bytes of cert's serial number,
// read from the signed bytes so that negative and long serials compare
// exactly as the CA encoded them.
func SerialBytes(cert *x509.Certificate) ([]byte, bool) {
	in := cryptobyte.String(cert.RawTBSCertificate)
	var tbs, serial cryptobyte.String
	if !in.ReadASN1(&tbs, cbasn1.SEQUENCE) {
		return nil, false
	}
	if tbs.PeekASN1Tag(cbasn1.Tag(0).ContextSpecific().Constructed()) && !tbs.SkipASN1(cbasn1.Tag(0).ContextSpecific().Constructed()) {
		return nil, false
	}
	if !tbs.ReadASN1(&serial, cbasn1.INTEGER) || len(serial) == 0 {
		return nil, false
	}
	return serial, true
}

// validInteger reports whether b is minimally encoded INTEGER content.
func validInteger(b []byte) bool {
	switch {
	case len(b) == 0:
		return false
	case len(b) == 1:
		return true
	case b[0] == 0 && b[1]&0x80 == 0, b[0] == 0xff && b[1]&0x80 != 0:
		return false
	}
	return true
}

func readNonNegativeInteger(val cryptobyte.String) (*big.Int, bool) {
	n := new(big.Int)
	if !val.ReadASN1Integer(n) || !val.Empty() || n.Sign() < 0 {
		return nil, false
	}
	return n, true
}

// readTime reads a UTCTime or GeneralizedTime in the RFC 5280 profile
// (UTC, "Z", seconds present, no fraction).
func readTime(s *cryptobyte.String) (time.Time, bool) {
	var b cryptobyte.String
	var tag cbasn1.Tag
	if !s.ReadAnyASN1(&b, &tag) {
		return time.Time{}, false
	}
	return parseTime(tag, b)
}

func validTime(tag cbasn1.Tag, b []byte) bool {
	_, ok := timeFields(tag, b)
	return ok
}

func parseTime(tag cbasn1.Tag, b []byte) (time.Time, bool) {
	f, ok := timeFields(tag, b)
	if !ok {
		return time.Time{}, false
	}
	return time.Date(f[0], time.Month(f[1]), f[2], f[3], f[4], f[5], 0, time.UTC), true
}

// timeFields decodes year, month, day, hour, minute, second without
// allocating, validating each range.
func timeFields(tag cbasn1.Tag, b []byte) ([6]int, bool) {
	var f [6]int
	var digits []byte
	switch {
	case tag == cbasn1.UTCTime && len(b) == 13 && b[12] == 'Z':
		digits = b[:12]
	case tag == cbasn1.GeneralizedTime && len(b) == 15 && b[14] == 'Z':
		digits = b[:14]
	default:
		return f, false
	}
	for _, d := range digits {
		if d < '0' || d > '9' {
			return f, false
		}
	}
	two := func(i int) int { return int(digits[i]-'0')*10 + int(digits[i+1]-'0') }
	i := 0
	if tag == cbasn1.UTCTime {
		f[0] = two(0) + 1900
		if f[0] < 1950 {
			f[0] += 100
		}
		i = 2
	} else {
		f[0] = two(0)*100 + two(2)
		i = 4
	}
	for k := 1; k < 6; k++ {
		f[k] = two(i)
		i += 2
	}
	if f[1] < 1 || f[1] > 12 || f[2] < 1 || f[2] > daysIn(f[1], f[0]) || f[3] > 23 || f[4] > 59 || f[5] > 59 {
		return f, false
	}
	return f, true
}

func daysIn(month, year int) int {
	switch month {
	case 2:
		if year%4 == 0 && (year%100 != 0 || year%400 == 0) {
			return 29
		}
		return 28
	case 4, 6, 9, 11:
		return 30
	}
	return 31
}

// Signature algorithm OIDs (content bytes).
var (
	oidSHA256WithRSA = []byte{0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x0b}
	oidSHA384WithRSA = []byte{0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x0c}
	oidSHA512WithRSA = []byte{0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x0d}
	oidSHA1WithRSA   = []byte{0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x05}
	oidMD5WithRSA    = []byte{0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x04}
	oidRSAPSS        = []byte{0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x0a}
	oidECDSASHA256   = []byte{0x2a, 0x86, 0x48, 0xce, 0x3d, 0x04, 0x03, 0x02}
	oidECDSASHA384   = []byte{0x2a, 0x86, 0x48, 0xce, 0x3d, 0x04, 0x03, 0x03}
	oidECDSASHA512   = []byte{0x2a, 0x86, 0x48, 0xce, 0x3d, 0x04, 0x03, 0x04}
	oidECDSASHA1     = []byte{0x2a, 0x86, 0x48, 0xce, 0x3d, 0x04, 0x01}
	oidEd25519       = []byte{0x2b, 0x65, 0x70}
	oidDSASHA1       = []byte{0x2a, 0x86, 0x48, 0xce, 0x38, 0x04, 0x03}
	oidDSASHA256     = []byte{0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x03, 0x02}
	oidSHA256        = []byte{0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02, 0x01}
	oidSHA384        = []byte{0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02, 0x02}
	oidSHA512        = []byte{0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02, 0x03}
)

// signatureAlgorithm maps a DER AlgorithmIdentifier onto crypto/x509's
// enumeration; anything else is UnknownSignatureAlgorithm.
func signatureAlgorithm(elem []byte) x509.SignatureAlgorithm {
	in := cryptobyte.String(elem)
	var seq, oid cryptobyte.String
	if !in.ReadASN1(&seq, cbasn1.SEQUENCE) || !seq.ReadASN1(&oid, cbasn1.OBJECT_IDENTIFIER) {
		return x509.UnknownSignatureAlgorithm
	}
	nullOrAbsent := seq.Empty() || bytes.Equal(seq, []byte{0x05, 0x00})
	absent := seq.Empty()
	pick := func(ok bool, a x509.SignatureAlgorithm) x509.SignatureAlgorithm {
		if ok {
			return a
		}
		return x509.UnknownSignatureAlgorithm
	}
	switch {
	case bytes.Equal(oid, oidSHA256WithRSA):
		return pick(nullOrAbsent, x509.SHA256WithRSA)
	case bytes.Equal(oid, oidSHA384WithRSA):
		return pick(nullOrAbsent, x509.SHA384WithRSA)
	case bytes.Equal(oid, oidSHA512WithRSA):
		return pick(nullOrAbsent, x509.SHA512WithRSA)
	case bytes.Equal(oid, oidSHA1WithRSA):
		return pick(nullOrAbsent, x509.SHA1WithRSA)
	case bytes.Equal(oid, oidMD5WithRSA):
		return pick(nullOrAbsent, x509.MD5WithRSA)
	case bytes.Equal(oid, oidECDSASHA256):
		return pick(absent, x509.ECDSAWithSHA256)
	case bytes.Equal(oid, oidECDSASHA384):
		return pick(absent, x509.ECDSAWithSHA384)
	case bytes.Equal(oid, oidECDSASHA512):
		return pick(absent, x509.ECDSAWithSHA512)
	case bytes.Equal(oid, oidECDSASHA1):
		return pick(absent, x509.ECDSAWithSHA1)
	case bytes.Equal(oid, oidEd25519):
		return pick(absent, x509.PureEd25519)
	case bytes.Equal(oid, oidDSASHA1):
		return pick(absent, x509.DSAWithSHA1)
	case bytes.Equal(oid, oidDSASHA256):
		return pick(absent, x509.DSAWithSHA256)
	case bytes.Equal(oid, oidRSAPSS):
		// RSASSA-PSS-params: [0] hashAlgorithm, [1] maskGenAlgorithm, …;
		// crypto/x509 verifies with a salt as long as the hash.
		var params, hashAlg, h, hashOID cryptobyte.String
		var present bool
		if !seq.ReadASN1(&params, cbasn1.SEQUENCE) ||
			!params.ReadOptionalASN1(&hashAlg, &present, cbasn1.Tag(0).ContextSpecific().Constructed()) || !present ||
			!hashAlg.ReadASN1(&h, cbasn1.SEQUENCE) || !h.ReadASN1(&hashOID, cbasn1.OBJECT_IDENTIFIER) {
			return x509.UnknownSignatureAlgorithm
		}
		switch {
		case bytes.Equal(hashOID, oidSHA256):
			return x509.SHA256WithRSAPSS
		case bytes.Equal(hashOID, oidSHA384):
			return x509.SHA384WithRSAPSS
		case bytes.Equal(hashOID, oidSHA512):
			return x509.SHA512WithRSAPSS
		}
	}
	return x509.UnknownSignatureAlgorithm
}

// oidString renders OID content bytes in dotted form, for messages.
func oidString(content []byte) string {
	if oid := oidFromBytes(content); oid != nil {
		return oid.String()
	}
	return fmt.Sprintf("%x", content)
}

// nameString renders a DER name for messages.
func nameString(der []byte) string {
	var rdns pkix.RDNSequence
	if rest, err := asn1.Unmarshal(der, &rdns); err != nil || len(rest) != 0 {
		return fmt.Sprintf("<unparsable name %x>", der)
	}
	var n pkix.Name
	n.FillFromRDNSequence(&rdns)
	return n.String()
}
