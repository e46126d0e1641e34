package signer

import (
	"bytes"
	"context"
	"crypto"
	"crypto/sha256"
	_ "crypto/sha512" // SHA-384 and SHA-512 in signing-certificate-v2
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/asn1"
	"errors"
	"fmt"
	"math/big"
	"time"

	"github.com/digitorus/pkcs7"
)

// oidSigningCertificateV2 is id-aa-signingCertificateV2 (RFC 5035).
var oidSigningCertificateV2 = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 9, 16, 2, 47}

// essHashes are the hash algorithms accepted in an ESSCertIDv2.
var essHashes = map[string]crypto.Hash{
	pkcs7.OIDDigestAlgorithmSHA256.String(): crypto.SHA256,
	pkcs7.OIDDigestAlgorithmSHA384.String(): crypto.SHA384,
	pkcs7.OIDDigestAlgorithmSHA512.String(): crypto.SHA512,
}

// signingCertificateV2 is SigningCertificateV2 (RFC 5035 §3); policies
// are not used.
type signingCertificateV2 struct {
	Certs []essCertIDv2
}

type essCertIDv2 struct {
	// HashAlgorithm is absent for SHA-256, its DEFAULT.
	HashAlgorithm pkix.AlgorithmIdentifier `asn1:"optional"`
	CertHash      []byte
	IssuerSerial  issuerSerial `asn1:"optional"`
}

type issuerSerial struct {
	Issuer []asn1.RawValue // GeneralNames
	Serial *big.Int
}

// essAttribute is the signing-certificate-v2 attribute naming cert.
func essAttribute(cert *x509.Certificate) pkcs7.Attribute {
	sum := sha256.Sum256(cert.Raw)
	dirName := asn1.RawValue{Class: asn1.ClassContextSpecific, Tag: 4, IsCompound: true, Bytes: cert.RawIssuer}
	return pkcs7.Attribute{Type: oidSigningCertificateV2, Value: signingCertificateV2{Certs: []essCertIDv2{{
		CertHash:     sum[:],
		IssuerSerial: issuerSerial{Issuer: []asn1.RawValue{dirName}, Serial: cert.SerialNumber},
	}}}}
}

// SignDetached returns a detached CAdES-BES signature (DER) over content:
// SHA-256, signing-time, signing-certificate-v2 naming cred.Cert, and
// cred's chain. It is what a package signs its manifest with, and what a
// certificate login signs its challenge with.
func SignDetached(content []byte, cred Credential) ([]byte, error) {
	if cred.Signer == nil || cred.Cert == nil {
		return nil, errors.New("signer: the credential needs a key and a certificate")
	}
	return signDetached(content, cred, essAttribute(cred.Cert))
}

// signDetached returns a detached CMS SignedData over content: SHA-256,
// the signed attributes content-type, message-digest, signing-time and
// ess, and cred's certificate chain. digitorus/pkcs7 asks cred.Signer for
// Sign(rand, sha256(attributes), crypto.SHA256) and labels an RSA
// signature sha256WithRSAEncryption.
func signDetached(content []byte, cred Credential, ess pkcs7.Attribute) ([]byte, error) {
	sd, err := pkcs7.NewSignedData(content)
	if err != nil {
		return nil, fmt.Errorf("signer: CMS: %w", err)
	}
	sd.SetDigestAlgorithm(pkcs7.OIDDigestAlgorithmSHA256)
	if err := checkChainLinks(cred.Cert, cred.Chain); err != nil {
		return nil, err
	}
	// The certificate set: the signer's certificate, then its chain.
	// AddSignerChain would add them in that order too, but verifies each
	// link's signature again for every package (a third of the CPU a
	// small form's package costs); the path is verified, signatures
	// included, by whoever trusts the signature (certcheck, the pre-check,
	// the service).
	if err := sd.AddSigner(cred.Cert, cred.Signer, pkcs7.SignerInfoConfig{ExtraSignedAttributes: []pkcs7.Attribute{ess}}); err != nil {
		return nil, fmt.Errorf("signer: sign: %w", err)
	}
	for _, c := range cred.Chain {
		sd.AddCertificate(c)
	}
	sd.Detach()
	der, err := sd.Finish()
	if err != nil {
		return nil, fmt.Errorf("signer: CMS: %w", err)
	}
	return der, nil
}

// checkChainLinks checks that chain starts at the issuer of cert and that
// each of its certificates is issued by the next, by their names.
func checkChainLinks(cert *x509.Certificate, chain []*x509.Certificate) error {
	for i, parent := range chain {
		if !bytes.Equal(cert.RawIssuer, parent.RawSubject) {
			return fmt.Errorf("signer: certificate %d of the chain did not issue the one before it", i+1)
		}
		cert = parent
	}
	return nil
}

// farFuture bounds the validity of the copy that digitorus checks the
// signature with.
var farFuture = time.Date(9999, 12, 31, 0, 0, 0, 0, time.UTC)

