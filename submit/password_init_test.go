package submit_test

import (
	"bufio"
	"bytes"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"testing"
)

// TestStartingAProgramThatChecksPasswordsBuildsNoDictionary runs this
// test binary again, running no test, with the runtime's trace of package
// initialisation: the password-strength estimator's packages must not
// build their dictionaries at start (upstream zxcvbn did, ≈ 10 MB and tens
// of milliseconds at every start of the desktop app; third_party/zxcvbn
// builds them on the first password checked).
func TestStartingAProgramThatChecksPasswordsBuildsNoDictionary(t *testing.T) {
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), "GODEBUG=inittrace=1")
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	if err := cmd.Run(); err != nil {
		t.Fatalf("the test binary run again: %v\n%s", err, stderr.String())
	}
	// "init PKG @0.6 ms, 0.77 ms clock, 1524112 bytes, 8 allocs"
	allocated := map[string]int{}
	sc := bufio.NewScanner(&stderr)
	for sc.Scan() {
		f := strings.Fields(sc.Text())
		if len(f) < 9 || f[0] != "init" || f[8] != "bytes," {
			continue
		}
		n, err := strconv.Atoi(f[7])
		if err != nil {
			t.Fatalf("unreadable trace line %q", sc.Text())
		}
		allocated[f[1]] = n
	}
	if _, ok := allocated["runtime"]; !ok {
		t.Fatalf("no initialisation trace (GODEBUG=inittrace=1) in the child's output:\n%s", stderr.String())
	}
	const most = 256 << 10
	for _, pkg := range []string{"github.com/trustelem/zxcvbn/matching", "github.com/trustelem/zxcvbn/frequency"} {
		if n := allocated[pkg]; n > most {
			t.Errorf("initialising %s allocated %d bytes, want at most %d: its dictionaries are built at start", pkg, n, most)
		}
	}
}
