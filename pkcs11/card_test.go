//go:build cgo

package pkcs11_test

import (
	"bytes"
	"context"
	"crypto"
	"crypto/rand"
	"errors"
	"testing"

	p11 "github.com/miekg/pkcs11"

	"github.com/shinsei-app/shinsei/pkcs11"
	"github.com/shinsei-app/shinsei/pkcs11/pkcs11test"
)

// myNumberCard is a fake My Number card as OpenSC shows it: an
// authentication token (4-digit PIN, 3 tries) and a signature token (5
// tries) whose key needs a context-specific login. failedSignatureTries
// wrong signature passwords were already entered.
func myNumberCard(t *testing.T, failedSignatureTries int) (*pkcs11test.Module, *pkcs11.Library) {
	t.Helper()
	creds := pkcs11.TestCredentials()
	fake := pkcs11test.New(
		pkcs11test.Token{
			Label: pkcs11.JPKIAuthLabel, Serial: "JPKI0001", PIN: "1234", MaxTries: 3,
			Keys: []pkcs11test.Key{{ID: []byte{1}, Label: "User Authentication Key", Key: creds[0].Key, Cert: creds[0].Cert}},
		},
		pkcs11test.Token{
			Label: pkcs11.JPKISignatureLabel, Serial: "JPKI0001", PIN: userPIN, MaxTries: 5, FailedTries: failedSignatureTries, MaxPINLen: 16,
			Keys: []pkcs11test.Key{{ID: []byte{2}, Label: "Digital Signature Key", Key: creds[1].Key, Cert: creds[1].Cert, AlwaysAuthenticate: true}},
		},
	)
	lib, err := pkcs11.OpenModule(fake)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { lib.Close() })
	return fake, lib
}

func openCard(t *testing.T, lib *pkcs11.Library, sel pkcs11.Selector) *pkcs11.Token {
	t.Helper()
	tok, err := lib.OpenToken(context.Background(), sel)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { tok.Close() })
	return tok
}

