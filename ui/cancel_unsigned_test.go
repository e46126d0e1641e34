package ui

import (
	"path/filepath"
	"testing"

	"fyne.io/fyne/v2/test"

	"github.com/shinsei-app/shinsei/sandbox/service"
)

func TestCancelOfAnApplicationWithoutSignatureWithdrawsItsQueuedCopy(t *testing.T) {
	cfg := config(t)
	h := newHarness(t, cfg)
	h.startProcedure(service.ProcBulkyWaste)
	h.wait("form")
	fillBulkyWaste(h)
	tapped := false
	// Cancel as the copy is queued, before anything went out.
	h.s.onQueued = func() {
		if tapped {
			return
		}
		tapped = true
		done := make(chan struct{})
		onMain(func() {
			test.Tap(h.s.progress.cancel)
			close(done)
		})
		<-done
	}
	test.Tap(h.s.form.next)
	h.wait("form")
	if !tapped {
		t.Fatal("Cancel was never tapped")
	}
	if got := h.s.form.note.Text; got != tr("progress.cancelled") {
		t.Errorf("after Cancel the form says %q, want %q", got, tr("progress.cancelled"))
	}
	a := h.s.flowApp()
	if pending, err := a.Pending(); err != nil || len(pending) != 0 {
		t.Errorf("the outbox holds %v (%v) after Cancel, want nothing", pending, err)
	}
	if left := filesIn(filepath.Join(cfg.DataDir, "outbox")); len(left) != 0 {
		t.Errorf("left in the outbox after Cancel: %v", left)
	}
	if recs, _ := a.Receipts(); len(recs) != 0 {
		t.Errorf("the journal holds %v after Cancel", recs)
	}
	if h.count("receipt") != 0 {
		t.Errorf("a receipt was shown after Cancel")
	}
}
