package ui

import (
	"context"
	"slices"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/shinsei-app/shinsei/explain"
	"github.com/shinsei-app/shinsei/flow"
	"github.com/shinsei-app/shinsei/i18n"
	"github.com/shinsei-app/shinsei/submit"
)

// history lists what this computer filed: the applications still held in
// the outbox, each with a button that sends it now; those the service
// refused, with its reason and what to do; and the receipts, newest
// first, each with its arrival number, a button that asks the service for
// its status now, and the notices that arrived, each opened from here.
type history struct {
	s       *shell
	status  *textLabel
	list    *fyne.Container
	reload  *focusButton
	records []submit.Record
	held    []submit.Item
	refused []submit.Item
	// states are the entries' lines, by arrival number: when it was
	// received and the procedure, then the status last asked; whens are
	// their first line, kept across refreshes.
	states  map[string]*textLabel
	whens   map[string]string
	refresh map[string]*focusButton
	notices map[string]*fyne.Container // arrival number → its notices
	// opens are the notices' buttons, by notice ID (for tests).
	opens map[string]*focusButton
	// sendNow and heldStates are the held items' buttons and lines, by
	// outbox item ID.
	sendNow    map[string]*focusButton
	heldStates map[string]*textLabel
	// life are the withdrawal and amendment buttons (lifecycle.go).
	life lifeActions
	box  fyne.CanvasObject

	// all asks about every application at once and csv saves the list
	// (history_all.go); known are the statuses last shown, by arrival
	// number, to say what changed.
	all    *focusButton
	csv    *focusButton
	known  map[string]submit.Status
	asking bool // onRefreshAll runs
}

func newHistory(s *shell) *history {
	h := &history{s: s, status: wrapped(""), list: container.NewVBox(),
		states: map[string]*textLabel{}, whens: map[string]string{}, refresh: map[string]*focusButton{},
		notices: map[string]*fyne.Container{}, opens: map[string]*focusButton{},
		sendNow: map[string]*focusButton{}, heldStates: map[string]*textLabel{}}
	h.reload = newButtonWithIcon(tr("history.reload"), theme.ViewRefreshIcon(), h.onReload)
	h.all = newButtonWithIcon(tr("history.refresh_all"), theme.ViewRefreshIcon(), h.onRefreshAll)
	h.csv = newButtonWithIcon(tr("history.csv"), theme.DocumentSaveIcon(), h.onSaveCSV)
	h.known = map[string]submit.Status{}
	h.box = container.NewBorder(container.NewVBox(heading(tr("history.title")), wrapped(tr("history.intro")), h.status),
		container.NewHBox(h.reload, h.all, h.csv), nil, nil, container.NewVScroll(h.list))
	return h
}

func (h *history) view() fyne.CanvasObject { return h.box }

// onReload reads the outbox and the journal again.
func (h *history) onReload() {
	a := h.s.flowApp()
	if a == nil {
		return
	}
	defer h.s.event("history")
	defer h.enableAll()
	h.list.RemoveAll()
	for _, m := range []map[string]*textLabel{h.states, h.heldStates} {
		clear(m)
	}
	clear(h.whens)
	clear(h.refresh)
	clear(h.notices)
	clear(h.opens)
	clear(h.sendNow)
	h.life.clear()
	h.records, h.held, h.refused = nil, nil, nil
	held, err := a.Pending()
	if err != nil {
		h.status.SetText(h.s.explain(err))
		return
	}
	refused, err := a.Refused()
	if err != nil {
		h.status.SetText(h.s.explain(err))
		return
	}
	recs, err := a.Receipts()
	if err != nil {
		h.status.SetText(h.s.explain(err))
		return
	}
	slices.Reverse(refused)
	slices.Reverse(recs)
	h.held, h.refused, h.records = held, refused, recs
	if len(recs)+len(held)+len(refused) == 0 {
		h.status.SetText(tr("history.none"))
		return
	}
	h.status.SetText(tr("history.count", map[string]any{"N": len(recs)}))
	if len(held) > 0 {
		h.list.Add(heading(tr("history.held_title")))
		h.list.Add(wrapped(tr("history.held_intro")))
		for _, it := range held {
			h.list.Add(h.heldRow(it))
		}
	}
	if len(refused) > 0 {
		h.list.Add(heading(tr("history.refused_title")))
		h.list.Add(wrapped(tr("history.refused_intro")))
		for _, it := range refused {
			h.list.Add(h.refusedRow(it))
		}
	}
	if len(recs) > 0 && len(held)+len(refused) > 0 {
		h.list.Add(heading(tr("history.received_title")))
	}
	for _, r := range recs {
		h.list.Add(h.row(r))
	}
}

