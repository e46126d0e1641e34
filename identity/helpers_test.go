package identity_test

import (
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/asn1"
	"sync"
	"testing"
	"time"

	"github.com/shinsei-app/shinsei/identity"
	"github.com/shinsei-app/shinsei/sandbox/pki"
)

var (
	testPKIOnce sync.Once
	testPKI     *pki.PKI
	testPKIErr  error
)

// sandboxPKI returns the sandbox PKI shared by the tests of this package.
func sandboxPKI(t *testing.T) *pki.PKI {
	t.Helper()
	testPKIOnce.Do(func() { testPKI, testPKIErr = pki.New(time.Now()) })
	if testPKIErr != nil {
		t.Fatal(testPKIErr)
	}
	return testPKI
}

// resident issues a sandbox JPKI signature certificate for r and reads it.
func resident(t *testing.T, r pki.Resident) *identity.Person {
	t.Helper()
	cred, err := sandboxPKI(t).IssueResident(r, pki.ResidentOptions{})
	if err != nil {
		t.Fatal(err)
	}
	p, err := identity.FromJPKI(cred.Cert)
	if err != nil {
		t.Fatalf("FromJPKI: %v", err)
	}
	return p
}

// issueWith issues a certificate from the sandbox JPKI CA that carries
// extra extensions exactly as given, for shapes the sandbox does not make.
func issueWith(t *testing.T, exts ...pkix.Extension) *x509.Certificate {
	t.Helper()
	p := sandboxPKI(t)
	cred, err := p.JPKISign.Issue(&x509.Certificate{
		Subject:         pkix.Name{Country: []string{"JP"}, CommonName: "SANDBOX-SHAPE"},
		NotBefore:       p.Now.Add(-time.Hour),
		NotAfter:        p.Now.Add(time.Hour),
		KeyUsage:        x509.KeyUsageDigitalSignature,
		ExtraExtensions: exts,
	})
	if err != nil {
		t.Fatal(err)
	}
	return cred.Cert
}

// withExtensions is a certificate that holds only the given extensions,
// for DER that crypto/x509 itself would refuse to parse.
func withExtensions(exts ...pkix.Extension) *x509.Certificate {
	return &x509.Certificate{Extensions: exts}
}

var oidSAN = asn1.ObjectIdentifier{2, 5, 29, 17}

func mustMarshal(t *testing.T, v any) []byte {
	t.Helper()
	b, err := asn1.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// otherName encodes a GeneralName otherName [0] { oid, [0] EXPLICIT value }
// where value is a string of the given universal tag.
func otherName(t *testing.T, oid asn1.ObjectIdentifier, tag int, value []byte) asn1.RawValue {
	t.Helper()
	inner := mustMarshal(t, asn1.RawValue{Tag: tag, Bytes: value})
	explicit := mustMarshal(t, asn1.RawValue{Class: asn1.ClassContextSpecific, Tag: 0, IsCompound: true, Bytes: inner})
	return asn1.RawValue{Class: asn1.ClassContextSpecific, Tag: 0, IsCompound: true,
		Bytes: append(mustMarshal(t, oid), explicit...)}
}

func utf8Name(t *testing.T, oid asn1.ObjectIdentifier, value string) asn1.RawValue {
	return otherName(t, oid, asn1.TagUTF8String, []byte(value))
}

func sanExtension(t *testing.T, names ...asn1.RawValue) pkix.Extension {
	t.Helper()
	return pkix.Extension{Id: oidSAN, Value: mustMarshal(t, names)}
}

// sampleNames are the sandbox sample resident's attributes as otherNames.
func sampleNames(t *testing.T) []asn1.RawValue {
	return []asn1.RawValue{
		utf8Name(t, identity.OIDJPKIName, "高橋　花子"),
		utf8Name(t, identity.OIDJPKINameFlags, "10000"),
		utf8Name(t, identity.OIDJPKISex, "2"),
		utf8Name(t, identity.OIDJPKIBirthDate, "319850415"),
		utf8Name(t, identity.OIDJPKIAddress, "東京都千代田区霞が関二丁目１番２号"),
	}
}

// directoryString encodes a [n] EXPLICIT DirectoryString field of
// registeredCorporationInfo.
func directoryString(t *testing.T, n, tag int, value []byte) asn1.RawValue {
	t.Helper()
	return asn1.RawValue{Class: asn1.ClassContextSpecific, Tag: n, IsCompound: true,
		Bytes: mustMarshal(t, asn1.RawValue{Tag: tag, Bytes: value})}
}

func corporationInfo(t *testing.T, fields ...asn1.RawValue) pkix.Extension {
	t.Helper()
	return pkix.Extension{Id: identity.OIDRegisteredCorporationInfo, Value: mustMarshal(t, fields)}
}

func registrar(t *testing.T, value string) pkix.Extension {
	t.Helper()
	return pkix.Extension{Id: identity.OIDRegistrar, Critical: true,
		Value: mustMarshal(t, asn1.RawValue{Tag: asn1.TagUTF8String, Bytes: []byte(value)})}
}

func bmp(s string) []byte {
	var b []byte
	for _, r := range s {
		b = append(b, byte(r>>8), byte(r))
	}
	return b
}

func ucs4(s string) []byte {
	var b []byte
	for _, r := range s {
		b = append(b, byte(r>>24), byte(r>>16), byte(r>>8), byte(r))
	}
	return b
}
