package signer

import (
	"bytes"
	"crypto"
	"crypto/x509"
	"encoding/asn1"
	"fmt"
	"time"

	"github.com/digitorus/pkcs7"
	"golang.org/x/crypto/cryptobyte"
	cbasn1 "golang.org/x/crypto/cryptobyte/asn1"
)

// imprintHashes are the message imprint algorithms a time-stamp token
// over a manifest may use.
var imprintHashes = map[string]crypto.Hash{
	pkcs7.OIDDigestAlgorithmSHA256.String(): crypto.SHA256,
	pkcs7.OIDDigestAlgorithmSHA384.String(): crypto.SHA384,
	pkcs7.OIDDigestAlgorithmSHA512.String(): crypto.SHA512,
}

// verifyTimestampToken checks tst, an RFC 3161 time-stamp token, over
// manifest: the token's own signature (by the certificate it carries)
// and that its message imprint is the manifest's digest. The time-stamp
// authority's certificate is not validated yet: s.Certificate says so.
// An error wraps ErrMalformed when tst is not CMS at all.
func verifyTimestampToken(tst, manifest []byte, s *SignatureResult) error {
	s.Certificate = Check{Reason: ReasonNotValidated, Detail: "the time-stamp authority's certificate is not validated yet"}
	der, _, err := normalizeCMS(tst)
	if err != nil {
		return fmt.Errorf("%w: time-stamp token is not CMS SignedData: %w (%s)", ErrMalformed, err, s.Name)
	}
	p7, err := pkcs7.Parse(der)
	if err != nil {
		return fmt.Errorf("%w: time-stamp token is not CMS SignedData: %w (%s)", ErrMalformed, err, s.Name)
	}
	s.Format = "RFC 3161"
	if len(p7.Signers) != 1 {
		s.Integrity = fail(ReasonSignatureInvalid, fmt.Sprintf("%s: %d signers, want exactly one", s.Name, len(p7.Signers)))
		return nil
	}
	s.SignatureValue = p7.Signers[0].EncryptedDigest
	// Without the authority's certificate in the token its signature
	// cannot be checked here: the imprint still can, and the caller
	// leaves the token undecided.
	if s.Signer = p7.GetOnlySigner(); s.Signer != nil {
		// Only the token's signature is checked here, not the authority's
		// validity period: the certificate is judged with long-term
		// validation.
		unbounded := *s.Signer
		unbounded.NotBefore, unbounded.NotAfter = time.Time{}, farFuture
		view := *p7
		view.Certificates = []*x509.Certificate{&unbounded}
		if err := view.Verify(); err != nil {
			s.Integrity = fail(ReasonSignatureInvalid, s.Name+": "+err.Error())
			return nil
		}
	}
	h, imprint, genTime, ok := parseTSTInfo(p7.Content)
	if !ok {
		s.Integrity = fail(ReasonSignatureInvalid, s.Name+": the token holds no readable TSTInfo")
		return nil
	}
	hh := h.New()
	hh.Write(manifest)
	if !bytes.Equal(hh.Sum(nil), imprint) {
		s.Integrity = fail(ReasonManifestDigestMismatch, s.Manifest+" is not what "+s.Name+" time-stamped")
		return nil
	}
	s.SigningTime = &genTime
	s.Integrity = Check{OK: true, Detail: "time-stamp token over the manifest; its authority is not validated yet"}
	if s.Signer == nil {
		s.Integrity.Detail = "the imprint matches the manifest; the token's signature is not checked: the authority's certificate is not in the token"
	}
	return nil
}

// parseTSTInfo reads the message imprint and genTime of a TSTInfo
// (RFC 3161 §2.4.2).
func parseTSTInfo(der []byte) (crypto.Hash, []byte, time.Time, bool) {
	in := cryptobyte.String(der)
	var info, imprint, alg, gt cryptobyte.String
	var version int64
	var policy, algOID asn1.ObjectIdentifier
	var digest []byte
	var genTime time.Time
	if !in.ReadASN1(&info, cbasn1.SEQUENCE) || !info.ReadASN1Integer(&version) ||
		!info.ReadASN1ObjectIdentifier(&policy) || !info.ReadASN1(&imprint, cbasn1.SEQUENCE) ||
		!imprint.ReadASN1(&alg, cbasn1.SEQUENCE) || !alg.ReadASN1ObjectIdentifier(&algOID) ||
		!imprint.ReadASN1Bytes(&digest, cbasn1.OCTET_STRING) ||
		!info.SkipASN1(cbasn1.INTEGER) || !info.ReadASN1Element(&gt, cbasn1.GeneralizedTime) {
		return 0, nil, time.Time{}, false
	}
	// encoding/asn1 also reads the fractional seconds TSAs write.
	if rest, err := asn1.Unmarshal(gt, &genTime); err != nil || len(rest) != 0 {
		return 0, nil, time.Time{}, false
	}
	h, ok := imprintHashes[algOID.String()]
	return h, digest, genTime, ok
}
