package lockedmem

import (
	"bytes"
	"runtime"
	"slices"
	"testing"
)

func TestBuffer(t *testing.T) {
	cases := []struct {
		name   string
		secret string
	}{
		{"a card PIN is copied into locked memory and the caller's copy is zeroed", "SANDBOX1"},
		{"a one-character secret gets a buffer of its own too", "1"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			src := []byte(c.secret)
			buf := From(src)
			if slices.ContainsFunc(src, func(b byte) bool { return b != 0 }) {
				t.Error("From left the caller's copy in memory")
			}
			if !bytes.Equal(buf.Bytes(), []byte(c.secret)) {
				t.Fatal("the buffer does not hold the secret")
			}
			if (runtime.GOOS == "linux" || runtime.GOOS == "windows") && !buf.Locked() {
				t.Error("the memory is not locked (mlock or VirtualLock refused; RLIMIT_MEMLOCK or the working set too small?)")
			}
			var seen []byte
			wipeHook = func(b []byte) { seen = bytes.Clone(b) }
			defer func() { wipeHook = nil }()
			buf.Wipe()
			if seen == nil || slices.ContainsFunc(seen, func(b byte) bool { return b != 0 }) {
				t.Error("Wipe released the memory without zeroing it")
			}
			if !buf.Wiped() || buf.Bytes() != nil || buf.Locked() {
				t.Error("the buffer still hands out its memory after Wipe")
			}
			buf.Wipe() // idempotent
		})
	}
}

func TestNilBufferIsWiped(t *testing.T) {
	var b *Buffer
	b.Wipe()
	if !b.Wiped() || b.Bytes() != nil {
		t.Error("a nil buffer should read as wiped and empty")
	}
}
