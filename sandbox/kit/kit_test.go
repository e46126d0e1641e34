//go:build cgo

package kit

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/shinsei-app/shinsei/pkcs11"
	"github.com/shinsei-app/shinsei/signer"
)

// These tests keep SoftHSM away from the kit (a module path that does not
// exist), as on Windows or a computer without the softhsm2 package; the
// kit with SoftHSM is exercised by cmd/shinsei and cmd/shinsei-sandbox,
// where no other SoftHSM config is loaded first.

func TestAKitWithoutSoftHSMOffersTheResidentAsAPKCS12File(t *testing.T) {
	missing := filepath.Join(t.TempDir(), "no-such-softhsm2.so")
	for _, tc := range []struct {
		name string
		opts Options
		env  string
	}{
		{"a module path given in the options that does not exist", Options{SoftHSMModule: missing, SoftHSMOptional: true}, ""},
		{"a module path named by SHINSEI_SOFTHSM_MODULE that does not exist", Options{SoftHSMOptional: true}, missing},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Setenv(SoftHSMModuleEnv, tc.env)
			before := os.Getenv("SOFTHSM2_CONF")
			kit, err := NewWith(context.Background(), t.TempDir(), time.Now(), tc.opts)
			if err != nil {
				t.Fatalf("NewWith without SoftHSM: %v", err)
			}
			if kit.HasToken() || kit.SoftHSMModule != "" || kit.SoftHSMConf != "" {
				t.Errorf("the kit claims a token: module %q, conf %q", kit.SoftHSMModule, kit.SoftHSMConf)
			}
			if !errors.Is(kit.TokenErr, ErrNoSoftHSM) || !errors.Is(kit.TokenErr, pkcs11.ErrModuleNotLoadable) {
				t.Errorf("TokenErr = %v, want ErrNoSoftHSM and pkcs11.ErrModuleNotLoadable", kit.TokenErr)
			}
			if got := os.Getenv("SOFTHSM2_CONF"); got != before {
				t.Errorf("SOFTHSM2_CONF changed to %q though no SoftHSM was loaded", got)
			}
			if _, err := os.Stat(filepath.Join(kit.Dir, "softhsm")); !errors.Is(err, os.ErrNotExist) {
				t.Errorf("a SoftHSM directory is left in the kit without a token: %v", err)
			}
			data, err := os.ReadFile(kit.ResidentP12)
			if err != nil || filepath.Base(kit.ResidentP12) != "resident.p12" {
				t.Fatalf("resident.p12 at %q: %v", kit.ResidentP12, err)
			}
			cred, err := signer.LoadPKCS12(data, []byte(P12Password))
			if err != nil {
				t.Fatalf("resident.p12 does not open with P12Password: %v", err)
			}
			if !cred.Cert.Equal(kit.Resident.Cert) {
				t.Errorf("resident.p12 holds %s, want the resident's certificate", cred.Cert.Subject)
			}
			if len(cred.Chain) == 0 || !cred.Chain[len(cred.Chain)-1].Equal(kit.Resident.Root) {
				t.Errorf("resident.p12's chain does not end in the resident's root: %d certificates", len(cred.Chain))
			}
			if _, err := signer.LoadPKCS12(data, []byte("wrong")); !errors.Is(err, signer.ErrWrongPassword) {
				t.Errorf("a wrong password gives %v, want signer.ErrWrongPassword", err)
			}
		})
	}
}

func TestAKitThatNeedsSoftHSMFailsWithAHintWhenItIsMissing(t *testing.T) {
	missing := filepath.Join(t.TempDir(), "no-such-softhsm2.so")
	_, err := NewWith(context.Background(), t.TempDir(), time.Now(), Options{SoftHSMModule: missing})
	if !errors.Is(err, ErrNoSoftHSM) || !errors.Is(err, pkcs11.ErrModuleNotLoadable) {
		t.Fatalf("NewWith = %v, want ErrNoSoftHSM", err)
	}
}

func TestFindingSoftHSMPrefersTheOptionThenTheEnvironment(t *testing.T) {
	t.Setenv(SoftHSMModuleEnv, "/from/env.so")
	for _, tc := range []struct {
		name, option, want string
	}{
		{"the option wins over the environment", "/from/option.so", "/from/option.so"},
		{"the environment is used without the option", "", "/from/env.so"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := findSoftHSM(tc.option)
			if err != nil || got != tc.want {
				t.Errorf("findSoftHSM(%q) = %q, %v; want %q", tc.option, got, err, tc.want)
			}
		})
	}
}
