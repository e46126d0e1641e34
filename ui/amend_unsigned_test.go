package ui

import (
	"context"
	"slices"
	"testing"

	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"github.com/shinsei-app/shinsei/sandbox/service"
	"github.com/shinsei-app/shinsei/submit"
)

// An application filed unsigned in the window (the anonymous bulky
// waste collection) keeps its form on this computer: 「補正する」 opens
// it as filed, the field to correct marked 【補正】, and the corrected
// form is filed as the amendment.
func TestACorrectionOfAnUnsignedApplicationOpensTheFormAsFiledWithItsFieldMarked(t *testing.T) {
	cfg := config(t)
	h := newHarness(t, cfg)
	h.startProcedure(service.ProcBulkyWaste)
	h.wait("form")
	fillBulkyWaste(h)
	test.Tap(h.s.form.next)
	h.wait("receipt")
	arrival := h.s.receipt.rec.ArrivalNumber
	if _, err := world.svc.RequestCorrection(context.Background(), arrival, service.SandboxCorrection{
		Fields: []string{"fields.items"}, ReasonJA: "品目の数量をご確認ください。"}); err != nil {
		t.Fatal(err)
	}
	hist := h.openHistory()
	h.refreshEntry(hist, arrival)
	amend, ok := hist.life.amends[arrival]
	if !ok {
		t.Fatal("the correction request offers no 「補正する」 button")
	}
	test.Tap(amend)
	h.wait("correction")
	h.wait("form")
	f := h.s.form
	if h.s.draft.originalMissing || f.note.Text != tr("form.applicant_original") {
		t.Fatalf("the form starts empty (note %q)", f.note.Text)
	}
	if !slices.Equal(f.marked, []string{"fields.items"}) || !rendersText(t, f.view(), tr("form.correction_mark")+"品目と数量") {
		t.Fatalf("the form marks %v, want 【補正】 on the items", f.marked)
	}
	items := f.fields["items"].(*widget.Entry)
	if items.Text != "たんす 1" || f.applicant["name"].Text != "高橋　花子" || f.fields["place"].(*widget.Select).Selected != "玄関前" {
		t.Fatalf("the form is not the one filed: items %q, name %q", items.Text, f.applicant["name"].Text)
	}
	items.SetText("たんす 2")
	test.Tap(f.next)
	h.wait("amended")
	if got := serviceStatus(t, cfg, arrival); got != submit.StatusReviewing {
		t.Errorf("after the amendment the service says %s", got)
	}
}
