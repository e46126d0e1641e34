// Package tool finds the system programs tests compare with (openssl, …),
// failing the test — never skipping it — with what to install when one is
// missing. It imports nothing of the module, so that any package's tests,
// the sandbox's included, can use it.
package tool

import (
	"os/exec"
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
// certificate, CRL, OCSP and CMS tests, or fails the test.
func OpenSSL(t testing.TB) string {
	t.Helper()
	return Need(t, "openssl", OpenSSLHint+"; it is the independent peer these tests compare with")
}
