package identity

import (
	"crypto/x509"
	"fmt"
	"io"
	"log/slog"
	"strings"
	"unicode/utf16"
	"unicode/utf8"

	"golang.org/x/crypto/cryptobyte"
	cbasn1 "golang.org/x/crypto/cryptobyte/asn1"
)

// Corporation is what a commercial-registry certificate (商業登記電子証明書)
// says of a company and its representative. Empty fields were absent.
//
// Formatting a Corporation with fmt or logging it with slog prints a
// placeholder (the representative's name is personal data); read the fields
// to display them.
type Corporation struct {
	Name                string // 商号, [0]
	Number              string // 会社法人等番号, [1], as encoded (often 0100-01-123456)
	Address             string // 本店, [2]
	RepresentativeName  string // 代表者の氏名, [3]
	RepresentativeTitle string // 代表者の資格, [4]
	RegistryOffice      string // 登記所, [6]
	// Registrar is the critical registrar extension (1.2.392.100300.1.1.2).
	Registrar string
}

// Format prints a placeholder: see Corporation.
func (c Corporation) Format(f fmt.State, _ rune) {
	_, _ = io.WriteString(f, "identity.Corporation{redacted}")
}

// LogValue logs a placeholder: see Corporation.
func (c Corporation) LogValue() slog.Value { return slog.StringValue("identity.Corporation{redacted}") }

// FromCorporate reads the registrar extension and registeredCorporationInfo
// (a SEQUENCE of [n] EXPLICIT DirectoryString) of a commercial-registry
// certificate. Every DirectoryString type is accepted: UTF8String,
// PrintableString, BMPString (UTF-16BE), UniversalString (UTF-32BE) and
// TeletexString (read as Latin-1). Unknown context tags are ignored.
//
// Errors: ErrNotCorporate when neither extension is present; otherwise an
// *AttributeError wrapping ErrMalformed (field "registrar",
// "registered_corporation_info" or the field inside it, such as
// "corporate_name") or ErrMissingAttribute (registeredCorporationInfo
// absent, or without a corporate name). Error texts never contain values.
//
// FromCorporate does not verify the certificate.
func FromCorporate(cert *x509.Certificate) (*Corporation, error) {
	var registrar, info []byte
	var hasRegistrar, hasInfo bool
	for _, ext := range cert.Extensions {
		switch {
		case ext.Id.Equal(OIDRegistrar):
			registrar, hasRegistrar = ext.Value, true
		case ext.Id.Equal(OIDRegisteredCorporationInfo):
			info, hasInfo = ext.Value, true
		}
	}
	if !hasRegistrar && !hasInfo {
		return nil, ErrNotCorporate
	}
	c := &Corporation{}
	if hasRegistrar {
		in := cryptobyte.String(registrar)
		s, ok := readDirectoryString(&in)
		if !ok || !in.Empty() {
			return nil, attrErr("registrar", ErrMalformed)
		}
		c.Registrar = s
	}
	if !hasInfo {
		return nil, attrErr("registered_corporation_info", ErrMissingAttribute)
	}
	if err := parseCorporationInfo(info, c); err != nil {
		return nil, err
	}
	if c.Name == "" {
		return nil, attrErr("corporate_name", ErrMissingAttribute)
	}
	return c, nil
}

var corporateFields = map[int]struct {
	field string
	get   func(*Corporation) *string
}{
	TagCorporateName:       {"corporate_name", func(c *Corporation) *string { return &c.Name }},
	TagRegisteredNumber:    {"corporate_number", func(c *Corporation) *string { return &c.Number }},
	TagCorporateAddress:    {"corporate_address", func(c *Corporation) *string { return &c.Address }},
	TagRepresentativeName:  {"representative_name", func(c *Corporation) *string { return &c.RepresentativeName }},
	TagRepresentativeTitle: {"representative_title", func(c *Corporation) *string { return &c.RepresentativeTitle }},
	TagRegistryOffice:      {"registry_office", func(c *Corporation) *string { return &c.RegistryOffice }},
}

func parseCorporationInfo(der []byte, c *Corporation) error {
	malformed := attrErr("registered_corporation_info", ErrMalformed)
	in := cryptobyte.String(der)
	var seq cryptobyte.String
	if !in.ReadASN1(&seq, cbasn1.SEQUENCE) || !in.Empty() {
		return malformed
	}
	seen := make(map[int]bool)
	for !seq.Empty() {
		var field cryptobyte.String
		var tag cbasn1.Tag
		if !seq.ReadAnyASN1(&field, &tag) {
			return malformed
		}
		const classMask = 0xc0
		if tag&classMask != cbasn1.Tag(0).ContextSpecific() || tag&0x20 == 0 {
			return malformed
		}
		n := int(tag &^ (classMask | 0x20))
		f, known := corporateFields[n]
		if !known {
			continue
		}
		if seen[n] {
			return attrErr(f.field, ErrMalformed)
		}
		seen[n] = true
		s, ok := readDirectoryString(&field)
		if !ok || !field.Empty() {
			return attrErr(f.field, ErrMalformed)
		}
		*f.get(c) = s
	}
	return nil
}

// ASN.1 universal tags of the DirectoryString choices not named in cryptobyte.
const (
	tagTeletexString   = cbasn1.Tag(20)
	tagUniversalString = cbasn1.Tag(28)
	tagBMPString       = cbasn1.Tag(30)
)

// readDirectoryString reads one DirectoryString from in.
func readDirectoryString(in *cryptobyte.String) (string, bool) {
	var s cryptobyte.String
	var tag cbasn1.Tag
	if !in.ReadAnyASN1(&s, &tag) {
		return "", false
	}
	switch tag {
	case cbasn1.UTF8String:
		if !utf8.Valid(s) {
			return "", false
		}
		return string(s), true
	case cbasn1.PrintableString:
		for _, b := range s {
			if !isPrintable(b) {
				return "", false
			}
		}
		return string(s), true
	case tagTeletexString:
		var b strings.Builder
		for _, c := range s {
			b.WriteRune(rune(c)) // Latin-1, as every decoder in practice does
		}
		return b.String(), true
	case tagBMPString:
		if len(s)%2 != 0 {
			return "", false
		}
		u := make([]uint16, len(s)/2)
		for i := range u {
			u[i] = uint16(s[2*i])<<8 | uint16(s[2*i+1])
		}
		for _, c := range u {
			if utf16.IsSurrogate(rune(c)) {
				return "", false // BMPString holds the BMP only
			}
		}
		return string(utf16.Decode(u)), true
	case tagUniversalString:
		if len(s)%4 != 0 {
			return "", false
		}
		var b strings.Builder
		for i := 0; i < len(s); i += 4 {
			r := rune(uint32(s[i])<<24 | uint32(s[i+1])<<16 | uint32(s[i+2])<<8 | uint32(s[i+3]))
			if !utf8.ValidRune(r) {
				return "", false
			}
			b.WriteRune(r)
		}
		return b.String(), true
	}
	return "", false
}

// isPrintable reports the PrintableString repertoire (X.680 §41.4), plus
// the * and & that some issuers use anyway (Go's crypto/x509 accepts them too).
func isPrintable(b byte) bool {
	return 'a' <= b && b <= 'z' || 'A' <= b && b <= 'Z' || '0' <= b && b <= '9' ||
		strings.IndexByte(" '()+,-./:=?*&", b) >= 0
}
