package certcheck

// Reading certificates: PEM or DER, tolerating a CRL distribution point
// named relative to the CRL issuer.

import (
	"crypto/x509"
	"encoding/pem"
	"fmt"

	"github.com/shinsei-app/shinsei/certcheck/internal/crl"
)

// ParseCertificates reads one or more PEM certificates, or one DER
// certificate, with ParseCertificate.
func ParseCertificates(data []byte) ([]*x509.Certificate, error) {
	var certs []*x509.Certificate
	for rest := data; ; {
		var block *pem.Block
		if block, rest = pem.Decode(rest); block == nil {
			break
		}
		if block.Type != "CERTIFICATE" {
			continue
		}
		c, err := ParseCertificate(block.Bytes)
		if err != nil {
			return nil, fmt.Errorf("a PEM certificate: %w", err)
		}
		certs = append(certs, c)
	}
	if len(certs) > 0 {
		return certs, nil
	}
	c, err := ParseCertificate(data)
	if err != nil {
		return nil, fmt.Errorf("no PEM certificate and not a DER certificate: %w", err)
	}
	return []*x509.Certificate{c}, nil
}

// ParseCertificate is x509.ParseCertificate, but it also reads a certificate
// whose CRL distribution point is named relative to the CRL issuer
// (nameRelativeToCRLIssuer, RFC 5280 §4.2.1.13), which crypto/x509 refuses
// to parse at all. For such a certificate the CRLDistributionPoints field is
// empty and the extension stays in Extensions, where CRLSource reads it; the
// signature and every Raw field are the certificate's own.
func ParseCertificate(der []byte) (*x509.Certificate, error) {
	return crl.ParseCertificate(der)
}
