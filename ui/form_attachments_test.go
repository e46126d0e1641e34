package ui

import (
	"strings"
	"testing"

	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"github.com/shinsei-app/shinsei/internal/testenv"
	"github.com/shinsei-app/shinsei/sandbox/service"
)

func TestAFileBeyondTheProceduresLimitsIsRefusedAtOnceWithTheLimit(t *testing.T) {
	h := newHarness(t, config(t))
	h.startProcedure(service.ProcMoveOut) // 5 files, 64MB
	h.chooseToken()
	f := h.s.form
	if !strings.Contains(f.attached.Text, "5件、合計64MBまで") {
		t.Errorf("the attachments say %q, want the limits before any file is added", f.attached.Text)
	}

	f.addAttachment(testenv.SparseFile(t, "scan.pdf", 100<<20))
	h.wait("attachment-refused")
	under := f.errs["attachments"]
	if len(h.s.draft.attachments) != 0 {
		t.Errorf("the 100MB file was added: %v", h.s.draft.attachments)
	}
	if !under.Visible() || !strings.Contains(under.Text, "64MBまで") || !strings.Contains(under.Text, "合計100MB") {
		t.Errorf("the refusal under the attachments says %q (shown %v), want the 64MB limit and the file's size", under.Text, under.Visible())
	}

	for i := range 5 {
		f.addAttachment(testenv.SparseFile(t, "page"+string(rune('1'+i))+".pdf", 10))
	}
	if under.Visible() {
		t.Errorf("the refusal stays after files that fit were added: %q", under.Text)
	}
	f.addAttachment(testenv.SparseFile(t, "page6.pdf", 10))
	h.wait("attachment-refused")
	if n := len(h.s.draft.attachments); n != 5 {
		t.Errorf("%d files are attached, want the 5 the procedure takes", n)
	}
	if !under.Visible() || !strings.Contains(under.Text, "5件まで") {
		t.Errorf("the refusal of the sixth file says %q, want the count", under.Text)
	}
	if h.count("pin") != 0 {
		t.Error("the PIN was asked")
	}
}

func TestEachAttachmentCanBeRemoved(t *testing.T) {
	h := newHarness(t, config(t))
	h.startProcedure(service.ProcMoveOut)
	h.chooseToken()
	f := h.s.form
	first, second := testenv.SparseFile(t, "住民票の写し.pdf", 10), testenv.SparseFile(t, "委任状.pdf", 10)
	f.addAttachment(first)
	f.addAttachment(second)
	if len(f.removes) != 2 || !strings.Contains(f.attached.Text, "2件") {
		t.Fatalf("%d remove buttons, the list says %q; want one per file", len(f.removes), f.attached.Text)
	}
	test.Tap(f.removes[0])
	if got := h.s.draft.attachments; len(got) != 1 || got[0] != second {
		t.Errorf("after removing the first, the attachments are %v; want only %s", got, second)
	}
	if len(f.removes) != 1 || !strings.Contains(f.attached.Text, "1件") {
		t.Errorf("%d remove buttons, the list says %q after one was removed", len(f.removes), f.attached.Text)
	}
	test.Tap(f.removes[0])
	if len(h.s.draft.attachments) != 0 || len(f.removes) != 0 || !strings.Contains(f.attached.Text, "ありません") {
		t.Errorf("after removing both: %v, %d buttons, %q", h.s.draft.attachments, len(f.removes), f.attached.Text)
	}
}

func TestGoingBackFromThePrecheckAndOnAgainKeepsTheFormAndItsAttachments(t *testing.T) {
	h := newHarness(t, config(t))
	h.startProcedure(service.ProcMoveOut)
	h.chooseToken()
	fillApplicant(h.s.form)
	fillMoveOut(t, h.s.form)
	h.s.form.fields["new_address"].(*widget.Entry).SetText("大阪府大阪市北区中之島1-3-20 5階")
	att := testenv.SparseFile(t, "住民票の写し.pdf", 10)
	h.s.form.addAttachment(att)
	kept := func(when, members string) {
		t.Helper()
		f := h.s.form
		if got := f.fields["new_address"].(*widget.Entry).Text; got != "大阪府大阪市北区中之島1-3-20 5階" {
			t.Errorf("%s: 転出先の住所 is %q", when, got)
		}
		if got := f.fields["members"].(*widget.Entry).Text; got != members {
			t.Errorf("%s: 転出する人数 is %q", when, got)
		}
		if got := f.fields["my_number_card"].(*widget.Select).Selected; got != "継続利用する" {
			t.Errorf("%s: the choice is %q", when, got)
		}
		if got := f.applicant["name"].Text; got != "高橋　花子" {
			t.Errorf("%s: the name is %q", when, got)
		}
		if got := h.s.draft.attachments; len(got) != 1 || got[0] != att || len(f.removes) != 1 {
			t.Errorf("%s: the attachments are %v (%d shown)", when, got, len(f.removes))
		}
	}

	// Back from the pre-check to the form, and on again.
	test.Tap(h.s.form.next)
	h.enterPIN("SANDBOX1")
	test.Tap(h.s.check.back)
	h.wait("form")
	kept("back from the pre-check", "2")
	test.Tap(h.s.form.next)
	h.enterPIN("SANDBOX1")
	listed := false
	for _, r := range h.s.check.content.rows {
		listed = listed || strings.HasPrefix(r[1], "住民票の写し.pdf")
	}
	if !listed {
		t.Errorf("the pre-check shown again does not list the attachment: %v", h.s.check.content.rows)
	}
	test.Tap(h.s.check.back)
	h.wait("form")

	// Changed, then back from the form to the choice of the card, and on
	// again.
	h.s.form.fields["members"].(*widget.Entry).SetText("3")
	test.Tap(h.s.form.back)
	h.chooseToken()
	kept("back to the card and on again", "3")
}
