package ui

import (
	"context"
	"errors"
	"strings"
	"testing"

	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"github.com/shinsei-app/shinsei/pkcs11"
	"github.com/shinsei-app/shinsei/pkcs11/pkcs11test"
	"github.com/shinsei-app/shinsei/sandbox/kit"
	"github.com/shinsei-app/shinsei/sandbox/service"
)

// fakeCard is a My Number card's signature token on the pkcs11test fake
// (which, unlike SoftHSM, sets the final-try and locked flags), holding
// the world's resident key, with failed wrong PINs entered already.
func fakeCard(t *testing.T, failed int) (*pkcs11test.Module, *pkcs11.Library) {
	t.Helper()
	setupWorld(t)
	m := pkcs11test.New(pkcs11test.Token{Label: pkcs11.JPKISignatureLabel, PIN: kit.PIN, SOPIN: kit.SOPIN,
		MaxTries: 5, FailedTries: failed, MinPINLen: 6, MaxPINLen: 16,
		Keys: []pkcs11test.Key{{ID: []byte{0x02}, Label: "Digital Signature Key", Key: world.resident.Key,
			Cert: world.resident.Cert, AlwaysAuthenticate: true}}})
	lib, err := pkcs11.OpenModule(m)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { lib.Close() })
	return m, lib
}

// toFinalTryPIN goes through a move-out application to the PIN dialog.
func (h *harness) toPIN() *pinDialog {
	h.t.Helper()
	h.startProcedure(service.ProcMoveOut)
	h.chooseToken()
	fillApplicant(h.s.form)
	fillMoveOut(h.t, h.s.form)
	test.Tap(h.s.form.next)
	h.wait("pin")
	return h.s.pin
}

func TestAtTheFinalTryTheDialogWarnsAndAsksTwiceAndAWrongPINLocksWithoutAskingAgain(t *testing.T) {
	m, lib := fakeCard(t, 4)
	h := newHarness(t, config(t, lib))
	h.startProcedure(service.ProcMoveOut)
	h.wait("credentials")
	if !showsLabel(t, h.s.cred.list, tr("pin.tries_final")) {
		t.Errorf("the credential screen does not say %q before any PIN", tr("pin.tries_final"))
	}
	h.s.goHome()
	d := h.toPIN()

	if d.tries.Text != tr("pin.tries_final") || d.warning == nil || d.final == nil {
		t.Fatalf("the final-try dialog shows tries %q, warning %v, check %v", d.tries.Text, d.warning, d.final)
	}
	test.Type(d.entry, "WRONG99")
	if !d.ok.Disabled() {
		t.Fatal("OK is enabled at the final try before the resident ticked that it is the last try")
	}
	d.final.SetChecked(true)
	if d.ok.Disabled() {
		t.Fatal("OK stays disabled after the tick")
	}
	test.Tap(d.ok)
	if d.confirm == nil {
		t.Fatal("no second confirmation at the final try")
	}
	if m.LoginCalls() != 0 {
		t.Fatal("the token was tried before the second confirmation")
	}
	test.Tap(d.confirm.yes)

	h.wait("error")
	if !strings.Contains(h.s.lastError, "窓口") && !strings.Contains(h.s.lastError, "ロック") {
		t.Errorf("the error after the final wrong PIN says %q, want that the card is locked and where to go", h.s.lastError)
	}
	if n := m.LoginCalls(); n != 1 {
		t.Errorf("the token saw %d logins, want exactly 1", n)
	}
	if n := h.count("pin"); n != 1 {
		t.Errorf("the PIN was asked %d times, want once: never again after a failure", n)
	}
	// The card is locked now: the credential screen says so and offers it
	// no more.
	h.s.showCredential()
	h.wait("credentials")
	if len(h.s.cred.choices) != 0 {
		t.Error("a locked card is still offered")
	}
	if tok := h.s.cred.found.Tokens[0]; !tok.PIN.Locked {
		t.Errorf("the token is not reported locked: %+v", tok.PIN)
	}
}

