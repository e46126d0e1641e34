//go:build cgo

package pkcs11

import (
	"context"
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
