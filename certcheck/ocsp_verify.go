package certcheck

import (
	"bytes"
	"crypto"
	"crypto/sha1"
	"crypto/x509"
	"encoding/asn1"
	"errors"
	"fmt"
	"math/big"
	"strings"
	"time"

	"golang.org/x/crypto/cryptobyte"
	cbasn1 "golang.org/x/crypto/cryptobyte/asn1"
	"golang.org/x/crypto/ocsp"
)

// VerifyOCSPResponse checks der, an OCSP response about cert (issued by
// issuer), with every rule an OCSPSource applies, and returns what it
// says. nonce is the nonce sent with the request (nil when none was);
// opts.Hash is the CertID hash the request used, and opts.Now,
// ClockSkew, MaxAge and TrustedResponders apply. A rejection is an error
// wrapping one of the ErrOCSP… sentinels; an accepted answer is
// StatusGood, StatusRevoked, StatusOnHold, or StatusUnknown when the
// responder does not know the certificate. Source and Location are left
// for the caller.
func VerifyOCSPResponse(der []byte, cert, issuer *x509.Certificate, nonce []byte, opts OCSPOptions) (Revocation, error) {
	opts = opts.withDefaults()
	return verifyOCSP(der, cert, issuer, nonce, opts, opts.Now())
}

// ocspCheck is one response under examination; the rules read it and the
// responder rule fills in the signer.
type ocspCheck struct {
	resp         *ocsp.Response
	tbs          *ocspTBS
	single       ocspCertID // the CertID of the answer chosen for cert
	cert, issuer *x509.Certificate
	nonce        []byte
	opts         OCSPOptions
	now          time.Time

	signer     *x509.Certificate
	signerRole string // "CA", "delegated responder", "trusted responder"
}

func verifyOCSP(der []byte, cert, issuer *x509.Certificate, nonce []byte, opts OCSPOptions, now time.Time) (Revocation, error) {
	c, err := parseOCSPCheck(der, cert, issuer)
	if err != nil {
		return Revocation{}, err
	}
	c.nonce, c.opts, c.now = nonce, opts, now
	for _, rule := range []func(*ocspCheck) error{
		verifyOCSPResponder,
		verifyOCSPResponderValidity,
		verifyOCSPCertID,
		verifyOCSPFreshness,
		verifyOCSPNonce,
		verifyOCSPExtensions,
	} {
		if err := rule(c); err != nil {
			return Revocation{}, err
		}
	}
	return c.revocation(), nil
}

// parseOCSPCheck parses der with x/crypto/ocsp (which, when the response
// includes a certificate, also checks the signature against it) and reads
// what that package does not expose: every CertID in full and the
// response extensions.
func parseOCSPCheck(der []byte, cert, issuer *x509.Certificate) (*ocspCheck, error) {
	if cert == nil || issuer == nil {
		return nil, errors.New("certcheck: OCSP check needs the certificate and its issuer")
	}
	resp, err := ocsp.ParseResponseForCert(der, cert, nil)
	if err != nil {
		var re ocsp.ResponseError
		if errors.As(err, &re) {
			return nil, fmt.Errorf("%w: the responder answered %q", ErrOCSPResponseStatus, re.Status.String())
		}
		var pe ocsp.ParseError
		if errors.As(err, &pe) {
			switch msg := string(pe); {
			case strings.HasPrefix(msg, "bad signature on embedded certificate"):
				return nil, fmt.Errorf("%w: %w", ErrOCSPSignature, err)
			case msg == "no response matching the supplied certificate":
				return nil, fmt.Errorf("%w: no answer for the certificate's serial number", ErrOCSPCertIDMismatch)
			case msg == "unsupported critical extension":
				return nil, fmt.Errorf("%w: in the single response", ErrOCSPCritical)
			}
		}
		return nil, fmt.Errorf("%w: %w", ErrOCSPMalformed, err)
	}
	tbs, err := parseOCSPTBS(resp.TBSResponseData)
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrOCSPMalformed, err)
	}
	c := &ocspCheck{resp: resp, tbs: tbs, cert: cert, issuer: issuer}
	found := false
	for _, id := range tbs.responses {
		if id.serial.Cmp(cert.SerialNumber) == 0 {
			c.single, found = id, true
			break
		}
	}
	if !found {
		return nil, fmt.Errorf("%w: no answer for the certificate's serial number", ErrOCSPCertIDMismatch)
	}
	return c, nil
}

