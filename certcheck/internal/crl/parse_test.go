package crl

import (
	"bytes"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/asn1"
	"math/big"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"golang.org/x/crypto/cryptobyte"
	cbasn1 "golang.org/x/crypto/cryptobyte/asn1"
)

// testPKITSDir is the PKITS data directory, or "" when absent
// (certcheck's pkits_test.go explains where to get it).
func testPKITSDir() string {
	dir := os.Getenv("SHINSEI_PKITS_DIR")
	if dir == "" {
		dir = filepath.Join("..", "..", "..", "..", "shared", "pkits") // ../shared/pkits from the repository root
	}
	if _, err := os.Stat(filepath.Join(dir, "crls")); err != nil {
		return ""
	}
	return dir
}

var (
	testCAOnce sync.Once
	testCA     *x509.Certificate
	testCAKey  *rsa.PrivateKey
)

// testIssuer is a throwaway RSA CA for generated CRLs.
func testIssuer(t testing.TB) (*x509.Certificate, *rsa.PrivateKey) {
	t.Helper()
	testCAOnce.Do(func() {
		key, err := rsa.GenerateKey(rand.Reader, 2048)
		if err != nil {
			panic(err)
		}
		tmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "CRL parse test CA", Organization: []string{"Shinsei"}},
			NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(24 * time.Hour), IsCA: true, BasicConstraintsValid: true,
			KeyUsage: x509.KeyUsageCertSign | x509.KeyUsageCRLSign}
		der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
		if err != nil {
			panic(err)
		}
		if testCA, err = x509.ParseCertificate(der); err != nil {
			panic(err)
		}
		testCAKey = key
	})
	return testCA, testCAKey
}

// generatedCRLs are CRLs made with crypto/x509 exercising what the scanner
// reads: reasons, invalidity dates, negative, long and one-byte serials,
// no entries, a delta.
func generatedCRLs(t testing.TB) [][]byte {
	ca, key := testIssuer(t)
	now := time.Now().UTC().Truncate(time.Second)
	long, _ := new(big.Int).SetString("7fffffffffffffffffffffffffffffffffffffffffff", 16)
	mk := func(rl *x509.RevocationList) []byte {
		der, err := x509.CreateRevocationList(rand.Reader, rl, ca, key)
		if err != nil {
			t.Fatal(err)
		}
		return der
	}
	invalidity, _ := asn1.MarshalWithParams(now.Add(-48*time.Hour), "generalized")
	var entries []x509.RevocationListEntry
	for i, s := range []*big.Int{big.NewInt(1), big.NewInt(-5), big.NewInt(128), long, big.NewInt(0)} {
		e := x509.RevocationListEntry{SerialNumber: s, RevocationTime: now.Add(-time.Duration(i) * time.Hour), ReasonCode: []int{0, 1, 6, 9, 10}[i]}
		if i == 1 {
			e.ExtraExtensions = []pkix.Extension{{Id: asn1.ObjectIdentifier{2, 5, 29, 24}, Value: invalidity}}
		}
		entries = append(entries, e)
	}
	deltaIndicator, _ := asn1.Marshal(big.NewInt(3))
	return [][]byte{
		mk(&x509.RevocationList{Number: big.NewInt(7), ThisUpdate: now, NextUpdate: now.Add(time.Hour), RevokedCertificateEntries: entries}),
		mk(&x509.RevocationList{Number: big.NewInt(8), ThisUpdate: now, NextUpdate: now.Add(time.Hour)}),
		mk(&x509.RevocationList{Number: big.NewInt(9), ThisUpdate: now, NextUpdate: now.Add(time.Hour), RevokedCertificateEntries: entries[:2],
			ExtraExtensions: []pkix.Extension{{Id: asn1.ObjectIdentifier{2, 5, 29, 27}, Critical: true, Value: deltaIndicator}}}),
	}
}

// serialContent is the DER content of an INTEGER.
func serialContent(n *big.Int) []byte {
	var b cryptobyte.Builder
	b.AddASN1BigInt(n)
	der, _ := b.Bytes()
	s := cryptobyte.String(der)
	var out cryptobyte.String
	s.ReadASN1(&out, cbasn1.INTEGER)
	return out
}