// heldRow is an application waiting in the outbox, with its button that
// sends it now.
func (h *history) heldRow(it submit.Item) fyne.CanvasObject {
	head := subheading(h.procedureName(it.Procedure))
	head.Wrapping = fyne.TextWrapWord
	state := wrapped(tr("history.held_when", map[string]any{"At": it.CreatedAt.Local().Format("2006-01-02 15:04"), "File": it.File}))
	h.heldStates[it.ID] = state
	id := it.ID
	btn := newButtonWithIcon(tr("history.send_now"), theme.MailSendIcon(), func() { h.onSendNow(id) }).
		named(nameFor(tr("history.send_now"), h.procedureName(it.Procedure)))
	btn.Importance = widget.HighImportance
	h.sendNow[id] = btn
	return newCard("", "", container.NewBorder(nil, nil, nil, container.NewCenter(btn), container.NewVBox(head, state)))
}

// onSendNow sends a held application now and shows its receipt; when it
// is not received, the history shows where it is now and why.
func (h *history) onSendNow(id string) {
	a := h.s.flowApp()
	if a == nil {
		return
	}
	btn, state := h.sendNow[id], h.heldStates[id]
	btn.Disable()
	state.SetText(tr("history.sending"))
	go func() {
		ctx, cancel := context.WithTimeout(h.s.ctx, 2*networkTimeout)
		defer cancel()
		rec, err := a.SendHeld(ctx, id, h.s.callbacks(nil))
		onMain(func() {
			if err != nil && rec == nil {
				msg := h.s.explain(err)
				h.onReload()
				if st, ok := h.heldStates[id]; ok {
					st.SetText(msg)
					st.Importance = widget.DangerImportance
					st.Refresh()
				} else {
					h.status.SetText(msg)
				}
				h.s.event("held")
				return
			}
			h.onReload()
			h.s.receipt = newReceiptScreen(h.s, *rec, nil)
			h.s.showApply(h.s.receipt.view())
			h.s.tabs.Select(h.s.applyTab)
			h.s.event("receipt")
		})
	}()
}

// refusedRow is an application the service refused: its reason, in both
// languages as the service gave it, and what to do.
func (h *history) refusedRow(it submit.Item) fyne.CanvasObject {
	head := subheading(h.procedureName(it.Procedure))
	head.Wrapping = fyne.TextWrapWord
	lines := container.NewVBox(head, wrapped(tr("history.refused_when", map[string]any{
		"At": it.RefusedAt.Local().Format("2006-01-02 15:04"), "File": it.File})))
	refusal := flow.Refusal(it)
	if refusal == nil {
		lines.Add(wrapped(tr("history.refused_unknown")))
		return newCard("", "", lines)
	}
	p := it.Problem
	for _, m := range slices.Compact([]string{p.MessageJA, p.MessageEN}) {
		if m != "" {
			l := wrapped(m)
			l.Importance = widget.DangerImportance
			lines.Add(l)
		}
	}
	if hint := explain.Of(refusal).Hint; !hint.IsZero() {
		d := wrapped("→ " + text(hint))
		d.Importance = widget.WarningImportance
		lines.Add(d)
	}
	return newCard("", "", lines)
}

