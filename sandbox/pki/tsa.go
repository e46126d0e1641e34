package pki

import (
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

// IssueTSA issues a time-stamp authority's certificate from ca, valid
// from notBefore to notAfter, with the only extended key usage
// id-kp-timeStamping marked critical, as RFC 3161 §2.3 requires.
func (ca *CA) IssueTSA(commonName string, notBefore, notAfter time.Time) (*Credential, error) {
	eku, err := asn1.Marshal([]asn1.ObjectIdentifier{oidTimeStamping})
	if err != nil {
		return nil, fmt.Errorf("pki: encode extended key usage: %w", err)
	}
	return ca.Issue(&x509.Certificate{
		Subject:         pkix.Name{Country: []string{"JP"}, Organization: []string{"Shinsei Sandbox"}, CommonName: commonName},
		NotBefore:       notBefore,
		NotAfter:        notAfter,
		KeyUsage:        x509.KeyUsageDigitalSignature,
		ExtraExtensions: []pkix.Extension{{Id: oidExtKeyUsage, Critical: true, Value: eku}},
	})
}
