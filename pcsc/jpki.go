package pcsc

import (
	"context"
	"fmt"
	"strings"

	"github.com/shinsei-app/shinsei/pkcs11"
)

// Commands of the JPKI application, as OpenSC's JPKI driver sends them.
var (
	selectJPKI      = []byte{0x00, 0xA4, 0x04, 0x0C, 0x0A, 0xD3, 0x92, 0xF0, 0x00, 0x26, 0x01, 0x00, 0x00, 0x00, 0x01}
	selectSignPIN   = []byte{0x00, 0xA4, 0x02, 0x0C, 0x02, 0x00, 0x1B}
	selectAuthPIN   = []byte{0x00, 0xA4, 0x02, 0x0C, 0x02, 0x00, 0x18}
	verifyNoPINData = []byte{0x00, 0x20, 0x00, 0x80}
)

// JPKITries reads the tries left of a My Number card's PINs through PC/SC:
// it implements pkcs11.TriesReader for the tokens OpenSC shows for the
// card (PolicyJPKISignature and PolicyJPKIAuth), finding the card by the
// token's reader name.
//
// It selects the PIN's file and sends VERIFY without data, which the card
// answers with 63Cx (x tries left) without spending a try; it never sends
// a PIN. It runs inside a PC/SC transaction, so it never interleaves with
// OpenSC's commands. When the JPKI application is not the card's current
// application (only before any program used the card), it selects it,
// which on a card clears the PIN verification state: call it before a
// login, as pkcs11.Token does.
//
// Each call connects to pcscd on its own, or through Kept when it is set.
type JPKITries struct {
	Kept *Kept
}

var _ pkcs11.TriesReader = JPKITries{}

// TriesLeft returns the tries left of tok's PIN. Errors wrap
// ErrNotJPKI for a token that is not a My Number card PIN or a card that
// does not answer as one, ErrNoReader, ErrNoCard or ErrUnavailable.
func (t JPKITries) TriesLeft(ctx context.Context, tok pkcs11.TokenInfo) (int, error) {
	var selectPIN []byte
	switch tok.Policy {
	case pkcs11.PolicyJPKISignature:
		selectPIN = selectSignPIN
	case pkcs11.PolicyJPKIAuth:
		selectPIN = selectAuthPIN
	default:
		return -1, fmt.Errorf("%w: token %q", ErrNotJPKI, tok.Label)
	}
	n := -1
	_, err := t.onCard(ctx, tok, false, func(card *Card) (err error) {
		n, err = readTries(ctx, card, selectPIN)
		return err
	})
	return n, err
}

// onCard runs fn in one transaction on the card in the reader of tok,
// connected to through one PC/SC context. With states it first reads the
// state of every reader, before connecting.
func (t JPKITries) onCard(ctx context.Context, tok pkcs11.TokenInfo, states bool, fn func(*Card) error) (rs []ReaderState, err error) {
	err = t.Kept.do(ctx, func(pc *Context) error {
		readers, err := pc.Readers(ctx)
		if err != nil {
			return err
		}
		reader, err := readerFor(tok.Reader, readers)
		if err != nil {
			return err
		}
		if states {
			if rs, err = pc.States(ctx, readers); err != nil {
				return err
			}
		}
		card, err := pc.Connect(ctx, reader)
		if err != nil {
			return err
		}
		defer card.Close()
		return card.Transaction(ctx, func() error { return fn(card) })
	})
	return rs, err
}

// readerFor finds the reader a PKCS#11 slot describes. OpenSC copies the
// reader name into the 64-byte slot description, so a name of 64 bytes or
// more is matched by its beginning.
func readerFor(slot string, readers []string) (string, error) {
	var found []string
	for _, r := range readers {
		if r == slot || len(slot) >= 60 && strings.HasPrefix(r, slot) {
			found = append(found, r)
		}
	}
	switch len(found) {
	case 0:
		return "", fmt.Errorf("%w: no reader named %q among %d", ErrNoReader, slot, len(readers))
	case 1:
		return found[0], nil
	}
	return "", fmt.Errorf("%w: %d readers begin with %q", ErrNoReader, len(found), slot)
}

// transmitter sends command APDUs to a card.
type transmitter interface {
	Transmit(ctx context.Context, apdu []byte) ([]byte, error)
}

// readTries selects the PIN file (and first the JPKI application when the
// file is not found) and reads its tries left with VERIFY without data.
func readTries(ctx context.Context, card transmitter, selectPIN []byte) (int, error) {
	sw, err := status(ctx, card, selectPIN)
	if err != nil {
		return -1, err
	}
	if sw != 0x9000 {
		if sw, err = status(ctx, card, selectJPKI); err != nil {
			return -1, err
		}
		if sw != 0x9000 {
			return -1, fmt.Errorf("%w: SELECT of the JPKI application answered %04X", ErrNotJPKI, sw)
		}
		if sw, err = status(ctx, card, selectPIN); err != nil {
			return -1, err
		}
		if sw != 0x9000 {
			return -1, fmt.Errorf("%w: SELECT of the PIN file answered %04X", ErrNotJPKI, sw)
		}
	}
	if sw, err = status(ctx, card, verifyNoPINData); err != nil {
		return -1, err
	}
	switch {
	case sw&0xFFF0 == 0x63C0:
		return int(sw & 0x0F), nil
	case sw == 0x6983 || sw == 0x6984: // authentication method blocked
		return 0, nil
	}
	return -1, fmt.Errorf("%w: VERIFY without data answered %04X, not 63Cx", ErrNotJPKI, sw)
}

func status(ctx context.Context, card transmitter, apdu []byte) (uint16, error) {
	resp, err := card.Transmit(ctx, apdu)
	if err != nil {
		return 0, err
	}
	if len(resp) < 2 {
		return 0, fmt.Errorf("%w: a response of %d bytes", ErrNotJPKI, len(resp))
	}
	return uint16(resp[len(resp)-2])<<8 | uint16(resp[len(resp)-1]), nil
}
