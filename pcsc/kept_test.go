//go:build cgo && linux

package pcsc

import (
	"context"
	"testing"

	"github.com/shinsei-app/shinsei/internal/testenv"
	"github.com/shinsei-app/shinsei/pkcs11"
	"github.com/shinsei-app/shinsei/sandbox/vcard"
)

// A Kept context serves every reading made through it, is established
// again when pcscd no longer knows it, and serves nothing once closed.
func TestAKeptContextServesEveryReadingAndIsEstablishedAgainWhenPcscdForgotIt(t *testing.T) {
	ctx := context.Background()
	cs := testenv.Cards(t)
	cs.Insert(t, vcard.ScenarioHealthy)
	tokens, err := cs.Lib.Tokens(ctx)
	if err != nil {
		t.Fatal(err)
	}
	var tok pkcs11.TokenInfo
	for _, tok = range tokens {
		if tok.Label == pkcs11.JPKISignatureLabel {
			break
		}
	}
	k := &Kept{}
	defer k.Close()
	r := JPKITries{Kept: k}
	if n, err := r.TriesLeft(ctx, tok); err != nil || n != vcard.SignaturePINTries {
		t.Fatalf("tries %d, %v; want %d", n, err, vcard.SignaturePINTries)
	}
	first := k.c
	if p, err := r.ProbeSignature(ctx, tok); err != nil || p.TriesLeft != vcard.SignaturePINTries || k.c != first {
		t.Fatalf("probe %+v, %v; through the first context: %v", p, err, k.c == first)
	}
	first.Close() // released behind its back, as when pcscd restarts
	if n, err := r.TriesLeft(ctx, tok); err != nil || n != vcard.SignaturePINTries {
		t.Fatalf("tries after the context was released: %d, %v; want %d", n, err, vcard.SignaturePINTries)
	}
	if k.c == nil || k.c == first {
		t.Errorf("the released context is still the one kept")
	}
	k.Close()
	if _, err := r.TriesLeft(ctx, tok); err == nil {
		t.Errorf("a reading through a closed Kept succeeded")
	}
}
