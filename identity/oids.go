// Package identity reads who a certificate belongs to — the four basic
// attributes (name, date of birth, sex, address) of a JPKI signature
// certificate, or the registered attributes of a commercial-registry
// certificate — and compares them with the applicant block of a form.
//
// HolderOf reads whichever holder a certificate has. Matching
// (Holder.Match, MatchPerson, MatchCorporation) is strict about content and
// lenient about representation only: widths, spaces, hyphens, kanji
// numerals, old kanji forms, era dates and the certificate's substitute
// characters are normalised away, but nothing may be left out (not even
// the prefecture). Each field's result says which normalisations were
// needed and explains itself in Japanese or English.
//
// The values read and compared are personal data. Errors never contain
// them; Person, Corporation, Applicant, BirthDate and Result print and log
// (fmt, slog) without them; only JSON encoding and Explain show them, for
// the screen of the person they belong to. It never verifies a
// certificate; that is certcheck's.
package identity

import "encoding/asn1"

// Object identifiers of the JPKI four-attribute subjectAltName otherName
// values (1.2.392.200149.8.5.5.x).
var (
	OIDJPKIName         = asn1.ObjectIdentifier{1, 2, 392, 200149, 8, 5, 5, 1}
	OIDJPKINameFlags    = asn1.ObjectIdentifier{1, 2, 392, 200149, 8, 5, 5, 2}
	OIDJPKISex          = asn1.ObjectIdentifier{1, 2, 392, 200149, 8, 5, 5, 3}
	OIDJPKIBirthDate    = asn1.ObjectIdentifier{1, 2, 392, 200149, 8, 5, 5, 4}
	OIDJPKIAddress      = asn1.ObjectIdentifier{1, 2, 392, 200149, 8, 5, 5, 5}
	OIDJPKIAddressFlags = asn1.ObjectIdentifier{1, 2, 392, 200149, 8, 5, 5, 6}
)

// Object identifiers of the commercial-registry certificate extensions.
var (
	// OIDRegistrar is the critical extension naming the registry office
	// that issued the certificate (a DirectoryString).
	OIDRegistrar = asn1.ObjectIdentifier{1, 2, 392, 100300, 1, 1, 2}
	// OIDRegisteredCorporationInfo holds the registered corporate
	// attributes as context-tagged fields.
	OIDRegisteredCorporationInfo = asn1.ObjectIdentifier{1, 2, 392, 100300, 1, 1, 3}
)

// Context tags of the fields inside registeredCorporationInfo.
const (
	TagCorporateName       = 0
	TagRegisteredNumber    = 1
	TagCorporateAddress    = 2
	TagRepresentativeName  = 3
	TagRepresentativeTitle = 4
	TagRegistryOffice      = 6
)
