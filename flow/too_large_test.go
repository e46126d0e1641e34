//go:build cgo && linux

package flow_test

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/shinsei-app/shinsei/flow"
	"github.com/shinsei-app/shinsei/i18n"
	"github.com/shinsei-app/shinsei/internal/testenv"
	"github.com/shinsei-app/shinsei/pkcs11"
	"github.com/shinsei-app/shinsei/sandbox/service"
	"github.com/shinsei-app/shinsei/submit"
)

func TestAPackageTheServiceFindsTooLargeIsExplainedOnceWithTheCataloguesLimit(t *testing.T) {
	w := getWorld(t)
	svc := startService(t, w.pki, w.reg)
	a, _ := openApp(t, svc, w.pki, []*pkcs11.Library{testenv.SoftHSM(t)})
	proc, doc := form(t, a, service.ProcMoveOut, w.resident.Cert)
	limit := flow.MaxPackageBytes(proc.Procedure)
	// A window that kept an older copy of the catalogue, with a higher
	// limit, lets the attachment pass; the service refuses it (413).
	stale := proc.Procedure
	stale.Form.MaxPackageBytes = 2 * limit
	big := testenv.SparseFile(t, "scan.pdf", limit+(1<<20))
	r := &recorder{pin: flowPIN}
	_, rec, err := a.SignAndSubmit(context.Background(), flow.SignRequest{Procedure: stale, Form: doc, Attachments: []string{big}, Credential: residentToken()}, "", r.callbacks())
	if rec != nil || err == nil {
		t.Fatalf("the service accepted a package over its limit: %+v", rec)
	}
	var tl *flow.TooLargeError
	if !errors.As(err, &tl) {
		t.Fatalf("err %v is no *flow.TooLargeError", err)
	}
	if tl.Limit != limit || !tl.Signed || tl.Procedure != service.ProcMoveOut {
		t.Errorf("the error gives limit %d for %s (signed %t), want the catalogue's %d", tl.Limit, tl.Procedure, tl.Signed, limit)
	}
	var prob *submit.ProblemError
	if !errors.As(err, &prob) || prob.Status != 413 || !errors.Is(err, submit.ErrRefused) {
		t.Errorf("the service's answer is lost from %v", err)
	}
	msg, hint := explainIn(err, i18n.Japanese)
	want := flow.PackageLimitText(proc.Procedure) // "64MB"
	if !strings.Contains(hint, want+"まで") {
		t.Errorf("the hint %q does not give the limit %s", hint, want)
	}
	if all := msg + hint; strings.Count(all, "大きすぎ") != 1 || strings.Count(all, "減らすか小さく") != 1 {
		t.Errorf("the explanation repeats itself: %q / %q", msg, hint)
	}
}

func TestAHeldPackageTheServiceFindsTooLargeIsExplainedWithTheCataloguesLimitWhenSentNow(t *testing.T) {
	w := getWorld(t)
	svc := startService(t, w.pki, w.reg)
	a, cfg := openApp(t, svc, w.pki, []*pkcs11.Library{testenv.SoftHSM(t)})
	proc, doc := form(t, a, service.ProcMoveOut, w.resident.Cert)
	limit := flow.MaxPackageBytes(proc.Procedure)
	stale := proc.Procedure
	stale.Form.MaxPackageBytes = 2 * limit
	big := testenv.SparseFile(t, "scan.pdf", limit+(1<<20))
	signed, err := a.Sign(context.Background(), flow.SignRequest{Procedure: stale, Form: doc, Attachments: []string{big}, Credential: residentToken()}, (&recorder{pin: flowPIN}).callbacks())
	if err != nil {
		t.Fatal(err)
	}
	// Held, as after a lost connection; "send now" from the history.
	ob, err := submit.OpenOutbox(cfg.DataDir)
	if err != nil {
		t.Fatal(err)
	}
	it, err := ob.Add(context.Background(), submit.Draft{Service: cfg.ServiceURL, Procedure: proc.ID,
		Level: proc.Level, MediaType: submit.MediaASiCE, Path: signed.Path})
	if err != nil {
		t.Fatal(err)
	}
	_, err = a.SendHeld(context.Background(), it.ID, (&recorder{}).callbacks())
	var tl *flow.TooLargeError
	if !errors.As(err, &tl) || tl.Limit != limit || !tl.Signed {
		t.Fatalf("err %v; want a *flow.TooLargeError with the catalogue's limit %d", err, limit)
	}
	if _, hint := explainIn(err, i18n.Japanese); !strings.Contains(hint, flow.PackageLimitText(proc.Procedure)+"まで") {
		t.Errorf("the hint %q does not give the limit", hint)
	}
}
