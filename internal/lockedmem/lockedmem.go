// Package lockedmem holds a secret (a card's PIN) in memory the operating
// system keeps out of swap and out of the garbage collector's reach: a page
// of its own, locked with mlock (Unix) or VirtualLock (Windows), zeroed and
// released by Wipe.
//
// Where the memory cannot be locked (a process over its RLIMIT_MEMLOCK, a
// platform without it) the buffer is still its own allocation and still
// zeroed by Wipe; Locked says which.
package lockedmem

import "sync"

// Buffer is a fixed-size secret buffer. Its methods are safe for
// concurrent use; the slice Bytes returns is valid until Wipe.
type Buffer struct {
	mu     sync.Mutex
	b      []byte
	locked bool
	mapped bool // b is a mapping of its own, released by Wipe
}

// New allocates n bytes of locked memory (n > 0), or, when the system
// refuses to lock it, memory that is only zeroed at Wipe.
func New(n int) *Buffer {
	if n <= 0 {
		n = 1
	}
	if b, locked, ok := alloc(n); ok {
		return &Buffer{b: b, locked: locked, mapped: true}
	}
	return &Buffer{b: make([]byte, n)}
}

// From copies secret into a new Buffer of its length and zeroes secret.
func From(secret []byte) *Buffer {
	buf := New(len(secret))
	copy(buf.b, secret)
	buf.b = buf.b[:len(secret)]
	clear(secret)
	return buf
}

// Bytes returns the secret; nil after Wipe.
func (b *Buffer) Bytes() []byte {
	if b == nil {
		return nil
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.b
}

// Locked reports whether the memory is locked against swapping.
func (b *Buffer) Locked() bool {
	if b == nil {
		return false
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.locked
}

// Wiped reports whether Wipe was called.
func (b *Buffer) Wiped() bool {
	if b == nil {
		return true
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.b == nil
}

// Wipe zeroes the secret, unlocks and releases its memory. It is
// idempotent and does nothing on a nil Buffer. After Wipe, slices Bytes
// returned must not be used (the memory is unmapped).
func (b *Buffer) Wipe() {
	if b == nil {
		return
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.b == nil {
		return
	}
	full := b.b[:cap(b.b)]
	clear(full)
	if wipeHook != nil {
		wipeHook(full)
	}
	if b.mapped {
		release(full, b.locked)
	}
	b.b, b.locked, b.mapped = nil, false, false
}

// wipeHook, set by tests, sees the memory after it was zeroed and before
// it is released.
var wipeHook func([]byte)