func (h *history) row(r submit.Record) fyne.CanvasObject {
	num := subheading(r.ArrivalNumber) // not Monospace: see startStyles
	num.Selectable = true
	when := tr("history.when", map[string]any{"At": r.ReceivedAt.Local().Format("2006-01-02 15:04"), "Proc": h.procedureName(r.Procedure)})
	state := wrapped(when)
	h.states[r.ArrivalNumber], h.whens[r.ArrivalNumber] = state, when
	arrival := r.ArrivalNumber
	btn := newButtonWithIcon(tr("history.refresh"), theme.ViewRefreshIcon(), func() { h.onRefresh(arrival) }).
		named(nameFor(tr("history.refresh"), tr("receipt.arrival")+" "+arrival))
	h.refresh[arrival] = btn
	copyBtn := newButtonWithIcon("", theme.ContentCopyIcon(), func() { h.s.fa.Clipboard().SetContent(arrival) }).
		named(nameFor(tr("common.copy"), tr("receipt.arrival")+" "+arrival))
	notices := container.NewVBox()
	h.notices[arrival] = notices
	lines := container.NewVBox(container.NewHBox(widget.NewLabel(tr("receipt.arrival")), num, copyBtn), state)
	if r.InquiryNumber != "" {
		inq := widget.NewLabel(tr("receipt.inquiry") + " " + r.InquiryNumber)
		inq.Selectable = true
		lines.Add(inq)
	}
	lines.Add(notices)
	lines.Add(h.life.box(arrival))
	return newCard("", "", container.NewBorder(nil, nil, nil, container.NewCenter(btn), lines))
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

// onRefresh asks the service where the application is. The entry keeps
// its date and procedure; the status and the notices come under them.
func (h *history) onRefresh(arrival string) {
	a := h.s.flowApp()
	if a == nil {
		return
	}
	btn, state, when := h.refresh[arrival], h.states[arrival], h.whens[arrival]
	btn.Disable()
	state.SetText(when + "\n" + tr("history.asking"))
	go func() {
		ctx, cancel := context.WithTimeout(h.s.ctx, networkTimeout)
		defer cancel()
		st, err := a.RefreshStatus(ctx, arrival)
		onMain(func() {
			btn.Enable()
			if err != nil {
				state.SetText(when + "\n" + h.s.explain(err))
				h.s.event("status")
				return
			}
			h.showStatus(arrival, st, "")
			h.s.event("status")
		})
	}()
}

// showStatus shows an application's status under its date and procedure
// (with change, when not empty, saying how it changed), its notices and
// what can be done about it.
func (h *history) showStatus(arrival string, st *submit.ApplicationStatus, change string) {
	state, ok := h.states[arrival]
	if !ok {
		return
	}
	msg := h.whens[arrival] + "\n" + tr("history.status", map[string]any{"Status": statusWord(st.Status),
		"At": st.UpdatedAt.Local().Format("2006-01-02 15:04")})
	if change != "" {
		msg += "\n" + change
	}
	if len(st.Notices) > 0 {
		msg += "\n" + tr("history.notices", map[string]any{"N": len(st.Notices)})
	}
	msg += historySteps(st)
	state.SetText(msg)
	h.known[arrival] = st.Status
	h.showNotices(arrival, st.Notices)
	h.showActions(arrival, st)
}

// showNotices lists the notices of an application: each with its number,
// title and date, and a button that opens and verifies it.
func (h *history) showNotices(arrival string, notices []submit.Notice) {
	box := h.notices[arrival]
	box.RemoveAll()
	for _, n := range notices {
		title := n.TitleJA
		if currentLanguage() == i18n.English && n.TitleEN != "" || title == "" {
			title = n.TitleEN
		}
		num := widget.NewLabelWithStyle(n.ID, fyne.TextAlignLeading, fyne.TextStyle{}) // not Monospace: see startStyles
		num.Selectable = true
		line := wrapped(tr("history.notice", map[string]any{"Title": title, "At": n.IssuedAt.Local().Format("2006-01-02")}))
		id := n.ID
		open := newButtonWithIcon(tr("history.open_notice"), theme.MailComposeIcon(), func() { h.onOpenNotice(arrival, id) }).
			named(nameFor(tr("history.open_notice"), title))
		h.opens[id] = open
		box.Add(container.NewBorder(nil, nil, nil, container.NewCenter(open),
			container.NewVBox(container.NewHBox(widget.NewLabel(tr("verify.notice_id")), num), line)))
	}
}

// onOpenNotice opens a notice on the notice screen and verifies it.
func (h *history) onOpenNotice(arrival, id string) {
	h.s.tabs.SelectIndex(tabVerify)
	h.s.verify.get().openFetched(arrival, id)
}

func statusWord(s submit.Status) string {
	switch s {
	case submit.StatusReceived, submit.StatusReviewing, submit.StatusCompleted, submit.StatusReturned,
		submit.StatusWithdrawn, submit.StatusCorrectionRequested:
		return tr("status." + string(s))
	}
	return string(s)
}
