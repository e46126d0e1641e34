//go:build cgo && linux

package flow_test

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/shinsei-app/shinsei/flow"
	"github.com/shinsei-app/shinsei/i18n"
	"github.com/shinsei-app/shinsei/internal/fsx/fsxtest"
	"github.com/shinsei-app/shinsei/internal/testenv"
	"github.com/shinsei-app/shinsei/pkcs11"
	"github.com/shinsei-app/shinsei/sandbox/service"
	"github.com/shinsei-app/shinsei/submit"
)

func TestAPowerOfAttorneyIsUsedOnlyWithinItsValidity(t *testing.T) {
	w := getWorld(t)
	svc := startService(t, w.pki, w.reg)
	libs := []*pkcs11.Library{testenv.SoftHSM(t)}
	a, _ := openApp(t, svc, w.pki, libs)
	ctx := context.Background()
	dir := fsxtest.TempDir(t)
	proxy := proxyCredential(t, w)

	sign := func(t *testing.T, name string, until time.Time) (*flow.Signed, *recorder, error) {
		t.Helper()
		r := &recorder{pin: flowPIN}
		s, err := a.SignPowerOfAttorney(ctx, flow.PowerOfAttorneyRequest{Procedure: service.ProcMoveOut, Proxy: submit.ProxyRef{Name: proxyName},
			Credential: residentToken(), Out: filepath.Join(dir, name), ValidUntil: until}, r.callbacks())
		return s, r, err
	}

	t.Run("without a chosen day it is valid for three months from its issue", func(t *testing.T) {
		s, _, err := sign(t, "POA-default.asice", time.Time{})
		if err != nil {
			t.Fatal(err)
		}
		poa, err := a.ReadPowerOfAttorney(ctx, s.Path)
		if err != nil {
			t.Fatal(err)
		}
		d := poa.Document
		if d.ValidUntil != submit.PowerOfAttorneyDefaultUntil(d.IssuedAt) || s.Written == nil || s.Written.ValidUntil != d.ValidUntil {
			t.Fatalf("issued %s, valid until %q (written %+v), want three months", d.IssuedAt, d.ValidUntil, s.Written)
		}
	})

	t.Run("the day the principal chooses is written in the signed power of attorney", func(t *testing.T) {
		// A date as a date picker gives it: midnight where the principal is.
		day := time.Now().AddDate(0, 1, 0)
		chosen := time.Date(day.Year(), day.Month(), day.Day(), 0, 0, 0, 0, time.FixedZone("NZDT", 13*3600))
		s, _, err := sign(t, "POA-month.asice", chosen)
		if err != nil {
			t.Fatal(err)
		}
		poa, err := a.ReadPowerOfAttorney(ctx, s.Path)
		if err != nil {
			t.Fatal(err)
		}
		if want := chosen.Format(submit.DateLayout); poa.Document.ValidUntil != want {
			t.Fatalf("valid until %q, want %s", poa.Document.ValidUntil, want)
		}
	})

	t.Run("a day before today or beyond six months is refused before the PIN", func(t *testing.T) {
		for _, until := range []time.Time{time.Now().AddDate(0, 0, -2), time.Now().AddDate(0, submit.PowerOfAttorneyMaxMonths, 2)} {
			_, r, err := sign(t, "POA-refused.asice", until)
			if !errors.Is(err, flow.ErrValidUntilOutOfRange) || r.pinCalls != 0 {
				t.Fatalf("valid until %s: err %v after %d PIN prompts, want ErrValidUntilOutOfRange before any", until.Format(time.DateOnly), err, r.pinCalls)
			}
			if _, err := os.Stat(filepath.Join(dir, "POA-refused.asice")); !errors.Is(err, os.ErrNotExist) {
				t.Fatal("a package was written")
			}
		}
	})

	byName, _, err := sign(t, "POA.asice", time.Time{})
	if err != nil {
		t.Fatal(err)
	}

	t.Run("a signed package whose power of attorney has since expired is not sent, and no password is asked", func(t *testing.T) {
		acc, err := a.Register(ctx, flow.RegisterRequest{Credential: flow.P12File(proxy)}, (&recorder{secrets: p12Secrets}).callbacks())
		if err != nil {
			t.Fatal(err)
		}
		r := &recorder{pin: flowPIN}
		byAccount, err := a.SignPowerOfAttorney(ctx, flow.PowerOfAttorneyRequest{Procedure: service.ProcMoveOut, Proxy: submit.ProxyRef{Account: acc.ID},
			Credential: residentToken(), Out: filepath.Join(dir, "POA-account.asice")}, r.callbacks())
		if err != nil {
			t.Fatal(err)
		}
		before, err := svc.Applications(ctx)
		if err != nil {
			t.Fatal(err)
		}
		later, _ := openApp(t, svc, w.pki, libs, func(c *flow.Config) { c.Now = func() time.Time { return time.Now().AddDate(0, 4, 0) } })
		for _, poa := range []*flow.Signed{byName, byAccount} {
			proc, doc := form(t, a, service.ProcMoveOut, nil)
			s, err := a.Sign(ctx, flow.SignRequest{Procedure: proc.Procedure, Form: doc, FillApplicant: true, PowerOfAttorney: poa.Path,
				Credential: flow.P12File(proxy), Out: filepath.Join(dir, "app-"+filepath.Base(poa.Path))}, (&recorder{secrets: p12Secrets}).callbacks())
			if err != nil {
				t.Fatal(err)
			}
			r := &recorder{secrets: map[flow.SecretKind]string{flow.SecretAccountPassword: "not asked"}}
			_, err = later.Submit(ctx, flow.SubmitRequest{Path: s.Path, EnterPassword: true}, r.callbacks())
			if !errors.Is(err, flow.ErrPowerOfAttorneyExpired) || r.secretCalls != 0 {
				t.Fatalf("%s: err %v after %d password prompts, want ErrPowerOfAttorneyExpired before any", filepath.Base(poa.Path), err, r.secretCalls)
			}
		}
		if pending, err := later.Pending(); err != nil || len(pending) != 0 {
			t.Fatalf("%d items queued (%v), want none", len(pending), err)
		}
		if after, err := svc.Applications(ctx); err != nil || len(after) != len(before) {
			t.Fatalf("the service holds %d applications (was %d): %v", len(after), len(before), err)
		}
	})
	for _, tt := range []struct {
		name  string
		shift time.Duration // the proxy's clock against the principal's
		want  error
		words string
	}{
		{"an expired power of attorney", 4 * 31 * 24 * time.Hour, flow.ErrPowerOfAttorneyExpired, "委任状の有効期限が過ぎています"},
		{"a power of attorney dated ahead of the proxy's clock", -2 * time.Hour, flow.ErrPowerOfAttorneyNotYetValid, "委任状の作成日時が"},
	} {
		t.Run(tt.name+" is refused before the proxy's PIN or password, in the table's words", func(t *testing.T) {
			later, _ := openApp(t, svc, w.pki, libs, func(c *flow.Config) { c.Now = func() time.Time { return time.Now().Add(tt.shift) } })
			poa, err := later.ReadPowerOfAttorney(ctx, byName.Path)
			if err != nil {
				t.Fatal(err)
			}
			if err := poa.CheckFor(byName.Procedure); !errors.Is(err, tt.want) {
				t.Fatalf("CheckFor: %v, want %v", err, tt.want)
			}
			for _, cred := range []flow.CredentialChoice{residentToken(), flow.P12File(proxy)} {
				r := &recorder{pin: flowPIN, secrets: p12Secrets}
				proc, doc := form(t, later, service.ProcMoveOut, nil)
				out := filepath.Join(dir, "refused.asice")
				_, err := later.Sign(ctx, flow.SignRequest{Procedure: proc.Procedure, Form: doc, FillApplicant: true, PowerOfAttorney: byName.Path,
					Credential: cred, Out: out}, r.callbacks())
				if !errors.Is(err, tt.want) {
					t.Fatalf("err %v, want %v", err, tt.want)
				}
				if r.pinCalls != 0 || r.secretCalls != 0 {
					t.Fatalf("asked %d PINs and %d passwords, want none", r.pinCalls, r.secretCalls)
				}
				if _, err := os.Stat(out); !errors.Is(err, os.ErrNotExist) {
					t.Fatal("a package was written")
				}
				msg, hint := explainIn(err, i18n.Japanese)
				if !strings.Contains(msg, tt.words) || !strings.Contains(msg, "パスワードは使っていません") || hint == "" {
					t.Fatalf("explained as %q / %q", msg, hint)
				}
			}
		})
	}
}
