package submittest

import (
	"encoding/json"
	"os"
	"path/filepath"
	"testing"
)

// WriteJSONFile writes v as JSON to dir/name (mode 0600) and returns the
// path; any failure fails the test.
func WriteJSONFile(t testing.TB, dir, name string, v any) string {
	t.Helper()
	data, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	p := filepath.Join(dir, name)
	if err := os.WriteFile(p, data, 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}