func TestSayingNoAtTheFinalTrysSecondConfirmationTriesNothing(t *testing.T) {
	m, lib := fakeCard(t, 4)
	h := newHarness(t, config(t, lib))
	d := h.toPIN()
	test.Type(d.entry, "SANDBOX1")
	d.final.SetChecked(true)
	test.Tap(d.ok)
	test.Tap(d.confirm.no)
	if d.answered || d.confirm != nil {
		t.Fatal("No at the second confirmation did not return to the dialog")
	}
	test.Tap(d.cancel)
	h.wait("form")
	if m.LoginCalls() != 0 {
		t.Errorf("the token saw %d logins after No and Cancel, want none", m.LoginCalls())
	}
}

func TestALockedCardIsExplainedAndNeverOfferedForAPIN(t *testing.T) {
	m, lib := fakeCard(t, 5)
	h := newHarness(t, config(t, lib))
	h.startProcedure(service.ProcMoveOut)
	h.wait("credentials")
	c := h.s.cred
	if len(c.found.Tokens) != 1 || !c.found.Tokens[0].PIN.Locked {
		t.Fatalf("the locked card is not found as locked: %+v", c.found.Tokens)
	}
	if len(c.choices) != 0 {
		t.Fatal("a locked card is offered for signing")
	}
	if !strings.Contains(tr("pin.locked"), "窓口") {
		t.Errorf("the locked explanation does not send the resident to the municipal office: %q", tr("pin.locked"))
	}
	if m.LoginCalls() != 0 {
		t.Error("the locked card was tried")
	}
}

func TestTheLockedDialogHasNoFieldAndAnswersLocked(t *testing.T) {
	a := test.NewTempApp(t)
	w := a.NewWindow("pin")
	shown := make(chan *pinDialog, 1)
	done := make(chan error, 1)
	go func() {
		_, err := askPIN(context.Background(), w, pkcs11.PINRequest{Token: pkcs11.JPKISignatureLabel,
			Policy: pkcs11.PolicyJPKISignature, Status: pkcs11.PINStatus{Locked: true}}, func(d *pinDialog) { shown <- d })
		done <- err
	}()
	d := mainUntil(t, shown)
	if d.entry != nil || d.ok != nil {
		t.Fatal("the dialog for a locked PIN has a field or an OK button")
	}
	if d.warning.Text != tr("pin.locked") {
		t.Errorf("it says %q", d.warning.Text)
	}
	test.Tap(d.cancel)
	if err := mainUntil(t, done); !errors.Is(err, pkcs11.ErrPINLocked) {
		t.Errorf("closing it answers %v, want ErrPINLocked", err)
	}
}

func TestTheSignaturePasswordFormatIsCheckedAsTyped(t *testing.T) {
	for _, tc := range []struct {
		name, typed, want string
		ok                bool
	}{
		{"a short password is refused", "ABC12", "ABC12", false},
		{"small letters are upper-cased and accepted", "abc123", "ABC123", true},
		{"a symbol is refused", "ABC-123", "ABC-123", false},
		{"seventeen characters are refused", "ABCDEFGHIJ1234567", "ABCDEFGHIJ1234567", false},
		{"sixteen characters are accepted", "ABCDEFGHIJ123456", "ABCDEFGHIJ123456", true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			a := test.NewTempApp(t)
			w := a.NewWindow("pin")
			d := &pinDialog{req: pkcs11.PINRequest{Token: pkcs11.JPKISignatureLabel, Policy: pkcs11.PolicyJPKISignature,
				Status: pkcs11.PINStatus{TriesLeft: 3}}, win: w, done: make(chan pinResult, 1)}
			d.build()
			if d.tries.Text != tr("pin.tries_left", map[string]any{"N": 3}) {
				t.Errorf("tries shown before typing: %q", d.tries.Text)
			}
			test.Type(d.entry, tc.typed)
			if d.entry.Text != tc.want {
				t.Errorf("the entry holds %q, want %q", d.entry.Text, tc.want)
			}
			if d.ok.Disabled() == tc.ok {
				t.Errorf("OK enabled = %v, want %v (hint %q)", !d.ok.Disabled(), tc.ok, d.format.Text)
			}
			if !tc.ok && d.format.Importance != widget.DangerImportance {
				t.Error("the format hint is not shown as an error")
			}
		})
	}
}
