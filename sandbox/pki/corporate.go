package pki

import (
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/asn1"
	"fmt"
	"time"

	"software.sslmate.com/src/go-pkcs12"

	"github.com/shinsei-app/shinsei/identity"
)

// Corporation is what a commercial-registry certificate says of a company.
type Corporation struct {
	Name                string // 商号
	Number              string // 会社法人等番号
	Address             string // 本店
	RepresentativeName  string
	RepresentativeTitle string
	RegistryOffice      string // 登記所
}

// SampleCorporation is the sandbox's default company.
func SampleCorporation() Corporation {
	return Corporation{
		Name:                "株式会社サンドボックス商事",
		Number:              "0100-01-999999",
		Address:             "東京都千代田区丸の内一丁目１番１号",
		RepresentativeName:  "佐藤　一郎",
		RepresentativeTitle: "代表取締役",
		RegistryOffice:      "東京法務局",
	}
}

// IssueCorporate issues a commercial-registry-like certificate for c,
// signed directly by the registrar, with the critical registrar extension
// and registeredCorporationInfo.
func (p *PKI) IssueCorporate(c Corporation) (*Credential, error) {
	registrar, err := asn1.Marshal(asn1.RawValue{Tag: asn1.TagUTF8String, Bytes: []byte(c.RegistryOffice)})
	if err != nil {
		return nil, fmt.Errorf("pki: encode registrar: %w", err)
	}
	var fields []asn1.RawValue
	for _, f := range []struct {
		tag   int
		value string
	}{
		{identity.TagCorporateName, c.Name},
		{identity.TagRegisteredNumber, c.Number},
		{identity.TagCorporateAddress, c.Address},
		{identity.TagRepresentativeName, c.RepresentativeName},
		{identity.TagRepresentativeTitle, c.RepresentativeTitle},
		{identity.TagRegistryOffice, c.RegistryOffice},
	} {
		if f.value == "" {
			continue
		}
		fields = append(fields, asn1.RawValue{Class: asn1.ClassContextSpecific, Tag: f.tag, IsCompound: true,
			Bytes: mustMarshal(asn1.RawValue{Tag: asn1.TagUTF8String, Bytes: []byte(f.value)})})
	}
	info, err := asn1.Marshal(fields)
	if err != nil {
		return nil, fmt.Errorf("pki: encode corporation info: %w", err)
	}
	tmpl := &x509.Certificate{
		Subject: pkix.Name{Country: []string{"JP"}, Organization: []string{"Sandbox Shoji K.K."},
			CommonName: c.RepresentativeName},
		NotBefore: p.Now.Add(-30 * 24 * time.Hour),
		NotAfter:  p.Now.Add(2 * 365 * 24 * time.Hour),
		KeyUsage:  x509.KeyUsageDigitalSignature | x509.KeyUsageContentCommitment,
		ExtraExtensions: []pkix.Extension{
			{Id: identity.OIDRegistrar, Critical: true, Value: registrar},
			{Id: identity.OIDRegisteredCorporationInfo, Value: info},
		},
	}
	return p.Registrar.Issue(tmpl)
}

// PKCS12 returns the credential as a password-protected PKCS#12 file (PBES2
// with AES, as current issuers deliver), chain included.
func (c *Credential) PKCS12(password string) ([]byte, error) {
	chain := append([]*x509.Certificate{}, c.Intermediates...)
	if c.Root != nil {
		chain = append(chain, c.Root)
	}
	der, err := pkcs12.Modern.WithRand(rand.Reader).Encode(c.Key, c.Cert, chain, password)
	if err != nil {
		return nil, fmt.Errorf("pki: encode PKCS#12: %w", err)
	}
	return der, nil
}
