package ui

import (
	"context"
	"slices"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/shinsei-app/shinsei/submit"
)

// history lists the receipts kept on this computer, newest first, each
// with its arrival number and a button that asks the service for its
// status now.
type history struct {
	s       *shell
	status  *widget.Label
	list    *fyne.Container
	reload  *widget.Button
	records []submit.Record
	states  map[string]*widget.Label // arrival number → its status line
	refresh map[string]*widget.Button
	box     fyne.CanvasObject
}

func newHistory(s *shell) *history {
	h := &history{s: s, status: wrapped(""), list: container.NewVBox(),
		states: map[string]*widget.Label{}, refresh: map[string]*widget.Button{}}
	h.reload = widget.NewButtonWithIcon(tr("history.reload"), theme.ViewRefreshIcon(), h.onReload)
	h.box = container.NewBorder(container.NewVBox(heading(tr("history.title")), wrapped(tr("history.intro")), h.status),
		container.NewHBox(h.reload), nil, nil, container.NewVScroll(h.list))
	return h
}

func (h *history) view() fyne.CanvasObject { return h.box }

// onReload reads the journal again.
func (h *history) onReload() {
	a := h.s.flowApp()
	if a == nil {
		return
	}
	defer h.s.event("history")
	recs, err := a.Receipts()
	if err != nil {
		h.status.SetText(h.s.explain(err))
		return
	}
	slices.Reverse(recs)
	h.records = recs
	h.list.RemoveAll()
	clear(h.states)
	clear(h.refresh)
	if len(recs) == 0 {
		h.status.SetText(tr("history.none"))
		return
	}
	h.status.SetText(tr("history.count", map[string]any{"N": len(recs)}))
	for _, r := range recs {
		h.list.Add(h.row(r))
	}
}

func (h *history) row(r submit.Record) fyne.CanvasObject {
	num := widget.NewLabelWithStyle(r.ArrivalNumber, fyne.TextAlignLeading, fyne.TextStyle{Bold: true, Monospace: true})
	num.Selectable = true
	state := wrapped(tr("history.when", map[string]any{"At": r.ReceivedAt.Local().Format("2006-01-02 15:04"), "Proc": h.procedureName(r.Procedure)}))
	h.states[r.ArrivalNumber] = state
	arrival := r.ArrivalNumber
	btn := widget.NewButtonWithIcon(tr("history.refresh"), theme.ViewRefreshIcon(), func() { h.onRefresh(arrival) })
	h.refresh[arrival] = btn
	copyBtn := widget.NewButtonWithIcon("", theme.ContentCopyIcon(), func() { h.s.fa.Clipboard().SetContent(arrival) })
	lines := container.NewVBox(container.NewHBox(widget.NewLabel(tr("receipt.arrival")), num, copyBtn), state)
	if r.InquiryNumber != "" {
		inq := widget.NewLabel(tr("receipt.inquiry") + " " + r.InquiryNumber)
		inq.Selectable = true
		lines.Add(inq)
	}
	return widget.NewCard("", "", container.NewBorder(nil, nil, nil, container.NewCenter(btn), lines))
}

// procedureName is the procedure's title from the catalogue, or its ID
// when the catalogue does not list it (any more).
func (h *history) procedureName(id string) string {
	for _, p := range h.s.home.procs {
		if p.ID == id {
			return procTitle(p)
		}
	}
	return id
}

// onRefresh asks the service where the application is.
func (h *history) onRefresh(arrival string) {
	a := h.s.flowApp()
	if a == nil {
		return
	}
	btn, state := h.refresh[arrival], h.states[arrival]
	btn.Disable()
	state.SetText(tr("history.asking"))
	go func() {
		ctx, cancel := context.WithTimeout(h.s.ctx, networkTimeout)
		defer cancel()
		st, err := a.RefreshStatus(ctx, arrival)
		onMain(func() {
			btn.Enable()
			if err != nil {
				state.SetText(h.s.explain(err))
				h.s.event("status")
				return
			}
			msg := tr("history.status", map[string]any{"Status": statusWord(st.Status),
				"At": st.UpdatedAt.Local().Format("2006-01-02 15:04")})
			if len(st.Notices) > 0 {
				msg += "\n" + tr("history.notices", map[string]any{"N": len(st.Notices)})
			}
			state.SetText(msg)
			h.s.event("status")
		})
	}()
}

func statusWord(s submit.Status) string {
	switch s {
	case submit.StatusReceived, submit.StatusReviewing, submit.StatusCompleted, submit.StatusReturned:
		return tr("status." + string(s))
	}
	return string(s)
}
