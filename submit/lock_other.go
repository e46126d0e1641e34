//go:build !unix && !windows

package submit

import "os"

// tryLock always succeeds where the platform has no file locks.
func tryLock(*os.File) (bool, error) { return true, nil }

// lock always succeeds where the platform has no file locks.
func lock(*os.File) error { return nil }

// unlock does nothing where the platform has no file locks.
func unlock(*os.File) error { return nil }
