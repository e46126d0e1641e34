//go:build cgo && linux

package ui

import (
	"bytes"
	"context"
	"os"
	"os/exec"
	"regexp"
	"testing"
	"time"

	"github.com/shinsei-app/shinsei/internal/testenv"
)

// cardProcessEnv marks a test process that runs with the virtual My
// Number card's stack (testenv.CardMain). libpcsclite reads the reader
// service's socket once per process, and this package's other tests need
// none there (helpdesk_sandbox_test.go), so a test on the card runs in a
// process of its own (inCardProcess).
const cardProcessEnv = "SHINSEI_UI_CARD_PROCESS"

// inCardProcess reports whether this is a process with the card's stack.
// Otherwise it runs the calling test again in such a process and fails
// unless it passed there.
func inCardProcess(t *testing.T) bool {
	t.Helper()
	if os.Getenv(cardProcessEnv) != "" {
		return true
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, os.Args[0], "-test.run", "^"+regexp.QuoteMeta(t.Name())+"$", "-test.count", "1", "-test.v")
	cmd.Env = append(os.Environ(), cardProcessEnv+"=1")
	out, err := cmd.CombinedOutput()
	if err != nil || !bytes.Contains(out, []byte("--- PASS: "+t.Name())) {
		t.Fatalf("in a process with the virtual card's stack: %v\n%s", err, out)
	}
	return false
}

func init() {
	if os.Getenv(cardProcessEnv) != "" {
		runTests = testenv.CardMain
	}
}
