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

// OpenTokenAt opens a session on the token found before (Token.Found)
// when its slot still holds an initialized token of the same label and
// serial that sel matches: it reads that slot's token information (one
// C_GetTokenInfo) instead of listing the slots and reading each, and
// keeps the reader found then. Otherwise it fails with an error wrapping
// ErrNoToken, and the caller looks for the token with OpenToken.
//
// It cannot tell a token that was taken out and put back, or another
// token of the same label and serial put in its place (every My Number
// card's tokens have the serial 00000000), nor a second token that sel
// matches put in another slot since: the caller makes sure of those
// another way (for a card, by the readers' card events: pcsc), or uses
// OpenToken.
func (l *Library) OpenTokenAt(ctx context.Context, f Found, sel Selector, opts ...Option) (*Token, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	info, ok, err := l.token(f.slot, false)
	if err != nil {
		return nil, err
	}
	if !ok || info.Label != f.info.Label || info.Serial != f.info.Serial || !sel.matches(info) {
		return nil, fmt.Errorf("%w: %s is no longer in the slot it was found in", ErrNoToken, sel)
	}
	info.Reader = f.info.Reader
	return l.openSession(ctx, slotToken{slot: f.slot, info: info}, opts)
}
