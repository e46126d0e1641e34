//go:build !windows

package main

import (
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/shinsei-app/shinsei/internal/testenv/tool"
)

// TestAReleaseBuildNamesItsVersionAndCommit: shinseictl built with the
// flags of 'scripts/version ldflags', as every package builds it, names
// FyneApp.toml's version and the commit checked out, in --version and in
// the help-desk diagnosis (the window's too); built without them and
// without Go's VCS stamp it says "(devel)".
func TestAReleaseBuildNamesItsVersionAndCommit(t *testing.T) {
	tool.Need(t, "git", "install git (Debian: apt-get install git)")
	script := filepath.Join("..", "..", "scripts", "version")
	out, err := exec.Command(script).Output()
	if err != nil {
		t.Fatalf("scripts/version: %v", err)
	}
	version := strings.TrimSpace(string(out))
	if !regexp.MustCompile(`^[0-9]+\.[0-9]+\.[0-9]+$`).MatchString(version) {
		t.Fatalf("scripts/version printed %q, not FyneApp.toml's N.N.N", version)
	}
	ldflags, err := exec.Command(script, "ldflags").Output()
	if err != nil {
		t.Fatalf("scripts/version ldflags: %v", err)
	}
	head, err := exec.Command("git", "rev-parse", "HEAD").Output()
	if err != nil {
		t.Fatalf("git rev-parse HEAD: %v", err)
	}
	rev := strings.TrimSpace(string(head))

	dir := t.TempDir()
	build := func(name string, args ...string) string {
		t.Helper()
		bin := filepath.Join(dir, name)
		cmd := exec.Command("go", append(append([]string{"build", "-o", bin}, args...), ".")...)
		cmd.Env = append(os.Environ(), "GOFLAGS=-buildvcs=false")
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("go build %s: %v\n%s", strings.Join(args, " "), err, out)
		}
		return bin
	}
	stamped := build("stamped", "-ldflags", strings.TrimSpace(string(ldflags)))
	plain := build("plain")

	got, err := exec.Command(stamped, "--version").Output()
	if err != nil {
		t.Fatalf("--version: %v", err)
	}
	want := regexp.MustCompile(`^shinseictl ` + regexp.QuoteMeta(version) + ` \(` + rev[:12] + `\+?\) [a-z0-9]+/[a-z0-9]+ go[0-9.]+\n$`)
	if !want.Match(got) {
		t.Errorf("the stamped build's --version says %q, want %s", got, want)
	}
	if got, _ := exec.Command(plain, "--version").Output(); !strings.HasPrefix(string(got), "shinseictl (devel) ") {
		t.Errorf("a build without the stamp says %q, want (devel)", got)
	}

	// The diagnosis: diag fails here (no card reader service), but its
	// report names the build.
	diag := exec.Command(stamped, "diag", "--json")
	diag.Env = append(os.Environ(), "PCSCLITE_CSOCK_NAME="+filepath.Join(dir, "no-pcscd.comm"), "SHINSEI_ERROR_LOG="+filepath.Join(dir, "errors.json"))
	report, _ := diag.Output()
	var r struct {
		System struct {
			Version, Revision string
		}
	}
	if err := json.Unmarshal(report, &r); err != nil {
		t.Fatalf("diag --json: %v\n%s", err, report)
	}
	if r.System.Version != version || r.System.Revision != rev {
		t.Errorf("the diagnosis names version %q at %q, want %q at %q", r.System.Version, r.System.Revision, version, rev)
	}
}
