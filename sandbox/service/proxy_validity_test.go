package service

import (
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/shinsei-app/shinsei/submit"
)

// A power of attorney is judged at receipt by its last day (valid_until,
// a day in Japan) and its issue: outside them, power-of-attorney-expired;
// with dates no power of attorney has, power-of-attorney-invalid.
func TestAPowerOfAttorneyOutsideItsValidityIsRefusedAtReceipt(t *testing.T) {
	e := newSvcEnv(t)
	c := e.creds
	byName := submit.ProxyRef{Name: "佐藤　次郎"}
	dated := func(issued time.Time, until string) submit.PowerOfAttorney {
		poa := powerOfAttorney(ProcMoveOut, byName)
		poa.IssuedAt, poa.ValidUntil = issued.Truncate(time.Second), until
		return poa
	}
	now := time.Now()
	old := now.AddDate(0, -4, 0)
	tomorrow := now.Add(24 * time.Hour)
	for _, tt := range []struct {
		name   string
		poa    submit.PowerOfAttorney
		status int
		reason submit.Reason
		detail string
	}{
		{"one whose last day has passed", dated(old, submit.PowerOfAttorneyDefaultUntil(old)),
			422, submit.ReasonPowerOfAttorneyExpired, "valid until " + submit.PowerOfAttorneyDefaultUntil(old)},
		{"one that ended yesterday in Japan", dated(old, submit.PowerOfAttorneyDay(now.Add(-24*time.Hour))),
			422, submit.ReasonPowerOfAttorneyExpired, "valid until"},
		{"one issued tomorrow", dated(tomorrow, submit.PowerOfAttorneyDefaultUntil(tomorrow)),
			422, submit.ReasonPowerOfAttorneyExpired, "not valid yet"},
		{"one without a last day", dated(now, ""),
			422, submit.ReasonPowerOfAttorneyInvalid, "valid_until"},
		{"one valid for longer than the limit", dated(now, now.AddDate(0, submit.PowerOfAttorneyMaxMonths, 2).Format(submit.DateLayout)),
			422, submit.ReasonPowerOfAttorneyInvalid, "valid_until: more than 6 months"},
	} {
		t.Run(tt.name+" is refused", func(t *testing.T) {
			pkg := makeProxyPackage(t, c.resident, c.other, tt.poa, sampleForm(ProcMoveOut, nil))
			r := e.submitApp(ProcMoveOut, newKey(), "", submit.MediaASiCE, pkg)
			p := r.problem(t)
			if r.status != tt.status || p.Reason != tt.reason || !strings.Contains(p.Detail, tt.detail) {
				t.Fatalf("got %d %s (%s), want %d %s (%s)", r.status, p.Reason, p.Detail, tt.status, tt.reason, tt.detail)
			}
		})
	}
	t.Run("one whose last day is today in Japan is received", func(t *testing.T) {
		pkg := makeProxyPackage(t, c.resident, c.other, dated(now.Add(-time.Minute), submit.PowerOfAttorneyDay(now)), sampleForm(ProcMoveOut, nil))
		if r := e.submitApp(ProcMoveOut, newKey(), "", submit.MediaASiCE, pkg); r.status != http.StatusCreated {
			t.Fatalf("status %d: %s", r.status, r.body)
		}
	})
	t.Run("one whose last day was today is refused two days later", func(t *testing.T) {
		pkg := makeProxyPackage(t, c.resident, c.other, dated(now.Add(-time.Minute), submit.PowerOfAttorneyDay(now)), sampleForm(ProcMoveOut, nil))
		e.clock.advance(48 * time.Hour)
		defer e.clock.advance(-48 * time.Hour)
		r := e.submitApp(ProcMoveOut, newKey(), "", submit.MediaASiCE, pkg)
		if p := r.problem(t); p.Reason != submit.ReasonPowerOfAttorneyExpired || !strings.HasPrefix(p.MessageJA, "委任状の有効期限が過ぎています。") {
			t.Fatalf("got %d %s: %s", r.status, p.Reason, p.MessageJA)
		}
	})
	if n := len(e.stored()); n != 1 {
		t.Fatalf("%d applications stored, want the one within its validity", n)
	}
}
