package pkcs11_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/shinsei-app/shinsei/pkcs11"
)

func TestPINFormat(t *testing.T) {
	jpkiSig := pkcs11.PINRequest{Policy: pkcs11.PolicyJPKISignature}
	jpkiAuth := pkcs11.PINRequest{Policy: pkcs11.PolicyJPKIAuth}
	generic := pkcs11.PINRequest{MinLen: 4, MaxLen: 8}
	cases := []struct {
		name string
		req  pkcs11.PINRequest
		pin  string
		ok   bool
	}{
		{"a signature password of letters and digits is accepted", jpkiSig, "SHINSEI2026", true},
		{"a lower-case signature password is accepted", jpkiSig, "shinsei2026", true},
		{"a 6-character signature password is accepted", jpkiSig, "ABC123", true},
		{"a 16-character signature password is accepted", jpkiSig, "ABCDEFGH12345678", true},
		{"a 5-character signature password is refused", jpkiSig, "ABC12", false},
		{"a 17-character signature password is refused", jpkiSig, "ABCDEFGH123456789", false},
		{"a signature password with a hyphen is refused", jpkiSig, "SHINSEI-26", false},
		{"a full-width signature password is refused", jpkiSig, "ＳＨＩＮＳＥＩ", false},
		{"a 4-digit authentication PIN is accepted", jpkiAuth, "1234", true},
		{"a 5-digit authentication PIN is refused", jpkiAuth, "12345", false},
		{"an authentication PIN with a letter is refused", jpkiAuth, "12a4", false},
		{"a generic PIN within the token's limits is accepted", generic, "pa55", true},
		{"a generic PIN shorter than the token's minimum is refused", generic, "pas", false},
		{"a generic PIN longer than the token's maximum is refused", generic, "password9", false},
		{"an empty PIN is refused even when the token sets no limits", pkcs11.PINRequest{}, "", false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			err := c.req.Check([]byte(c.pin))
			if (err == nil) != c.ok {
				t.Fatalf("got %v, want ok=%v", err, c.ok)
			}
			if err == nil {
				return
			}
			if !errors.Is(err, pkcs11.ErrPINFormat) || (c.pin != "" && strings.Contains(err.Error(), c.pin)) {
				t.Errorf("got %q, want ErrPINFormat not repeating the PIN", err)
			}
		})
	}
}
