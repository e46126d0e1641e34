package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// The manual page the Debian package installs names every command and
// every variant of a command by an option that the help lists (sign
// --batch, --power-of-attorney, --proxy-for), so a command added to the
// program is not missing from `man shinseictl`.
func TestTheManualPageNamesEveryCommandTheHelpLists(t *testing.T) {
	page, err := os.ReadFile(filepath.Join("..", "..", "packaging", "linux", "shinseictl.1"))
	if err != nil {
		t.Fatal(err)
	}
	// troff escapes the hyphens of options: \-\-batch.
	text := strings.ReplaceAll(string(page), `\-`, "-")
	for name := range commands {
		if !strings.Contains(text, name) {
			t.Errorf("shinseictl.1 does not name the command %q", name)
		}
	}
	for _, u := range usages {
		if f := strings.Fields(u[0]); len(f) > 1 && strings.HasPrefix(f[1], "--") && !strings.Contains(text, u[0]) {
			t.Errorf("shinseictl.1 does not name %q", u[0])
		}
	}
}
