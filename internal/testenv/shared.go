package testenv

import (
	"os"
	"path/filepath"
	"runtime"
	"testing"
)

// SharedDir returns the folder of the steering repository's shared data
// named sub (for example "jpki-roots"): the environment variable env when
// set, otherwise ../shared/sub beside the repository's root. Where the
// folder is absent, as in a user's clone, the test is skipped with a
// message that says where to get the data; CI always has it.
func SharedDir(tb testing.TB, env, sub string) string {
	tb.Helper()
	dir := os.Getenv(env)
	if dir == "" {
		_, file, _, _ := runtime.Caller(0)
		dir = filepath.Join(filepath.Dir(file), "..", "..", "..", "shared", sub)
	}
	if _, err := os.Stat(dir); err != nil {
		tb.Skipf("the shared test data %s is not here (%v): get it from the steering repository's shared/%s and set %s", sub, err, sub, env)
	}
	return dir
}
