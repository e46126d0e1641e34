package signer

import (
	"bytes"
	"crypto"
	"crypto/x509"
	"fmt"
	"slices"
	"time"

	"github.com/digitorus/pkcs7"
	"github.com/digitorus/timestamp"
)

// imprintHashes are the message imprint algorithms a time-stamp token
// over a manifest may use.
var imprintHashes = []crypto.Hash{crypto.SHA256, crypto.SHA384, crypto.SHA512}

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
	// The TSTInfo is read by the RFC 3161 library; its own check of the
	// token's signature is bounded by the signing-time attribute alone,
	// so an authority's certificate that expired since does not count.
	ts, err := timestamp.Parse(der)
	if err != nil {
		s.Integrity = fail(ReasonSignatureInvalid, s.Name+": the token holds no readable TSTInfo: "+err.Error())
		return nil
	}
	h, imprint, genTime := ts.HashAlgorithm, ts.HashedMessage, ts.Time
	if !slices.Contains(imprintHashes, h) {
		s.Integrity = fail(ReasonSignatureInvalid, s.Name+": the token's imprint uses a hash not accepted here")
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
