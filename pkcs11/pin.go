package pkcs11

import (
	"context"
	"fmt"

	p11 "github.com/miekg/pkcs11"
)

// Token labels of a My Number card under OpenSC, which shows the card as
// one token per PIN.
const (
	JPKISignatureLabel = "JPKI (Digital Signature PIN)"
	JPKIAuthLabel      = "JPKI (User Authentication PIN)"
)

// jpkiSignatureKeyID is the CKA_ID of the "Digital Signature Key" and its
// certificate on a My Number card (01 is the authentication key).
var jpkiSignatureKeyID = []byte{0x02}

// PINStatus is what a token tells about its user PIN before one is entered.
// PKCS#11 exposes only three flags, so the number of tries left is known
// only on the final try and when the PIN is locked, unless a TriesReader
// reads it (WithTriesReader).
type PINStatus struct {
	// CountLow is set when a wrong PIN was entered since the last
	// successful login.
	CountLow bool
	// FinalTry is set when one more wrong PIN locks the PIN.
	FinalTry bool
	// Locked is set when the PIN is locked. A locked My Number card is
	// reset only at a municipal office.
	Locked bool
	// TriesLeft is 0 when locked, 1 on the final try, the exact count
	// when a TriesReader read it, and -1 (unknown) otherwise.
	TriesLeft int
}

func pinStatus(flags uint) PINStatus {
	s := PINStatus{
		CountLow:  flags&p11.CKF_USER_PIN_COUNT_LOW != 0,
		FinalTry:  flags&p11.CKF_USER_PIN_FINAL_TRY != 0,
		Locked:    flags&p11.CKF_USER_PIN_LOCKED != 0,
		TriesLeft: -1,
	}
	switch {
	case s.Locked:
		s.TriesLeft = 0
	case s.FinalTry:
		s.TriesLeft = 1
	}
	return s
}

// PINPolicy is the format a token's PIN must have. It is checked before any
// login, so a typo never spends a try.
type PINPolicy int

// PIN policies.
const (
	// PolicyGeneric accepts any non-empty PIN within the token's length
	// limits.
	PolicyGeneric PINPolicy = iota
	// PolicyJPKISignature is the My Number card signature password: 6 to 16
	// characters, letters A–Z and digits 0–9. Lower-case letters are
	// accepted and upper-cased before the login.
	PolicyJPKISignature
	// PolicyJPKIAuth is the My Number card user authentication PIN: 4
	// digits.
	PolicyJPKIAuth
)

// String names the policy, e.g. "JPKI signature password".
func (p PINPolicy) String() string {
	switch p {
	case PolicyJPKISignature:
		return "JPKI signature password"
	case PolicyJPKIAuth:
		return "JPKI user authentication PIN"
	}
	return "PIN"
}

func policyForLabel(label string) PINPolicy {
	switch label {
	case JPKISignatureLabel:
		return PolicyJPKISignature
	case JPKIAuthLabel:
		return PolicyJPKIAuth
	}
	return PolicyGeneric
}

// PINRequest is what a PINPrompt is told when a PIN is needed.
type PINRequest struct {
	// Token is the token label.
	Token string
	// Policy is the format the PIN must have.
	Policy PINPolicy
	// Status is the PIN status read just before the prompt.
	Status PINStatus
	// MinLen and MaxLen are the token's PIN length limits (used by
	// PolicyGeneric; 0 when the token does not say).
	MinLen, MaxLen int
}

// Check reports whether pin has the format the request's policy requires,
// without contacting the token, so a dialog can check a PIN before
// answering. The error wraps ErrPINFormat and says what is expected; it
// never contains the PIN.
func (r PINRequest) Check(pin []byte) error {
	var ok bool
	switch r.Policy {
	case PolicyJPKISignature:
		ok = len(pin) >= 6 && len(pin) <= 16 && every(pin, func(c byte) bool {
			c = upper(c)
			return 'A' <= c && c <= 'Z' || '0' <= c && c <= '9'
		})
	case PolicyJPKIAuth:
		ok = len(pin) == 4 && every(pin, func(c byte) bool { return '0' <= c && c <= '9' })
	default:
		ok = len(pin) > 0 && len(pin) >= r.MinLen && (r.MaxLen <= 0 || len(pin) <= r.MaxLen)
	}
	if !ok {
		return fmt.Errorf("%w: %s", ErrPINFormat, r.expected())
	}
	return nil
}

func (r PINRequest) expected() string {
	switch r.Policy {
	case PolicyJPKISignature:
		return "the signature password is 6 to 16 characters, letters A to Z and digits 0 to 9"
	case PolicyJPKIAuth:
		return "the user authentication PIN is 4 digits"
	}
	if r.MaxLen > 0 {
		return fmt.Sprintf("the PIN is %d to %d characters", max(1, r.MinLen), r.MaxLen)
	}
	return fmt.Sprintf("the PIN is at least %d characters", max(1, r.MinLen))
}

func every(b []byte, f func(byte) bool) bool {
	for _, c := range b {
		if !f(c) {
			return false
		}
	}
	return true
}

func upper(c byte) byte {
	if 'a' <= c && c <= 'z' {
		return c - 'a' + 'A'
	}
	return c
}

// PINAnswer is a PINPrompt's answer.
type PINAnswer struct {
	// PIN is the PIN as entered. Login zeroes it once used, whatever the
	// outcome.
	PIN []byte
	// ConfirmFinalTry confirms spending the last try when the request's
	// Status.FinalTry is set; without it Login fails with
	// ErrFinalTryNotConfirmed and does not log in.
	ConfirmFinalTry bool
}

// PINPrompt asks the user for a PIN. It is called at most once per Login.
// An error (for example the user cancelled) is returned by Login as is.
type PINPrompt func(ctx context.Context, req PINRequest) (PINAnswer, error)
