package pki

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/asn1"
	"fmt"
	"time"
)

// oidExtKeyUsage is id-ce-extKeyUsage; oidTimeStamping id-kp-timeStamping.
var (
	oidExtKeyUsage  = asn1.ObjectIdentifier{2, 5, 29, 37}
	oidTimeStamping = asn1.ObjectIdentifier{1, 3, 6, 1, 5, 5, 7, 3, 8}
)

// TSA is a time-stamp authority's key and certificate.
type TSA struct {
	Cert *x509.Certificate
	Key  crypto.Signer
	// Intermediates are the CAs between Cert and Root, nearest first.
	Intermediates []*x509.Certificate
	Root          *x509.Certificate
}

// IssueTSA issues a time-stamp authority's certificate from ca for a new
// ECDSA P-256 key (a token is signed in microseconds), valid from
// notBefore to notAfter, with the only extended key usage
// id-kp-timeStamping marked critical, as RFC 3161 §2.3 requires.
func (ca *CA) IssueTSA(commonName string, notBefore, notAfter time.Time) (*TSA, error) {
	eku, err := asn1.Marshal([]asn1.ObjectIdentifier{oidTimeStamping})
	if err != nil {
		return nil, fmt.Errorf("pki: encode extended key usage: %w", err)
	}
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return nil, fmt.Errorf("pki: generate TSA key: %w", err)
	}
	cert, err := CreateCertificate(&x509.Certificate{
		Subject:         pkix.Name{Country: []string{"JP"}, Organization: []string{"Shinsei Sandbox"}, CommonName: commonName},
		NotBefore:       notBefore,
		NotAfter:        notAfter,
		KeyUsage:        x509.KeyUsageDigitalSignature,
		ExtraExtensions: []pkix.Extension{{Id: oidExtKeyUsage, Critical: true, Value: eku}},
	}, ca.Cert, &key.PublicKey, ca.Key)
	if err != nil {
		return nil, err
	}
	tsa := &TSA{Cert: cert, Key: key}
	for c := ca; c != nil; c = c.Parent {
		if c.Parent == nil {
			tsa.Root = c.Cert
		} else {
			tsa.Intermediates = append(tsa.Intermediates, c.Cert)
		}
	}
	return tsa, nil
}
