package identity

import (
	"errors"
	"fmt"
)

// Sentinel errors. FromJPKI and FromCorporate return them wrapped, most
// often inside an *AttributeError that names the field; test with
// errors.Is. No error of this package contains an attribute's value: the
// text names the field and the problem only, so it is safe to log.
var (
	// ErrNotJPKI means the certificate carries none of the JPKI
	// four-attribute subjectAltName otherName values: it is not a JPKI
	// signature certificate (it may be an authentication certificate,
	// which carries no personal data, or another kind altogether).
	ErrNotJPKI = errors.New("identity: not a JPKI signature certificate (no four-attribute subjectAltName values)")
	// ErrNotCorporate means the certificate carries neither of the
	// commercial-registry extensions.
	ErrNotCorporate = errors.New("identity: not a commercial-registry certificate (no registrar or registeredCorporationInfo extension)")
	// ErrMalformed means a DER structure or a string inside it cannot be
	// decoded (bad length, unexpected tag, invalid UTF-8, duplicate field).
	ErrMalformed = errors.New("malformed encoding")
	// ErrMissingAttribute means a required attribute is absent or empty.
	ErrMissingAttribute = errors.New("attribute missing")
	// ErrBadBirthDate means the date of birth is not EYYYYMMDD with a known
	// era digit, a real calendar date, and a date inside that era.
	ErrBadBirthDate = errors.New("date of birth is not a valid EYYYYMMDD value")
	// ErrBadSex means the sex code is not 1, 2, 3 or 9.
	ErrBadSex = errors.New("sex code is not 1, 2, 3 or 9")
	// ErrBadFlags means a substitute-character flag string holds
	// something other than digits.
	ErrBadFlags = errors.New("substitute-character flags are not digits")
	// ErrFlagsLength means a substitute-character flag string does not
	// have one digit per character of the value it describes.
	ErrFlagsLength = errors.New("substitute-character flags do not have one digit per character")
)

// AttributeError reports a problem with one attribute of a certificate.
// Field is a machine-readable name such as "name", "birth_date",
// "name_flags", "subject_alt_name", "corporate_name" or
// "registered_corporation_info". Err is one of the sentinel errors above.
type AttributeError struct {
	Field string
	Err   error
}

// Error names the field and the problem, never the value.
func (e *AttributeError) Error() string {
	return fmt.Sprintf("identity: certificate attribute %s: %v", e.Field, e.Err)
}

// Unwrap returns the sentinel error.
func (e *AttributeError) Unwrap() error { return e.Err }

func attrErr(field string, err error) error { return &AttributeError{Field: field, Err: err} }
