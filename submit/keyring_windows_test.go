package submit_test

import (
	"context"
	"errors"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/danieljoos/wincred"
	"github.com/shinsei-app/shinsei/internal/testenv"
	"github.com/shinsei-app/shinsei/submit"
)

// TestTheCredentialManagerHoldsThePasswordWhereWindowsFindsIt is the
// Windows side of TestTheRealKeyringHoldsThePasswordWhereSecretToolFindsIt:
// the password goes to the Credential Manager (wincred), where Windows'
// own CredRead finds it, and Forget removes it from there.
func TestTheCredentialManagerHoldsThePasswordWhereWindowsFindsIt(t *testing.T) {
	testenv.ThrowawayWindowsUser(t)
	ctx := context.Background()
	c, err := submit.NewCredentials(nil, testService)
	if err != nil {
		t.Fatal(err)
	}
	if err := c.Probe(ctx); err != nil {
		t.Fatal(err)
	}
	const password = "a password only the Credential Manager knows"
	if err := c.SavePassword(ctx, "A0000001", password); err != nil {
		t.Fatal(err)
	}
	lookup := func() (string, error) {
		cred, err := wincred.GetGenericCredential(c.Service() + ":A0000001")
		if err != nil {
			return "", err
		}
		return string(cred.CredentialBlob), nil
	}
	if got, err := lookup(); err != nil || got != password {
		t.Fatalf("CredRead: found %d bytes, %v; want the password", len(got), err)
	}
	if err := c.SaveSession(ctx, submit.Session{Token: "a-session-token", AccountID: "A0000001", ExpiresAt: time.Now().Add(time.Hour)}); err != nil {
		t.Fatal(err)
	}
	if s, err := c.Session(ctx, "A0000001", time.Now()); err != nil || s.Token != "a-session-token" {
		t.Fatalf("session: %v", err)
	}
	if err := c.SavePassword(ctx, "A0000002", strings.Repeat("p", submit.MaxSecret)); err != nil {
		t.Fatalf("a secret of exactly %d bytes: %v", submit.MaxSecret, err)
	}
	if err := c.Forget(ctx, "A0000001"); err != nil {
		t.Fatal(err)
	}
	if got, err := lookup(); !errors.Is(err, syscall.ERROR_NOT_FOUND) || got != "" {
		t.Fatalf("CredRead still finds the password after Forget (%d bytes, %v)", len(got), err)
	}
	if _, err := c.Password(ctx, "A0000001"); !errors.Is(err, submit.ErrNotStored) {
		t.Fatalf("after Forget: %v", err)
	}
	if _, err := c.Session(ctx, "A0000001", time.Now()); !errors.Is(err, submit.ErrNotStored) {
		t.Fatalf("session after Forget: %v", err)
	}
}
