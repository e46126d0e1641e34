package diagnosis

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"runtime"
	"time"

	"github.com/shinsei-app/shinsei/i18n"

	"github.com/zalando/go-keyring"
)

// KeyringReport tells whether the OS keyring, where Shinsei keeps the
// service's ID/password, can be used.
type KeyringReport struct {
	Check
	Available bool   `json:"available"`
	Error     string `json:"error,omitempty"`
}

// osKeyring is the operating system's keyring through go-keyring.
type osKeyring struct{}

func (osKeyring) Set(service, user, secret string) error   { return keyring.Set(service, user, secret) }
func (osKeyring) Get(service, user string) (string, error) { return keyring.Get(service, user) }
func (osKeyring) Delete(service, user string) error        { return keyring.Delete(service, user) }

// keyringProbeUser names the probe entry under KeyringProbeService.
const keyringProbeUser = "probe"

func (d *diagnosis) keyring(ctx context.Context) {
	k := &d.r.Keyring
	kr := d.opts.Keyring
	var err error
	if kr == nil {
		kr = osKeyring{}
		err = sessionBus()
	}
	if err == nil {
		err = probeKeyring(ctx, kr, d.opts.Timeout)
	}
	if err != nil {
		k.Error = d.red.text(err.Error())
		k.setDetail(StatusFail, msg("キーリング（パスワードなどを安全に保管する仕組み）を使えません。", "The OS keyring cannot be used."),
			msg("ログインしたデスクトップで Shinsei を起動してください。キーリングがロックされている場合は解除してください。",
				"Please run Shinsei in your desktop session, and unlock the keyring if it is locked."),
			detail("Linux では GNOME キーリングなどの Secret Service が D-Bus のセッションで動いている必要があります（Debian: apt-get install gnome-keyring）。",
				"On Linux a Secret Service such as GNOME Keyring must be running on the session D-Bus (Debian: apt-get install gnome-keyring)."))
		return
	}
	k.Available = true
	k.set(StatusOK, msg("使えます（確認用の項目を書き込み、読み出し、削除しました）。", "Available (a probe entry was written, read back and deleted)."), i18n.Text{})
}

// probeKeyring writes, reads back and deletes a probe entry, within
// timeout: a keyring that waits on an unlock prompt nobody answers counts
// as unavailable. The probe goroutine is left to finish on its own then.
func probeKeyring(ctx context.Context, kr Keyring, timeout time.Duration) error {
	value, err := probeValue()
	if err != nil {
		return err
	}
	done := make(chan error, 1)
	go func() {
		done <- func() error {
			if err := kr.Set(KeyringProbeService, keyringProbeUser, value); err != nil {
				return fmt.Errorf("keyring: write: %w", err)
			}
			got, err := kr.Get(KeyringProbeService, keyringProbeUser)
			if err != nil {
				kr.Delete(KeyringProbeService, keyringProbeUser)
				return fmt.Errorf("keyring: read back: %w", err)
			}
			if err := kr.Delete(KeyringProbeService, keyringProbeUser); err != nil {
				return fmt.Errorf("keyring: delete: %w", err)
			}
			if got != value {
				return errProbeMismatch
			}
			return nil
		}()
	}()
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	select {
	case err := <-done:
		return err
	case <-ctx.Done():
		return fmt.Errorf("keyring: no answer within %v (locked, or waiting for an unlock prompt): %w", timeout, ctx.Err())
	}
}

var errProbeMismatch = errors.New("the probe entry read back differs from the one written")

func probeValue() (string, error) {
	b := make([]byte, 12)
	if _, err := rand.Read(b); err != nil {
		return "", fmt.Errorf("probe value: %w", err)
	}
	return "shinsei-probe-" + hex.EncodeToString(b), nil
}

// sessionBus checks, where go-keyring reaches the Secret Service over
// D-Bus, that a session bus is there to reach. Without one, the D-Bus
// library would start a session bus of its own with dbus-launch, a daemon
// that outlives the diagnosis.
func sessionBus() error {
	switch runtime.GOOS {
	case "darwin", "windows", "ios", "android":
		return nil
	}
	if os.Getenv("DBUS_SESSION_BUS_ADDRESS") != "" {
		return nil
	}
	if _, err := os.Stat(fmt.Sprintf("/run/user/%d/bus", os.Getuid())); err == nil {
		return nil
	}
	return errNoSessionBus
}

var errNoSessionBus = errors.New("keyring: no D-Bus session bus (DBUS_SESSION_BUS_ADDRESS is not set): the Secret Service is reached only inside a desktop session")
