// Package identity reads who a certificate belongs to — the four basic
// attributes (name, date of birth, sex, address) of a JPKI signature
// certificate, or the registered attributes of a commercial-registry
// certificate — and compares them with the applicant block of a form.
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
