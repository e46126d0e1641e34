package ui

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2/test"

	"github.com/shinsei-app/shinsei/flow"
	"github.com/shinsei-app/shinsei/i18n"
	"github.com/shinsei-app/shinsei/sandbox/kit"
)

// openBatch opens 「複数の申請書にまとめて署名」 from the home screen and
// adds forms named names (one with an attachments folder).
func openBatch(t *testing.T, h *harness, names ...string) (forms []string, out string) {
	t.Helper()
	h.wait("catalogue")
	test.Tap(h.s.home.batch)
	h.wait("batch")
	h.wait("batch-credentials")
	dir := t.TempDir()
	for _, n := range names {
		p := filepath.Join(dir, n)
		if err := os.WriteFile(p, []byte("申請書 "+n), 0o600); err != nil {
			t.Fatal(err)
		}
		forms = append(forms, p)
	}
	if err := os.Mkdir(filepath.Join(dir, flow.BatchName(names[0])), 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, flow.BatchName(names[0]), "添付.pdf"), []byte("%PDF"), 0o600); err != nil {
		t.Fatal(err)
	}
	b := h.s.batch
	for _, f := range forms {
		b.addForm(f)
	}
	out = t.TempDir()
	b.setOutDir(out)
	return forms, out
}

// signWithToken taps the batch's button of the SoftHSM "card".
func signWithToken(t *testing.T, h *harness) {
	t.Helper()
	b := h.s.batch
	for i, c := range b.choices {
		if c.P12 == "" {
			if b.signWith[i].Disabled() {
				t.Fatal("the sign button is disabled with forms and a folder chosen")
			}
			test.Tap(b.signWith[i])
			return
		}
	}
	t.Fatal("no token offered on the batch screen")
}

func TestTheBatchWindowSignsEveryFormWithOnePINEntryAndListsEachResult(t *testing.T) {
	useLanguage(i18n.Japanese)
	h := newHarness(t, config(t))
	if got := h.s.home.batch.Text; got != "複数の申請書にまとめて署名" {
		t.Errorf("the home screen's button reads %q", got)
	}
	forms, out := openBatch(t, h, "転出届.txt", "住民票.txt", "届出.txt")
	b := h.s.batch
	checkSpoken(t, "batch with forms", h.s.win)
	if !strings.Contains(b.status.Text, "3件") {
		t.Errorf("status %q, want the count of forms", b.status.Text)
	}

	signWithToken(t, h)
	h.wait("pin")
	checkSpoken(t, "batch PIN dialog", h.s.win)
	test.Type(h.s.pin.entry, kit.PIN)
	test.Tap(h.s.pin.ok)
	h.wait("batch-done")

	if n := h.count("pin"); n != 1 {
		t.Errorf("the PIN dialog opened %d times, want once for the batch", n)
	}
	if b.result == nil || b.result.Signed != 3 || len(b.results.Objects) != 3 {
		t.Fatalf("result %+v with %d lines, want 3 signed and 3 lines", b.result, len(b.results.Objects))
	}
	for i, it := range b.result.Items {
		if it.Form != forms[i] || it.Status != flow.BatchSigned {
			t.Errorf("line %d: %s %s", i, it.Form, it.Status)
		}
		if _, err := os.Stat(filepath.Join(out, flow.BatchName(forms[i])+".asice")); err != nil {
			t.Errorf("no package for %s: %v", forms[i], err)
		}
		if !rendersText(t, b.results.Objects[i], filepath.Base(forms[i])) || !rendersText(t, b.results.Objects[i], "署名済み") {
			t.Errorf("line %d does not name the form and say it is signed", i)
		}
	}
	if n := len(b.result.Items[0].Signed.Files); n != 2 {
		t.Errorf("the first package holds %d files, want the form and its folder's attachment", n)
	}
	if !strings.Contains(b.status.Text, "3件の申請書に署名しました") {
		t.Errorf("status %q", b.status.Text)
	}
	checkSpoken(t, "batch results", h.s.win)
}

func TestTheBatchWindowStopsAtAWrongPINAndSignsNothing(t *testing.T) {
	useLanguage(i18n.Japanese)
	h := newHarness(t, config(t))
	_, out := openBatch(t, h, "a.txt", "b.txt")
	b := h.s.batch
	signWithToken(t, h)
	h.wait("pin")
	test.Type(h.s.pin.entry, "WRONG999")
	test.Tap(h.s.pin.ok)
	h.wait("batch-done")
	if n := h.count("pin"); n != 1 {
		t.Errorf("the PIN dialog opened %d times after a wrong PIN, want once", n)
	}
	if b.result == nil || b.result.Signed != 0 || b.result.NotTried != 2 || len(b.results.Objects) != 2 {
		t.Fatalf("result %+v with %d lines", b.result, len(b.results.Objects))
	}
	if entries, _ := os.ReadDir(out); len(entries) != 0 {
		t.Errorf("files written: %v", entries)
	}
	if !strings.Contains(b.status.Text, "署名を途中で止めました") || !strings.Contains(b.status.Text, "パスワード") {
		t.Errorf("status %q, want that signing stopped and why", b.status.Text)
	}
	if !rendersText(t, b.results.Objects[0], "未署名") {
		t.Error("the first line does not say the form is not signed")
	}
	// The right PIN again leaves the SoftHSM token as the other tests expect.
	signWithToken(t, h)
	h.wait("pin")
	test.Type(h.s.pin.entry, kit.PIN)
	test.Tap(h.s.pin.ok)
	h.wait("batch-done")
	if b.result.Signed != 2 {
		t.Errorf("signed %d with the right PIN, want 2", b.result.Signed)
	}
}

func TestCancelOnTheBatchsPINDialogLeavesNothingInTheOutputFolder(t *testing.T) {
	useLanguage(i18n.Japanese)
	h := newHarness(t, config(t))
	forms, out := openBatch(t, h, "a.txt", "b.txt", "c.txt")
	b := h.s.batch
	signWithToken(t, h)
	h.wait("pin")
	// While the dialog waits, each form is copied into its package.
	var during []os.DirEntry
	for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline) && len(during) < len(forms); time.Sleep(time.Millisecond) {
		during, _ = os.ReadDir(out)
	}
	if len(during) != len(forms) {
		t.Errorf("while the PIN dialog was open the output folder held %d files, want a package being prepared for each of the %d forms", len(during), len(forms))
	}
	test.Tap(h.s.pin.cancel)
	h.wait("batch-done")
	if b.result == nil || b.result.Signed != 0 || b.result.NotTried != len(forms) {
		t.Fatalf("result %+v, want no form signed", b.result)
	}
	if entries, _ := os.ReadDir(out); len(entries) != 0 {
		t.Errorf("left in the output folder after Cancel: %v", entries)
	}
}
