package main

import (
	"context"
	"runtime/debug"
	"sync/atomic"
	"testing"
	"time"

	"github.com/shinsei-app/shinsei/flow"
	"github.com/shinsei-app/shinsei/sandbox/service"
	"github.com/shinsei-app/shinsei/submit"
	"github.com/shinsei-app/shinsei/ui"
)

// sendBulkyWaste files a bulky waste collection (no signature) in the
// sandbox sb and returns the status the service then gives, once a few
// rounds of completeInterval have passed, waiting up to wait for it to be
// completed.
// items, when given, replaces the sample's items (another application).
func sendBulkyWaste(t *testing.T, sb *sandboxWorld, wait time.Duration, items ...string) *submit.ApplicationStatus {
	t.Helper()
	ctx := context.Background()
	a, err := sb.open(ctx, ui.Settings{})
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close()
	procs, err := a.Procedures(ctx)
	if err != nil {
		t.Fatal(err)
	}
	var proc *submit.Procedure
	for i := range procs {
		if procs[i].ID == service.ProcBulkyWaste {
			proc = &procs[i].Procedure
		}
	}
	if proc == nil {
		t.Fatalf("the sandbox has no %s", service.ProcBulkyWaste)
	}
	doc := &submit.FormDocument{Procedure: proc.ID, Fields: service.SampleFields(proc.ID),
		Applicant: map[string]any{"name": "高橋　花子", "address": "東京都千代田区千代田1-1"}}
	for _, it := range items {
		doc.Fields["items"] = it
	}
	rec, err := a.Submit(ctx, flow.SubmitRequest{Procedure: proc, Form: doc}, flow.Callbacks{})
	if err != nil {
		t.Fatal(err)
	}
	var st *submit.ApplicationStatus
	for deadline := time.Now().Add(wait); time.Now().Before(deadline); time.Sleep(completeInterval) {
		if st, err = a.RefreshStatus(ctx, rec.ArrivalNumber); err != nil {
			t.Fatal(err)
		}
		if st.Status == submit.StatusCompleted {
			break
		}
	}
	time.Sleep(3 * completeInterval) // a second notice would come by now
	if st, err = a.RefreshStatus(ctx, rec.ArrivalNumber); err != nil {
		t.Fatal(err)
	}
	return st
}

func TestTheSandboxCompletesEachApplicationWithOneNoticeOnlyWhenAskedTo(t *testing.T) {
	for _, tc := range []struct {
		name    string
		env     string
		want    submit.Status
		notices int
		wait    time.Duration
	}{
		{"asked to: completed with one notice", "1", submit.StatusCompleted, 1, 10 * time.Second},
		{"not asked to: left as received", "", submit.StatusReceived, 0, 5 * completeInterval},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Setenv(completeEnv, tc.env)
			sb, err := newSandboxWorld("ja")
			if err != nil {
				t.Fatal(err)
			}
			defer sb.close()
			st := sendBulkyWaste(t, sb, tc.wait)
			if st.Status != tc.want || len(st.Notices) != tc.notices {
				t.Fatalf("the application is %q with %d notices, want %q with %d", st.Status, len(st.Notices), tc.want, tc.notices)
			}
			if tc.notices > 0 && st.Notices[0].TitleJA != completeNotice.TitleJA {
				t.Errorf("the notice is titled %q", st.Notices[0].TitleJA)
			}
		})
	}
}

func TestWithCorrectionsAskedTheSandboxCompletesOnlyTheFirstApplicationAndLeavesAnUnsignedOneToBeWithdrawn(t *testing.T) {
	t.Setenv(completeEnv, "1")
	t.Setenv(correctEnv, "1")
	sb, err := newSandboxWorld("ja")
	if err != nil {
		t.Fatal(err)
	}
	defer sb.close()
	if st := sendBulkyWaste(t, sb, 10*time.Second); st.Status != submit.StatusCompleted {
		t.Fatalf("the first application is %q, want completed", st.Status)
	}
	if st := sendBulkyWaste(t, sb, 5*completeInterval, "本棚 1台"); st.Status != submit.StatusReceived || len(st.Notices) != 0 {
		t.Fatalf("the second, unsigned application is %q with %d notices, want received with none", st.Status, len(st.Notices))
	}
}

func TestTheSandboxReturnsTheMemoryOfTheNoticesItIssuesOnlyAfterIssuingThem(t *testing.T) {
	var returns atomic.Int32
	returnOfficeMemory = func() { returns.Add(1) }
	t.Cleanup(func() { returnOfficeMemory = debug.FreeOSMemory })
	t.Setenv(completeEnv, "1")
	sb, err := newSandboxWorld("ja")
	if err != nil {
		t.Fatal(err)
	}
	defer sb.close()
	time.Sleep(5 * completeInterval) // rounds with nothing to complete
	if n := returns.Load(); n != 0 {
		t.Fatalf("the memory was returned %d times before any application arrived", n)
	}
	if st := sendBulkyWaste(t, sb, 10*time.Second); st.Status != submit.StatusCompleted {
		t.Fatalf("the application is %q, want completed", st.Status)
	}
	if n := returns.Load(); n != 1 {
		t.Errorf("the memory was returned %d times for one notice (and rounds with nothing new), want once", n)
	}
}
