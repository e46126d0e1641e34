package ui

import (
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"github.com/shinsei-app/shinsei/sandbox/service"
)

func TestGoingOnWithMissingFieldsShowsTheFirstOneAndClearsEachErrorOnceFixed(t *testing.T) {
	h := newHarness(t, config(t))
	h.s.win.Resize(fyne.NewSize(800, 420)) // the last fields below the fold
	h.startProcedure(service.ProcMoveOut)
	h.chooseToken()
	f := h.s.form
	fillApplicant(f)
	test.Type(f.fields["new_address"].(*widget.Entry), "大阪府大阪市北区中之島1-3-20")
	f.fields["move_date"].(*widget.Entry).SetText("2026-12-01")
	// 転出する人数 and the choice of the card are left out.
	test.Tap(f.next)
	if h.s.progress != nil || h.count("pin") != 0 {
		t.Fatal("signing started with missing fields")
	}
	members := f.fields["members"].(*widget.Entry)
	if h.s.win.Canvas().Focused() != members {
		t.Errorf("the focus is on %v, want the first field with a problem (転出する人数)", h.s.win.Canvas().Focused())
	}
	// The first invalid field is in view: below the scroll offset's top
	// and above its bottom.
	drv := fyne.CurrentApp().Driver()
	y := drv.AbsolutePositionForObject(members).Y - drv.AbsolutePositionForObject(f.scroll).Y
	if y < 0 || y+members.Size().Height > f.scroll.Size().Height {
		t.Errorf("the first field with a problem is at %.0f in a view %.0f high (offset %.0f): out of sight",
			y, f.scroll.Size().Height, f.scroll.Offset.Y)
	}
	if f.scroll.Offset.Y == 0 {
		t.Error("the form was not scrolled to the first field with a problem")
	}
	under := f.errs["fields.members"]
	if !under.Visible() || under.Text == "" {
		t.Errorf("no error is shown under 転出する人数 (%q)", under.Text)
	}
	choice := f.errs["fields.my_number_card"]
	if !choice.Visible() || choice.Text != "「マイナンバーカードの継続利用」を選んでください。" {
		t.Errorf("the choice's error says %q, want it to ask to choose", choice.Text)
	}

	test.Type(members, "2")
	if under.Visible() {
		t.Errorf("the error under 転出する人数 stays after it was filled: %q", under.Text)
	}
	if !choice.Visible() {
		t.Error("the choice's error went away before it was chosen")
	}
	if len(f.problems.Objects) != 2 { // the heading and the one problem left
		t.Errorf("the summary shows %d lines, want the heading and the choice", len(f.problems.Objects))
	}
	f.fields["my_number_card"].(*widget.Select).SetSelected("継続利用する")
	if choice.Visible() || len(f.problems.Objects) != 0 {
		t.Errorf("errors stay after every field was fixed: %q, %d summary lines", choice.Text, len(f.problems.Objects))
	}
}
