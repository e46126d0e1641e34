//go:build cgo && linux

package flow_test

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/shinsei-app/shinsei/flow"
	"github.com/shinsei-app/shinsei/i18n"
	"github.com/shinsei-app/shinsei/internal/testenv"
	"github.com/shinsei-app/shinsei/pkcs11"
	"github.com/shinsei-app/shinsei/pkcs11/pkcs11test"
	"github.com/shinsei-app/shinsei/sandbox/service"
)

// fakeCard is the fake module holding a My Number card's signature token
// with the world's resident key, failedTries wrong PINs already entered.
func fakeCard(t *testing.T, w *world, failedTries int) (*pkcs11test.Module, *pkcs11.Library) {
	t.Helper()
	m := pkcs11test.New(pkcs11test.Token{Label: pkcs11.JPKISignatureLabel, Serial: "FAKE0001", PIN: "RIGHT1", FailedTries: failedTries,
		Keys: []pkcs11test.Key{{ID: []byte{2}, Label: "Digital Signature Key", Key: w.resident.Key, Cert: w.resident.Cert, AlwaysAuthenticate: true}}})
	lib, err := pkcs11.OpenModule(m)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { lib.Close() })
	return m, lib
}

func TestTheFinalTryIsShownAndAnUnconfirmedAnswerSpendsNothing(t *testing.T) {
	w := getWorld(t)
	svc := startService(t, w.pki, w.reg)
	ctx := context.Background()
	tests := []struct {
		name         string
		pin          string
		confirmFinal bool
		wantErr      error
		wantLogins   int
		wantSigned   bool
	}{
		{name: "the right PIN without the second confirmation is not tried", pin: "RIGHT1", wantErr: pkcs11.ErrFinalTryNotConfirmed},
		{name: "a PIN of the wrong format is not tried even when confirmed", pin: "ab-1", confirmFinal: true, wantErr: pkcs11.ErrPINFormat},
		{name: "the right PIN confirmed at the final try signs", pin: "RIGHT1", confirmFinal: true, wantLogins: 2, wantSigned: true},
		{name: "a wrong PIN confirmed at the final try locks the card and is not asked again", pin: "WRONG1", confirmFinal: true, wantErr: pkcs11.ErrPINIncorrect, wantLogins: 1},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			m, lib := fakeCard(t, w, 4)
			a, cfg := openApp(t, svc, w.pki, []*pkcs11.Library{lib})
			found, err := a.FindCredentials(ctx)
			if err != nil || len(found.Tokens) != 1 {
				t.Fatalf("found %+v, %v", found, err)
			}
			if tok := found.Tokens[0]; !tok.PIN.FinalTry || tok.PIN.TriesLeft != 1 || !tok.MyNumberCard || tok.Note.IsZero() {
				t.Errorf("token before the PIN: %+v; want the final try shown with a note", tok)
			}
			r := &recorder{pin: tc.pin, confirmFinal: tc.confirmFinal}
			proc, doc := form(t, a, service.ProcMoveOut, w.resident.Cert)
			signed, err := a.Sign(ctx, flow.SignRequest{Procedure: proc.Procedure, Form: doc, Credential: found.Tokens[0].Choice()}, r.callbacks())
			if r.pinCalls != 1 || !r.pinRequests[0].Status.FinalTry || r.pinRequests[0].Status.TriesLeft != 1 {
				t.Errorf("PIN asked %d times with %+v; want once, showing the final try", r.pinCalls, r.pinRequests)
			}
			if got := m.LoginCalls(); got != tc.wantLogins {
				t.Errorf("%d C_Login calls, want %d", got, tc.wantLogins)
			}
			if tc.wantSigned {
				if err != nil || signed == nil {
					t.Fatalf("sign: %v", err)
				}
				return
			}
			if !errors.Is(err, tc.wantErr) || signed != nil {
				t.Fatalf("err %v; want %v", err, tc.wantErr)
			}
			if left := filesIn(t, cfg.DataDir); len(left) != 0 {
				t.Errorf("written: %v", left)
			}
			msg, hint := explainIn(err, i18n.Japanese)
			if msg == "" || hint == "" || strings.Contains(msg+hint, tc.pin) {
				t.Errorf("explanation %q / %q", msg, hint)
			}
		})
	}
}

func TestALockedCardIsExplainedWithoutAPrompt(t *testing.T) {
	w := getWorld(t)
	svc := startService(t, w.pki, w.reg)
	ctx := context.Background()
	fake, _ := fakeCard(t, w, 5)
	m := &testenv.CountingModule{Module: fake}
	lib, err := pkcs11.OpenModule(m)
	if err != nil {
		t.Fatal(err)
	}
	a, cfg := openApp(t, svc, w.pki, []*pkcs11.Library{lib})
	found, err := a.FindCredentials(ctx)
	if err != nil || len(found.Tokens) != 1 {
		t.Fatalf("found %+v, %v", found, err)
	}
	tok := found.Tokens[0]
	if !tok.PIN.Locked || tok.Usable() || !strings.Contains(tok.Note.Ja, "市区町村の窓口") {
		t.Errorf("token %+v: want locked, not usable, with the municipal office in its note", tok)
	}
	r := &recorder{pin: "RIGHT1", confirmFinal: true}
	proc, doc := form(t, a, service.ProcMoveOut, w.resident.Cert)
	_, err = a.Sign(ctx, flow.SignRequest{Procedure: proc.Procedure, Form: doc, Credential: tok.Choice()}, r.callbacks())
	if !errors.Is(err, pkcs11.ErrPINLocked) {
		t.Fatalf("err %v, want ErrPINLocked", err)
	}
	if r.pinCalls != 0 || fake.LoginCalls() != 0 {
		t.Errorf("PIN asked %d times, %d logins: a locked card is never asked", r.pinCalls, fake.LoginCalls())
	}
	if o, c := m.Opened.Load(), m.Closed.Load(); o == 0 || o != c {
		t.Errorf("%d sessions opened on the card, %d closed: the one opened to read it is left open", o, c)
	}
	for _, lang := range []i18n.Lang{i18n.Japanese, i18n.English} {
		msg, hint := explainIn(err, lang)
		if want := map[i18n.Lang]string{i18n.Japanese: "市区町村の窓口", i18n.English: "municipal office"}[lang]; !strings.Contains(hint, want) {
			t.Errorf("%s: %q / %q; want the hint to send the user to the %s", lang, msg, hint, want)
		}
	}
	if left := filesIn(t, cfg.DataDir); len(left) != 0 {
		t.Errorf("written: %v", left)
	}
}
