package pkcs11

import (
	"crypto/x509"
	"fmt"
)

// ModuleInfo describes a loaded PKCS#11 module.
type ModuleInfo struct {
	Manufacturer string
	Description  string
	// Version is the module's version, e.g. "2.6".
	Version string
}

// TokenInfo describes a token.
type TokenInfo struct {
	Label        string
	Serial       string
	Manufacturer string
	Model        string
	// Reader is the description of the slot, usually the card reader.
	Reader string
	// Policy is the PIN format. It is detected from the label — a My Number
	// card shows as a PolicyJPKISignature and a PolicyJPKIAuth token — and
	// can be overridden with WithPINPolicy.
	Policy PINPolicy
	// PIN is the user PIN status.
	PIN PINStatus
	// MinPINLen and MaxPINLen are the token's PIN length limits.
	MinPINLen, MaxPINLen int
}

// Selector chooses a token by label, serial or both. Empty fields match
// any token.
type Selector struct {
	Label  string
	Serial string
}

func (s Selector) matches(t TokenInfo) bool {
	return (s.Label == "" || s.Label == t.Label) && (s.Serial == "" || s.Serial == t.Serial)
}

// String describes the selector, e.g. `label "JPKI (Digital Signature PIN)"`.
func (s Selector) String() string {
	switch {
	case s.Label != "" && s.Serial != "":
		return fmt.Sprintf("label %q and serial %q", s.Label, s.Serial)
	case s.Label != "":
		return fmt.Sprintf("label %q", s.Label)
	case s.Serial != "":
		return fmt.Sprintf("serial %q", s.Serial)
	}
	return "any token"
}

// KeyInfo describes a private key on a token.
type KeyInfo struct {
	// ID is the key's CKA_ID, shared with its certificate.
	ID    []byte
	Label string
	// Algorithm is x509.RSA, x509.ECDSA or x509.UnknownPublicKeyAlgorithm.
	Algorithm x509.PublicKeyAlgorithm
	// AlwaysAuthenticate is set when the key needs a context-specific login
	// for every signature (the My Number card signature key).
	AlwaysAuthenticate bool
	// Certificate is the readable certificate with the same CKA_ID, or nil.
	Certificate *x509.Certificate
}

// Certificate is an X.509 certificate object on a token.
type Certificate struct {
	// ID is the certificate's CKA_ID; a key's certificate has the key's ID.
	ID    []byte
	Label string
	Cert  *x509.Certificate
}
