package ui

import (
	"os"
	"path/filepath"
	"testing"

	"fyne.io/fyne/v2/test"

	"github.com/shinsei-app/shinsei/sandbox/service"
)

// filesIn lists every file under dir.
func filesIn(dir string) []string {
	var left []string
	filepath.WalkDir(dir, func(p string, d os.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			left = append(left, p)
		}
		return nil
	})
	return left
}

func TestCancelAfterTheSignatureRemovesThePackageAndQueuesNothing(t *testing.T) {
	for _, tc := range []struct {
		name     string
		cancelAt func(h *harness, tap func())
	}{
		{"once signed, as the package is queued", func(h *harness, tap func()) {
			h.s.onQueued = tap
		}},
		{"while the package is uploaded", func(h *harness, tap func()) {
			h.s.onUploaded = func(done, total int64) {
				if done > 0 && done < total {
					tap()
				}
			}
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			cfg := config(t)
			// An attachment of some megabytes, so that the upload reports
			// progress before it ends.
			att := filepath.Join(t.TempDir(), "plan.pdf")
			if err := os.WriteFile(att, make([]byte, 3<<20), 0o600); err != nil {
				t.Fatal(err)
			}
			h := newHarness(t, cfg)
			h.startProcedure(service.ProcMoveOut)
			h.chooseToken()
			fillApplicant(h.s.form)
			fillMoveOut(t, h.s.form)
			h.s.form.addAttachment(att)
			tapped := false
			tc.cancelAt(h, func() {
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
			})
			test.Tap(h.s.form.next)
			h.enterPIN("SANDBOX1")
			h.confirmSign()
			h.wait("form")
			if !tapped {
				t.Fatal("Cancel was never tapped")
			}
			if got := h.s.form.note.Text; got != tr("progress.cancelled") {
				t.Errorf("after Cancel the form says %q, want %q", got, tr("progress.cancelled"))
			}
			if left := filesIn(cfg.DataDir); len(left) != 0 {
				t.Errorf("left in the data folder after Cancel: %v", left)
			}
			a := h.s.flowApp()
			if pending, err := a.Pending(); err != nil || len(pending) != 0 {
				t.Errorf("the outbox holds %v (%v) after Cancel, want nothing", pending, err)
			}
			if recs, _ := a.Receipts(); len(recs) != 0 {
				t.Errorf("the journal holds %v after Cancel", recs)
			}
			if _, err := os.Stat(att); err != nil {
				t.Errorf("the resident's own attachment is gone after Cancel: %v", err)
			}
		})
	}
}
