package signer

import (
	"bytes"
	"crypto"
	"crypto/x509"
	"errors"
	"fmt"

	"software.sslmate.com/src/go-pkcs12"
)

// Errors of LoadPKCS12.
var (
	// ErrWrongPassword means the PKCS#12 file is intact but the password
	// does not open it.
	ErrWrongPassword = errors.New("signer: wrong PKCS#12 password")
	// ErrNotPKCS12 means the data is not a PKCS#12 file this package can
	// read (garbage, truncated, no key or no certificate).
	ErrNotPKCS12 = errors.New("signer: not a readable PKCS#12 file")
)

// Credential is what signs: a key, its certificate and the certificates
// that lead from it towards a root.
type Credential struct {
	// Signer is the private key; a PKCS#11 key works as long as it signs
	// a SHA-256 digest given crypto.SHA256 as the options.
	Signer crypto.Signer
	// Cert is the signer's certificate.
	Cert *x509.Certificate
	// Chain holds the intermediates and optionally the root, nearest
	// first. It is embedded in every signature.
	Chain []*x509.Certificate
}

// LoadPKCS12 reads a password-protected PKCS#12 file, such as a
// commercial-registry certificate, and returns its key, the certificate
// that belongs to the key and the other certificates ordered as a chain.
// It neither keeps nor wipes password, which the caller owns (go-pkcs12
// takes the password as a string, a copy that cannot be wiped).
func LoadPKCS12(data []byte, password []byte) (*Credential, error) {
	key, first, rest, err := pkcs12.DecodeChain(data, string(password))
	if errors.Is(err, pkcs12.ErrIncorrectPassword) {
		return nil, fmt.Errorf("%w: %w", ErrWrongPassword, err)
	}
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrNotPKCS12, err)
	}
	signer, ok := key.(crypto.Signer)
	if !ok {
		return nil, fmt.Errorf("%w: key of type %T cannot sign", ErrNotPKCS12, key)
	}
	certs := append([]*x509.Certificate{first}, rest...)
	for i, c := range certs {
		if samePublicKey(signer, c) {
			others := append(append([]*x509.Certificate{}, certs[:i]...), certs[i+1:]...)
			return &Credential{Signer: signer, Cert: c, Chain: orderChain(c, others)}, nil
		}
	}
	return nil, fmt.Errorf("%w: no certificate matches the private key", ErrNotPKCS12)
}

func samePublicKey(s crypto.Signer, c *x509.Certificate) bool {
	pub, ok := s.Public().(interface{ Equal(crypto.PublicKey) bool })
	return ok && pub.Equal(c.PublicKey)
}

// orderChain puts certs in issuing order starting from leaf's issuer;
// certificates that are not on the path follow in their original order.
func orderChain(leaf *x509.Certificate, certs []*x509.Certificate) []*x509.Certificate {
	var chain []*x509.Certificate
	rest := append([]*x509.Certificate{}, certs...)
	for cur := leaf; !bytes.Equal(cur.RawIssuer, cur.RawSubject); {
		i := indexOfIssuer(cur, rest)
		if i < 0 {
			break
		}
		cur = rest[i]
		chain = append(chain, cur)
		rest = append(rest[:i], rest[i+1:]...)
	}
	return append(chain, rest...)
}

func indexOfIssuer(c *x509.Certificate, candidates []*x509.Certificate) int {
	for i, p := range candidates {
		if bytes.Equal(c.RawIssuer, p.RawSubject) && c.CheckSignatureFrom(p) == nil {
			return i
		}
	}
	return -1
}
