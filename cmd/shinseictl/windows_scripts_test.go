package main

import (
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"testing"

	"github.com/rogpeppe/go-internal/testscript"
	"github.com/shinsei-app/shinsei/internal/fsx"
	"github.com/shinsei-app/shinsei/internal/fsx/fsxtest"
)

// SandboxExeEnv names a Windows build of shinsei-sandbox for the scenarios
// on Windows, where the test cannot build it (scripts/wine-test sets it).
const SandboxExeEnv = "SHINSEI_SANDBOX_EXE"

// scriptsMain is the testing.M testscript.Main runs. On Windows it removes
// testscript's folder of commands itself, with fsx.RemoveAll, once the
// tests are done: testscript removes it with os.RemoveAll, which fails
// under Wine 8.0 (DESIGN.md, "Windows under Wine") and would fail the run
// after every test passed.
type scriptsMain struct{ m *testing.M }

func (s scriptsMain) Run() int {
	code := s.m.Run()
	if runtime.GOOS != "windows" {
		return code
	}
	// testscript.Main put TEMP\testscript-main*\bin first in PATH.
	bin := filepath.SplitList(os.Getenv("PATH"))[0]
	if dir := filepath.Dir(bin); filepath.Base(bin) == "bin" && strings.HasPrefix(filepath.Base(dir), "testscript-main") {
		if err := fsx.RemoveAll(dir); err != nil {
			fmt.Fprintf(os.Stderr, "removing testscript's commands: %v\n", err)
			return 1
		}
	}
	return code
}

// windowsScripts runs, on Windows, the scenarios of testdata that need
// nothing Windows lacks; each of the others is a subtest skipped with
// what it needs.
func windowsScripts(t *testing.T) {
	files, err := filepath.Glob("testdata/*.txt")
	if err != nil || len(files) == 0 {
		t.Fatalf("no scenarios in testdata: %v", err)
	}
	sandbox := os.Getenv(SandboxExeEnv)
	dir := fsxtest.TempDir(t)
	ran := 0
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		name := strings.TrimSuffix(filepath.Base(f), ".txt")
		if missing := windowsMissing(string(data), sandbox != ""); len(missing) > 0 {
			t.Run(name, func(t *testing.T) {
				t.Skipf("needs %s, which the Windows test cannot run", strings.Join(missing, ", "))
			})
			continue
		}
		if err := os.WriteFile(filepath.Join(dir, filepath.Base(f)), data, 0o600); err != nil {
			t.Fatal(err)
		}
		ran++
	}
	if ran == 0 {
		return
	}
	testscript.Run(t, testscript.Params{
		Dir: dir,
		// testscript's own removal of its work folders fails under Wine.
		WorkdirRoot: fsxtest.TempDir(t),
		Setup: func(env *testscript.Env) error {
			if sandbox != "" {
				env.Setenv("PATH", filepath.Dir(sandbox)+string(os.PathListSeparator)+env.Getenv("PATH"))
			}
			return nil
		},
		Cmds: map[string]func(*testscript.TestScript, bool, []string){"exits": exits, "empty": empty},
	})
}

// windowsMissing lists what script runs that the Windows test cannot:
// the Linux programs it execs, SoftHSM, and shinsei-sandbox unless a
// Windows build of it is given.
func windowsMissing(script string, haveSandbox bool) []string {
	var missing []string
	add := func(what string) {
		if !slices.Contains(missing, what) {
			missing = append(missing, what)
		}
	}
	for _, line := range strings.Split(script, "\n") {
		if strings.HasPrefix(line, "-- ") {
			break // the files of the scenario
		}
		if strings.Contains(line, "SOFTHSM") {
			add("SoftHSM")
		}
		f := strings.Fields(strings.TrimPrefix(strings.TrimSpace(line), "! "))
		if len(f) < 2 || f[0] != "exec" {
			continue
		}
		switch f[1] {
		case "openssl", "zip", "unzip", "mkfifo", "sh":
			add(f[1])
		case "shinsei-sandbox":
			if !haveSandbox {
				add("shinsei-sandbox (" + SandboxExeEnv + ")")
			}
		}
	}
	return missing
}
