package pkcs11

import "context"

// TriesReader reads the exact number of tries a token's user PIN has left,
// without spending one. PKCS#11 tells only "count low", "final try" and
// "locked"; a My Number card tells the count itself (package
// github.com/shinsei-app/shinsei/pcsc reads it through PC/SC).
//
// Set one with WithTriesReader. A Token asks it each time it reads the PIN
// status — when opened, by Status, before the PIN prompt and after a
// refused PIN — and combines its answer with the flags, the more cautious
// of the two winning.
type TriesReader interface {
	// TriesLeft returns the tries left of tok's user PIN, 0 when it is
	// locked. It must never spend a try. Any error means the count is
	// unknown, and the Token relies on the PKCS#11 flags alone.
	TriesLeft(ctx context.Context, tok TokenInfo) (int, error)
}

// MaxTries is the number of tries a new PIN of the policy has: 5 for the
// JPKI signature password, 3 for the JPKI user authentication PIN, 0 when
// unknown.
func (p PINPolicy) MaxTries() int {
	switch p {
	case PolicyJPKISignature:
		return 5
	case PolicyJPKIAuth:
		return 3
	}
	return 0
}

// withTries combines a status read from the flags with an exact count n
// from a TriesReader: locked or on the final try when either says so,
// otherwise exactly n tries left, and "count low" below the policy's
// maximum, as OpenSC sets it.
func withTries(st PINStatus, n int, p PINPolicy) PINStatus {
	switch {
	case n < 0:
		return st
	case st.Locked || n == 0:
		return PINStatus{Locked: true, TriesLeft: 0}
	case st.FinalTry || n == 1:
		return PINStatus{FinalTry: true, TriesLeft: 1}
	}
	st.TriesLeft = n
	if max := p.MaxTries(); max > 0 && n < max {
		st.CountLow = true
	}
	return st
}
