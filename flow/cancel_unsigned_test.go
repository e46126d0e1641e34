//go:build cgo && linux

package flow_test

import (
	"context"
	"errors"
	"path/filepath"
	"strings"
	"testing"

	"github.com/shinsei-app/shinsei/flow"
	"github.com/shinsei-app/shinsei/internal/testenv"
	"github.com/shinsei-app/shinsei/pkcs11"
	"github.com/shinsei-app/shinsei/sandbox/service"
	"github.com/shinsei-app/shinsei/submit"
)

func TestCancellingAnApplicationWithoutSignatureWithdrawsItsQueuedCopy(t *testing.T) {
	w := getWorld(t)
	for _, tc := range []struct {
		name      string
		procedure string
	}{
		{"an application that needs no login", service.ProcBulkyWaste},
		{"an application with ID and password", service.ProcDogRegistration},
	} {
		t.Run(tc.name, func(t *testing.T) {
			svc := startService(t, w.pki, w.reg)
			a, cfg := openApp(t, svc, w.pki, []*pkcs11.Library{testenv.SoftHSM(t)})
			proc, doc := form(t, a, tc.procedure, w.resident.Cert)
			if proc.Level.NeedsLogin() {
				// An account registered with the card, its password kept.
				if _, err := a.Register(context.Background(), flow.RegisterRequest{Credential: residentToken()}, (&recorder{pin: flowPIN}).callbacks()); err != nil {
					t.Fatal(err)
				}
			}
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			r := &recorder{}
			cb := r.callbacks()
			queued := 0
			// The window's Cancel, tapped as the copy is queued, before
			// anything went out.
			cb.Queued = func(submit.Item, submit.Procedure) { queued++; cancel() }
			p := proc.Procedure
			rec, err := a.Submit(ctx, flow.SubmitRequest{Procedure: &p, Form: doc}, cb)
			if !errors.Is(err, context.Canceled) || rec != nil {
				t.Fatalf("err %v, receipt %v; want context.Canceled", err, rec)
			}
			if errors.Is(err, submit.ErrKept) {
				t.Errorf("the error says the application is kept: %v", err)
			}
			if queued != 1 {
				t.Fatalf("the copy was queued %d times, want once", queued)
			}
			if pending, err := a.Pending(); err != nil || len(pending) != 0 {
				t.Errorf("the outbox holds %d items (%v) after Cancel, want none", len(pending), err)
			}
			if left := queuedFiles(t, cfg.DataDir); len(left) != 0 {
				t.Errorf("left in the outbox after Cancel: %v", left)
			}
			if apps, _ := svc.Applications(context.Background()); len(apps) != 0 {
				t.Errorf("the service received %d applications", len(apps))
			}
		})
	}
}

func TestCancellingAnApplicationWithoutSignatureThatWentOutInFullKeepsIt(t *testing.T) {
	w := getWorld(t)
	svc := startService(t, w.pki, w.reg)
	a, _ := openApp(t, svc, w.pki, []*pkcs11.Library{testenv.SoftHSM(t)})
	proc, doc := form(t, a, service.ProcBulkyWaste, w.resident.Cert)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	r := &recorder{}
	// Cancel once the whole body went out: it may have arrived.
	r.onProgress = func(s flow.Stage, done, total int64) {
		if s == flow.StageUpload && total > 0 && done >= total {
			cancel()
		}
	}
	p := proc.Procedure
	rec, err := a.Submit(ctx, flow.SubmitRequest{Procedure: &p, Form: doc}, r.callbacks())
	t.Logf("the outcome: receipt %v, err %v", rec != nil, err)
	pending, perr := a.Pending()
	if perr != nil {
		t.Fatal(perr)
	}
	apps, _ := svc.Applications(context.Background())
	switch {
	case err == nil:
		// The reply came before the cancel was seen: received, and said so.
		if rec == nil || rec.ArrivalNumber == "" || len(pending) != 0 {
			t.Errorf("received, yet receipt %+v and %d items queued", rec, len(pending))
		}
	case errors.Is(err, submit.ErrKept):
		// Kept, truthfully: it may have arrived, and stays to be asked about.
		var se *submit.SendError
		if !errors.As(err, &se) || !se.MayHaveArrived() || len(pending) != 1 {
			t.Errorf("err %v with %d items queued; want it kept as one that may have arrived", err, len(pending))
		}
		msg, hint := explainOf(err)
		t.Logf("explained: %s / %s", msg.Ja, hint.Ja)
		if !strings.Contains(msg.Ja, "届いた可能性があります") || !strings.Contains(hint.Ja, "申請履歴") {
			t.Errorf("the explanation does not say it may have arrived and where to find out: %q / %q", msg.Ja, hint.Ja)
		}
	default:
		t.Fatalf("err %v: a body that went out in full was withdrawn (%d queued, the service holds %d)", err, len(pending), len(apps))
	}
}

// queuedFiles lists the files under the data folder's outbox.
func queuedFiles(t *testing.T, dataDir string) []string {
	t.Helper()
	return filesIn(t, filepath.Join(dataDir, "outbox"))
}
