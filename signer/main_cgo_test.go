//go:build cgo

package signer

import (
	"os"
	"testing"

	"github.com/shinsei-app/shinsei/internal/testenv"
)

// TestMain points SoftHSM at a fresh token directory for the token
// benchmark (SoftHSM reads its config once per process).
func TestMain(m *testing.M) { os.Exit(testenv.Main(m)) }
