//go:build cgo

package pkcs11_test

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/shinsei-app/shinsei/internal/testenv"
	"github.com/shinsei-app/shinsei/pkcs11"
)

func TestOpen(t *testing.T) {
	dir := t.TempDir()
	notAModule := filepath.Join(dir, "not-a-module.so")
	if err := os.WriteFile(notAModule, []byte("not ELF"), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct{ name, path string }{
		{"a missing module file gives ErrModuleNotLoadable naming the path", filepath.Join(dir, "missing.so")},
		{"a file that is not a PKCS#11 module gives ErrModuleNotLoadable naming the path", notAModule},
	} {
		t.Run(c.name, func(t *testing.T) {
			lib, err := pkcs11.Open(c.path)
			if !errors.Is(err, pkcs11.ErrModuleNotLoadable) || !strings.Contains(err.Error(), c.path) {
				t.Errorf("got %v, want ErrModuleNotLoadable naming %s", err, c.path)
			}
			if lib != nil {
				lib.Close()
			}
		})
	}
	t.Run("a module opened again through a symbolic link shares the first initialization", func(t *testing.T) {
		testenv.SoftHSM(t) // the first Open of SoftHSM in this process
		var path string
		for _, m := range pkcs11.FindModules() {
			if m.Name == "SoftHSM" {
				path = m.Path
			}
		}
		link := filepath.Join(dir, "softhsm.so")
		if err := os.Symlink(path, link); err != nil {
			t.Fatal(err)
		}
		lib, err := pkcs11.Open(link)
		if err != nil {
			t.Fatal(err) // a second C_Initialize would fail with CKR_CRYPTOKI_ALREADY_INITIALIZED
		}
		if _, err := lib.Tokens(context.Background()); err != nil {
			t.Error(err)
		}
		if err := lib.Close(); err != nil {
			t.Error(err)
		}
		if _, err := testenv.SoftHSM(t).Tokens(context.Background()); err != nil {
			t.Errorf("closing one Library finalized the module for the other: %v", err)
		}
	})
}
