package main

import (
	"context"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/shinsei-app/shinsei/submit"
	"github.com/shinsei-app/shinsei/ui"
)

// The receipt of a practice run says the history lasts until the app
// closes (ui's receipt.kept_practice): this holds the sandbox to it.
func TestThePracticeRunsHistoryAndAccountsLastOnlyUntilTheAppCloses(t *testing.T) {
	sb, err := newSandboxWorld("ja")
	if err != nil {
		t.Fatal(err)
	}
	a, err := sb.open(context.Background(), ui.Settings{})
	if err != nil {
		sb.close()
		t.Fatal(err)
	}
	a.Close()
	if rel, err := filepath.Rel(sb.dir, sb.cfg.DataDir); err != nil || strings.HasPrefix(rel, "..") {
		sb.close()
		t.Fatalf("the practice history is kept in %s, outside the sandbox's own folder %s", sb.cfg.DataDir, sb.dir)
	}
	if _, ok := sb.cfg.Keyring.(*submit.MemoryKeyring); !ok {
		sb.close()
		t.Fatalf("the practice accounts are kept in %T, not in memory", sb.cfg.Keyring)
	}
	dir := sb.dir
	sb.close()
	if _, err := os.Stat(dir); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("after the app closed the practice folder is still there: %v", err)
	}
}
