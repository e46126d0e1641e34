//go:build cgo

package pkcs11

import (
	"context"
	"errors"
	"fmt"
	"time"

	p11 "github.com/miekg/pkcs11"
)

// removalWait bounds how long a failed operation waits to learn whether
// the card left. pcscd notices a card that left mid-command at its next
// poll of the reader, every 400 ms.
const removalWait = 1500 * time.Millisecond

// failed turns a PKCS#11 failure of op into this package's errors, as wrap
// does, and tells a card pulled out mid-operation apart from other
// failures: OpenSC reports a command that could not reach the card as
// CKR_GENERAL_ERROR, so after that code (or CKR_FUNCTION_FAILED) the slot
// is asked whether the token is still present, for up to removalWait. The
// caller holds t.mu.
func (t *Token) failed(ctx context.Context, op string, err error) error {
	werr := wrap(op, err)
	var code p11.Error
	if errors.Is(werr, ErrCardRemoved) || !errors.As(err, &code) ||
		code != p11.CKR_GENERAL_ERROR && code != p11.CKR_FUNCTION_FAILED {
		return werr
	}
	if t.cardGone(ctx) {
		return fmt.Errorf("%w: %s: %w", ErrCardRemoved, op, err)
	}
	return werr
}

// cardGone reports whether the token left its slot, asking the slot again
// until removalWait has passed or ctx ends.
func (t *Token) cardGone(ctx context.Context) bool {
	deadline := time.NewTimer(removalWait)
	defer deadline.Stop()
	for {
		si, err := t.mod.GetSlotInfo(t.slot)
		if err != nil {
			return errors.Is(wrap("C_GetSlotInfo", err), ErrCardRemoved)
		}
		if si.Flags&p11.CKF_TOKEN_PRESENT == 0 {
			return true
		}
		select {
		case <-ctx.Done():
			return false
		case <-deadline.C:
			return false
		case <-time.After(50 * time.Millisecond):
		}
	}
}
