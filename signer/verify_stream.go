package signer

import (
	"context"
	"crypto"
	"crypto/ecdsa"
	"crypto/rsa"
	"crypto/subtle"
	"crypto/x509"
	"encoding/asn1"
	"errors"
	"fmt"
	"io"

	"github.com/digitorus/pkcs7"
	"golang.org/x/crypto/cryptobyte"
	cbasn1 "golang.org/x/crypto/cryptobyte/asn1"

	"github.com/shinsei-app/shinsei/internal/iox"
)

// digestHashes are the digest algorithms a streamed verification accepts.
var digestHashes = map[string]crypto.Hash{
	pkcs7.OIDDigestAlgorithmSHA1.String():   crypto.SHA1,
	pkcs7.OIDDigestAlgorithmSHA256.String(): crypto.SHA256,
	pkcs7.OIDDigestAlgorithmSHA384.String(): crypto.SHA384,
	pkcs7.OIDDigestAlgorithmSHA512.String(): crypto.SHA512,
}

// signatureHashes names the hash of a signature algorithm that carries
// one (sha256WithRSAEncryption, ecdsa-with-SHA256, …).
var signatureHashes = map[string]crypto.Hash{
	"1.2.840.113549.1.1.5":  crypto.SHA1,
	"1.2.840.113549.1.1.11": crypto.SHA256,
	"1.2.840.113549.1.1.12": crypto.SHA384,
	"1.2.840.113549.1.1.13": crypto.SHA512,
	"1.2.840.10045.4.1":     crypto.SHA1,
	"1.2.840.10045.4.3.2":   crypto.SHA256,
	"1.2.840.10045.4.3.3":   crypto.SHA384,
	"1.2.840.10045.4.3.4":   crypto.SHA512,
}

// VerifyDetachedStream is VerifyDetached for content too large to hold:
// content is read once, through the digest the signature names, and
// never kept, so memory does not grow with it. The signature value is
// checked against that digest (RSA PKCS #1 v1.5 and ECDSA signers).
func VerifyDetachedStream(ctx context.Context, sig []byte, content io.Reader, opts VerifyOptions) (*Report, error) {
	der, _, err := normalizeCMS(sig)
	if err != nil {
		return nil, fmt.Errorf("%w: signature is not CMS SignedData: %w", ErrMalformed, err)
	}
	p7, err := pkcs7.Parse(der)
	if err != nil {
		return nil, fmt.Errorf("%w: signature is not CMS SignedData: %w", ErrMalformed, err)
	}
	var digest []byte
	h, known := crypto.Hash(0), false
	if len(p7.Signers) == 1 {
		h, known = digestHashes[p7.Signers[0].DigestAlgorithm.Algorithm.String()]
	}
	if known {
		hh := h.New()
		if _, err := io.Copy(hh, iox.WithContext(ctx, content)); err != nil {
			return nil, fmt.Errorf("signer: read content: %w", err)
		}
		digest = hh.Sum(nil)
	}
	r := &Report{}
	err = verifyCMSWith(ctx, sig, func(der []byte, p7 *pkcs7.PKCS7, signer *x509.Certificate) error {
		if !known {
			return fmt.Errorf("unsupported digest algorithm %s", p7.Signers[0].DigestAlgorithm.Algorithm)
		}
		return checkOverDigest(der, p7, signer, h, digest)
	}, opts, r)
	if err != nil {
		return nil, err
	}
	return r, nil
}

// checkOverDigest checks the (only) signer info of p7 against digest,
// the hash h of the detached content: the message-digest attribute, then
// the signature over the signed attributes as DER (or, without them,
// over the content's digest itself).
func checkOverDigest(der []byte, p7 *pkcs7.PKCS7, signer *x509.Certificate, h crypto.Hash, digest []byte) error {
	si := p7.Signers[0]
	sigHash := h
	if sh, ok := signatureHashes[si.DigestEncryptionAlgorithm.Algorithm.String()]; ok {
		sigHash = sh
	}
	signedDigest := digest
	if len(si.AuthenticatedAttributes) > 0 {
		var md []byte
		if err := p7.UnmarshalSignedAttribute(pkcs7.OIDAttributeMessageDigest, &md); err != nil {
			return fmt.Errorf("no message-digest attribute: %w", err)
		}
		if subtle.ConstantTimeCompare(md, digest) != 1 {
			return &pkcs7.MessageDigestMismatchError{ExpectedDigest: md, ActualDigest: digest}
		}
		attrs, err := rawSignedAttributes(der)
		if err != nil {
			return err
		}
		if !sigHash.Available() {
			return fmt.Errorf("unsupported signature hash")
		}
		hh := sigHash.New()
		hh.Write(attrs)
		signedDigest = hh.Sum(nil)
	} else if sigHash != h {
		return errors.New("the signature's hash differs from the digest algorithm")
	}
	switch pub := signer.PublicKey.(type) {
	case *rsa.PublicKey:
		if err := rsa.VerifyPKCS1v15(pub, sigHash, signedDigest, si.EncryptedDigest); err != nil {
			return fmt.Errorf("RSA signature: %w", err)
		}
	case *ecdsa.PublicKey:
		if !ecdsa.VerifyASN1(pub, signedDigest, si.EncryptedDigest) {
			return errors.New("ECDSA signature does not verify")
		}
	default:
		return fmt.Errorf("unsupported public key %T", signer.PublicKey)
	}
	return nil
}

// rawSignedAttributes returns the first signer info's signed attributes
// of der (a DER ContentInfo) as they were signed: the [0] IMPLICIT field
// with its tag turned into SET OF.
func rawSignedAttributes(der []byte) ([]byte, error) {
	malformed := errors.New("signed attributes cannot be read")
	in := cryptobyte.String(der)
	var ci, sd, body, infos, info cryptobyte.String
	var ct asn1.ObjectIdentifier
	if !in.ReadASN1(&ci, cbasn1.SEQUENCE) || !ci.ReadASN1ObjectIdentifier(&ct) ||
		!ci.ReadASN1(&sd, cbasn1.Tag(0).Constructed().ContextSpecific()) ||
		!sd.ReadASN1(&body, cbasn1.SEQUENCE) ||
		!body.SkipASN1(cbasn1.INTEGER) || !body.SkipASN1(cbasn1.SET) || !body.SkipASN1(cbasn1.SEQUENCE) ||
		!body.SkipOptionalASN1(cbasn1.Tag(0).Constructed().ContextSpecific()) ||
		!body.SkipOptionalASN1(cbasn1.Tag(1).Constructed().ContextSpecific()) ||
		!body.ReadASN1(&infos, cbasn1.SET) || !infos.ReadASN1(&info, cbasn1.SEQUENCE) {
		return nil, malformed
	}
	var sid cryptobyte.String
	var sidTag cbasn1.Tag
	var attrs cryptobyte.String
	if !info.SkipASN1(cbasn1.INTEGER) || !info.ReadAnyASN1Element(&sid, &sidTag) || !info.SkipASN1(cbasn1.SEQUENCE) ||
		!info.PeekASN1Tag(cbasn1.Tag(0).Constructed().ContextSpecific()) ||
		!info.ReadASN1Element(&attrs, cbasn1.Tag(0).Constructed().ContextSpecific()) {
		return nil, malformed
	}
	out := append([]byte{}, attrs...)
	out[0] = 0x31
	return out, nil
}
