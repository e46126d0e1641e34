package archtest

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// releaseBuildLib is the one definition of the flags the Linux programs
// ship with (scripts/package-deb) and are measured with.
const releaseBuildLib = "scripts/lib/release-build.sh"

// TestTheBenchmarksMeasureTheBuildTheDebianPackageShips keeps the
// start-up benchmark, the memory measurement of the real-window drive and
// the Debian package on one definition of the build: each sources
// scripts/lib/release-build.sh and builds every Linux program, the app
// and its minimal baseline alike, with release_build — a plain `go build`
// there would measure (or ship) another binary than the other scripts.
// Only Windows builds (GOOS=windows) are left to their own flags.
func TestTheBenchmarksMeasureTheBuildTheDebianPackageShips(t *testing.T) {
	lib := readScript(t, releaseBuildLib)
	for _, flag := range []string{"-trimpath", "-buildmode=pie", "-s -w", "-z,relro,-z,now", "_FORTIFY_SOURCE=2"} {
		if !strings.Contains(lib, flag) {
			t.Errorf("%s does not build with %s (Debian's hardening, as the package has shipped)", releaseBuildLib, flag)
		}
	}
	for _, tc := range []struct {
		script string
		builds []string // the packages it must build with release_build
	}{
		{"scripts/package-deb", []string{`"./cmd/$cmd"`}},
		{"scripts/bench-startup", []string{"./cmd/shinsei", "./cmd/shinsei/internal/minimal"}},
		{"scripts/screenshots", []string{"./cmd/shinsei", "./cmd/shinsei/internal/minimal"}},
	} {
		t.Run(tc.script, func(t *testing.T) {
			for _, p := range linuxBuildProblems(readScript(t, tc.script), tc.builds) {
				t.Errorf("%s: %s", tc.script, p)
			}
		})
	}
}

// TestTheBuildCheckCatchesAPlainBuild shows that the check above fails
// on what it guards against.
func TestTheBuildCheckCatchesAPlainBuild(t *testing.T) {
	for _, tc := range []struct {
		name, script string
		want         bool // a problem is found
	}{
		{"a plain go build of the app is caught",
			". scripts/lib/release-build.sh\nrelease_build \"$bin/minimal\" ./m\ngo build -o \"$bin/shinsei\" ./cmd/shinsei\n", true},
		{"a script that does not source the definition is caught",
			"release_build \"$bin/shinsei\" ./cmd/shinsei\nrelease_build \"$bin/minimal\" ./m\n", true},
		{"a baseline built another way is caught",
			". scripts/lib/release-build.sh\nrelease_build \"$bin/shinsei\" ./cmd/shinsei\n", true},
		{"a Windows build continued over lines keeps its own flags",
			". scripts/lib/release-build.sh\nGOOS=windows CC=x \\\n  go build -tags accessibility -o a.exe ./cmd/shinsei\n" +
				"release_build \"$bin/shinsei\" ./cmd/shinsei\nrelease_build \"$bin/minimal\" ./m\n", false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := linuxBuildProblems(tc.script, []string{"./cmd/shinsei", "./m"})
			if (len(got) > 0) != tc.want {
				t.Errorf("problems %q, want some: %v", got, tc.want)
			}
		})
	}
}

func readScript(t *testing.T, name string) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("..", "..", filepath.FromSlash(name)))
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

var (
	sourcesLib   = regexp.MustCompile(`(?m)^\s*\.\s+"?[^\s"]*` + regexp.QuoteMeta(releaseBuildLib) + `"?\s*$`)
	goBuild      = regexp.MustCompile(`(^|[\s;&|(])go build\b`)
	releaseBuild = regexp.MustCompile(`(^|[\s;&|(])release_build\s`)
)

// linuxBuildProblems returns what keeps a script from building its Linux
// programs with the shared definition: it does not source it, runs a
// `go build` that is not for Windows, or does not build one of packages
// with release_build. Comments are ignored; lines continued with a
// backslash are read as one command.
func linuxBuildProblems(script string, packages []string) []string {
	var problems []string
	if !sourcesLib.MatchString(script) {
		problems = append(problems, "does not source "+releaseBuildLib)
	}
	built := map[string]bool{}
	for _, cmd := range commands(script) {
		if goBuild.MatchString(cmd) && !strings.Contains(cmd, "GOOS=windows") {
			problems = append(problems, "builds with a plain go build, not release_build: "+cmd)
		}
		if releaseBuild.MatchString(cmd) {
			for _, p := range packages {
				if strings.Contains(cmd+" ", " "+p+" ") { // its PACKAGE argument, maybe before LDFLAGS
					built[p] = true
				}
			}
		}
	}
	for _, p := range packages {
		if !built[p] {
			problems = append(problems, "does not build "+p+" with release_build")
		}
	}
	return problems
}

// commands splits a shell script into its commands, one per line with
// continuation lines joined, comments dropped.
func commands(script string) []string {
	var out []string
	var cur strings.Builder
	for _, line := range strings.Split(script, "\n") {
		trimmed := strings.TrimSpace(line)
		if strings.HasPrefix(trimmed, "#") {
			continue
		}
		if strings.HasSuffix(trimmed, "\\") {
			cur.WriteString(strings.TrimSuffix(trimmed, "\\") + " ")
			continue
		}
		cur.WriteString(trimmed)
		if s := strings.TrimSpace(cur.String()); s != "" {
			out = append(out, s)
		}
		cur.Reset()
	}
	return out
}
