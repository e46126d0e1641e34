package ui

import (
	"context"
	"io"
	"maps"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/storage"

	"github.com/shinsei-app/shinsei/flow"
	"github.com/shinsei-app/shinsei/submit"
)

// onRefreshAll asks the service where every application of the history
// is (flow.StatusAll, as `shinseictl status --all` does: four at a time,
// a login made once), shows each answer on its entry as it comes, and
// says in the history's status line which applications changed since the
// status last shown — or, for one not asked about in this window yet,
// since its receipt (到達).
func (h *history) onRefreshAll() {
	a := h.s.flowApp()
	if a == nil || len(h.records) == 0 || h.asking {
		return
	}
	h.asking = true
	h.all.Disable()
	h.status.SetText(tr("history.refreshing_all", map[string]any{"N": len(h.states)}))
	for arrival, state := range h.states {
		state.SetText(h.whens[arrival] + "\n" + tr("history.asking"))
	}
	before := maps.Clone(h.known)
	cb := h.s.callbacks(nil)
	go func() {
		ctx, cancel := context.WithTimeout(h.s.ctx, 2*networkTimeout)
		defer cancel()
		all, err := a.StatusAll(ctx, false, cb, func(s flow.StatusOf) {
			onMain(func() { h.showAnswer(s, before) })
		})
		onMain(func() {
			h.asking = false
			h.enableAll()
			h.status.SetText(h.allSummary(all, err, before))
			h.s.event("status-all")
		})
	}()
}

// enableAll lets 「すべての状況を更新」 and 「一覧をCSVで保存」 be pressed
// when the history lists receipts.
func (h *history) enableAll() {
	for _, b := range []*focusButton{h.all, h.csv} {
		if len(h.records) > 0 && (b != h.all || !h.asking) {
			b.Enable()
		} else {
			b.Disable()
		}
	}
}

// was is the status an application had before: the one last shown, else
// the status every receipt starts at.
func was(before map[string]submit.Status, arrival string) submit.Status {
	if st, ok := before[arrival]; ok {
		return st
	}
	return submit.StatusReceived
}

// showAnswer shows one answer of onRefreshAll on its entry.
func (h *history) showAnswer(s flow.StatusOf, before map[string]submit.Status) {
	arrival := s.Record.ArrivalNumber
	if s.Err != nil {
		if state, ok := h.states[arrival]; ok {
			state.SetText(h.whens[arrival] + "\n" + h.s.explain(s.Err))
		}
		return
	}
	change := ""
	if from := was(before, arrival); from != s.Status.Status {
		change = tr("history.changed", map[string]any{"From": statusWord(from), "To": statusWord(s.Status.Status)})
	}
	h.showStatus(arrival, s.Status, change)
}

// allSummary says how many applications were asked about, which changed
// and how, and how many could not be asked about.
func (h *history) allSummary(all []flow.StatusOf, err error, before map[string]submit.Status) string {
	if all == nil && err != nil {
		return h.s.explain(err)
	}
	var lines []string
	failed := 0
	for _, s := range all {
		switch {
		case s.Err != nil:
			failed++
		case was(before, s.Record.ArrivalNumber) != s.Status.Status:
			lines = append(lines, tr("history.changed_line", map[string]any{"Arrival": s.Record.ArrivalNumber,
				"From": statusWord(was(before, s.Record.ArrivalNumber)), "To": statusWord(s.Status.Status)}))
		}
	}
	msg := tr("history.refreshed_all", map[string]any{"N": len(all), "Changed": len(lines)})
	if failed > 0 {
		msg += "\n" + tr("history.refreshed_failed", map[string]any{"N": failed})
	}
	for _, l := range lines {
		msg += "\n" + l
	}
	if err != nil {
		msg += "\n" + h.s.explain(err)
	}
	return msg
}

// onSaveCSV saves the receipts as CSV for a spreadsheet, written as
// `shinseictl receipts --csv` writes them (flow.ReceiptsCSV).
func (h *history) onSaveCSV() {
	d := newFileSave(func(w fyne.URIWriteCloser, err error) {
		if err != nil || w == nil {
			return
		}
		h.saveCSV(w, w.URI().Path())
	}, h.s.win)
	d.SetFileName(tr("history.csv_file"))
	d.SetFilter(storage.NewExtensionFileFilter([]string{".csv"}))
	d.Show()
}

// saveCSV writes the receipts to w (the file at path) and says so.
func (h *history) saveCSV(w io.WriteCloser, path string) {
	a := h.s.flowApp()
	if a == nil {
		_ = w.Close()
		return
	}
	recs, err := a.Receipts()
	if err == nil {
		err = flow.ReceiptsCSV(w, recs)
	}
	if cerr := w.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		h.s.showError(err)
		return
	}
	h.status.SetText(tr("history.csv_saved", map[string]any{"N": len(recs), "Path": path}))
	h.s.event("csv-saved")
}
