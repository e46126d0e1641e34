package pkcs11_test

import (
	"testing"

	"github.com/shinsei-app/shinsei/pkcs11"
)

func TestFindModulesListsSoftHSMOnceThoughDebianLinksIt(t *testing.T) {
	n := 0
	for _, m := range pkcs11.FindModules() {
		if m.Name == "SoftHSM" {
			n++
		}
	}
	if n != 1 {
		t.Errorf("SoftHSM found %d times, want once; install softhsm2 (Debian: apt-get install softhsm2)", n)
	}
}
