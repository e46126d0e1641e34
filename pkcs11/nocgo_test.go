//go:build !cgo

package pkcs11_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/shinsei-app/shinsei/pkcs11"
)

func TestWithoutCgoOpenSaysCgoIsNeeded(t *testing.T) {
	_, err := pkcs11.Open("/usr/lib/softhsm/libsofthsm2.so")
	if !errors.Is(err, pkcs11.ErrModuleNotLoadable) || !strings.Contains(err.Error(), "cgo") {
		t.Errorf("got %v, want ErrModuleNotLoadable saying cgo is needed", err)
	}
}
