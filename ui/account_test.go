package ui

import (
	"crypto/x509"
	"errors"
	"strings"
	"testing"

	"fyne.io/fyne/v2/test"

	"github.com/shinsei-app/shinsei/flow"
	"github.com/shinsei-app/shinsei/submit"
)

// osLikeKeyring is a keyring that is not the sandbox's memory keyring (it
// stands for the OS keyring); with refusePasswords it takes the probe but
// refuses an account's password.
type osLikeKeyring struct {
	mem             submit.MemoryKeyring
	refusePasswords bool
}

func (k *osLikeKeyring) Set(service, user, secret string) error {
	if k.refusePasswords && strings.HasPrefix(user, "R") {
		return errors.New("the keyring is locked")
	}
	return k.mem.Set(service, user, secret)
}
func (k *osLikeKeyring) Get(service, user string) (string, error) { return k.mem.Get(service, user) }
func (k *osLikeKeyring) Delete(service, user string) error        { return k.mem.Delete(service, user) }

// registerWithCard registers on a fresh service with the SoftHSM card and
// the given keyring, and returns the harness and the account screen.
func registerWithCard(t *testing.T, keyring submit.Store, wantErr bool) (*harness, *account) {
	t.Helper()
	cfg, svc := config(t), startService(t, nil)
	cfg.ServiceURL, cfg.ServiceAnchors, cfg.ServiceVA = svc.URL(), []*x509.Certificate{svc.CACert()}, svc.VACert()
	cfg.Keyring = keyring
	h := newHarness(t, cfg)
	h.wait("catalogue")
	a := h.s.account.get()
	if a.register.Disabled() || a.p12.Disabled() {
		t.Fatal("with no account kept the register buttons are disabled")
	}
	if !a.login.Disabled() {
		t.Error("with no ID the Log in button is enabled")
	}
	test.Tap(a.register)
	h.enterPIN("SANDBOX1")
	h.confirmSign()
	if wantErr {
		h.wait("error")
	} else {
		h.wait("account")
	}
	return h, a
}

func TestTheGeneratedPasswordsNoteSaysWhereThePasswordWasReallyKept(t *testing.T) {
	for _, tc := range []struct {
		name    string
		keyring submit.Store
		wantErr bool
		want    string
	}{
		{"a keyring that took it is named as the keyring", &osLikeKeyring{}, false, "account.generated_note"},
		{"the sandbox's memory is said to last until the app closes", &submit.MemoryKeyring{}, false, "account.generated_note_run"},
		{"a keyring that refused it is said to have refused it, and the password is still shown", &osLikeKeyring{refusePasswords: true}, true, "account.generated_note_unkept"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, a := registerWithCard(t, tc.keyring, tc.wantErr)
			if a.passwordNote == nil {
				t.Fatal("no generated password was shown")
			}
			if a.passwordNote.Text != tr(tc.want) {
				t.Errorf("the password's note says %q, want %q", a.passwordNote.Text, tr(tc.want))
			}
			if a.id == "" || a.idEntry.Text != a.id {
				t.Errorf("the ID field holds %q after registering %q", a.idEntry.Text, a.id)
			}
		})
	}
}

func TestOnceRegisteredTheRegisterButtonsAreDisabledUntilAnotherAccountIsAskedFor(t *testing.T) {
	_, a := registerWithCard(t, &submit.MemoryKeyring{}, false)
	if !a.register.Disabled() || !a.p12.Disabled() {
		t.Fatal("after registering the register buttons are still enabled")
	}
	if !a.anotherRow.Visible() {
		t.Fatal("after registering there is no way to register another account")
	}
	a.another.SetChecked(true)
	if a.register.Disabled() || a.p12.Disabled() {
		t.Error("asking for another account leaves the register buttons disabled")
	}
}

func TestLoginUsesTheIDFieldAndAsksThePasswordWhenNoneIsKept(t *testing.T) {
	h, a := registerWithCard(t, &submit.MemoryKeyring{}, false)
	if a.login.Disabled() || a.enter.Disabled() {
		t.Fatal("with the registered ID filled in, Log in is disabled")
	}
	if a.shownPassword == nil {
		t.Fatal("no generated password was shown")
	}
	pw := a.shownPassword.number.Text
	if strings.ContainsAny(pw, "O0I1") {
		t.Errorf("the generated password shown holds a look-alike character (O/0, I/1)")
	}
	fa := h.s.flowApp()
	// What a resident on another computer has: the ID and the noted
	// password, nothing kept.
	if _, err := fa.Logout(h.s.ctx, a.id, false); err != nil {
		t.Fatal(err)
	}
	a.idEntry.SetText("")
	if !a.login.Disabled() {
		t.Error("with the ID field empty, Log in is enabled")
	}
	test.Type(a.idEntry, a.id)
	test.Tap(a.login)
	h.wait("secret")
	if h.s.secret.req.Kind != flow.SecretAccountPassword || h.s.secret.req.Subject != a.id {
		t.Fatalf("the login asked %+v", h.s.secret.req)
	}
	test.Type(h.s.secret.entry, pw)
	test.Tap(h.s.secret.ok)
	h.wait("account")
	if !strings.Contains(a.status.Text, a.id) {
		t.Errorf("after logging in with the typed password the status says %q", a.status.Text)
	}
}

func TestTheReceiptSaysHowLongThisComputerKeepsTheHistory(t *testing.T) {
	for _, tc := range []struct {
		name    string
		sandbox bool
		want    string
	}{
		{"with a real service the history keeps the numbers", false, "receipt.kept"},
		{"in the sandbox the practice history lasts until the app closes", true, "receipt.kept_practice"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			h := newHarness(t, config(t))
			h.s.opts.Sandbox = tc.sandbox
			r := newReceiptScreen(h.s, submit.Record{ArrivalNumber: "2025-000123"}, nil)
			if !showsLabel(t, r.box, tr(tc.want)) {
				t.Errorf("the receipt does not say %q", tr(tc.want))
			}
			other := map[string]string{"receipt.kept": "receipt.kept_practice", "receipt.kept_practice": "receipt.kept"}[tc.want]
			if showsLabel(t, r.box, tr(other)) {
				t.Errorf("the receipt also says %q", tr(other))
			}
		})
	}
}
