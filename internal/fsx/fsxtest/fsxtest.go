// Package fsxtest gives tests a temporary folder that is removed the same
// way on every system, Wine included.
package fsxtest

import (
	"os"
	"strings"
	"testing"
	"unicode"

	"github.com/shinsei-app/shinsei/internal/fsx"
)

// TempDir is t.TempDir for every system the tests run on: a new empty
// folder, removed with everything in it when the test ends. It removes
// with fsx.RemoveAll, which also works under Wine 8.0, where the cleanup
// of t.TempDir fails every test that wrote a file (DESIGN.md, "Windows
// under Wine"). A folder that cannot be removed fails the test.
func TempDir(tb testing.TB) string {
	tb.Helper()
	dir, err := os.MkdirTemp("", tempPattern(tb.Name()))
	if err != nil {
		tb.Fatalf("fsxtest: TempDir: %v", err)
	}
	tb.Cleanup(func() {
		if err := fsx.RemoveAll(dir); err != nil {
			tb.Errorf("fsxtest: TempDir cleanup: %v", err)
		}
	})
	return dir
}

// tempPattern makes a folder name pattern from a test's name: letters and
// digits only, at most 64 of them.
func tempPattern(name string) string {
	var b strings.Builder
	for _, r := range name {
		if b.Len() >= 64 {
			break
		}
		if r < unicode.MaxASCII && (unicode.IsLetter(r) || unicode.IsDigit(r)) {
			b.WriteRune(r)
		}
	}
	b.WriteString("*")
	return b.String()
}
