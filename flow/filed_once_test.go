//go:build cgo && linux

package flow_test

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/shinsei-app/shinsei/flow"
	"github.com/shinsei-app/shinsei/sandbox/service"
	"github.com/shinsei-app/shinsei/submit"
)

// Nothing filed twice, for the window as for the command line: the check
// lives in Submit, before anything is sent.
func TestAPackageAlreadyReceivedIsNotSentAgainUnlessAskedTo(t *testing.T) {
	w := getWorld(t)
	svc := startService(t, w.pki, w.reg)
	a, _ := openApp(t, svc, w.pki, nil)
	ctx := context.Background()
	proc, doc := form(t, a, service.ProcBulkyWaste, w.resident.Cert)

	first, err := a.Submit(ctx, flow.SubmitRequest{Procedure: &proc.Procedure, Form: doc}, (&recorder{}).callbacks())
	if err != nil {
		t.Fatal(err)
	}

	t.Run("the same form again is not sent and names the arrival number that has it", func(t *testing.T) {
		queued := 0
		cb := (&recorder{}).callbacks()
		cb.Queued = func(submit.Item, submit.Procedure) { queued++ }
		rec, err := a.Submit(ctx, flow.SubmitRequest{Procedure: &proc.Procedure, Form: doc}, cb)
		var ar *flow.AlreadyReceivedError
		if !errors.As(err, &ar) || !errors.Is(err, flow.ErrAlreadyReceived) {
			t.Fatalf("err %v, want an AlreadyReceivedError", err)
		}
		if ar.Record.ArrivalNumber != first.ArrivalNumber || rec == nil || rec.ArrivalNumber != first.ArrivalNumber {
			t.Errorf("named %q (record %+v), want %s", ar.Record.ArrivalNumber, rec, first.ArrivalNumber)
		}
		if queued != 0 {
			t.Errorf("queued %d times; nothing should be", queued)
		}
		if message, _ := explainOf(err); !strings.Contains(message.Ja, first.ArrivalNumber) || !strings.Contains(message.En, first.ArrivalNumber) {
			t.Errorf("the explanation does not name the arrival number: %+v", message)
		}
	})

	t.Run("asked to, it is sent again as a new application", func(t *testing.T) {
		rec, err := a.Submit(ctx, flow.SubmitRequest{Procedure: &proc.Procedure, Form: doc, Again: true}, (&recorder{}).callbacks())
		if err != nil {
			t.Fatal(err)
		}
		if rec.ArrivalNumber == first.ArrivalNumber {
			t.Errorf("got the same arrival number %s; want a new application", rec.ArrivalNumber)
		}
	})
}
