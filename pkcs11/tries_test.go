//go:build cgo

package pkcs11_test

import (
	"context"
	"errors"
	"testing"

	"github.com/shinsei-app/shinsei/pkcs11"
)

// triesReader answers a fixed count, or fails.
type triesReader struct {
	n     int
	err   error
	calls int
	seen  pkcs11.TokenInfo
}

func (r *triesReader) TriesLeft(_ context.Context, tok pkcs11.TokenInfo) (int, error) {
	r.calls++
	r.seen = tok
	return r.n, r.err
}

func TestATriesReaderMakesThePINStatusExact(t *testing.T) {
	ctx := context.Background()
	cases := []struct {
		name   string
		failed int // wrong PINs already entered on the fake card
		reader *triesReader
		want   pkcs11.PINStatus
	}{
		{"a fresh card shows its five tries", 0, &triesReader{n: 5}, pkcs11.PINStatus{TriesLeft: 5}},
		{"after two wrong PINs three tries are left and the count is low", 2, &triesReader{n: 3}, pkcs11.PINStatus{CountLow: true, TriesLeft: 3}},
		{"one try left is the final try", 4, &triesReader{n: 1}, pkcs11.PINStatus{FinalTry: true, TriesLeft: 1}},
		{"a reader that fails leaves the flags alone", 2, &triesReader{n: -1, err: errors.New("no reader")}, pkcs11.PINStatus{CountLow: true, TriesLeft: -1}},
		{"the final-try flag wins over a reader that says more", 4, &triesReader{n: 3}, pkcs11.PINStatus{FinalTry: true, TriesLeft: 1}},
		{"a reader that says locked wins over flags that do not", 0, &triesReader{n: 0}, pkcs11.PINStatus{Locked: true, TriesLeft: 0}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			fake, lib := myNumberCard(t, c.failed)
			tok, err := lib.OpenToken(ctx, pkcs11.Selector{}, pkcs11.WithTriesReader(c.reader))
			if err != nil {
				t.Fatal(err)
			}
			defer tok.Close()
			if got := tok.Info().PIN; got != c.want {
				t.Errorf("status when opened %+v, want %+v", got, c.want)
			}
			if got, err := tok.Status(ctx); err != nil || got != c.want {
				t.Errorf("Status %+v (%v), want %+v", got, err, c.want)
			}
			if c.reader.seen.Policy != pkcs11.PolicyJPKISignature || c.reader.seen.Label != pkcs11.JPKISignatureLabel {
				t.Errorf("the reader was asked about %q with policy %v", c.reader.seen.Label, c.reader.seen.Policy)
			}
			p := &prompter{pin: userPIN}
			err = tok.Login(ctx, p.prompt)
			switch {
			case c.want.Locked:
				if !errors.Is(err, pkcs11.ErrPINLocked) || p.calls != 0 || fake.LoginCalls() != 0 {
					t.Errorf("login on a locked PIN: %v after %d prompts and %d C_Login calls", err, p.calls, fake.LoginCalls())
				}
			case c.want.FinalTry:
				if !errors.Is(err, pkcs11.ErrFinalTryNotConfirmed) || p.req.Status != c.want || fake.LoginCalls() != 0 {
					t.Errorf("login on the final try: %v, prompt told %+v, %d C_Login calls", err, p.req.Status, fake.LoginCalls())
				}
			default:
				if err != nil || p.req.Status != c.want {
					t.Errorf("login: %v, prompt told %+v", err, p.req.Status)
				}
			}
		})
	}
}

func TestAWrongPINReportsTheCountTheReaderReadsAfterwards(t *testing.T) {
	ctx := context.Background()
	_, lib := myNumberCard(t, 0)
	r := &triesReader{n: 5}
	tok, err := lib.OpenToken(ctx, pkcs11.Selector{}, pkcs11.WithTriesReader(r))
	if err != nil {
		t.Fatal(err)
	}
	defer tok.Close()
	r.n = 4 // what the card will say after the wrong PIN
	var pinErr *pkcs11.PINError
	if err := tok.Login(ctx, (&prompter{pin: "WRONG2026"}).prompt); !errors.As(err, &pinErr) {
		t.Fatalf("got %v, want a *PINError", err)
	}
	if want := (pkcs11.PINStatus{CountLow: true, TriesLeft: 4}); pinErr.Status != want {
		t.Errorf("status after the wrong PIN %+v, want %+v", pinErr.Status, want)
	}
	if r.calls != 3 {
		t.Errorf("the reader was asked %d times, want 3 (open, before the prompt, after the failure)", r.calls)
	}
}
