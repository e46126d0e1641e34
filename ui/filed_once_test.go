package ui

import (
	"strings"
	"testing"

	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"github.com/shinsei-app/shinsei/sandbox/service"
)

// fillBulkyWaste fills the anonymous bulky waste form, the same way each
// time.
func fillBulkyWaste(h *harness) {
	f := h.s.form
	f.applicant["name"].SetText("高橋　花子")
	f.applicant["address"].SetText("東京都千代田区千代田1-1")
	f.fields["items"].(*widget.Entry).SetText("たんす 1")
	f.fields["collection_date"].(*widget.Entry).SetText("2026-12-10")
	f.fields["phone"].(*widget.Entry).SetText("03-1234-5678")
	f.fields["place"].(*widget.Select).SetSelected("玄関前")
}

func TestTheSameApplicationSentTwiceIsNotFiledAgainAndNamesItsArrivalNumber(t *testing.T) {
	h := newHarness(t, config(t))
	h.startProcedure(service.ProcBulkyWaste)
	h.wait("form")
	fillBulkyWaste(h)
	test.Tap(h.s.form.next)
	h.wait("receipt")
	arrival := h.s.receipt.rec.ArrivalNumber

	h.startProcedure(service.ProcBulkyWaste)
	h.wait("form")
	fillBulkyWaste(h)
	test.Tap(h.s.form.next)
	h.wait("error")
	if n := h.count("receipt"); n != 1 {
		t.Errorf("%d receipts shown; the second sending must file nothing", n)
	}
	if !strings.Contains(h.s.lastError, arrival) {
		t.Errorf("the window says %q; want it to name arrival number %s", h.s.lastError, arrival)
	}
	recs, err := h.s.flowApp().Receipts()
	if err != nil || len(recs) != 1 {
		t.Errorf("%d receipts in the journal (%v), want 1", len(recs), err)
	}
	if p, _ := h.s.flowApp().Pending(); len(p) != 0 {
		t.Errorf("%d applications left in the outbox", len(p))
	}
}
