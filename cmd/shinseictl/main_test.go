package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/rogpeppe/go-internal/testscript"
)

func TestMain(m *testing.M) {
	testscript.Main(scriptsMain{m}, map[string]func(){
		"shinseictl": func() {
			args := os.Args[1:]
			if !wantsJSON(args) {
				os.Exit(run(context.Background(), args, &stdio{in: os.Stdin, out: os.Stdout, err: os.Stderr}))
			}
			// Every --json run of every scenario is held to the one JSON style.
			var out bytes.Buffer
			code := run(context.Background(), args, &stdio{in: os.Stdin, out: &out, err: os.Stderr})
			os.Stdout.Write(out.Bytes())
			if problems := jsonStyleProblems(out.Bytes()); len(problems) > 0 {
				fmt.Fprintf(os.Stderr, "json style (exit %d replaced):\n  %s\n", code, strings.Join(problems, "\n  "))
				code = jsonStyleExit
			}
			os.Exit(code)
		},
	})
}

var (
	sandboxOnce sync.Once
	sandboxBin  string
	sandboxErr  error
)

// buildSandbox builds the real shinsei-sandbox command once, so scripts can
// issue credentials and provision SoftHSM as a help desk would.
func buildSandbox(t *testing.T) string {
	sandboxOnce.Do(func() {
		dir, err := os.MkdirTemp("", "shinsei-sandbox-bin-")
		if err != nil {
			sandboxErr = err
			return
		}
		sandboxBin = filepath.Join(dir, "shinsei-sandbox")
		out, err := exec.Command("go", "build", "-o", sandboxBin, "../shinsei-sandbox").CombinedOutput()
		if err != nil {
			sandboxErr = &buildError{err, string(out)}
		}
	})
	if sandboxErr != nil {
		t.Fatal(sandboxErr)
	}
	return sandboxBin
}

type buildError struct {
	err error
	out string
}

func (e *buildError) Error() string {
	return "building shinsei-sandbox: " + e.err.Error() + "\n" + e.out
}

func TestScripts(t *testing.T) {
	if runtime.GOOS == "windows" {
		windowsScripts(t)
		return
	}
	for _, tool := range []string{"openssl", "unzip", "zip"} {
		if _, err := exec.LookPath(tool); err != nil {
			t.Fatalf("%s is needed by the scripts: apt-get install %s", tool, tool)
		}
	}
	bin := buildSandbox(t)
	softhsm := "/usr/lib/softhsm/libsofthsm2.so"
	if _, err := os.Stat(softhsm); err != nil {
		t.Fatalf("install softhsm2 (Debian: apt-get install softhsm2): %v", err)
	}
	testscript.Run(t, testscript.Params{
		Dir: "testdata",
		Setup: func(env *testscript.Env) error {
			env.Setenv("PATH", filepath.Dir(bin)+string(os.PathListSeparator)+env.Getenv("PATH"))
			env.Setenv("SOFTHSM_MODULE", softhsm)
			return nil
		},
		Cmds: map[string]func(*testscript.TestScript, bool, []string){"exits": exits, "empty": empty, "openssl-tsa": opensslTSA, "lt-pki": ltPKI},
	})
}

// empty checks that each folder holds nothing, hidden files included:
// "empty out" (a temporary package left behind would be hidden).
func empty(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) == 0 {
		ts.Fatalf("usage: empty DIR...")
	}
	for _, dir := range args {
		entries, err := os.ReadDir(ts.MkAbs(dir))
		ts.Check(err)
		if len(entries) > 0 {
			ts.Fatalf("%s holds %s and %d more", dir, entries[0].Name(), len(entries)-1)
		}
	}
}

// exits runs a command and checks its exit code: "exits 2 shinseictl verify x".
func exits(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) < 2 {
		ts.Fatalf("usage: exits CODE COMMAND [ARGS...]")
	}
	want, err := strconv.Atoi(args[0])
	if err != nil {
		ts.Fatalf("exits: bad code %q", args[0])
	}
	got := 0
	var exitErr *exec.ExitError
	if err := ts.Exec(args[1], args[2:]...); errors.As(err, &exitErr) {
		got = exitErr.ExitCode()
	} else if err != nil {
		ts.Fatalf("exits: %v", err)
	}
	if got != want {
		ts.Fatalf("%s exited %d, want %d", args[1], got, want)
	}
}
