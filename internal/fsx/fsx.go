// Package fsx replaces files atomically: the new content goes to a
// temporary file in the same directory, which is synced, renamed over the
// target and the directory synced (where directories can be synced), so
// that a reader — or the system after a crash — sees the old content or
// the new, never a part. A write that fails leaves neither a file nor a
// temporary file behind.
package fsx

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
)

// tempMode is the mode os.CreateTemp gives.
const tempMode fs.FileMode = 0o600

// ErrDirNotSynced is wrapped by the error Commit, WriteFile and Install
// return when the file is in place under its final name but its directory
// could not be synced, so that the rename may not survive a crash. A
// caller for which the cache-like file is enough may ignore it.
var ErrDirNotSynced = errors.New("fsx: the file is in place but its directory could not be synced")

// File is a new file being written under a temporary name next to its
// final path. Write to it (it is an *os.File), then Commit to put it in
// place or Abort to drop it. Abort after Commit does nothing, so
// `defer f.Abort()` is the usual pattern.
type File struct {
	*os.File
	path string
	perm fs.FileMode
	done bool
}

// Create starts a new file that Commit will put at path with mode perm
// (0600 when zero). The directory must exist.
func Create(path string, perm fs.FileMode) (*File, error) {
	f, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".*.tmp")
	if err != nil {
		return nil, err
	}
	if perm == 0 {
		perm = tempMode
	}
	return &File{File: f, path: path, perm: perm}, nil
}

// Path is where Commit puts the file.
func (f *File) Path() string { return f.path }

// Commit syncs and closes the file, renames it to its path and syncs the
// directory. On failure the temporary file is removed and the path keeps
// its old content. An error syncing the directory wraps ErrDirNotSynced:
// the new content is then in place but perhaps not yet durable.
func (f *File) Commit() error {
	if f.done {
		return errors.New("fsx: commit of a file already committed or aborted")
	}
	err := f.Sync()
	if err == nil && f.perm != tempMode {
		err = f.Chmod(f.perm)
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(f.Name(), f.path)
	}
	f.done = true
	if err != nil {
		_ = os.Remove(f.Name())
		return err
	}
	return syncParent(f.path)
}

// syncParent syncs the directory of path, wrapping a failure in
// ErrDirNotSynced.
func syncParent(path string) error {
	if err := SyncDir(filepath.Dir(path)); err != nil {
		return fmt.Errorf("%w: %w", ErrDirNotSynced, err)
	}
	return nil
}

// Abort closes and removes the temporary file, unless Commit or Abort
// already ran.
func (f *File) Abort() {
	if f.done {
		return
	}
	f.done = true
	_ = f.Close()
	_ = os.Remove(f.Name())
}

// WriteFile replaces path with data atomically, as a file of mode perm
// (0600 when zero). The directory must exist.
func WriteFile(path string, data []byte, perm fs.FileMode) error {
	f, err := Create(path, perm)
	if err != nil {
		return err
	}
	if _, err := f.Write(data); err != nil {
		f.Abort()
		return err
	}
	return f.Commit()
}

// Install puts the complete file at src in place at dst, durably: src is
// synced, renamed to dst (both on the same file system) and dst's
// directory synced. When the rename fails src is left where it was.
func Install(src, dst string) error {
	f, err := os.OpenFile(src, os.O_RDWR, 0)
	if err != nil {
		return err
	}
	err = f.Sync()
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return err
	}
	if err := os.Rename(src, dst); err != nil {
		return err
	}
	return syncParent(dst)
}
