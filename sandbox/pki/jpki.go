package pki

import (
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/asn1"
	"encoding/hex"
	"fmt"
	"time"

	"github.com/shinsei-app/shinsei/identity"
)

// Resident is the personal data a JPKI signature certificate carries. The
// values are written into the certificate exactly as given.
type Resident struct {
	// Name is the family and given name separated by U+3000.
	Name string
	// NameFlags has one digit per character of Name: 1 where the card
	// holds a substitute character (代替文字). Empty means none.
	NameFlags string
	// Sex is "1" (male), "2" (female), or "3"/"9" (other / not stated).
	Sex string
	// BirthDate is EYYYYMMDD: an era digit (1 Meiji … 5 Reiwa) then the
	// Gregorian date.
	BirthDate string
	// Address starts with the prefecture; full-width digits are allowed.
	Address      string
	AddressFlags string
}

// SampleResident is the sandbox's default applicant. Her family name is
// written 髙橋 in the register; 髙 is outside JIS X 0208, so the card holds
// the substitute 高 and flags it.
func SampleResident() Resident {
	return Resident{
		Name:      "高橋　花子",
		NameFlags: "10000",
		Sex:       "2",
		BirthDate: "319850415",
		Address:   "東京都千代田区霞が関二丁目１番２号",
	}
}

// ResidentOptions vary how a resident certificate is issued.
type ResidentOptions struct {
	// OldGeneration issues under the previous (expired) root generation.
	OldGeneration bool
	// NotBefore and NotAfter override the default validity (issued a year
	// ago, valid for four more years).
	NotBefore, NotAfter time.Time
	// OctetStrings encodes the attributes as OCTET STRING instead of
	// UTF8String, as some issuers did.
	OctetStrings bool
}

// IssueResident issues a JPKI-like signature certificate for r: RSA-2048,
// sha256WithRSAEncryption, keyUsage digitalSignature+nonRepudiation
// (critical), the four attributes as subjectAltName otherName values, and a
// CRL distribution point that is a directory name only.
func (p *PKI) IssueResident(r Resident, opts ResidentOptions) (*Credential, error) {
	ca := p.JPKISign
	if opts.OldGeneration {
		ca = p.JPKISignOld
	}
	notBefore, notAfter := opts.NotBefore, opts.NotAfter
	if notBefore.IsZero() {
		notBefore = minTime(p.Now.Add(-365*24*time.Hour), ca.Cert.NotAfter.Add(-365*24*time.Hour))
	}
	if notAfter.IsZero() {
		notAfter = minTime(p.Now.Add(4*365*24*time.Hour), ca.Cert.NotAfter)
	}
	san, err := residentSAN(r, opts.OctetStrings)
	if err != nil {
		return nil, err
	}
	crldp, err := directoryNameCRLDP(pkix.Name{Country: []string{"JP"}, Organization: []string{"JPKI Sandbox"},
		OrganizationalUnit: []string{"JPKI for digital signature", "CRL Distribution Points"}, CommonName: "Sign CRLDP01"})
	if err != nil {
		return nil, err
	}
	id := make([]byte, 11)
	if _, err := rand.Read(id); err != nil {
		return nil, fmt.Errorf("pki: identifier: %w", err)
	}
	tmpl := &x509.Certificate{
		Subject: pkix.Name{Country: []string{"JP"}, Locality: []string{"Tokyo-to", "Chiyoda-ku"},
			CommonName: "SANDBOX-" + hex.EncodeToString(id)},
		NotBefore:       notBefore,
		NotAfter:        notAfter,
		KeyUsage:        x509.KeyUsageDigitalSignature | x509.KeyUsageContentCommitment,
		ExtraExtensions: []pkix.Extension{san, crldp},
	}
	return ca.Issue(tmpl)
}

func minTime(a, b time.Time) time.Time {
	if a.Before(b) {
		return a
	}
	return b
}

// residentSAN encodes the four attributes as subjectAltName otherName values.
func residentSAN(r Resident, octets bool) (pkix.Extension, error) {
	attrs := []struct {
		oid   asn1.ObjectIdentifier
		value string
	}{
		{identity.OIDJPKIName, r.Name},
		{identity.OIDJPKINameFlags, r.NameFlags},
		{identity.OIDJPKISex, r.Sex},
		{identity.OIDJPKIBirthDate, r.BirthDate},
		{identity.OIDJPKIAddress, r.Address},
		{identity.OIDJPKIAddressFlags, r.AddressFlags},
	}
	var names []asn1.RawValue
	for _, a := range attrs {
		if a.value == "" {
			continue
		}
		tag := asn1.TagUTF8String
		if octets {
			tag = asn1.TagOctetString
		}
		value := asn1.RawValue{Class: asn1.ClassContextSpecific, Tag: 0, IsCompound: true,
			Bytes: mustMarshal(asn1.RawValue{Tag: tag, Bytes: []byte(a.value)})}
		inner := append(mustMarshal(a.oid), mustMarshal(value)...)
		names = append(names, asn1.RawValue{Class: asn1.ClassContextSpecific, Tag: 0, IsCompound: true, Bytes: inner})
	}
	der, err := asn1.Marshal(names)
	if err != nil {
		return pkix.Extension{}, fmt.Errorf("pki: encode subjectAltName: %w", err)
	}
	return pkix.Extension{Id: asn1.ObjectIdentifier{2, 5, 29, 17}, Value: der}, nil
}
