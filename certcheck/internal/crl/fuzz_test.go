package crl

import (
	"crypto/x509"
	"os"
	"path/filepath"
	"testing"
	"time"
)

// FuzzParseCRL feeds arbitrary bytes to the scanner, seeded with the PKITS
// CRLs and generated ones. It must never panic, and a CRL it parses must
// never verify under a known CA's key unless it is exactly a CRL that CA
// signed; whatever it accepts, crypto/x509 must parse and verify too.
func FuzzParseCRL(f *testing.F) {
	issuers := map[string][]*x509.Certificate{} // by canonical subject
	addIssuer := func(c *x509.Certificate) {
		k := NameKey(c.RawSubject)
		issuers[k] = append(issuers[k], c)
	}
	ca, _ := testIssuer(f)
	addIssuer(ca)
	var seeds [][]byte
	seeds = append(seeds, generatedCRLs(f)...)
	if dir := testPKITSDir(); dir != "" {
		certs, _ := filepath.Glob(filepath.Join(dir, "certs", "*.crt"))
		for _, name := range certs {
			der, err := os.ReadFile(name)
			if err != nil {
				f.Fatal(err)
			}
			if c, err := ParseCertificate(der); err == nil {
				addIssuer(c)
			}
		}
		crls, _ := filepath.Glob(filepath.Join(dir, "crls", "*.crl"))
		for _, name := range crls {
			der, err := os.ReadFile(name)
			if err != nil {
				f.Fatal(err)
			}
			seeds = append(seeds, der)
		}
	}
	signed := map[string]bool{}
	for _, s := range seeds {
		f.Add(s)
		if c, err := Parse(s); err == nil {
			for _, iss := range issuers[c.issuerKey] {
				if c.CheckSignatureFrom(iss) == nil {
					signed[string(s)] = true
				}
			}
		}
	}
	probe := []byte{0x01}
	f.Fuzz(func(t *testing.T, data []byte) {
		c, err := Parse(data)
		if err != nil {
			return
		}
		_ = c.Usable()
		_ = c.CheckTime(time.Now(), time.Minute)
		_, _ = c.IsDelta(), c.Issuer()
		if len(data) > 8 {
			probe = data[len(data)-4:]
		}
		_, _, _ = c.LookupSerial(probe, c.issuerKey)
		_, _, _ = c.LookupSerial([]byte{0x02}, c.issuerKey)
		for _, iss := range issuers[c.issuerKey] {
			if c.CheckSignatureFrom(iss) != nil {
				continue
			}
			if !signed[string(data)] {
				t.Fatalf("a CRL no CA signed verifies under %q", iss.Subject)
			}
			rl, err := x509.ParseRevocationList(data)
			if err != nil {
				t.Fatalf("accepted a CRL crypto/x509 cannot parse: %v", err)
			}
			// Not rl.CheckSignatureFrom: it also wants the signer to be a CA,
			// which RFC 5280 does not ask of a CRL signer (PKITS 4.4.19).
			if err := iss.CheckSignature(rl.SignatureAlgorithm, rl.RawTBSRevocationList, rl.Signature); err != nil {
				t.Fatalf("accepted a signature crypto/x509 rejects: %v", err)
			}
		}
	})
}
