package fsx

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"slices"
)

// RemoveAll removes path and everything under it, as os.RemoveAll does,
// and returns nil when path does not exist. On Windows, when os.RemoveAll
// fails, it removes what is left entry by entry — every file, then the
// directories from the deepest up — because Wine 8.0 answers Go's
// directory deletion with "Invalid function" although it removes single
// files and empty directories (DESIGN.md, "Windows under Wine"). A failure
// of that fallback is returned together with the first error; none is
// ignored.
func RemoveAll(path string) error {
	err := os.RemoveAll(path)
	if err == nil || runtime.GOOS != "windows" {
		return err
	}
	if ferr := removeEach(path); ferr != nil {
		return errors.Join(err, ferr)
	}
	return nil
}

// removeEach removes path and everything under it one entry at a time:
// files (and links) first, then directories, children before their
// parents. It goes on after a failure and returns every failure joined.
func removeEach(path string) error {
	var files, dirs []string
	var errs []error
	walkErr := filepath.WalkDir(path, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			if p == path && errors.Is(err, fs.ErrNotExist) {
				return fs.SkipAll
			}
			errs = append(errs, err)
			if d != nil && d.IsDir() {
				// The directory could not be read; still try to
				// remove it after its readable siblings.
				dirs = append(dirs, p)
				return fs.SkipDir
			}
			return nil
		}
		if d.IsDir() {
			dirs = append(dirs, p)
		} else {
			files = append(files, p)
		}
		return nil
	})
	if walkErr != nil {
		errs = append(errs, walkErr)
	}
	for _, f := range files {
		if err := os.Remove(f); err != nil && !errors.Is(err, fs.ErrNotExist) {
			errs = append(errs, err)
		}
	}
	// WalkDir visits a directory before its contents, so the reverse
	// order removes children first.
	for _, d := range slices.Backward(dirs) {
		if err := os.Remove(d); err != nil && !errors.Is(err, fs.ErrNotExist) {
			errs = append(errs, err)
		}
	}
	if len(errs) > 0 {
		return fmt.Errorf("fsx: removing %s entry by entry: %w", path, errors.Join(errs...))
	}
	return nil
}
