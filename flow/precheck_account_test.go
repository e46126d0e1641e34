//go:build cgo && linux

package flow_test

import (
	"context"
	"errors"
	"path/filepath"
	"strings"
	"testing"

	"github.com/shinsei-app/shinsei/flow"
	"github.com/shinsei-app/shinsei/sandbox/kit"
	"github.com/shinsei-app/shinsei/sandbox/service"
)

// A procedure that needs the login and the holder's own signature is
// refused by the service when the account logged in is not the signer's.
// The pre-check knows the account's kind, so it stops there, before the
// signature, and says what to do.
func TestThePrecheckRefusesACertificateTheLoggedInAccountCannotSendBeforeSigning(t *testing.T) {
	w := getWorld(t)
	svc := startService(t, w.pki, w.reg)
	a, cfg := openApp(t, svc, w.pki, nil)
	ctx := context.Background()
	residentP12, err := w.resident.PKCS12(kit.P12Password)
	if err != nil {
		t.Fatal(err)
	}
	secrets := map[flow.SecretKind]string{flow.SecretP12Password: kit.P12Password}

	register := func(t *testing.T, p12 []byte) string {
		t.Helper()
		acc, err := a.Register(ctx, flow.RegisterRequest{Credential: flow.P12File(p12File(t, p12))}, (&recorder{secrets: secrets}).callbacks())
		if err != nil {
			t.Fatal(err)
		}
		return acc.ID
	}
	refused := func(t *testing.T, procedure string, p12 []byte, wantTodo string) {
		t.Helper()
		r := &recorder{secrets: secrets}
		proc, doc := form(t, a, procedure, nil)
		var cert = w.corp.Cert
		if procedure != service.ProcBidQualification {
			cert = w.resident.Cert
		}
		flow.FillApplicant(doc, flow.Prefill(cert), proc.Procedure, true)
		_, _, err := a.SignAndSubmit(ctx, flow.SignRequest{Procedure: proc.Procedure, Form: doc, Credential: flow.P12File(p12File(t, p12))}, "", r.callbacks())
		var pe *flow.PrecheckError
		if !errors.As(err, &pe) {
			t.Fatalf("err %v, want a red pre-check", err)
		}
		l, ok := pe.Precheck.Line(flow.LineAccount, "")
		if !ok || l.Level != flow.Red {
			t.Fatalf("the account line is %+v (found %v) in %v, want red", l, ok, pe.Precheck)
		}
		if !strings.Contains(l.Todo.Ja, wantTodo) || !strings.Contains(l.Todo.Ja, "ログインし直して") {
			t.Errorf("the account line says to do %q, want it to name %q and logging in again", l.Todo.Ja, wantTodo)
		}
		if len(pe.Precheck.Reds()) != 1 {
			t.Errorf("red lines %v, want only the account's", pe.Precheck)
		}
		if r.secretCalls != 1 || r.okCall != 0 {
			t.Errorf("password asked %d times, signing offered %d times; want once and never", r.secretCalls, r.okCall)
		}
		if left := filesIn(t, filepath.Join(cfg.DataDir, "signed")); len(left) != 0 {
			t.Errorf("a package was written: %v", left)
		}
		if p, err := a.Pending(); err != nil || len(p) != 0 {
			t.Errorf("%d held, %v; nothing was signed, so nothing is held", len(p), err)
		}
	}

	t.Run("a company certificate under a resident's account is refused and the company account named", func(t *testing.T) {
		register(t, residentP12)
		refused(t, service.ProcBidQualification, w.corpP12, "商業登記電子証明書を使って登録")
	})
	t.Run("a resident's certificate under a company account is refused and the card registration named", func(t *testing.T) {
		register(t, w.corpP12)
		refused(t, service.ProcChildAllowance, residentP12, "マイナンバーカードを使って登録")
	})
	t.Run("the company's certificate under its own account has no account line and is filed", func(t *testing.T) {
		r := &recorder{secrets: secrets}
		proc, doc := form(t, a, service.ProcBidQualification, w.corp.Cert)
		_, rec, err := a.SignAndSubmit(ctx, flow.SignRequest{Procedure: proc.Procedure, Form: doc, Credential: flow.P12File(p12File(t, w.corpP12))}, "", r.callbacks())
		if err != nil {
			t.Fatal(err)
		}
		if _, ok := r.prechecks[0].Line(flow.LineAccount, ""); ok || rec.ArrivalNumber == "" {
			t.Errorf("pre-check %v, receipt %+v: want no account line and a receipt", r.prechecks[0], rec)
		}
	})
	t.Run("a procedure a proxy may file has no account line", func(t *testing.T) {
		r := &recorder{secrets: secrets}
		proc, doc := form(t, a, service.ProcMoveOut, w.resident.Cert)
		if _, _, err := a.SignAndSubmit(ctx, flow.SignRequest{Procedure: proc.Procedure, Form: doc, Credential: flow.P12File(p12File(t, residentP12))}, "", r.callbacks()); err != nil {
			t.Fatal(err)
		}
		if _, ok := r.prechecks[0].Line(flow.LineAccount, ""); ok {
			t.Errorf("pre-check %v has an account line", r.prechecks[0])
		}
	})
}
