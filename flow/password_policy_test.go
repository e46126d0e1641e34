//go:build cgo && linux

package flow_test

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/shinsei-app/shinsei/flow"
	"github.com/shinsei-app/shinsei/internal/testenv"
	"github.com/shinsei-app/shinsei/pkcs11"
	"github.com/shinsei-app/shinsei/sandbox/kit"
	"github.com/shinsei-app/shinsei/submit"
)

// A chosen password is checked against the policy before anything is
// signed: a refused one costs no PIN try and sends nothing.
func TestRegisterRefusesAPasswordThePolicyForbidsBeforeThePIN(t *testing.T) {
	w := getWorld(t)
	svc := startService(t, w.pki, w.reg)
	a, _ := openApp(t, svc, w.pki, []*pkcs11.Library{testenv.SoftHSM(t)})
	ctx := context.Background()
	tests := []struct {
		name, password string
		want           error
	}{
		{"12 spaces are refused", strings.Repeat(" ", 12), flow.ErrPasswordUnusable},
		{"aaaaaaaaaaaa is refused", "aaaaaaaaaaaa", flow.ErrPasswordGuessable},
		{"password1234 is refused", "password1234", flow.ErrPasswordGuessable},
		{"a zero-width joiner inside is refused", "correct horse\u200dbattery staple", flow.ErrPasswordUnusable},
		{"eleven characters are refused", "Kj8#mQ2$vL9", flow.ErrPasswordTooShort},
		{"129 characters are refused", strings.Repeat("Kj8#mQ2$vL9x", 11)[:129], flow.ErrPasswordTooLong},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := &recorder{pin: flowPIN, secrets: map[flow.SecretKind]string{flow.SecretNewPassword: tt.password}}
			_, err := a.Register(ctx, flow.RegisterRequest{Credential: residentToken(), ChoosePassword: true}, r.callbacks())
			if !errors.Is(err, tt.want) || r.pinCalls != 0 {
				t.Errorf("err %v, PIN asked %d times; want %v before the PIN", err, r.pinCalls, tt.want)
			}
		})
	}
	t.Run("a password like the service generates is accepted", func(t *testing.T) {
		r := &recorder{secrets: map[flow.SecretKind]string{flow.SecretP12Password: kit.P12Password,
			flow.SecretNewPassword: "K7WQ3ZP9XHN2MRT4VB8CJ5LD6E"}}
		acc, err := a.Register(ctx, flow.RegisterRequest{Credential: flow.P12File(p12File(t, w.corpP12)), ChoosePassword: true}, r.callbacks())
		if err != nil || acc.UserType != submit.UserCompany {
			t.Errorf("account %+v, %v", acc, err)
		}
	})
}
