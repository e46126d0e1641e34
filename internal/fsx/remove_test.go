package fsx_test

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"testing"

	"github.com/shinsei-app/shinsei/internal/fsx/fsxtest"

	"github.com/shinsei-app/shinsei/internal/fsx"
)

// tree writes a few nested folders with files, one read-only, under
// root/name, and returns that path.
func tree(t *testing.T, root, name string) string {
	t.Helper()
	top := filepath.Join(root, name)
	for _, d := range []string{"a/b/c", "a/empty", "申請 データ/受付"} {
		if err := os.MkdirAll(filepath.Join(top, d), 0o700); err != nil {
			t.Fatal(err)
		}
	}
	for _, f := range []string{"top.txt", "a/one.txt", "a/b/two.txt", "a/b/c/three.txt", "申請 データ/受付/控え.json"} {
		if err := os.WriteFile(filepath.Join(top, f), []byte("x"), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.Chmod(filepath.Join(top, "a/one.txt"), 0o400); err != nil {
		t.Fatal(err)
	}
	return top
}

func TestRemoveAll(t *testing.T) {
	removers := []struct {
		name   string
		remove func(string) error
	}{
		{"RemoveAll", fsx.RemoveAll},
		{"the entry-by-entry fallback", fsx.RemoveEach},
	}
	for _, r := range removers {
		t.Run(r.name+" removes a tree of folders and files, read-only ones too", func(t *testing.T) {
			root := fsxtest.TempDir(t)
			top := tree(t, root, "tree")
			if err := r.remove(top); err != nil {
				t.Fatal(err)
			}
			if _, err := os.Lstat(top); !errors.Is(err, fs.ErrNotExist) {
				t.Fatalf("%s still there: %v", top, err)
			}
			if got := entries(t, root); len(got) != 0 {
				t.Fatalf("left behind: %v", got)
			}
		})
		t.Run(r.name+" of a path that does not exist succeeds", func(t *testing.T) {
			if err := r.remove(filepath.Join(fsxtest.TempDir(t), "missing")); err != nil {
				t.Fatal(err)
			}
		})
		t.Run(r.name+" of one file removes it and leaves its folder", func(t *testing.T) {
			root := fsxtest.TempDir(t)
			f := filepath.Join(root, "one.txt")
			if err := os.WriteFile(f, nil, 0o600); err != nil {
				t.Fatal(err)
			}
			if err := r.remove(f); err != nil {
				t.Fatal(err)
			}
			if got := entries(t, root); len(got) != 0 {
				t.Fatalf("left behind: %v", got)
			}
		})
	}
}

// TestRemoveAllReportsAFileItCannotRemove holds a file open, which Windows
// (and Wine) refuses to delete: the failure is returned, and once the file
// is closed the tree goes.
func TestRemoveAllReportsAFileItCannotRemove(t *testing.T) {
	if runtime.GOOS != "windows" {
		t.Skip("only Windows refuses to delete an open file")
	}
	root, err := os.MkdirTemp("", "fsx-open")
	if err != nil {
		t.Fatal(err)
	}
	top := tree(t, root, "tree")
	f, err := os.Open(filepath.Join(top, "a/b/two.txt"))
	if err != nil {
		t.Fatal(err)
	}
	if err := fsx.RemoveAll(top); err == nil {
		t.Error("RemoveAll succeeded with a file of the tree held open")
	}
	if _, err := os.Stat(filepath.Join(top, "a/b/two.txt")); err != nil {
		t.Errorf("the open file: %v", err)
	}
	f.Close()
	if err := fsx.RemoveAll(root); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Lstat(root); !errors.Is(err, fs.ErrNotExist) {
		t.Fatalf("%s still there: %v", root, err)
	}
}