func TestMyNumberCard(t *testing.T) {
	ctx := context.Background()
	cases := []struct {
		name string
		run  func(t *testing.T)
	}{
		{"the signature token is chosen by default and both PIN policies are recognised by label", func(t *testing.T) {
			_, lib := myNumberCard(t, 0)
			tok := openCard(t, lib, pkcs11.Selector{})
			if info := tok.Info(); info.Label != pkcs11.JPKISignatureLabel || info.Policy != pkcs11.PolicyJPKISignature {
				t.Errorf("opened %q with policy %v, want the signature token", info.Label, info.Policy)
			}
			if auth := openCard(t, lib, pkcs11.Selector{Label: pkcs11.JPKIAuthLabel}); auth.Info().Policy != pkcs11.PolicyJPKIAuth {
				t.Errorf("authentication token policy %v", auth.Info().Policy)
			}
			p := &prompter{pin: "shinsei2026"}
			if err := tok.Login(ctx, p.prompt); err != nil {
				t.Fatal(err)
			}
			if p.req.Token != pkcs11.JPKISignatureLabel || p.req.Policy != pkcs11.PolicyJPKISignature {
				t.Errorf("prompt request %+v", p.req)
			}
			key, err := tok.Signer(ctx, nil)
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(key.Info().ID, []byte{2}) {
				t.Errorf("default key %x, want 02", key.Info().ID)
			}
			signAndVerify(t, key, crypto.SHA256)
		}},
		{"the authentication PIN must be 4 digits", func(t *testing.T) {
			fake, lib := myNumberCard(t, 0)
			tok := openCard(t, lib, pkcs11.Selector{Label: pkcs11.JPKIAuthLabel})
			for _, bad := range []string{"12345", "12a4", "123"} {
				p := &prompter{pin: bad}
				if err := tok.Login(ctx, p.prompt); !errors.Is(err, pkcs11.ErrPINFormat) {
					t.Errorf("got %v, want ErrPINFormat", err)
				}
			}
			if fake.LoginCalls() != 0 {
				t.Errorf("C_Login was called %d times", fake.LoginCalls())
			}
		}},
		{"on the final try the status says so before the prompt and the try needs confirmation", func(t *testing.T) {
			fake, lib := myNumberCard(t, 4)
			tok := openCard(t, lib, pkcs11.Selector{})
			want := pkcs11.PINStatus{FinalTry: true, TriesLeft: 1}
			if tok.Info().PIN != want {
				t.Errorf("status before login %+v, want %+v", tok.Info().PIN, want)
			}
			p := &prompter{pin: userPIN}
			if err := tok.Login(ctx, p.prompt); !errors.Is(err, pkcs11.ErrFinalTryNotConfirmed) {
				t.Fatalf("got %v, want ErrFinalTryNotConfirmed", err)
			}
			if p.req.Status != want || fake.LoginCalls() != 0 {
				t.Errorf("prompt saw %+v; %d C_Login calls", p.req.Status, fake.LoginCalls())
			}
			p.assertWiped(t)
			p = &prompter{pin: userPIN, confirm: true}
			if err := tok.Login(ctx, p.prompt); err != nil {
				t.Fatal(err)
			}
			if st, err := tok.Status(ctx); err != nil || st != (pkcs11.PINStatus{TriesLeft: -1}) {
				t.Errorf("status after the right PIN %+v (%v), want clean", st, err)
			}
		}},
		{"a wrong PIN on the final try locks the card", func(t *testing.T) {
			_, lib := myNumberCard(t, 4)
			tok := openCard(t, lib, pkcs11.Selector{})
			p := &prompter{pin: "WRONG2026", confirm: true}
			var pinErr *pkcs11.PINError
			if err := tok.Login(ctx, p.prompt); !errors.As(err, &pinErr) {
				t.Fatalf("got %v, want a *PINError", err)
			}
			if want := (pkcs11.PINStatus{Locked: true, TriesLeft: 0}); pinErr.Status != want {
				t.Errorf("status %+v, want %+v", pinErr.Status, want)
			}
		}},
		{"a wrong PIN with tries to spare sets COUNT_LOW, as OpenSC does", func(t *testing.T) {
			_, lib := myNumberCard(t, 2)
			tok := openCard(t, lib, pkcs11.Selector{})
			if want := (pkcs11.PINStatus{CountLow: true, TriesLeft: -1}); tok.Info().PIN != want {
				t.Errorf("status %+v, want %+v", tok.Info().PIN, want)
			}
		}},
		{"a locked card never calls the prompt nor C_Login", func(t *testing.T) {
			fake, lib := myNumberCard(t, 5)
			tokens, err := lib.Tokens(ctx)
			if err != nil {
				t.Fatal(err)
			}
			if tokens[1].PIN != (pkcs11.PINStatus{Locked: true, TriesLeft: 0}) {
				t.Errorf("listed status %+v, want locked", tokens[1].PIN)
			}
			tok := openCard(t, lib, pkcs11.Selector{})
			p := &prompter{pin: userPIN, confirm: true}
			if err := tok.Login(ctx, p.prompt); !errors.Is(err, pkcs11.ErrPINLocked) {
				t.Errorf("got %v, want ErrPINLocked", err)
			}
			if p.calls != 0 || fake.LoginCalls() != 0 {
				t.Errorf("%d prompts, %d C_Login calls; want none", p.calls, fake.LoginCalls())
			}
		}},
		{"the prompt's error is returned as is and nothing is sent to the card", func(t *testing.T) {
			fake, lib := myNumberCard(t, 0)
			tok := openCard(t, lib, pkcs11.Selector{})
			cancelled := func(context.Context, pkcs11.PINRequest) (pkcs11.PINAnswer, error) {
				return pkcs11.PINAnswer{}, context.Canceled
			}
			if err := tok.Login(ctx, cancelled); !errors.Is(err, context.Canceled) || fake.LoginCalls() != 0 {
				t.Errorf("got %v after %d C_Login calls", err, fake.LoginCalls())
			}
		}},
		{"pulling the card out during C_Sign gives ErrCardRemoved", func(t *testing.T) {
			fake, lib := myNumberCard(t, 0)
			tok := openCard(t, lib, pkcs11.Selector{})
			login(t, tok)
			key, err := tok.Signer(ctx, nil)
			if err != nil {
				t.Fatal(err)
			}
			fake.RemoveCardAt("Sign")
			_, err = key.Sign(rand.Reader, make([]byte, 32), crypto.SHA256)
			var code p11.Error
			if !errors.Is(err, pkcs11.ErrCardRemoved) || !errors.As(err, &code) || code != p11.CKR_DEVICE_REMOVED {
				t.Errorf("got %v, want ErrCardRemoved wrapping CKR_DEVICE_REMOVED", err)
			}
			if _, err := tok.Status(ctx); !errors.Is(err, pkcs11.ErrCardRemoved) {
				t.Errorf("status after removal: %v", err)
			}
			if tokens, err := lib.Tokens(ctx); err != nil || len(tokens) != 0 {
				t.Errorf("tokens after removal: %v, %v", tokens, err)
			}
			if err := tok.Close(); err != nil {
				t.Errorf("Close after removal: %v", err)
			}
		}},
		{"pulling the card out during the context-specific login gives ErrCardRemoved, not a PIN error", func(t *testing.T) {
			fake, lib := myNumberCard(t, 0)
			tok := openCard(t, lib, pkcs11.Selector{})
			login(t, tok)
			key, err := tok.Signer(ctx, nil)
			if err != nil {
				t.Fatal(err)
			}
			fake.RemoveCardAt("Login")
			if _, err := key.Sign(rand.Reader, make([]byte, 32), crypto.SHA256); !errors.Is(err, pkcs11.ErrCardRemoved) || errors.Is(err, pkcs11.ErrPINIncorrect) {
				t.Errorf("got %v, want ErrCardRemoved", err)
			}
		}},
		{"a key that is not RSA is refused with errors.ErrUnsupported", func(t *testing.T) {
			_, lib := myNumberCard(t, 0)
			tok := openCard(t, lib, pkcs11.Selector{})
			login(t, tok)
			m, err := lib.Provisioner()
			if err != nil {
				t.Fatal(err)
			}
			sh, err := m.OpenSession(1, p11.CKF_SERIAL_SESSION|p11.CKF_RW_SESSION)
			if err != nil {
				t.Fatal(err)
			}
			defer m.CloseSession(sh)
			if _, err := m.CreateObject(sh, []*p11.Attribute{
				p11.NewAttribute(p11.CKA_CLASS, p11.CKO_PRIVATE_KEY),
				p11.NewAttribute(p11.CKA_KEY_TYPE, p11.CKK_EC),
				p11.NewAttribute(p11.CKA_ID, []byte{3}),
				p11.NewAttribute(p11.CKA_SIGN, true),
			}); err != nil {
				t.Fatal(err)
			}
			if _, err := tok.Signer(ctx, []byte{3}); !errors.Is(err, errors.ErrUnsupported) {
				t.Errorf("got %v, want errors.ErrUnsupported", err)
			}
		}},
	}
	for _, c := range cases {
		t.Run(c.name, c.run)
	}
}
