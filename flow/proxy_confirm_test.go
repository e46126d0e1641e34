//go:build cgo && linux

package flow_test

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"testing"

	"github.com/shinsei-app/shinsei/flow"
	"github.com/shinsei-app/shinsei/internal/fsx/fsxtest"
	"github.com/shinsei-app/shinsei/internal/testenv"
	"github.com/shinsei-app/shinsei/pkcs11"
	"github.com/shinsei-app/shinsei/sandbox/service"
	"github.com/shinsei-app/shinsei/submit"
)

func TestAPowerOfAttorneyIsSignedOnTheConfirmationWhenOneIsAsked(t *testing.T) {
	w := getWorld(t)
	svc := startService(t, w.pki, w.reg)
	a, _ := openApp(t, svc, w.pki, []*pkcs11.Library{testenv.SoftHSM(t)})
	ctx := context.Background()
	dir := fsxtest.TempDir(t)
	for _, tc := range []struct {
		name             string
		confirm, decline bool
		asked            int
		signed           bool
	}{
		{"asked to confirm, the pre-check is shown once and the principal's yes signs", true, false, 1, true},
		{"asked to confirm, the principal's no signs nothing", true, true, 1, false},
		{"not asked (the command line), a pre-check with nothing to ask signs at once", false, false, 0, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := &recorder{pin: flowPIN, decline: tc.decline}
			out := filepath.Join(dir, tc.name+".asice")
			_, err := a.SignPowerOfAttorney(ctx, flow.PowerOfAttorneyRequest{Procedure: service.ProcMoveOut, Proxy: submit.ProxyRef{Name: proxyName},
				Credential: residentToken(), Out: out, Confirm: tc.confirm}, r.callbacks())
			if r.pinCalls != 1 || r.okCall != tc.asked {
				t.Fatalf("PIN asked %d times, confirmation %d times; want once and %d", r.pinCalls, r.okCall, tc.asked)
			}
			if tc.asked > 0 && (len(r.prechecks) != 1 || !r.prechecks[0].OK()) {
				t.Fatalf("the confirmation was not asked with the pre-check: %+v", r.prechecks)
			}
			_, statErr := os.Stat(out)
			switch {
			case tc.signed && (err != nil || statErr != nil):
				t.Fatalf("not signed: %v, %v", err, statErr)
			case !tc.signed && (!errors.Is(err, flow.ErrDeclined) || statErr == nil):
				t.Fatalf("declined: err %v, package written %v", err, statErr == nil)
			}
		})
	}
	t.Run("asked to confirm without a way to ask, nothing is tried", func(t *testing.T) {
		r := &recorder{pin: flowPIN}
		cb := r.callbacks()
		cb.ConfirmSign = nil
		_, err := a.SignPowerOfAttorney(ctx, flow.PowerOfAttorneyRequest{Procedure: service.ProcMoveOut, Proxy: submit.ProxyRef{Name: proxyName},
			Credential: residentToken(), Out: filepath.Join(dir, "none.asice"), Confirm: true}, cb)
		if !errors.Is(err, flow.ErrNoCallback) || r.pinCalls != 0 {
			t.Fatalf("err %v after %d PIN prompts, want ErrNoCallback before any", err, r.pinCalls)
		}
	})
}
