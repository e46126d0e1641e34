package signer

import (
	"testing"
	"time"
)

// bestOf runs f n times and returns the fastest run: the benchmarks
// compare best times side by side, which a busy machine disturbs least.
func bestOf(b *testing.B, n int, f func()) time.Duration {
	b.Helper()
	best := time.Duration(1<<63 - 1)
	for range n {
		start := time.Now()
		f()
		best = min(best, time.Since(start))
	}
	return best
}