// verifyCMS checks sig, a detached CMS signature over content, and fills
// in r. It returns an error wrapping ErrMalformed only when sig cannot be
// parsed; any definite negative goes into r.Integrity and r.Certificate.
func verifyCMS(ctx context.Context, sig, content []byte, opts VerifyOptions, r *Report) error {
	return verifyCMSWith(ctx, sig, func(_ []byte, p7 *pkcs7.PKCS7, signer *x509.Certificate) error {
		// digitorus also compares the claimed signing time with the
		// signer's validity period. Validity is judged by certcheck at
		// opts.At alone, so the signature is checked against a copy
		// without validity bounds.
		unbounded := *signer
		unbounded.NotBefore, unbounded.NotAfter = time.Time{}, farFuture
		view := *p7
		view.Content = content
		view.Certificates = []*x509.Certificate{&unbounded}
		return view.Verify()
	}, opts, r)
}

// integrityCheck verifies the signature of p7 (parsed from der) by
// signer over the signed content; a *pkcs7.MessageDigestMismatchError
// says the content is not what was signed.
type integrityCheck func(der []byte, p7 *pkcs7.PKCS7, signer *x509.Certificate) error

// verifyCMSWith is verifyCMS with the check of the signed content given
// as integrity.
func verifyCMSWith(ctx context.Context, sig []byte, integrity integrityCheck, opts VerifyOptions, r *Report) error {
	der, side, err := normalizeCMS(sig)
	if err != nil {
		return fmt.Errorf("%w: signature is not CMS SignedData: %w", ErrMalformed, err)
	}
	p7, err := pkcs7.Parse(der)
	if err != nil {
		return fmt.Errorf("%w: signature is not CMS SignedData: %w", ErrMalformed, err)
	}
	r.Format = FormatCMS
	r.OCSPResponses = len(side.OCSPResponses)
	r.Certificate = Check{Reason: ReasonCertificateNotChecked}
	if len(p7.Signers) != 1 {
		r.Integrity = fail(ReasonSignatureInvalid, fmt.Sprintf("%d signers, want exactly one", len(p7.Signers)))
		return nil
	}
	signer := p7.GetOnlySigner()
	if signer == nil {
		// A producer may leave the certificate out (CAdES allows it):
		// the verifier's own certificates may hold it.
		ias := p7.Signers[0].IssuerAndSerialNumber
		signer = findSigner(ias.IssuerName.FullBytes, ias.SerialNumber, append(append([]*x509.Certificate{}, opts.Intermediates...), opts.Roots...))
	}
	if signer == nil {
		r.Integrity = fail(ReasonSignerCertificateMissing, "the signer's certificate is neither in the signature nor among the certificates given")
		return nil
	}
	r.Signer = signer
	r.SignatureValue = p7.Signers[0].EncryptedDigest
	for _, a := range p7.Signers[0].UnauthenticatedAttributes {
		r.Unsigned = append(r.Unsigned, unsignedAttributeName(a.Type))
	}
	var claimed time.Time
	if p7.UnmarshalSignedAttribute(pkcs7.OIDAttributeSigningTime, &claimed) == nil {
		r.SigningTime = &claimed
	}
	certOpts := opts
	at := opts.At
	if at.IsZero() {
		at = time.Now()
	}
	// An archive time-stamp that proves the signature existed earlier
	// moves the checks of its time-stamps' authorities back to then.
	checkAt := at
	if !opts.existedAt.IsZero() && opts.existedAt.Before(at) {
		checkAt = opts.existedAt
	}
	r.Timestamps = verifySignatureTimestamps(p7, opts, checkAt)
	// The earliest proof: a signature-time-stamp that holds, or the
	// archive time-stamp's.
	archived := false
	if ts := earliestValid(r.Timestamps); ts != nil && ts.Time.Before(at) {
		proven := ts.Time
		r.ProvenTime, r.ProvenBy, certOpts.At = &proven, ts.TSA, proven
	}
	if checkAt.Before(at) && (r.ProvenTime == nil || checkAt.Before(*r.ProvenTime)) {
		proven := checkAt
		r.ProvenTime, r.ProvenBy, certOpts.At, archived = &proven, opts.existedBy, proven, true
	}
	for _, ts := range r.Timestamps {
		// A token that holds but whose authority is not trusted here
		// proves no time, and says nothing against the signature.
		if !ts.Check.OK && ts.Check.Reason != ReasonTimestampUntrusted {
			r.Undecided = append(r.Undecided, Remark{Reason: ts.Check.Reason, Detail: "signature-time-stamp: " + ts.Check.Detail})
		}
	}
	r.Certificate, r.Chain = checkCertificate(signer, p7.Certificates, certOpts)
	if r.Certificate.OK && (len(side.OCSPResponses) > 0 || len(side.CRLs) > 0) {
		// Long-term validation data: revocation judged from what the
		// signature carries, at the time the certificate is checked.
		r.Revocation = checkEmbeddedRevocation(ctx, signer, p7.Certificates, side.OCSPResponses, side.CRLs, certOpts)
		if c := r.Revocation.Check; !c.OK && c.Reason != ReasonRevocationNotEstablished {
			r.Certificate = fail(c.Reason, c.Detail)
		}
	}
	if r.ProvenTime != nil && r.Certificate.OK {
		kind := "timestamp"
		if archived {
			kind = "archive timestamp"
		}
		r.Certificate.Detail = fmt.Sprintf("signed no later than %s (%s by %s)", r.ProvenTime.UTC().Format(time.RFC3339), kind, r.ProvenBy)
	}

	var mismatch *pkcs7.MessageDigestMismatchError
	switch err := integrity(der, p7, signer); {
	case errors.As(err, &mismatch):
		r.Integrity = fail(ReasonContentDigestMismatch, "the message digest does not match the signed content")
		return nil
	case err != nil:
		r.Integrity = fail(ReasonSignatureInvalid, err.Error())
		return nil
	}
	r.Integrity = Check{OK: true}
	if !hasSignedAttribute(p7, oidSigningCertificateV2) {
		r.Integrity.Detail = "plain CMS signature: no signing-certificate-v2, so not CAdES-BES"
		return nil
	}
	var ess signingCertificateV2
	if err := p7.UnmarshalSignedAttribute(oidSigningCertificateV2, &ess); err != nil {
		r.Integrity = fail(ReasonSigningCertificateV2Mismatch, "signing-certificate-v2 cannot be parsed")
		return nil
	}
	if err := checkESS(ess, signer); err != nil {
		r.Integrity = fail(ReasonSigningCertificateV2Mismatch, err.Error())
		return nil
	}
	r.Format = FormatCAdESBES
	return nil
}

