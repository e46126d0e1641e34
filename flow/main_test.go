//go:build cgo && linux

package flow_test

import (
	"os"
	"testing"

	"github.com/shinsei-app/shinsei/internal/testenv"
)

// TestMain sets up SoftHSM and the virtual card stack once for the
// package's tests.
func TestMain(m *testing.M) { os.Exit(testenv.CardMain(m)) }
