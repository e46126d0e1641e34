// Package tool finds the system programs tests compare with (openssl, …),
// failing the test — never skipping it — with what to install when one is
// missing. It imports nothing of the module, so that any package's tests,
// the sandbox's included, can use it.
package tool

import (
	"os/exec"
	"runtime"
	"testing"
)

// OpenSSLHint says how to install openssl.
const OpenSSLHint = "install openssl (Debian: apt-get install openssl)"

// Need returns the path of the program name, or fails the test with hint,
// which should say what to install.
func Need(t testing.TB, name, hint string) string {
	t.Helper()
	path, err := exec.LookPath(name)
	if err != nil {
		t.Fatalf("%s not found (%v): %s", name, err, hint)
	}
	return path
}

// OpenSSL returns the path of openssl, the independent peer of the
// certificate, CRL, OCSP and CMS tests, or fails the test — except on
// Windows, which has no openssl of its own: there a missing one skips.
func OpenSSL(t testing.TB) string {
	t.Helper()
	if runtime.GOOS == "windows" {
		// Windows has no openssl of its own, and under Wine the Linux
		// one cannot be run; the Linux tests make these comparisons.
		if path, err := exec.LookPath("openssl"); err == nil {
			return path
		}
		t.Skip("no openssl.exe on this Windows; the comparisons with openssl run in the Linux tests")
	}
	return Need(t, "openssl", OpenSSLHint+"; it is the independent peer these tests compare with")
}