// TestParseCRLAgreesWithCryptoX509 compares the scanner with
// x509.ParseRevocationList on every PKITS CRL and the generated ones:
// header fields, entry count, and each entry's lookup.
func TestParseCRLAgreesWithCryptoX509(t *testing.T) {
	inputs := map[string][]byte{}
	for i, der := range generatedCRLs(t) {
		inputs["generated-"+string(rune('a'+i))] = der
	}
	if dir := testPKITSDir(); dir != "" {
		files, _ := filepath.Glob(filepath.Join(dir, "crls", "*.crl"))
		for _, f := range files {
			der, err := os.ReadFile(f)
			if err != nil {
				t.Fatal(err)
			}
			inputs[filepath.Base(f)] = der
		}
	}
	for name, der := range inputs {
		rl, xerr := x509.ParseRevocationList(der)
		c, err := Parse(der)
		if (xerr == nil) != (err == nil) {
			// crypto/x509 accepts a DSA CRL's parameters we do not need; any
			// other disagreement is a bug.
			if !strings.HasPrefix(name, "DSA") {
				t.Errorf("%s: crypto/x509 error %v, ours %v", name, xerr, err)
			}
			continue
		}
		if err != nil {
			continue
		}
		switch {
		case !bytes.Equal(c.RawIssuer, rl.RawIssuer):
			t.Errorf("%s: issuer differs", name)
		case !c.ThisUpdate.Equal(rl.ThisUpdate) || !c.NextUpdate.Equal(rl.NextUpdate):
			t.Errorf("%s: dates %v %v, crypto/x509 %v %v", name, c.ThisUpdate, c.NextUpdate, rl.ThisUpdate, rl.NextUpdate)
		case (c.Number == nil) != (rl.Number == nil) || c.Number != nil && c.Number.Cmp(rl.Number) != 0:
			t.Errorf("%s: number %v, crypto/x509 %v", name, c.Number, rl.Number)
		case c.Len() != len(rl.RevokedCertificateEntries):
			t.Errorf("%s: %d entries, crypto/x509 %d", name, c.Len(), len(rl.RevokedCertificateEntries))
		}
		issuer := c.issuerKey
		for i, e := range rl.RevokedCertificateEntries {
			for _, ext := range e.Extensions {
				if ext.Id.Equal(asn1.ObjectIdentifier{2, 5, 29, 29}) {
					s := cryptobyte.String(ext.Value)
					var names cryptobyte.String
					s.ReadASN1(&names, cbasn1.SEQUENCE)
					keys, _ := generalNameKeys(names)
					issuer = strings.TrimPrefix(keys[0], "dn:")
				}
			}
			got, found, err := c.LookupSerial(serialContent(e.SerialNumber), issuer)
			if err != nil || !found {
				t.Errorf("%s: entry %d not found (%v)", name, i, err)
				continue
			}
			if !got.RevokedAt.Equal(e.RevocationTime) || int(got.Reason) != e.ReasonCode {
				t.Errorf("%s: entry %d: %v %v, crypto/x509 %v %v", name, i, got.RevokedAt, got.Reason, e.RevocationTime, e.ReasonCode)
			}
		}
		if _, found, _ := c.LookupSerial([]byte{0x7f, 0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x08}, issuer); found {
			t.Errorf("%s: a serial not on the list was found", name)
		}
	}
}

func TestParseCRLRejectsMalformedInput(t *testing.T) {
	good := generatedCRLs(t)[0]
	tests := []struct {
		name string
		der  []byte
	}{
		{"empty input is not a CRL", nil},
		{"a truncated CRL is malformed", good[:len(good)-10]},
		{"trailing bytes after the CRL are refused", append(append([]byte(nil), good...), 0)},
		{"text is not a CRL", []byte("-----BEGIN X509 CRL-----")},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if _, err := Parse(tt.der); err == nil {
				t.Fatal("accepted")
			}
		})
	}
}

func TestCheckSignatureFrom(t *testing.T) {
	ca, _ := testIssuer(t)
	der := generatedCRLs(t)[0]
	c, err := Parse(der)
	if err != nil {
		t.Fatal(err)
	}
	if err := c.CheckSignatureFrom(ca); err != nil {
		t.Fatalf("a CRL signed by its CA: %v", err)
	}
	noCRLSign := *ca
	noCRLSign.KeyUsage = x509.KeyUsageCertSign
	if err := c.CheckSignatureFrom(&noCRLSign); err == nil || !strings.Contains(err.Error(), "cRLSign") {
		t.Fatalf("a signer without cRLSign: %v", err)
	}
	bad := append([]byte(nil), der...)
	bad[len(bad)-3] ^= 0x40
	c2, err := Parse(bad)
	if err != nil {
		t.Fatal(err)
	}
	if err := c2.CheckSignatureFrom(ca); err == nil {
		t.Fatal("a flipped signature bit verified")
	}
}