// verifyOCSPResponder finds who signed and whether it may (RFC 6960
// §4.2.2.2): a locally trusted responder, the CA itself, or a delegate
// the CA certified with id-kp-OCSPSigning; then checks the signature.
func verifyOCSPResponder(c *ocspCheck) error {
	r := c.resp
	if included := r.Certificate; included != nil {
		if !ocspNamesResponder(r, included) {
			return fmt.Errorf("%w: the included certificate %q is not the responder the response names", ErrOCSPUnauthorized, included.Subject.String())
		}
		switch {
		case c.trusted(included) != nil:
			c.signer, c.signerRole = c.trusted(included), "trusted responder"
		case ocspSameKey(included, c.issuer):
			c.signer, c.signerRole = c.issuer, "CA"
		default:
			if !bytes.Equal(included.RawIssuer, c.issuer.RawSubject) || included.CheckSignatureFrom(c.issuer) != nil {
				return fmt.Errorf("%w: %q is neither the CA, a responder the CA certified, nor a trusted responder",
					ErrOCSPUnauthorized, included.Subject.String())
			}
			if !ocspHasEKU(included, x509.ExtKeyUsageOCSPSigning) {
				return fmt.Errorf("%w: %q was certified by the CA without it", ErrOCSPNotOCSPSigning, included.Subject.String())
			}
			c.signer, c.signerRole = included, "delegated responder"
		}
	} else {
		for _, t := range c.opts.TrustedResponders {
			if ocspNamesResponder(r, t) {
				c.signer, c.signerRole = t, "trusted responder"
				break
			}
		}
		if c.signer == nil && ocspNamesResponder(r, c.issuer) {
			c.signer, c.signerRole = c.issuer, "CA"
		}
		if c.signer == nil {
			return fmt.Errorf("%w: the response names a responder that is neither the CA nor a trusted responder, and includes no certificate", ErrOCSPUnauthorized)
		}
	}
	if err := r.CheckSignatureFrom(c.signer); err != nil {
		return fmt.Errorf("%w: signed as the %s %q: %w", ErrOCSPSignature, c.signerRole, c.signer.Subject.String(), err)
	}
	return nil
}

// trusted returns the configured trusted responder with cert's key, if any.
func (c *ocspCheck) trusted(cert *x509.Certificate) *x509.Certificate {
	for _, t := range c.opts.TrustedResponders {
		if ocspSameKey(t, cert) {
			return t
		}
	}
	return nil
}

// verifyOCSPResponderValidity: the signer's certificate is within its
// validity period now (with the clock skew).
func verifyOCSPResponderValidity(c *ocspCheck) error {
	s, skew := c.signer, c.opts.ClockSkew
	if c.now.Add(skew).Before(s.NotBefore) || c.now.Add(-skew).After(s.NotAfter) {
		return fmt.Errorf("%w: the %s %q is valid from %s to %s", ErrOCSPResponderInvalid, c.signerRole,
			s.Subject.String(), s.NotBefore.UTC().Format(time.RFC3339), s.NotAfter.UTC().Format(time.RFC3339))
	}
	return nil
}

// verifyOCSPCertID: the answer is about the certificate asked about —
// same hash algorithm, issuer name hash, issuer key hash and serial.
func verifyOCSPCertID(c *ocspCheck) error {
	want, err := ocspCertIDFor(c.issuer, c.cert.SerialNumber, c.opts.Hash)
	if err != nil {
		return fmt.Errorf("%w: %w", ErrOCSPCertIDMismatch, err)
	}
	got := c.single
	switch {
	case !got.hashOID.Equal(want.hashOID):
		return fmt.Errorf("%w: hash algorithm %s, the request used %s", ErrOCSPCertIDMismatch, ocspHashName(got.hashOID), ocspHashName(want.hashOID))
	case !bytes.Equal(got.nameHash, want.nameHash):
		return fmt.Errorf("%w: the issuer name hash differs", ErrOCSPCertIDMismatch)
	case !bytes.Equal(got.keyHash, want.keyHash):
		return fmt.Errorf("%w: the issuer key hash differs", ErrOCSPCertIDMismatch)
	case got.serial.Cmp(want.serial) != 0:
		return fmt.Errorf("%w: the serial number differs", ErrOCSPCertIDMismatch)
	}
	return nil
}

