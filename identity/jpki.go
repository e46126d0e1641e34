package identity

import (
	"crypto/x509"
	"encoding/asn1"
	"fmt"
	"io"
	"log/slog"
	"slices"
	"unicode/utf8"

	"golang.org/x/crypto/cryptobyte"
	cbasn1 "golang.org/x/crypto/cryptobyte/asn1"
)

// Sex is the sex code of a JPKI signature certificate.
type Sex int

// The sex codes. The register records 1 and 2; 3 and 9 are accepted as
// "other" and "not stated" and match each other.
const (
	SexMale      Sex = 1
	SexFemale    Sex = 2
	SexOther     Sex = 3
	SexNotStated Sex = 9
)

// Code returns the digit the certificate holds ("1", "2", "3", "9").
func (s Sex) Code() string { return fmt.Sprintf("%d", int(s)) }

// Valid reports whether s is one of the four codes.
func (s Sex) Valid() bool {
	switch s {
	case SexMale, SexFemale, SexOther, SexNotStated:
		return true
	}
	return false
}

// category merges 3 and 9.
func (s Sex) category() Sex {
	if s == SexNotStated {
		return SexOther
	}
	return s
}

// Person is what a JPKI signature certificate says of its holder.
//
// Formatting a Person with fmt (any verb) or logging it with slog prints a
// placeholder, never the personal data, so that a Person cannot reach a log
// by accident; read the fields to display them to their owner. JSON
// encoding is not redacted.
type Person struct {
	// Name is the family and given name separated by U+3000, exactly as in
	// the certificate.
	Name string
	// NameFlags has one entry per character of Name (runes, the U+3000
	// included): true where the card holds a substitute character (代替文字).
	// It is all false when the certificate carries no flags.
	NameFlags []bool
	Sex       Sex
	BirthDate BirthDate
	// Address starts with the prefecture, exactly as in the certificate
	// (full-width digits and hyphens are common).
	Address      string
	AddressFlags []bool
	// Raw holds the six attribute strings exactly as encoded.
	Raw RawAttributes
}

// RawAttributes are the JPKI attribute strings exactly as encoded; the flag
// strings are empty when the certificate omits them.
type RawAttributes struct {
	Name, NameFlags, Sex, BirthDate, Address, AddressFlags string
}

// Format prints a placeholder: see Person.
func (p Person) Format(f fmt.State, _ rune) { _, _ = io.WriteString(f, "identity.Person{redacted}") }

// LogValue logs a placeholder, for slog handlers that would otherwise
// encode the fields (the JSON handler ignores Format).
func (p Person) LogValue() slog.Value { return slog.StringValue("identity.Person{redacted}") }

// HasSubstitutes reports whether the name or the address holds a
// substitute character.
func (p *Person) HasSubstitutes() bool {
	return slices.Contains(p.NameFlags, true) || slices.Contains(p.AddressFlags, true)
}

var oidSubjectAltName = asn1.ObjectIdentifier{2, 5, 29, 17}

// FromJPKI reads the four attributes of a JPKI signature certificate from
// its subjectAltName otherName values (1.2.392.200149.8.5.5.1–6), in any
// order; other GeneralNames are ignored. Each value is a UTF8String inside
// [0] EXPLICIT, or an OCTET STRING holding UTF-8.
//
// Errors: ErrNotJPKI when the certificate has none of the six values (an
// authentication certificate, for instance); otherwise an *AttributeError
// wrapping ErrMalformed (bad DER, wrong string type, invalid UTF-8, a value
// given twice), ErrMissingAttribute (name, sex, date of birth or address
// absent or empty), ErrBadBirthDate, ErrBadSex, ErrBadFlags or
// ErrFlagsLength. Error texts never contain attribute values.
//
// FromJPKI does not verify the certificate; that is certcheck's job.
func FromJPKI(cert *x509.Certificate) (*Person, error) {
	for _, ext := range cert.Extensions {
		if ext.Id.Equal(oidSubjectAltName) {
			return personFromSAN(ext.Value)
		}
	}
	return nil, ErrNotJPKI
}

// personFromSAN reads a Person from the DER of a subjectAltName extension.
func personFromSAN(der []byte) (*Person, error) {
	raw, found, err := parseJPKISAN(der)
	if err != nil {
		return nil, err
	}
	if !found {
		return nil, ErrNotJPKI
	}
	return personFromRaw(raw)
}

