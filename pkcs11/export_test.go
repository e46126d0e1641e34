package pkcs11

import (
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"crypto/x509/pkix"
	"math/big"
	"sync"
	"time"
)

// TestCredential is an RSA-2048 key with a self-signed certificate.
type TestCredential struct {
	Key  *rsa.PrivateKey
	Cert *x509.Certificate
}

// TestCredentials returns, made once per test binary, the credentials of
// an authentication key, a signature key and a CA (whose certificate the
// tests store as a chain certificate).
var TestCredentials = sync.OnceValue(func() [3]TestCredential {
	var creds [3]TestCredential
	for i, cn := range []string{"Shinsei test authentication", "Shinsei test signature", "Shinsei test CA"} {
		key := creds[0].Key // the CA reuses the first key: key generation is slow
		if i < 2 {
			var err error
			if key, err = rsa.GenerateKey(rand.Reader, 2048); err != nil {
				panic(err)
			}
		}
		tmpl := &x509.Certificate{
			SerialNumber: big.NewInt(int64(i + 1)),
			Subject:      pkix.Name{CommonName: cn},
			NotBefore:    time.Now().Add(-time.Hour),
			NotAfter:     time.Now().Add(24 * time.Hour),
			KeyUsage:     x509.KeyUsageDigitalSignature | x509.KeyUsageContentCommitment,
		}
		der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
		if err != nil {
			panic(err)
		}
		cert, err := x509.ParseCertificate(der)
		if err != nil {
			panic(err)
		}
		creds[i] = TestCredential{key, cert}
	}
	return creds
})
