//go:build !unix && !windows

package lockedmem

// alloc has no locked memory to give on this platform: New falls back to
// memory that is only zeroed.
func alloc(int) ([]byte, bool, bool) { return nil, false, false }

func release([]byte, bool) {}
