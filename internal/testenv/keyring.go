package testenv

import (
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/shinsei-app/shinsei/internal/fsx/fsxtest"
)

// keyringChildEnv marks a test process that runs inside its own D-Bus
// session with its own unlocked GNOME Keyring.
const keyringChildEnv = "SHINSEI_TESTENV_KEYRING"

// keyringHint is the failure message when the tools are missing.
const keyringHint = "install them (Debian: apt-get install dbus-daemon gnome-keyring libsecret-tools)"

// keyringPassword unlocks the private test keyring; it protects nothing.
const keyringPassword = "shinsei-test-keyring"

// Keyring gives the calling test a real, private, unlocked GNOME Keyring
// (the Secret Service go-keyring uses on Linux), never the user's own:
//
//	func TestX(t *testing.T) {
//		if !testenv.Keyring(t) {
//			return // it ran in a child process
//		}
//		... keyring.Set/Get work against the private keyring ...
//	}
//
// In an ordinary test process it runs this one test again, in a child
// process started as DESIGN.md §3 shows: under dbus-run-session, with
// gnome-keyring-daemon started and unlocked, and XDG_DATA_HOME and
// XDG_RUNTIME_DIR in a temporary directory. It passes the child's output
// on, fails when the child fails, and returns false. In the child it
// returns true. The child is a separate process, so keyring.MockInit in
// any other test cannot affect it. A missing dbus-run-session or
// gnome-keyring-daemon fails the test with the packages to install.
func Keyring(t *testing.T) bool {
	t.Helper()
	if runtime.GOOS != "linux" {
		t.Skip("testenv: GNOME Keyring over D-Bus is the Linux keyring (Windows has its own test of the Credential Manager)")
	}
	if os.Getenv(keyringChildEnv) == t.Name() {
		if os.Getenv("DBUS_SESSION_BUS_ADDRESS") == "" {
			t.Fatal("testenv: the keyring child has no D-Bus session")
		}
		return true
	}
	var missing []string
	for _, tool := range []string{"dbus-run-session", "gnome-keyring-daemon", "secret-tool"} {
		if _, err := exec.LookPath(tool); err != nil {
			missing = append(missing, tool)
		}
	}
	if len(missing) > 0 {
		t.Fatalf("testenv: %s not found: %s", strings.Join(missing, ", "), keyringHint)
	}
	dir := fsxtest.TempDir(t)
	for _, d := range []string{"data", "runtime"} {
		if err := os.Mkdir(filepath.Join(dir, d), 0o700); err != nil {
			t.Fatal(err)
		}
	}
	var parts []string
	for _, p := range strings.Split(t.Name(), "/") {
		parts = append(parts, "^"+regexp.QuoteMeta(p)+"$")
	}
	script := `printf '%s' "$SHINSEI_TESTENV_KEYRING_PW" | gnome-keyring-daemon --unlock --components=secrets >/dev/null 2>&1 || exit 97; exec "$@"`
	args := []string{"--", "sh", "-c", script, "sh", os.Args[0], "-test.run=" + strings.Join(parts, "/"), "-test.v", "-test.count=1"}
	cmd := exec.Command("dbus-run-session", args...)
	cmd.Env = append(withoutBus(os.Environ()),
		keyringChildEnv+"="+t.Name(),
		"SHINSEI_TESTENV_KEYRING_PW="+keyringPassword,
		"XDG_DATA_HOME="+filepath.Join(dir, "data"),
		"XDG_RUNTIME_DIR="+filepath.Join(dir, "runtime"),
	)
	// A daemon that outlives the session must not keep the test waiting
	// on its inherited output.
	cmd.WaitDelay = 10 * time.Second
	out, err := cmd.CombinedOutput()
	text := filterBusNoise(string(out))
	t.Log("in a private D-Bus session with GNOME Keyring:\n" + text)
	if code := cmd.ProcessState.ExitCode(); code == 97 {
		t.Fatalf("testenv: gnome-keyring-daemon could not start and unlock a keyring; %s", keyringHint)
	}
	if err != nil {
		t.Fatalf("testenv: the keyring child failed: %v", err)
	}
	if !strings.Contains(text, "--- PASS: "+t.Name()) {
		t.Fatalf("testenv: the keyring child did not run %s", t.Name())
	}
	return false
}

// withoutBus drops the user's session bus, so that nothing can reach the
// user's own keyring.
func withoutBus(env []string) []string {
	var out []string
	for _, e := range env {
		if strings.HasPrefix(e, "DBUS_SESSION_BUS_ADDRESS=") || strings.HasPrefix(e, keyringChildEnv+"=") ||
			strings.HasPrefix(e, "GNOME_KEYRING_CONTROL=") {
			continue
		}
		out = append(out, e)
	}
	return out
}

// filterBusNoise drops what dbus-daemon and gnome-keyring-daemon print
// about themselves.
func filterBusNoise(s string) string {
	var keep []string
	s = strings.ReplaceAll(s, "discover_other_daemon: 1", "")
	s = strings.ReplaceAll(s, "discover_other_daemon: 0", "")
	for _, l := range strings.Split(s, "\n") {
		if strings.HasPrefix(l, "dbus-daemon[") {
			continue
		}
		keep = append(keep, l)
	}
	return strings.Join(keep, "\n")
}