// hasSignedAttribute reports whether the (only) signer signed an
// attribute of type oid.
func hasSignedAttribute(p7 *pkcs7.PKCS7, oid asn1.ObjectIdentifier) bool {
	for _, a := range p7.Signers[0].AuthenticatedAttributes {
		if a.Type.Equal(oid) {
			return true
		}
	}
	return false
}

// checkESS verifies that the first ESSCertIDv2 identifies signer: its hash
// and, when present, its issuer and serial number.
func checkESS(ess signingCertificateV2, signer *x509.Certificate) error {
	if len(ess.Certs) == 0 {
		return errors.New("signing-certificate-v2 lists no certificate")
	}
	id := ess.Certs[0]
	h := crypto.SHA256
	if len(id.HashAlgorithm.Algorithm) > 0 {
		var ok bool
		if h, ok = essHashes[id.HashAlgorithm.Algorithm.String()]; !ok {
			return fmt.Errorf("signing-certificate-v2 uses unsupported hash %s", id.HashAlgorithm.Algorithm)
		}
	}
	hh := h.New()
	hh.Write(signer.Raw)
	if !bytes.Equal(hh.Sum(nil), id.CertHash) {
		return errors.New("signing-certificate-v2 names another certificate than the signer's")
	}
	if id.IssuerSerial.Serial == nil {
		return nil
	}
	if id.IssuerSerial.Serial.Cmp(signer.SerialNumber) != 0 {
		return errors.New("signing-certificate-v2 issuerSerial has another serial number")
	}
	for _, gn := range id.IssuerSerial.Issuer {
		if gn.Class == asn1.ClassContextSpecific && gn.Tag == 4 && bytes.Equal(gn.Bytes, signer.RawIssuer) {
			return nil
		}
	}
	return errors.New("signing-certificate-v2 issuerSerial names another issuer")
}

// unsignedAttributeNames names the unsigned attributes of CAdES (ETSI EN
// 319 122-1) and RFC 5126 that a report lists.
var unsignedAttributeNames = map[string]string{
	"1.2.840.113549.1.9.16.2.14": "signature-time-stamp",
	"1.2.840.113549.1.9.16.2.21": "complete-certificate-references",
	"1.2.840.113549.1.9.16.2.22": "complete-revocation-references",
	"1.2.840.113549.1.9.16.2.23": "certificate-values",
	"1.2.840.113549.1.9.16.2.24": "revocation-values",
	"1.2.840.113549.1.9.16.2.25": "cades-c-time-stamp",
	"1.2.840.113549.1.9.16.2.26": "time-stamped-certs-crls-references",
	"1.2.840.113549.1.9.16.2.27": "archive-time-stamp",
	"1.2.840.113549.1.9.16.2.48": "archive-time-stamp-v2",
	"0.4.0.1733.2.4":             "archive-time-stamp-v3",
	"0.4.0.19122.1.1":            "certificate-values-v3", // ETSI EN 319 122-1 (cades-v3)
	"1.2.840.113549.1.9.6":       "countersignature",
}

// unsignedAttributeName is the name of an unsigned attribute type, or its
// object identifier when it has none here.
func unsignedAttributeName(oid asn1.ObjectIdentifier) string {
	if n, ok := unsignedAttributeNames[oid.String()]; ok {
		return n
	}
	return oid.String()
}

// findSigner returns the certificate among certs that the signer info
// names by issuer (DER Name) and serial number, or nil.
func findSigner(issuer []byte, serial *big.Int, certs []*x509.Certificate) *x509.Certificate {
	for _, c := range certs {
		if serial != nil && c.SerialNumber.Cmp(serial) == 0 && bytes.Equal(c.RawIssuer, issuer) {
			return c
		}
	}
	return nil
}
