package testenv

import (
	"os"
	"testing"
)

// WinePrefixEnv is set by scripts/wine-test to the fresh Wine prefix the
// Windows tests run in.
const WinePrefixEnv = "SHINSEI_WINE_PREFIX"

// ThrowawayWindowsUser skips the calling test unless it runs in the
// throwaway Wine prefix of scripts/wine-test: the test changes the
// Windows user's own stores (Credential Manager, certificate store),
// which must never be a real user's.
func ThrowawayWindowsUser(tb testing.TB) {
	tb.Helper()
	if os.Getenv(WinePrefixEnv) == "" {
		tb.Skipf("changes the Windows user's own stores; runs only in the throwaway Wine prefix of scripts/wine-test (%s)", WinePrefixEnv)
	}
}
