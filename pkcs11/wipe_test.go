//go:build cgo

package pkcs11

import (
	"context"
	"crypto"
	"errors"
	"runtime"
	"testing"

	"github.com/shinsei-app/shinsei/pkcs11/pkcs11test"
)

func TestPINKeptForContextSpecificLogin(t *testing.T) {
	creds := TestCredentials()
	cases := []struct {
		name               string
		alwaysAuthenticate bool
	}{
		{"the PIN kept for a CKA_ALWAYS_AUTHENTICATE key is zeroed by Close", true},
		{"no PIN is kept when no key needs a context-specific login", false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			ctx := context.Background()
			lib, err := OpenModule(pkcs11test.New(pkcs11test.Token{
				Label: "wipe", PIN: "SHINSEI2026",
				Keys: []pkcs11test.Key{{ID: []byte{2}, Key: creds[1].Key, AlwaysAuthenticate: c.alwaysAuthenticate}},
			}))
			if err != nil {
				t.Fatal(err)
			}
			defer lib.Close()
			tok, err := lib.OpenToken(ctx, Selector{Label: "wipe"}, WithPINPolicy(PolicyJPKISignature))
			if err != nil {
				t.Fatal(err)
			}
			err = tok.Login(ctx, func(context.Context, PINRequest) (PINAnswer, error) {
				return PINAnswer{PIN: []byte("shinsei2026")}, nil
			})
			if err != nil {
				t.Fatal(err)
			}
			kept := tok.pin
			if !c.alwaysAuthenticate {
				if kept != nil {
					t.Fatal("the token kept a PIN although no key needs it")
				}
				return
			}
			if string(kept.Bytes()) != "SHINSEI2026" {
				t.Fatal("the token did not keep the upper-cased PIN")
			}
			if runtime.GOOS == "linux" && !kept.Locked() {
				t.Error("the PIN is not kept in locked memory")
			}
			if err := tok.Close(); err != nil {
				t.Fatal(err)
			}
			if tok.pin != nil || !kept.Wiped() {
				t.Fatal("Close left the PIN in memory")
			}
		})
	}
}

func TestAPINRefusedAtAContextSpecificLoginIsNeverPresentedAgain(t *testing.T) {
	ctx := context.Background()
	mod := pkcs11test.New(pkcs11test.Token{
		Label: "refuse", PIN: "SHINSEI2026",
		Keys: []pkcs11test.Key{{ID: []byte{2}, Key: TestCredentials()[1].Key, Cert: TestCredentials()[1].Cert, AlwaysAuthenticate: true}},
	})
	lib, err := OpenModule(mod)
	if err != nil {
		t.Fatal(err)
	}
	defer lib.Close()
	tok, err := lib.OpenToken(ctx, Selector{Label: "refuse"}, WithPINPolicy(PolicyJPKISignature))
	if err != nil {
		t.Fatal(err)
	}
	defer tok.Close()
	if err := tok.Login(ctx, func(context.Context, PINRequest) (PINAnswer, error) {
		return PINAnswer{PIN: []byte("SHINSEI2026")}, nil
	}); err != nil {
		t.Fatal(err)
	}
	key, err := tok.Signer(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	digest := make([]byte, 32)
	if _, err := key.SignContext(ctx, digest, crypto.SHA256); err != nil {
		t.Fatalf("the first signature: %v", err)
	}
	// The card now refuses the kept PIN (changed elsewhere, another card).
	copy(tok.pin.Bytes(), "WRONG202600")
	logins := mod.LoginCalls()
	if _, err := key.SignContext(ctx, digest, crypto.SHA256); !errors.Is(err, ErrPINIncorrect) {
		t.Fatalf("the refused context-specific login gave %v, want ErrPINIncorrect", err)
	}
	if _, err := key.SignContext(ctx, digest, crypto.SHA256); !errors.Is(err, ErrNotLoggedIn) {
		t.Errorf("the next signature gave %v, want ErrNotLoggedIn without presenting the PIN", err)
	}
	if got := mod.LoginCalls() - logins; got != 1 || tok.pin != nil {
		t.Errorf("the wrong PIN was presented %d times (kept: %v), want once and dropped", got, tok.pin != nil)
	}
}
