//go:build cgo && linux

package ui

import (
	"runtime/debug"
	"testing"

	"github.com/shinsei-app/shinsei/internal/ctrim/ctrimtest"
)

// What the window's C libraries freed (Mesa compiling its shaders, the
// PKCS#11 module) stays with malloc, resident, until it is trimmed: the
// return of memory after an application gives it back with the Go heap's.
func TestReturningTheMemoryGivesBackWhatTheCLibrariesFreed(t *testing.T) {
	ctrimtest.Churn(t)
	debug.FreeOSMemory() // what is measured below is the C side's
	held := ctrimtest.AnonymousKB(t)
	returnMemory()
	after := ctrimtest.AnonymousKB(t)
	if held-after < ctrimtest.Freed*3/4 {
		t.Errorf("returning the memory gave back %d kB of the %d kB the C side freed (resident anonymous memory %d kB before, %d kB after)", held-after, ctrimtest.Freed, held, after)
	}
}
