//go:build cgo && linux

package vcard

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/shinsei-app/shinsei/pkcs11"
)

// WaitForCard polls lib (OpenSC's module, loaded after PCSCLITE_CSOCK_NAME
// was set to the stack's socket) until the My Number card's two tokens are
// listed in the stack's reader, or, when present is false, until none is.
// It returns the tokens listed last. OpenSC looks for new cards and readers
// at each C_GetSlotList, so a card inserted after the module was loaded is
// found. It gives up when ctx ends.
func (s *Stack) WaitForCard(ctx context.Context, lib *pkcs11.Library, present bool) ([]pkcs11.TokenInfo, error) {
	tick := time.NewTicker(25 * time.Millisecond)
	defer tick.Stop()
	var last []pkcs11.TokenInfo
	var lastErr error
	for {
		tokens, err := lib.Tokens(ctx)
		lastErr = err
		if err == nil {
			last = nil
			for _, t := range tokens {
				if strings.HasPrefix(t.Reader, ReaderName) {
					last = append(last, t)
				}
			}
			if present && len(last) == 2 || !present && len(last) == 0 {
				return last, nil
			}
		}
		select {
		case <-ctx.Done():
			want := "the card's two tokens"
			if !present {
				want = "no token"
			}
			return last, fmt.Errorf("vcard: OpenSC did not list %s in %q (listed %d, last error %v): %w",
				want, ReaderName, len(last), lastErr, ctx.Err())
		case <-tick.C:
		}
	}
}
