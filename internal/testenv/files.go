package testenv

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/shinsei-app/shinsei/internal/fsx/fsxtest"
)

// SparseFile makes a file name of size bytes, all zero, in a new
// temporary folder; it takes no room on disk, so a test can offer a
// 100 MB attachment cheaply.
func SparseFile(tb testing.TB, name string, size int64) string {
	tb.Helper()
	p := filepath.Join(fsxtest.TempDir(tb), name)
	f, err := os.Create(p)
	if err != nil {
		tb.Fatal(err)
	}
	defer f.Close()
	if err := f.Truncate(size); err != nil {
		tb.Fatal(err)
	}
	return p
}
