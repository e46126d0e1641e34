//go:build cgo && linux

package flow_test

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"testing"

	"github.com/shinsei-app/shinsei/flow"
	"github.com/shinsei-app/shinsei/internal/testenv"
	"github.com/shinsei-app/shinsei/pkcs11"
	"github.com/shinsei-app/shinsei/sandbox/service"
	"github.com/shinsei-app/shinsei/submit"
)

// keptForms are the unsigned forms kept in the data directory.
func keptForms(t *testing.T, dataDir string) []string {
	t.Helper()
	paths, err := filepath.Glob(filepath.Join(dataDir, "signed", "*.json"))
	if err != nil {
		t.Fatal(err)
	}
	return paths
}

func TestAnAmendmentOfAnUnsignedApplicationOpensTheFormAsFiled(t *testing.T) {
	w := getWorld(t)
	for _, tc := range []struct {
		name      string
		procedure string
		field     string
		corrected any
	}{
		{"an application that needs no login", service.ProcBulkyWaste, "items", "椅子 2"},
		{"an application with ID and password", service.ProcDogRegistration, "dog_name", "タロウ"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			svc := startService(t, w.pki, w.reg)
			a, cfg := openApp(t, svc, w.pki, []*pkcs11.Library{testenv.SoftHSM(t)})
			ctx := context.Background()
			proc, doc := form(t, a, tc.procedure, w.resident.Cert)
			if proc.Level.NeedsLogin() {
				if _, err := a.Register(ctx, flow.RegisterRequest{Credential: residentToken()}, (&recorder{pin: flowPIN}).callbacks()); err != nil {
					t.Fatal(err)
				}
			}
			rec, err := a.Submit(ctx, flow.SubmitRequest{Procedure: &proc.Procedure, Form: doc}, flow.Callbacks{})
			if err != nil {
				t.Fatal(err)
			}
			kept := keptForms(t, cfg.DataDir)
			if len(kept) != 1 {
				t.Fatalf("kept forms %v, want the one filed", kept)
			}
			if fi, err := os.Stat(kept[0]); err != nil || fi.Mode().Perm() != 0o600 {
				t.Fatalf("the kept form: %v, %v; want it readable by the user only", fi, err)
			}
			if _, err := svc.RequestCorrection(ctx, rec.ArrivalNumber, service.SandboxCorrection{Fields: []string{"fields." + tc.field},
				ReasonJA: "ご確認ください。"}); err != nil {
				t.Fatal(err)
			}
			orig, err := a.OriginalForm(ctx, rec.ArrivalNumber)
			if err != nil || orig == nil {
				t.Fatalf("the original form: %v, %v; want the form as filed", orig, err)
			}
			if orig.Procedure != tc.procedure || orig.Fields[tc.field] != doc.Fields[tc.field] || orig.Applicant["name"] != doc.Applicant["name"] {
				t.Fatalf("the original form %+v is not the one filed %+v", orig, doc)
			}
			orig.Fields[tc.field] = tc.corrected
			r := &recorder{}
			out, err := a.Amend(ctx, flow.AmendRequest{Arrival: rec.ArrivalNumber, Form: orig}, r.callbacks())
			if err != nil {
				t.Fatal(err)
			}
			if out.Status.Status != submit.StatusReviewing || r.pinCalls != 0 {
				t.Fatalf("after the amendment %s, PIN asked %d times", out.Status.Status, r.pinCalls)
			}

			// Asked again: the form last filed, the amendment's, opens.
			if _, err := svc.RequestCorrection(ctx, rec.ArrivalNumber, service.SandboxCorrection{Fields: []string{"fields." + tc.field},
				ReasonJA: "もう一度ご確認ください。"}); err != nil {
				t.Fatal(err)
			}
			again, err := a.OriginalForm(ctx, rec.ArrivalNumber)
			if err != nil || again == nil || again.Fields[tc.field] != tc.corrected {
				t.Fatalf("the form for a second correction: %+v, %v; want the amendment's", again, err)
			}
		})
	}
}

func TestACancelledUnsignedFilingKeepsNoCopyOfItsForm(t *testing.T) {
	w := getWorld(t)
	svc := startService(t, w.pki, w.reg)
	a, cfg := openApp(t, svc, w.pki, nil)
	proc, doc := form(t, a, service.ProcBulkyWaste, w.resident.Cert)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	cb := (&recorder{}).callbacks()
	cb.Queued = func(submit.Item, submit.Procedure) {
		if len(keptForms(t, cfg.DataDir)) != 1 {
			t.Error("the form is not kept as it is queued")
		}
		cancel()
	}
	if _, err := a.Submit(ctx, flow.SubmitRequest{Procedure: &proc.Procedure, Form: doc}, cb); !errors.Is(err, context.Canceled) {
		t.Fatalf("err %v, want context.Canceled", err)
	}
	if kept := keptForms(t, cfg.DataDir); len(kept) != 0 {
		t.Errorf("kept after Cancel: %v", kept)
	}
}
