package signer

import (
	"os"

	"golang.org/x/sys/unix"
)

// startWriteback asks Linux to start writing bytes [off, off+n) of f to
// disk without waiting for it. It is only a hint: Build's final Sync is
// what makes the package durable, so an error here changes nothing.
func startWriteback(f *os.File, off, n int64) {
	_ = unix.SyncFileRange(int(f.Fd()), off, n, unix.SYNC_FILE_RANGE_WRITE)
}