// verifyOCSPFreshness: thisUpdate and producedAt are not in the future;
// nextUpdate has not passed, or without one thisUpdate is within MaxAge.
func verifyOCSPFreshness(c *ocspCheck) error {
	r, skew := c.resp, c.opts.ClockSkew
	late := c.now.Add(skew)
	if r.ThisUpdate.After(late) {
		return fmt.Errorf("%w: thisUpdate %s is after %s", ErrOCSPNotYetValid, ocspTime(r.ThisUpdate), ocspTime(c.now))
	}
	if r.ProducedAt.After(late) {
		return fmt.Errorf("%w: producedAt %s is after %s", ErrOCSPNotYetValid, ocspTime(r.ProducedAt), ocspTime(c.now))
	}
	if !r.NextUpdate.IsZero() {
		if r.NextUpdate.Before(r.ThisUpdate) {
			return fmt.Errorf("%w: nextUpdate %s is before thisUpdate %s", ErrOCSPStale, ocspTime(r.NextUpdate), ocspTime(r.ThisUpdate))
		}
		if c.now.Add(-skew).After(r.NextUpdate) {
			return fmt.Errorf("%w: nextUpdate %s has passed (now %s)", ErrOCSPStale, ocspTime(r.NextUpdate), ocspTime(c.now))
		}
		return nil
	}
	if c.now.Add(-skew).After(r.ThisUpdate.Add(c.opts.MaxAge)) {
		return fmt.Errorf("%w: no nextUpdate, and thisUpdate %s is more than %v old", ErrOCSPStale, ocspTime(r.ThisUpdate), c.opts.MaxAge)
	}
	return nil
}

// verifyOCSPNonce: when a nonce was sent, the answer echoes it (RFC 8954:
// the extension value is an OCTET STRING holding the nonce; the bare nonce
// is accepted too).
func verifyOCSPNonce(c *ocspCheck) error {
	if c.nonce == nil {
		return nil
	}
	for _, e := range c.tbs.extensions {
		if !e.oid.Equal(oidOCSPNonce) {
			continue
		}
		var inner cryptobyte.String
		v := cryptobyte.String(e.value)
		if (v.ReadASN1(&inner, cbasn1.OCTET_STRING) && v.Empty() && bytes.Equal(inner, c.nonce)) || bytes.Equal(e.value, c.nonce) {
			return nil
		}
		return fmt.Errorf("%w: the response carries another nonce", ErrOCSPNonce)
	}
	return fmt.Errorf("%w: the response carries no nonce", ErrOCSPNonce)
}

// verifyOCSPExtensions: no critical response extension but the nonce.
func verifyOCSPExtensions(c *ocspCheck) error {
	for _, e := range c.tbs.extensions {
		if e.critical && !e.oid.Equal(oidOCSPNonce) {
			return fmt.Errorf("%w: %v", ErrOCSPCritical, e.oid)
		}
	}
	return nil
}

// revocation turns an accepted answer into a Revocation.
func (c *ocspCheck) revocation() Revocation {
	r := c.resp
	rev := Revocation{ThisUpdate: r.ThisUpdate, NextUpdate: r.NextUpdate}
	switch r.Status {
	case ocsp.Good:
		rev.Status = StatusGood
	case ocsp.Revoked:
		rev.RevokedAt = r.RevokedAt
		rev.Reason = CRLReason(r.RevocationReason).String()
		rev.Status = StatusRevoked
		if r.RevocationReason == ocsp.CertificateHold {
			rev.Status = StatusOnHold
		}
	default:
		rev.Status = StatusUnknown
		rev.Detail = "the OCSP responder does not know this certificate (status unknown)"
	}
	return rev
}

func ocspTime(t time.Time) string { return t.UTC().Format(time.RFC3339) }

// ocspNamesResponder reports whether the response's ResponderID (by name
// or by SHA-1 key hash) designates cert.
func ocspNamesResponder(r *ocsp.Response, cert *x509.Certificate) bool {
	if len(r.RawResponderName) > 0 {
		return bytes.Equal(r.RawResponderName, cert.RawSubject)
	}
	key, err := ocspPublicKeyBits(cert)
	if err != nil {
		return false
	}
	sum := sha1.Sum(key)
	return len(r.ResponderKeyHash) > 0 && bytes.Equal(r.ResponderKeyHash, sum[:])
}

func ocspSameKey(a, b *x509.Certificate) bool {
	return bytes.Equal(a.RawSubjectPublicKeyInfo, b.RawSubjectPublicKeyInfo)
}

func ocspHasEKU(c *x509.Certificate, want x509.ExtKeyUsage) bool {
	for _, u := range c.ExtKeyUsage {
		if u == want {
			return true
		}
	}
	return false
}

// ocspPublicKeyBits is the subjectPublicKey BIT STRING's content, which
// issuer key hashes and responder key hashes cover.
func ocspPublicKeyBits(c *x509.Certificate) ([]byte, error) {
	spki := cryptobyte.String(c.RawSubjectPublicKeyInfo)
	var inner cryptobyte.String
	var bits []byte
	if !spki.ReadASN1(&inner, cbasn1.SEQUENCE) || !inner.SkipASN1(cbasn1.SEQUENCE) || !inner.ReadASN1BitStringAsBytes(&bits) {
		return nil, errors.New("malformed subjectPublicKeyInfo")
	}
	return bits, nil
}

