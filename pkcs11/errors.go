package pkcs11

import (
	"errors"
	"fmt"
	"strings"
)

// Errors of this package; see the package documentation for when each is
// returned.
var (
	// ErrModuleNotLoadable reports that a PKCS#11 module could not be loaded
	// or initialized.
	ErrModuleNotLoadable = errors.New("pkcs11: module not loadable")
	// ErrNotProvisionable reports that a Library's module cannot set
	// tokens up (it implements Module but not Provisioner).
	ErrNotProvisionable = errors.New("pkcs11: the module cannot provision tokens")
	// ErrNoToken reports that no token matches a Selector.
	ErrNoToken = errors.New("pkcs11: no matching token")
	// ErrAmbiguousToken is matched by *AmbiguousTokenError.
	ErrAmbiguousToken = errors.New("pkcs11: more than one token matches")
	// ErrNotLoggedIn reports an operation that needs Login first.
	ErrNotLoggedIn = errors.New("pkcs11: not logged in")
	// ErrPINIncorrect is matched by *PINError.
	ErrPINIncorrect = errors.New("pkcs11: incorrect PIN")
	// ErrPINLocked reports a locked PIN.
	ErrPINLocked = errors.New("pkcs11: PIN locked")
	// ErrPINFormat reports a PIN that does not have the required format.
	ErrPINFormat = errors.New("pkcs11: wrong PIN format")
	// ErrFinalTryNotConfirmed reports that one try was left and the user
	// did not confirm spending it.
	ErrFinalTryNotConfirmed = errors.New("pkcs11: one PIN try left and it was not confirmed")
	// ErrCardRemoved reports that the card or its reader went away.
	ErrCardRemoved = errors.New("pkcs11: card removed")
	// ErrKeyNotFound reports that the requested key is not on the token.
	ErrKeyNotFound = errors.New("pkcs11: key not found")
	// ErrNoCertificate reports a My Number card signature key without its
	// certificate, as on a card issued to a child under 15.
	ErrNoCertificate = errors.New("pkcs11: no signature certificate")
)

// PINError reports a PIN the token refused. It matches ErrPINIncorrect.
type PINError struct {
	// Status is the PIN status read from the token after the failure.
	Status PINStatus
	// Err is the PKCS#11 error, CKR_PIN_INCORRECT.
	Err error
}

// Error says the PIN was incorrect and, when the status shows it, that one
// try is left or that the PIN is now locked.
func (e *PINError) Error() string {
	switch {
	case e.Status.Locked:
		return "pkcs11: incorrect PIN; the PIN is now locked"
	case e.Status.FinalTry:
		return "pkcs11: incorrect PIN; one try left"
	}
	return "pkcs11: incorrect PIN"
}

// Unwrap returns ErrPINIncorrect and the PKCS#11 error.
func (e *PINError) Unwrap() []error { return []error{ErrPINIncorrect, e.Err} }

// AmbiguousTokenError reports that several tokens match a Selector. It
// matches ErrAmbiguousToken.
type AmbiguousTokenError struct {
	// Candidates are the matching tokens.
	Candidates []TokenInfo
}

// Error lists the candidates by label and serial.
func (e *AmbiguousTokenError) Error() string {
	names := make([]string, len(e.Candidates))
	for i, c := range e.Candidates {
		names[i] = fmt.Sprintf("%q (serial %s)", c.Label, c.Serial)
	}
	return fmt.Sprintf("pkcs11: %d tokens match, choose one by label or serial: %s",
		len(e.Candidates), strings.Join(names, ", "))
}

// Unwrap returns ErrAmbiguousToken.
func (e *AmbiguousTokenError) Unwrap() error { return ErrAmbiguousToken }
