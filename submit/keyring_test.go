package submit_test

import (
	"context"
	"errors"
	"os/exec"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/shinsei-app/shinsei/internal/fsx/fsxtest"
	"github.com/shinsei-app/shinsei/internal/testenv"
	"github.com/shinsei-app/shinsei/submit"
)

const testService = "https://127.0.0.1:8443"

func TestCredentialsKeepThePasswordSessionAndDefaultAccount(t *testing.T) {
	ctx := context.Background()
	store := newMemStore()
	c, err := submit.NewCredentials(store, testService)
	if err != nil {
		t.Fatal(err)
	}
	if c.Service() != "shinsei:127.0.0.1:8443" {
		t.Fatalf("service key %q", c.Service())
	}
	if _, err := c.DefaultAccount(ctx); !errors.Is(err, submit.ErrNotStored) {
		t.Fatalf("default account of an empty keyring: %v", err)
	}
	if err := c.SavePassword(ctx, "A0000001", "correct horse battery"); err != nil {
		t.Fatal(err)
	}
	if pw, err := c.Password(ctx, "A0000001"); err != nil || pw != "correct horse battery" {
		t.Fatalf("password %v", err)
	}
	if def, err := c.DefaultAccount(ctx); err != nil || def != "A0000001" {
		t.Fatalf("default %q, %v", def, err)
	}
	now := time.Now()
	if err := c.SaveSession(ctx, submit.Session{Token: "tok", AccountID: "A0000001", ExpiresAt: now.Add(time.Hour)}); err != nil {
		t.Fatal(err)
	}
	if s, err := c.Session(ctx, "A0000001", now); err != nil || s.Token != "tok" {
		t.Fatalf("session %+v, %v", s, err)
	}
	if _, err := c.Session(ctx, "A0000001", now.Add(2*time.Hour)); !errors.Is(err, submit.ErrNotStored) {
		t.Fatalf("an expired session: %v", err)
	}
	if _, err := c.Session(ctx, "A0000001", now); !errors.Is(err, submit.ErrNotStored) {
		t.Fatalf("an expired session is deleted: %v", err)
	}
	if err := c.Forget(ctx, "A0000001"); err != nil {
		t.Fatal(err)
	}
	if n := store.Len(); n != 0 {
		t.Fatalf("%d entries left in the keyring after Forget", n)
	}
	if err := c.Forget(ctx, "A0000001"); err != nil {
		t.Fatalf("forgetting twice: %v", err)
	}
}

func TestCredentialsRefuseWhatNoKeyringCanHold(t *testing.T) {
	ctx := context.Background()
	c, _ := submit.NewCredentials(newMemStore(), testService)
	tests := []struct {
		name string
		err  error
		want error
	}{
		{"a password over 2560 bytes is refused on every platform", c.SavePassword(ctx, "A1", strings.Repeat("x", 2561)), submit.ErrSecretTooLarge},
		{"an account ID that could collide with an internal entry is refused", c.SavePassword(ctx, "@default-account", "pw"), submit.ErrInvalidAccountID},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if !errors.Is(tt.err, tt.want) {
				t.Fatalf("err = %v, want %v", tt.err, tt.want)
			}
		})
	}
}

func TestAFailingKeyringIsErrNoKeyringWithoutTheSecret(t *testing.T) {
	store := newMemStore()
	store.err = errors.New("org.freedesktop.DBus.Error.ServiceUnknown: The name org.freedesktop.secrets was not provided by any .service files")
	c, _ := submit.NewCredentials(store, testService)
	err := c.SavePassword(context.Background(), "A0000001", "correct horse battery")
	if !errors.Is(err, submit.ErrNoKeyring) || strings.Contains(err.Error(), "correct horse") {
		t.Fatalf("%v", err)
	}
	if err := c.Probe(context.Background()); !errors.Is(err, submit.ErrNoKeyring) {
		t.Fatalf("probe: %v", err)
	}
}

func TestWithoutASessionBusTheOSKeyringIsErrNoKeyring(t *testing.T) {
	if runtime.GOOS != "linux" {
		t.Skip("the Secret Service over D-Bus is the Linux keyring")
	}
	t.Setenv("DBUS_SESSION_BUS_ADDRESS", "unix:path="+fsxtest.TempDir(t)+"/no-bus")
	c, _ := submit.NewCredentials(nil, testService)
	if _, err := c.Password(context.Background(), "A0000001"); !errors.Is(err, submit.ErrNoKeyring) {
		t.Fatalf("%v", err)
	}
}

// TestTheRealKeyringHoldsThePasswordWhereSecretToolFindsIt runs against a
// private GNOME Keyring (testenv.Keyring re-runs it under dbus-run-session).
func TestTheRealKeyringHoldsThePasswordWhereSecretToolFindsIt(t *testing.T) {
	if !testenv.Keyring(t) {
		return
	}
	ctx := context.Background()
	c, err := submit.NewCredentials(nil, testService)
	if err != nil {
		t.Fatal(err)
	}
	if err := c.Probe(ctx); err != nil {
		t.Fatal(err)
	}
	const password = "a password only the keyring knows"
	if err := c.SavePassword(ctx, "A0000001", password); err != nil {
		t.Fatal(err)
	}
	lookup := func() (string, error) {
		out, err := exec.Command("secret-tool", "lookup", "service", c.Service(), "username", "A0000001").Output()
		return string(out), err
	}
	if got, err := lookup(); err != nil || got != password {
		t.Fatalf("secret-tool lookup: found %d bytes, %v; want the password", len(got), err)
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
	if got, err := lookup(); err == nil || got != "" {
		t.Fatalf("secret-tool still finds the password after Forget (%d bytes)", len(got))
	}
	if _, err := c.Password(ctx, "A0000001"); !errors.Is(err, submit.ErrNotStored) {
		t.Fatalf("after Forget: %v", err)
	}
	if _, err := c.Session(ctx, "A0000001", time.Now()); !errors.Is(err, submit.ErrNotStored) {
		t.Fatalf("session after Forget: %v", err)
	}
}
