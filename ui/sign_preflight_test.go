package ui

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"fyne.io/fyne/v2/test"

	"github.com/shinsei-app/shinsei/explain"
	"github.com/shinsei-app/shinsei/flow"
	"github.com/shinsei-app/shinsei/sandbox/service"
)

// flow.Sign checks every input before the PIN is asked: an attachment
// that is gone by the time the resident signs is refused with no PIN
// dialog shown, and the card's tries are left alone.
func TestAnAttachmentGoneBeforeSigningIsRefusedWithNoPINDialog(t *testing.T) {
	cfg := config(t)
	gone := filepath.Join(t.TempDir(), "住民票の写し.pdf")
	if err := os.WriteFile(gone, []byte("attachment"), 0o600); err != nil {
		t.Fatal(err)
	}
	h := newHarness(t, cfg)
	h.startProcedure(service.ProcMoveOut)
	h.chooseToken()
	fillApplicant(h.s.form)
	fillMoveOut(t, h.s.form)
	h.s.form.addAttachment(gone)
	if err := os.Remove(gone); err != nil {
		t.Fatal(err)
	}
	test.Tap(h.s.form.next)
	h.wait("error")
	if n := h.count("pin"); n != 0 || h.s.pin != nil {
		t.Errorf("the PIN dialog was shown %d times before the refusal", n)
	}
	want := explain.Of(flow.ErrInputMissing).Message.In(currentLanguage())
	if !strings.Contains(h.s.lastError, want) {
		t.Errorf("the error says %q, want %q", h.s.lastError, want)
	}
	if entries, _ := os.ReadDir(filepath.Join(cfg.DataDir, "signed")); len(entries) != 0 {
		t.Errorf("a package was written: %v", entries)
	}
}