var ocspHashOIDs = map[crypto.Hash]asn1.ObjectIdentifier{
	crypto.SHA1:   {1, 3, 14, 3, 2, 26},
	crypto.SHA256: {2, 16, 840, 1, 101, 3, 4, 2, 1},
	crypto.SHA384: {2, 16, 840, 1, 101, 3, 4, 2, 2},
	crypto.SHA512: {2, 16, 840, 1, 101, 3, 4, 2, 3},
}

func ocspHashName(oid asn1.ObjectIdentifier) string {
	for h, o := range ocspHashOIDs {
		if o.Equal(oid) {
			return h.String()
		}
	}
	return oid.String()
}

// ocspCertID is a CertID in full.
type ocspCertID struct {
	hashOID           asn1.ObjectIdentifier
	nameHash, keyHash []byte
	serial            *big.Int
}

// ocspCertIDFor computes the CertID of serial under issuer.
func ocspCertIDFor(issuer *x509.Certificate, serial *big.Int, h crypto.Hash) (ocspCertID, error) {
	oid, ok := ocspHashOIDs[h]
	if !ok || !h.Available() {
		return ocspCertID{}, fmt.Errorf("CertID hash %v is not supported", h)
	}
	key, err := ocspPublicKeyBits(issuer)
	if err != nil {
		return ocspCertID{}, err
	}
	nh := h.New()
	nh.Write(issuer.RawSubject)
	kh := h.New()
	kh.Write(key)
	return ocspCertID{hashOID: oid, nameHash: nh.Sum(nil), keyHash: kh.Sum(nil), serial: serial}, nil
}

type ocspExtension struct {
	oid      asn1.ObjectIdentifier
	critical bool
	value    []byte
}

// ocspTBS is what x/crypto/ocsp does not expose of a ResponseData: every
// answer's CertID and the response extensions.
type ocspTBS struct {
	responses  []ocspCertID
	extensions []ocspExtension
}

// parseOCSPTBS reads a DER ResponseData (RFC 6960 §4.2.1).
func parseOCSPTBS(der []byte) (*ocspTBS, error) {
	bad := errors.New("cannot read ResponseData")
	in := cryptobyte.String(der)
	var rd, list cryptobyte.String
	var tag cbasn1.Tag
	var skipped cryptobyte.String
	if !in.ReadASN1(&rd, cbasn1.SEQUENCE) || !in.Empty() ||
		!rd.SkipOptionalASN1(cbasn1.Tag(0).Constructed().ContextSpecific()) ||
		!rd.ReadAnyASN1(&skipped, &tag) || // responderID
		!rd.SkipASN1(cbasn1.GeneralizedTime) ||
		!rd.ReadASN1(&list, cbasn1.SEQUENCE) {
		return nil, bad
	}
	t := &ocspTBS{}
	for !list.Empty() {
		var single, certID, alg cryptobyte.String
		id := ocspCertID{serial: new(big.Int)}
		if !list.ReadASN1(&single, cbasn1.SEQUENCE) ||
			!single.ReadASN1(&certID, cbasn1.SEQUENCE) ||
			!certID.ReadASN1(&alg, cbasn1.SEQUENCE) ||
			!alg.ReadASN1ObjectIdentifier(&id.hashOID) ||
			!certID.ReadASN1Bytes(&id.nameHash, cbasn1.OCTET_STRING) ||
			!certID.ReadASN1Bytes(&id.keyHash, cbasn1.OCTET_STRING) ||
			!certID.ReadASN1Integer(id.serial) || !certID.Empty() {
			return nil, bad
		}
		t.responses = append(t.responses, id)
	}
	var exts cryptobyte.String
	var present bool
	if !rd.ReadOptionalASN1(&exts, &present, cbasn1.Tag(1).Constructed().ContextSpecific()) || !rd.Empty() {
		return nil, bad
	}
	if !present {
		return t, nil
	}
	var seq cryptobyte.String
	if !exts.ReadASN1(&seq, cbasn1.SEQUENCE) || !exts.Empty() {
		return nil, bad
	}
	for !seq.Empty() {
		var ext cryptobyte.String
		var e ocspExtension
		if !seq.ReadASN1(&ext, cbasn1.SEQUENCE) ||
			!ext.ReadASN1ObjectIdentifier(&e.oid) ||
			!ext.ReadOptionalASN1Boolean(&e.critical, cbasn1.BOOLEAN, false) ||
			!ext.ReadASN1Bytes(&e.value, cbasn1.OCTET_STRING) || !ext.Empty() {
			return nil, bad
		}
		t.extensions = append(t.extensions, e)
	}
	return t, nil
}
