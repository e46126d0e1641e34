//go:build unix

package lockedmem

import "golang.org/x/sys/unix"

// alloc maps n bytes of anonymous memory of their own and locks them.
func alloc(n int) (b []byte, locked, ok bool) {
	b, err := unix.Mmap(-1, 0, n, unix.PROT_READ|unix.PROT_WRITE, unix.MAP_ANON|unix.MAP_PRIVATE)
	if err != nil {
		return nil, false, false
	}
	locked = unix.Mlock(b) == nil
	return b[:n], locked, true
}

// release unlocks and unmaps memory alloc mapped.
func release(b []byte, locked bool) {
	if locked {
		unix.Munlock(b)
	}
	unix.Munmap(b)
}
