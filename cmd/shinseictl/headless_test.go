//go:build linux

package main

import (
	"bytes"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/shinsei-app/shinsei/internal/fsx/fsxtest"
)

// Headless runs (cron, ssh, CI) of a command that needs a stored secret:
// without a D-Bus session bus, or with a bus whose keyring cannot be
// unlocked, the command fails within 5 s with exit 3 and a hint, and
// leaves no dbus-daemon behind (the D-Bus library would autolaunch one).

var (
	ctlOnce sync.Once
	ctlBin  string
	ctlErr  error
)

// buildShinseictl builds this command once, to run as a headless job would.
func buildShinseictl(t *testing.T) string {
	t.Helper()
	ctlOnce.Do(func() {
		dir, err := os.MkdirTemp("", "shinseictl-bin-")
		if err != nil {
			ctlErr = err
			return
		}
		ctlBin = filepath.Join(dir, "shinseictl")
		if out, err := exec.Command("go", "build", "-o", ctlBin, ".").CombinedOutput(); err != nil {
			ctlErr = &buildError{err, string(out)}
		}
	})
	if ctlErr != nil {
		t.Fatal(ctlErr)
	}
	return ctlBin
}

// dbusDaemons lists the process ids of the running dbus-daemon processes
// (zombies too: a daemon nobody waits for is left behind as well).
func dbusDaemons(t *testing.T) map[string]bool {
	t.Helper()
	procs, err := filepath.Glob("/proc/[0-9]*/comm")
	if err != nil {
		t.Fatal(err)
	}
	pids := map[string]bool{}
	for _, p := range procs {
		b, err := os.ReadFile(p)
		if err == nil && strings.TrimSpace(string(b)) == "dbus-daemon" {
			pids[filepath.Base(filepath.Dir(p))] = true
		}
	}
	return pids
}

// headlessEnv is the environment of a job with no desktop session: no
// display, no session bus, a runtime directory with no bus in it.
func headlessEnv(t *testing.T) []string {
	var env []string
	for _, e := range os.Environ() {
		name, _, _ := strings.Cut(e, "=")
		switch name {
		case "DBUS_SESSION_BUS_ADDRESS", "DISPLAY", "WAYLAND_DISPLAY", "XDG_RUNTIME_DIR", "XDG_DATA_HOME", "GNOME_KEYRING_CONTROL", "SHINSEI_ERROR_LOG":
			continue
		}
		env = append(env, e)
	}
	dir := fsxtest.TempDir(t)
	for _, d := range []string{"runtime", "data"} {
		if err := os.Mkdir(filepath.Join(dir, d), 0o700); err != nil {
			t.Fatal(err)
		}
	}
	return append(env, "XDG_RUNTIME_DIR="+filepath.Join(dir, "runtime"), "XDG_DATA_HOME="+filepath.Join(dir, "data"),
		"SHINSEI_ERROR_LOG=off", "SHINSEI_DATA_DIR="+filepath.Join(dir, "shinsei"))
}

func TestAHeadlessCommandThatNeedsTheKeyringFailsFastWithExit3AndLeavesNoBusBehind(t *testing.T) {
	bin := buildShinseictl(t)
	// logout reads the keyring before it talks to the service, which is
	// never reached here (nothing listens on port 9).
	cmd := []string{bin, "account", "logout", "--service", "https://127.0.0.1:9", "--account", "A0000001"}
	for _, c := range []struct {
		name    string
		tools   []string
		wrapper []string
	}{
		{"with no D-Bus session bus", nil, nil},
		{"with a session bus and no Secret Service running", []string{"dbus-run-session"}, []string{"dbus-run-session", "--"}},
		{"with a session bus and a keyring nobody can unlock", []string{"dbus-run-session", "gnome-keyring-daemon"},
			[]string{"dbus-run-session", "--", "sh", "-c", `gnome-keyring-daemon --start --components=secrets >/dev/null 2>&1; exec "$@"`, "sh"}},
	} {
		t.Run(c.name, func(t *testing.T) {
			for _, tool := range c.tools {
				if _, err := exec.LookPath(tool); err != nil {
					t.Fatalf("%s not found: apt-get install dbus-daemon gnome-keyring", tool)
				}
			}
			before := dbusDaemons(t)
			args := append(append([]string{}, c.wrapper...), cmd...)
			run := exec.Command(args[0], args[1:]...)
			run.Env = headlessEnv(t)
			var stderr bytes.Buffer
			run.Stderr = &stderr
			run.WaitDelay = 10 * time.Second
			start := time.Now()
			err := run.Run()
			took := time.Since(start)
			var exit *exec.ExitError
			if !errors.As(err, &exit) || exit.ExitCode() != exitEnvironment {
				t.Errorf("exit %v, want %d\n%s", err, exitEnvironment, stderr.String())
			}
			if took > 5*time.Second {
				t.Errorf("took %s, want at most 5s", took.Round(time.Millisecond))
			}
			if !strings.Contains(stderr.String(), "\nhint: ") || !strings.Contains(stderr.String(), "keyring") {
				t.Errorf("no hint about the keyring:\n%s", stderr.String())
			}
			// dbus-run-session stops its own bus as it exits; allow it a moment.
			deadline := time.Now().Add(3 * time.Second)
			var left []string
			for {
				left = left[:0]
				for pid := range dbusDaemons(t) {
					if !before[pid] {
						left = append(left, pid)
					}
				}
				if len(left) == 0 || time.Now().After(deadline) {
					break
				}
				time.Sleep(100 * time.Millisecond)
			}
			if len(left) > 0 {
				t.Errorf("dbus-daemon left behind: pids %v", left)
			}
		})
	}
}
