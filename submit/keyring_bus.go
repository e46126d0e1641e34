package submit

import (
	"fmt"
	"os"
	"runtime"
	"time"

	"github.com/godbus/dbus/v5"
)

// keyringTimeout is how long one keyring operation may take: seconds
// where no unlock prompt can be shown (HeadlessKeyringTimeout), else
// KeyringTimeout.
func keyringTimeout() time.Duration {
	if usesSecretService() && os.Getenv("DISPLAY") == "" && os.Getenv("WAYLAND_DISPLAY") == "" {
		return HeadlessKeyringTimeout
	}
	return KeyringTimeout
}

// usesSecretService reports whether go-keyring reaches the keyring through
// the Secret Service on the D-Bus session bus (Linux and the BSDs).
func usesSecretService() bool {
	switch runtime.GOOS {
	case "darwin", "ios", "windows", "android", "js", "wasip1", "plan9":
		return false
	}
	return true
}

// sessionBus checks that a D-Bus session bus is there to reach the Secret
// Service, as the D-Bus library finds it ($DBUS_SESSION_BUS_ADDRESS, else
// the user's /run/user/UID/bus), without ever autolaunching one: the
// library's autolaunch (dbus-launch) starts a bus daemon that outlives
// the command — cron, ssh and CI have none. Without a bus it is
// ErrNoKeyring.
func sessionBus() error {
	if !usesSecretService() {
		return nil
	}
	conn, err := dbus.SessionBusPrivateNoAutoStartup()
	if err != nil {
		return fmt.Errorf("%w: no D-Bus session bus to reach the Secret Service (%v)", ErrNoKeyring, err)
	}
	conn.Close()
	return nil
}
