package submit

import (
	"crypto/sha256"
	"encoding/asn1"
	"errors"
	"fmt"
	"math/big"

	"github.com/digitorus/pkcs7"
	"github.com/shinsei-app/shinsei/signer"
)

// oidSigningCertificateV2 is id-aa-signingCertificateV2 (RFC 5035).
var oidSigningCertificateV2 = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 9, 16, 2, 47}

type essCertIDv2 struct {
	CertHash     []byte
	IssuerSerial essIssuerSerial `asn1:"optional"`
}

type essIssuerSerial struct {
	Issuer []asn1.RawValue
	Serial *big.Int
}

type signingCertificateV2 struct {
	Certs []essCertIDv2
}

// SignChallenge returns the CertificateLogin for a challenge: a detached
// CMS SignedData (SHA-256, CAdES-BES signed attributes including
// signing-certificate-v2, the credential's chain) over the challenge's
// UTF-8 bytes. A PKCS#11 key may ask for its PIN here.
func SignChallenge(ch Challenge, cred signer.Credential) (*CertificateLogin, error) {
	if ch.Challenge == "" {
		return nil, errors.New("submit: empty challenge")
	}
	if cred.Signer == nil || cred.Cert == nil {
		return nil, errors.New("submit: the credential needs a key and a certificate")
	}
	sd, err := pkcs7.NewSignedData([]byte(ch.Challenge))
	if err != nil {
		return nil, fmt.Errorf("submit: CMS: %w", err)
	}
	sd.SetDigestAlgorithm(pkcs7.OIDDigestAlgorithmSHA256)
	sum := sha256.Sum256(cred.Cert.Raw)
	dirName := asn1.RawValue{Class: asn1.ClassContextSpecific, Tag: 4, IsCompound: true, Bytes: cred.Cert.RawIssuer}
	ess := pkcs7.Attribute{Type: oidSigningCertificateV2, Value: signingCertificateV2{Certs: []essCertIDv2{{
		CertHash:     sum[:],
		IssuerSerial: essIssuerSerial{Issuer: []asn1.RawValue{dirName}, Serial: cred.Cert.SerialNumber},
	}}}}
	if err := sd.AddSignerChain(cred.Cert, cred.Signer, cred.Chain, pkcs7.SignerInfoConfig{ExtraSignedAttributes: []pkcs7.Attribute{ess}}); err != nil {
		return nil, fmt.Errorf("submit: sign the challenge: %w", err)
	}
	sd.Detach()
	der, err := sd.Finish()
	if err != nil {
		return nil, fmt.Errorf("submit: CMS: %w", err)
	}
	return &CertificateLogin{Challenge: ch.Challenge, Signature: der}, nil
}
