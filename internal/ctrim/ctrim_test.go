//go:build cgo && linux

package ctrim_test

import (
	"testing"

	"github.com/shinsei-app/shinsei/internal/ctrim"
	"github.com/shinsei-app/shinsei/internal/ctrim/ctrimtest"
)

func TestMemoryTheCLibrariesFreedGoesBackToTheSystem(t *testing.T) {
	ctrimtest.Churn(t)
	held := ctrimtest.AnonymousKB(t)
	ctrim.Trim()
	after := ctrimtest.AnonymousKB(t)
	if held-after < ctrimtest.Freed*3/4 {
		t.Errorf("Trim gave back %d kB of the %d kB freed (resident anonymous memory %d kB before, %d kB after)", held-after, ctrimtest.Freed, held, after)
	}
}
