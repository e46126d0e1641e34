package ui

import (
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"fyne.io/fyne/v2/test"

	"github.com/shinsei-app/shinsei/explain"
	"github.com/shinsei-app/shinsei/flow"
	"github.com/shinsei-app/shinsei/i18n"
	"github.com/shinsei-app/shinsei/sandbox/service"
	"github.com/shinsei-app/shinsei/submit"
)

// datedPOA writes a power of attorney for the move-out notification
// naming 高橋　一郎, issued at issued and valid until until, signed by the
// world's resident (the principal).
func datedPOA(t *testing.T, issued time.Time, until string) string {
	t.Helper()
	return signedPOA(t, submit.PowerOfAttorney{Type: submit.PowerOfAttorneyType, Procedure: service.ProcMoveOut,
		Principal: map[string]any{"name": "高橋　花子"}, Proxy: submit.ProxyRef{Name: "高橋　一郎"},
		IssuedAt: issued.Truncate(time.Second), ValidUntil: until})
}

// An expired power of attorney is refused where the proxy adds it, in the
// table's words, and the form stays the proxy's own; the password is
// never asked.
func TestAnExpiredPowerOfAttorneyIsRefusedOnTheFormBeforeThePassword(t *testing.T) {
	cfg := config(t)
	proxyFile(t, &cfg)
	h := newHarness(t, cfg)
	h.startProcedure(service.ProcMoveOut)
	h.wait("credentials")
	test.Tap(h.s.cred.files[0])
	h.wait("form")
	f := h.s.form
	name := f.applicant["name"].Text
	old := time.Now().AddDate(0, -4, 0)
	f.useProxy(datedPOA(t, old, submit.PowerOfAttorneyDefaultUntil(old)))
	h.wait("error")
	want := explain.Of(flow.ErrPowerOfAttorneyExpired)
	if !strings.Contains(h.s.lastError, want.Message.In(i18n.Japanese)) || !strings.Contains(h.s.lastError, want.Hint.In(i18n.Japanese)) ||
		!strings.Contains(h.s.lastError, "委任状の有効期限が過ぎています") {
		t.Fatalf("the window says %q, want the table's message and hint", h.s.lastError)
	}
	if h.s.draft.poa != nil || f.proxy.remove.Visible() || f.applicant["name"].Text != name {
		t.Fatalf("an expired power of attorney was taken: %+v", h.s.draft.poa)
	}
	if h.count("secret") != 0 || h.count("pin") != 0 {
		t.Fatal("a password or PIN was asked")
	}
}

// A power of attorney whose last day passes while the form is filled in is
// refused when the proxy goes on to sign, before the password.
func TestAPowerOfAttorneyThatExpiresWhileTheFormIsFilledIsRefusedBeforeThePassword(t *testing.T) {
	cfg := config(t)
	proxyFile(t, &cfg)
	var shift atomic.Int64
	cfg.Now = func() time.Time { return time.Now().Add(time.Duration(shift.Load())) }
	h := newHarness(t, cfg)
	h.startProcedure(service.ProcMoveOut)
	h.wait("credentials")
	test.Tap(h.s.cred.files[0])
	h.wait("form")
	f := h.s.form
	now := time.Now()
	f.useProxy(datedPOA(t, now.Add(-time.Minute), submit.PowerOfAttorneyDay(now)))
	h.wait("proxy-added")
	fillMoveOut(t, f)
	shift.Store(int64(48 * time.Hour))
	test.Tap(f.next)
	h.wait("error")
	if want := explain.Of(flow.ErrPowerOfAttorneyExpired).Message.In(i18n.Japanese); !strings.Contains(h.s.lastError, want) {
		t.Fatalf("the window says %q, want %q", h.s.lastError, want)
	}
	if h.count("secret") != 0 || h.count("pin") != 0 {
		t.Fatal("a password or PIN was asked")
	}
}
