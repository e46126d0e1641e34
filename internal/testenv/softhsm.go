//go:build cgo

// Package testenv gives tests the parts of the system they need, failing
// (never skipping) with an install hint when one is missing.
package testenv

import (
	"context"
	"fmt"
	"os"
	"sync"
	"testing"

	"github.com/shinsei-app/shinsei/internal/fsx"
	"github.com/shinsei-app/shinsei/pkcs11"
	"github.com/shinsei-app/shinsei/sandbox/softhsm"
)

// softHSMHint is the failure message when the SoftHSM module is missing.
const softHSMHint = "install softhsm2 (Debian: apt-get install softhsm2)"

var softHSM struct {
	sync.Mutex
	configured bool
	lib        *pkcs11.Library
}

// Main runs a package's tests with SoftHSM configured for the process: a
// fresh token directory and SOFTHSM2_CONF pointing at a config written by
// softhsm.WriteConfig (only CKM_RSA_PKCS). SoftHSM reads the config
// once, at C_Initialize, hence this is done in TestMain:
//
//	func TestMain(m *testing.M) { os.Exit(testenv.Main(m)) }
func Main(m *testing.M) int {
	dir, err := os.MkdirTemp("", "shinsei-softhsm-")
	if err != nil {
		fmt.Fprintln(os.Stderr, "testenv:", err)
		return 1
	}
	defer fsx.RemoveAll(dir)
	conf, err := softhsm.WriteConfig(dir)
	if err == nil {
		err = os.Setenv("SOFTHSM2_CONF", conf)
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "testenv:", err)
		return 1
	}
	softHSM.configured = true
	code := m.Run()
	if softHSM.lib != nil {
		softHSM.lib.Close()
	}
	return code
}

// SoftHSM returns the process's SoftHSM library, opened at the first call
// and closed when Main returns. The test fails with an install hint when
// the module is missing.
func SoftHSM(tb testing.TB) *pkcs11.Library {
	tb.Helper()
	softHSM.Lock()
	defer softHSM.Unlock()
	if softHSM.lib != nil {
		return softHSM.lib
	}
	if !softHSM.configured {
		tb.Fatal("testenv.SoftHSM needs TestMain to call testenv.Main")
	}
	for _, m := range pkcs11.FindModules() {
		if m.Name == "SoftHSM" {
			lib, err := pkcs11.Open(m.Path)
			if err != nil {
				tb.Fatalf("%v; %s", err, softHSMHint)
			}
			softHSM.lib = lib
			return lib
		}
	}
	tb.Fatal(softHSMHint)
	return nil
}

// NoTries is a pkcs11.TriesReader that never knows the exact tries left,
// as on a computer without PC/SC: tokens are judged by their PIN flags.
type NoTries struct{}

// TriesLeft always answers pkcs11.ErrNoToken.
func (NoTries) TriesLeft(context.Context, pkcs11.TokenInfo) (int, error) {
	return 0, pkcs11.ErrNoToken
}
