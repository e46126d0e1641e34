//go:build cgo

package pkcs11

import (
	"context"
	"fmt"
)

// Found is where a token was opened: its slot in the module and the
// token as it showed there (Token.Found). OpenTokenAt opens it there
// again without listing the module's slots: OpenSC looks for cards in
// every reader at each C_GetSlotList and C_GetSlotInfo, which costs a
// few milliseconds each time.
type Found struct {
	slot uint
	info TokenInfo
}

// Token is the token as it was found: its label, serial and reader
// (the PIN status is the one read then).
func (f Found) Token() TokenInfo { return f.info }

// Found is where t was opened, to open it there again with OpenTokenAt.
func (t *Token) Found() Found {
	t.mu.Lock()
	defer t.mu.Unlock()
	return Found{slot: t.slot, info: t.info}
}

// OpenTokenAt opens a session on the token found before (Token.Found) in
// the slot where it was found, without listing the module's slots and
// without reading the token (OpenSC answers C_GetTokenInfo for a My Number
// card by asking the card). The module cannot tell that it is still the
// same token there — every My Number card's tokens have the serial
// 00000000 — so the caller makes sure of it another way: for a card, no
// card was put in or taken out of any reader since it was found (pcsc
// Context.States), or it uses OpenToken.
//
// The token keeps the label, serial and reader found then; its PIN
// status is unknown until it is read again (Status, or the first Login
// with WithTriesReaderAtLogin's reader), so no flag seen when it was
// found counts. It fails with ErrNoToken when sel does not match the
// token found, and with the module's error (ErrCardRemoved) when the slot
// holds no token now.
func (l *Library) OpenTokenAt(ctx context.Context, f Found, sel Selector, opts ...Option) (*Token, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	if !sel.matches(f.info) {
		return nil, fmt.Errorf("%w: %s is not the token found there", ErrNoToken, sel)
	}
	info := f.info
	info.PIN = PINStatus{TriesLeft: -1}
	return l.openSession(ctx, slotToken{slot: f.slot, info: info}, opts)
}
