package certcheck_test

import (
	"os"
	"testing"
)

// TestMain dispatches the benchmarks' helper processes (a re-exec of this
// binary) before any test runs, so that they are not tests that skip.
func TestMain(m *testing.M) {
	if code, ok := runBenchHelper(); ok {
		os.Exit(code)
	}
	os.Exit(m.Run())
}
