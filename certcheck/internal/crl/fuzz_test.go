package crl

import (
	"bytes"
	"crypto/x509"
	"errors"
	"os"
	"path/filepath"
	"testing"
	"time"

	"golang.org/x/crypto/cryptobyte"
	cbasn1 "golang.org/x/crypto/cryptobyte/asn1"
)

// FuzzParseCRL feeds arbitrary bytes to the scanner, seeded with the PKITS
// CRLs and generated ones. It must never panic; a refusal is ErrMalformed.
// A CRL it parses parses the same way twice, finds every entry it indexed
// by its serial, and fails each check only with that check's error. It
// must never verify under a known CA's key unless it is exactly a CRL that
// CA signed; whatever it accepts, crypto/x509 must parse and verify too,
// and with one signature bit flipped it no longer verifies (ErrSignature).
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
			if !errors.Is(err, ErrMalformed) {
				t.Fatalf("a refusal that is not ErrMalformed: %v", err)
			}
			return
		}
		checkParseIsDeterministic(t, data, c)
		checkEveryEntryIsFound(t, c)
		if err := c.Usable(); err != nil && !errors.Is(err, ErrCritical) {
			t.Fatalf("Usable: %v, want nil or ErrCritical", err)
		}
		if err := c.CheckTime(time.Now(), time.Minute); err != nil && !errors.Is(err, ErrStale) {
			t.Fatalf("CheckTime: %v, want nil or ErrStale", err)
		}
		_, _ = c.IsDelta(), c.Issuer()
		if len(data) > 8 {
			probe = data[len(data)-4:]
		}
		_, _, _ = c.LookupSerial(probe, c.issuerKey)
		_, _, _ = c.LookupSerial([]byte{0x02}, c.issuerKey)
		for _, iss := range issuers[c.issuerKey] {
			if err := c.CheckSignatureFrom(iss); err != nil {
				// A CRL that parses but does not verify is refused as a bad
				// signature or a signer that may not sign CRLs, nothing else.
				if !errors.Is(err, ErrSignature) && !errors.Is(err, ErrSigner) {
					t.Fatalf("CheckSignatureFrom(%q): %v, want ErrSignature or ErrSigner", iss.Subject, err)
				}
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
			checkMutatedSignatureFails(t, data, iss)
		}
	})
}

// checkParseIsDeterministic parses data again and compares what a lookup
// depends on.
func checkParseIsDeterministic(t *testing.T, data []byte, c *CRL) {
	t.Helper()
	c2, err := Parse(data)
	switch {
	case err != nil:
		t.Fatalf("the second parse failed: %v", err)
	case c2.Len() != c.Len() || c2.issuerKey != c.issuerKey || !c2.ThisUpdate.Equal(c.ThisUpdate) ||
		!c2.NextUpdate.Equal(c.NextUpdate) || c2.IsDelta() != c.IsDelta() || c2.Indirect() != c.Indirect() ||
		(c2.Number == nil) != (c.Number == nil) || c2.Number != nil && c2.Number.Cmp(c.Number) != 0 ||
		(c2.Usable() == nil) != (c.Usable() == nil) || c2.SignatureAlgorithm != c.SignatureAlgorithm:
		t.Fatalf("two parses of the same bytes differ")
	}
}

// checkEveryEntryIsFound looks every indexed entry up by its serial (and,
// for an indirect CRL, its certificate issuer): each must be found without
// error, and the index must hold exactly Len entries.
func checkEveryEntryIsFound(t *testing.T, c *CRL) {
	t.Helper()
	n := 0
	for _, slot := range c.table {
		if slot == 0 {
			continue
		}
		n++
		off := slot - 1
		in := cryptobyte.String(c.Raw[off:])
		var entry, serial cryptobyte.String
		if !in.ReadASN1(&entry, cbasn1.SEQUENCE) || !entry.ReadASN1(&serial, cbasn1.INTEGER) {
			t.Fatalf("the index points at offset %d, which is no entry", off)
		}
		if _, found, err := c.LookupSerial(serial, c.entryIssuer(off)); !found || err != nil {
			t.Fatalf("the indexed serial %x is not found (%v)", []byte(serial), err)
		}
	}
	if n != c.Len() {
		t.Fatalf("the index holds %d entries, Len says %d", n, c.Len())
	}
}

// checkMutatedSignatureFails flips a bit of the signature of a CRL that
// verifies under iss: it must still parse, and no longer verify, as
// ErrSignature.
func checkMutatedSignatureFails(t *testing.T, data []byte, iss *x509.Certificate) {
	t.Helper()
	bad := bytes.Clone(data)
	bad[len(bad)-1] ^= 0x01 // the last byte is the signature's
	c, err := Parse(bad)
	if err != nil {
		t.Fatalf("a CRL with one signature bit flipped does not parse: %v", err)
	}
	if err := c.CheckSignatureFrom(iss); !errors.Is(err, ErrSignature) {
		t.Fatalf("a CRL with one signature bit flipped: %v, want ErrSignature", err)
	}
}
