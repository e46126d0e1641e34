package ui

import (
	"path/filepath"
	"strings"
	"testing"

	"fyne.io/fyne/v2/test"

	"github.com/shinsei-app/shinsei/diagnosis"
	"github.com/shinsei-app/shinsei/submit"
)

func TestInTheSandboxTheHelpDeskFailsNoReaderAndKeepsItsVerdictAfterCopying(t *testing.T) {
	h := newHarness(t, config(t))
	// No reader service, as on a resident's computer without one.
	t.Setenv("PCSCLITE_CSOCK_NAME", filepath.Join(t.TempDir(), "no-pcscd"))
	h.s.opts.Sandbox = true
	h.s.opts.Diag = diagnosis.Options{Modules: nil, Keyring: &submit.MemoryKeyring{}}
	hd := h.s.help.get()
	test.Tap(hd.run)
	h.wait("diagnosed")
	r := hd.report
	if r.PCSC.Status == diagnosis.StatusFail {
		t.Errorf("the sandbox uses no card reader, yet the reader service failed: %q", r.PCSC.Summary.Ja)
	}
	if r.PCSC.Reachable || r.PCSC.Status != diagnosis.StatusSkipped {
		t.Errorf("with the reader service down the sandbox's reader line is %v (reachable %v), want skipped", r.PCSC.Status, r.PCSC.Reachable)
	}
	if !r.Service.Reachable {
		t.Fatalf("the sandbox's service did not answer: %+v", r.Service)
	}
	svc := strings.Join(line(hd.lines, text(diagnosis.SectionService.Title())), " ")
	if !strings.Contains(svc, "接続できます") {
		t.Errorf("the service line %q does not say the API answers", svc)
	}
	verdict := hd.verdict.Text
	if !strings.Contains(verdict, "総合判定") || hd.verdict.Hidden {
		t.Fatalf("after the diagnosis the verdict line reads %q", verdict)
	}
	test.Tap(hd.copy)
	if hd.status.Text != tr("help.copied") {
		t.Errorf("after copying the status says %q", hd.status.Text)
	}
	if hd.verdict.Text != verdict || hd.verdict.Hidden {
		t.Errorf("copying replaced the verdict %q with %q", verdict, hd.verdict.Text)
	}
}
