package fsx_test

import (
	"errors"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"testing"

	"github.com/shinsei-app/shinsei/internal/fsx"
	"github.com/shinsei-app/shinsei/internal/fsx/fsxtest"
)

// entries lists dir's names, sorted.
func entries(t *testing.T, dir string) []string {
	t.Helper()
	es, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, e := range es {
		names = append(names, e.Name())
	}
	slices.Sort(names)
	return names
}

func TestWriteFile(t *testing.T) {
	tests := []struct {
		name string
		// setup prepares dir and returns the target path.
		setup     func(t *testing.T, dir string) string
		wantErr   bool
		wantFiles []string
		want      string
	}{
		{
			name:      "a new file is written with the content",
			setup:     func(t *testing.T, dir string) string { return filepath.Join(dir, "a.json") },
			wantFiles: []string{"a.json"}, want: "new",
		},
		{
			name: "an existing file is replaced and no temporary file stays",
			setup: func(t *testing.T, dir string) string {
				p := filepath.Join(dir, "a.json")
				if err := os.WriteFile(p, []byte("old content"), 0o600); err != nil {
					t.Fatal(err)
				}
				return p
			},
			wantFiles: []string{"a.json"}, want: "new",
		},
		{
			name: "a failed write leaves no file and no temp file behind",
			setup: func(t *testing.T, dir string) string {
				// A non-empty directory at the path: the rename fails.
				p := filepath.Join(dir, "a.json")
				if err := os.MkdirAll(filepath.Join(p, "x"), 0o700); err != nil {
					t.Fatal(err)
				}
				return p
			},
			wantErr: true, wantFiles: []string{"a.json"},
		},
		{
			name:    "a missing directory is an error and creates nothing",
			setup:   func(t *testing.T, dir string) string { return filepath.Join(dir, "none", "a.json") },
			wantErr: true, wantFiles: nil,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := fsxtest.TempDir(t)
			path := tt.setup(t, dir)
			err := fsx.WriteFile(path, []byte("new"), 0)
			if (err != nil) != tt.wantErr {
				t.Fatalf("err = %v, want error %v", err, tt.wantErr)
			}
			if got := entries(t, dir); !slices.Equal(got, tt.wantFiles) {
				t.Fatalf("directory holds %q, want %q", got, tt.wantFiles)
			}
			if tt.want != "" {
				data, err := os.ReadFile(path)
				if err != nil || string(data) != tt.want {
					t.Fatalf("content %q (%v), want %q", data, err, tt.want)
				}
			}
		})
	}
}

func TestFileModes(t *testing.T) {
	if runtime.GOOS == "windows" {
		return // Windows has no Unix permission bits; nothing to compare
	}
	tests := []struct {
		name string
		perm os.FileMode
		want os.FileMode
	}{
		{"a zero mode gives a file only its owner can read", 0, 0o600},
		{"the mode asked for is the file's mode", 0o644, 0o644},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := filepath.Join(fsxtest.TempDir(t), "f")
			if err := fsx.WriteFile(p, []byte("x"), tt.perm); err != nil {
				t.Fatal(err)
			}
			fi, err := os.Stat(p)
			if err != nil {
				t.Fatal(err)
			}
			if fi.Mode().Perm() != tt.want {
				t.Fatalf("mode %v, want %v", fi.Mode().Perm(), tt.want)
			}
		})
	}
}

func TestCreate(t *testing.T) {
	tests := []struct {
		name      string
		finish    func(f *fsx.File) error
		wantFiles []string
	}{
		{
			name:      "a committed file is at its path and nothing else is left",
			finish:    func(f *fsx.File) error { return f.Commit() },
			wantFiles: []string{"out.asice"},
		},
		{
			name:      "an aborted file leaves no file and no temp file behind",
			finish:    func(f *fsx.File) error { f.Abort(); return nil },
			wantFiles: nil,
		},
		{
			name: "an abort after a commit keeps the committed file",
			finish: func(f *fsx.File) error {
				err := f.Commit()
				f.Abort()
				return err
			},
			wantFiles: []string{"out.asice"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := fsxtest.TempDir(t)
			f, err := fsx.Create(filepath.Join(dir, "out.asice"), 0)
			if err != nil {
				t.Fatal(err)
			}
			if _, err := f.WriteString("streamed"); err != nil {
				t.Fatal(err)
			}
			if got := entries(t, dir); len(got) != 1 || got[0] == "out.asice" {
				t.Fatalf("while writing the directory holds %q, want one temporary file", got)
			}
			if err := tt.finish(f); err != nil {
				t.Fatal(err)
			}
			if got := entries(t, dir); !slices.Equal(got, tt.wantFiles) {
				t.Fatalf("directory holds %q, want %q", got, tt.wantFiles)
			}
		})
	}
	t.Run("a second commit is an error", func(t *testing.T) {
		f, err := fsx.Create(filepath.Join(fsxtest.TempDir(t), "x"), 0)
		if err != nil {
			t.Fatal(err)
		}
		if err := f.Commit(); err != nil {
			t.Fatal(err)
		}
		if err := f.Commit(); err == nil {
			t.Fatal("a second commit succeeded")
		}
	})
}

func TestInstall(t *testing.T) {
	tests := []struct {
		name    string
		dst     func(dir string) string
		wantErr bool
		srcLeft bool
	}{
		{name: "a complete file is moved into place", dst: func(dir string) string { return filepath.Join(dir, "dst") }},
		{name: "a failed move leaves the source where it was", dst: func(dir string) string { return filepath.Join(dir, "none", "dst") }, wantErr: true, srcLeft: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := fsxtest.TempDir(t)
			src := filepath.Join(dir, "src")
			if err := os.WriteFile(src, []byte("pkg"), 0o600); err != nil {
				t.Fatal(err)
			}
			dst := tt.dst(dir)
			err := fsx.Install(src, dst)
			if (err != nil) != tt.wantErr {
				t.Fatalf("err = %v, want error %v", err, tt.wantErr)
			}
			if _, err := os.Stat(src); (err == nil) != tt.srcLeft {
				t.Fatalf("source present: %v, want %v", err == nil, tt.srcLeft)
			}
			if !tt.wantErr {
				if data, err := os.ReadFile(dst); err != nil || string(data) != "pkg" {
					t.Fatalf("dst %q (%v)", data, err)
				}
			} else if _, err := os.Stat(dst); !errors.Is(err, os.ErrNotExist) {
				t.Fatalf("dst exists after a failed move: %v", err)
			}
		})
	}
}
