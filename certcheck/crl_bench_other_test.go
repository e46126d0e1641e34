//go:build !unix

package certcheck_test

// runBenchHelper: the CRL benchmarks measure child processes with
// getrusage, so they and their helpers are Unix-only.
func runBenchHelper() (int, bool) { return 0, false }