var jpkiFields = []struct {
	oid   asn1.ObjectIdentifier
	field string
	get   func(*RawAttributes) *string
}{
	{OIDJPKIName, "name", func(r *RawAttributes) *string { return &r.Name }},
	{OIDJPKINameFlags, "name_flags", func(r *RawAttributes) *string { return &r.NameFlags }},
	{OIDJPKISex, "sex", func(r *RawAttributes) *string { return &r.Sex }},
	{OIDJPKIBirthDate, "birth_date", func(r *RawAttributes) *string { return &r.BirthDate }},
	{OIDJPKIAddress, "address", func(r *RawAttributes) *string { return &r.Address }},
	{OIDJPKIAddressFlags, "address_flags", func(r *RawAttributes) *string { return &r.AddressFlags }},
}

// parseJPKISAN walks GeneralNames and collects the JPKI otherName values.
// found reports whether any of them was present.
func parseJPKISAN(der []byte) (raw RawAttributes, found bool, err error) {
	malformed := attrErr("subject_alt_name", ErrMalformed)
	in := cryptobyte.String(der)
	var names cryptobyte.String
	if !in.ReadASN1(&names, cbasn1.SEQUENCE) || !in.Empty() {
		return raw, false, malformed
	}
	seen := make(map[string]bool)
	for !names.Empty() {
		var gn cryptobyte.String
		var tag cbasn1.Tag
		if !names.ReadAnyASN1(&gn, &tag) {
			return raw, false, malformed
		}
		if tag != cbasn1.Tag(0).Constructed().ContextSpecific() {
			continue // dNSName, rfc822Name, directoryName, …: not ours
		}
		var oid asn1.ObjectIdentifier
		var value cryptobyte.String
		if !gn.ReadASN1ObjectIdentifier(&oid) || !gn.ReadASN1(&value, cbasn1.Tag(0).Constructed().ContextSpecific()) || !gn.Empty() {
			return raw, false, malformed
		}
		for _, f := range jpkiFields {
			if !oid.Equal(f.oid) {
				continue
			}
			found = true
			if seen[f.field] {
				return raw, true, attrErr(f.field, ErrMalformed)
			}
			seen[f.field] = true
			s, ok := readUTF8Value(value)
			if !ok {
				return raw, true, attrErr(f.field, ErrMalformed)
			}
			*f.get(&raw) = s
		}
	}
	return raw, found, nil
}

// readUTF8Value reads the content of [0] EXPLICIT: one UTF8String or OCTET
// STRING holding valid UTF-8, and nothing after it.
func readUTF8Value(v cryptobyte.String) (string, bool) {
	var s cryptobyte.String
	var tag cbasn1.Tag
	if !v.ReadAnyASN1(&s, &tag) || !v.Empty() {
		return "", false
	}
	if tag != cbasn1.UTF8String && tag != cbasn1.OCTET_STRING {
		return "", false
	}
	if !utf8.Valid(s) {
		return "", false
	}
	return string(s), true
}

func personFromRaw(raw RawAttributes) (*Person, error) {
	p := &Person{Name: raw.Name, Address: raw.Address, Raw: raw}
	for _, req := range []struct{ field, value string }{
		{"name", raw.Name}, {"sex", raw.Sex}, {"birth_date", raw.BirthDate}, {"address", raw.Address},
	} {
		if req.value == "" {
			return nil, attrErr(req.field, ErrMissingAttribute)
		}
	}
	var err error
	if p.NameFlags, err = parseFlags(raw.NameFlags, raw.Name); err != nil {
		return nil, attrErr("name_flags", err)
	}
	if p.AddressFlags, err = parseFlags(raw.AddressFlags, raw.Address); err != nil {
		return nil, attrErr("address_flags", err)
	}
	switch raw.Sex {
	case "1", "2", "3", "9":
		p.Sex = Sex(raw.Sex[0] - '0')
	default:
		return nil, attrErr("sex", ErrBadSex)
	}
	if p.BirthDate, err = parseBirthDate(raw.BirthDate); err != nil {
		return nil, attrErr("birth_date", err)
	}
	return p, nil
}

// parseFlags reads a substitute-character flag string: one digit per
// character of value, 0 for an ordinary character and any other digit for
// a substitute. An empty string means no substitutes.
func parseFlags(flags, value string) ([]bool, error) {
	n := utf8.RuneCountInString(value)
	out := make([]bool, n)
	if flags == "" {
		return out, nil
	}
	for i := 0; i < len(flags); i++ {
		if flags[i] < '0' || flags[i] > '9' {
			return nil, ErrBadFlags
		}
	}
	if len(flags) != n {
		return nil, ErrFlagsLength
	}
	for i := range out {
		out[i] = flags[i] != '0'
	}
	return out, nil
}
