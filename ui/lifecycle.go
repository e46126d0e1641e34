package ui

import (
	"context"
	"errors"
	"path/filepath"
	"slices"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/shinsei-app/shinsei/flow"
	"github.com/shinsei-app/shinsei/i18n"
	"github.com/shinsei-app/shinsei/submit"
)

// The life of an application after its receipt, from its history entry:
// 「取り下げる」 while the municipality has not processed it — asked to
// confirm, and for a signed application with the card or file that signs
// the withdrawal chosen in the same dialog — and 「補正する」 when the
// municipality asks for a correction: its notice is verified, and the
// original form opens with the fields to correct marked, to be signed and
// sent again as an amendment linked to the arrival number.

// lifeActions are the history entries' buttons for withdrawal and
// amendment, by arrival number, and the withdrawal's dialog (for tests).
type lifeActions struct {
	boxes     map[string]*fyne.Container
	withdraws map[string]*focusButton
	amends    map[string]*focusButton
	confirm   *confirmBox
	choice    *widget.RadioGroup
}

func (l *lifeActions) clear() {
	clear(l.boxes)
	clear(l.withdraws)
	clear(l.amends)
}

// box is where an entry's buttons go.
func (l *lifeActions) box(arrival string) *fyne.Container {
	if l.boxes == nil {
		l.boxes, l.withdraws, l.amends = map[string]*fyne.Container{}, map[string]*focusButton{}, map[string]*focusButton{}
	}
	b := container.NewHBox()
	l.boxes[arrival] = b
	return b
}

// withdrawable are the statuses an application may be withdrawn in.
var withdrawable = []submit.Status{submit.StatusReceived, submit.StatusReviewing, submit.StatusCorrectionRequested}

// showActions offers, under an entry whose status is known, what the
// applicant may do next.
func (h *history) showActions(arrival string, st *submit.ApplicationStatus) {
	box := h.life.boxes[arrival]
	if box == nil {
		return
	}
	box.RemoveAll()
	delete(h.life.withdraws, arrival)
	delete(h.life.amends, arrival)
	if st.Status == submit.StatusCorrectionRequested {
		b := newButtonWithIcon(tr("history.amend"), theme.DocumentCreateIcon(), func() { h.onAmend(arrival) }).
			named(nameFor(tr("history.amend"), tr("receipt.arrival")+" "+arrival))
		b.Importance = widget.HighImportance
		h.life.amends[arrival] = b
		box.Add(b)
	}
	if slices.Contains(withdrawable, st.Status) {
		procedure := st.Procedure
		b := newButtonWithIcon(tr("history.withdraw"), theme.DeleteIcon(), func() { h.onWithdraw(arrival, procedure) }).
			named(nameFor(tr("history.withdraw"), tr("receipt.arrival")+" "+arrival))
		b.Importance = widget.DangerImportance
		h.life.withdraws[arrival] = b
		box.Add(b)
	}
}

// procedureInfo is a procedure of the catalogue.
func (s *shell) procedureInfo(id string) (flow.ProcedureInfo, bool) {
	for _, p := range s.home.procs {
		if p.ID == id {
			return p, true
		}
	}
	return flow.ProcedureInfo{}, false
}

// onWithdraw asks to confirm the withdrawal; for a signed application
// the cards and files that can sign it are found first.
func (h *history) onWithdraw(arrival, procedure string) {
	a := h.s.flowApp()
	if a == nil {
		return
	}
	p, ok := h.s.procedureInfo(procedure)
	if !ok || !p.Level.NeedsSignature() {
		h.confirmWithdraw(arrival, nil)
		return
	}
	btn := h.life.withdraws[arrival]
	btn.Disable()
	go func() {
		ctx, cancel := context.WithTimeout(h.s.ctx, networkTimeout)
		defer cancel()
		found, err := a.FindCredentials(ctx)
		onMain(func() {
			btn.Enable()
			if err != nil {
				h.states[arrival].SetText(h.whens[arrival] + "\n" + h.s.explain(err))
				h.s.event("withdraw-failed")
				return
			}
			h.confirmWithdraw(arrival, found)
		})
	}()
}

// confirmWithdraw shows the confirmation: what cannot be undone, and for
// a signed application (found is not nil) the card or file to sign with.
func (h *history) confirmWithdraw(arrival string, found *flow.FoundCredentials) {
	content := container.NewVBox(wrapped(tr("history.withdraw_confirm", map[string]any{"Arrival": arrival})))
	var choices []flow.CredentialChoice
	h.life.choice = nil
	if found != nil {
		var labels []string
		for _, t := range found.Tokens {
			if t.Usable() {
				name := t.Label
				if t.MyNumberCard {
					name = tr("cred.mynumber")
				}
				labels, choices = append(labels, name), append(choices, t.Choice())
			}
		}
		for _, f := range found.Files {
			labels, choices = append(labels, filepath.Base(f.Path)), append(choices, f.Choice())
		}
		if len(choices) == 0 {
			h.states[arrival].SetText(h.whens[arrival] + "\n" + tr("history.withdraw_no_credential"))
			h.s.event("withdraw-failed")
			return
		}
		radio := widget.NewRadioGroup(labels, nil)
		radio.SetSelected(labels[0])
		h.life.choice = radio
		content.Add(wrapped(tr("history.withdraw_sign")))
		content.Add(radio)
	}
	d := newConfirmBox(tr("history.withdraw_title"), tr("history.withdraw_yes"), tr("history.withdraw_cancel"), content, func(ok bool) {
		if !ok {
			return
		}
		var choice flow.CredentialChoice
		if r := h.life.choice; r != nil {
			choice = choices[max(slices.Index(r.Options, r.Selected), 0)]
		}
		h.runWithdraw(arrival, choice)
	}, h.s.win)
	d.yes.Importance = widget.DangerImportance
	d.Resize(fyne.NewSize(520, 0))
	h.life.confirm = d
	d.Show()
	h.s.event("withdraw-confirm")
}

// runWithdraw withdraws the application (flow.Withdraw): a signed one
// with one PIN entry or the file's password.
func (h *history) runWithdraw(arrival string, choice flow.CredentialChoice) {
	a := h.s.flowApp()
	if a == nil {
		return
	}
	state, when := h.states[arrival], h.whens[arrival]
	state.SetText(when + "\n" + tr("history.withdrawing"))
	if b := h.life.withdraws[arrival]; b != nil {
		b.Disable()
	}
	cb := h.s.callbacks(nil)
	// The user confirmed the withdrawal in the dialog; flow asks this
	// only when nothing in the certificate's pre-check is red.
	cb.ConfirmSign = func(context.Context, *flow.Precheck) (bool, error) { return true, nil }
	go func() {
		st, err := a.Withdraw(h.s.ctx, flow.WithdrawRequest{Arrival: arrival, Credential: choice}, cb)
		onMain(func() {
			if b := h.life.withdraws[arrival]; b != nil {
				b.Enable()
			}
			if err != nil {
				state.SetText(when + "\n" + h.s.explain(err))
				h.s.event("withdraw-failed")
				return
			}
			state.SetText(when + "\n" + tr("history.withdrawn") + "\n" + tr("history.status", map[string]any{"Status": statusWord(st.Status),
				"At": st.UpdatedAt.Local().Format("2006-01-02 15:04")}) + historySteps(st))
			h.showActions(arrival, st)
			h.s.event("withdrawn")
		})
	}()
}

// onAmend reads the correction request from its verified notice and the
// original form this computer keeps, then opens the form with the fields
// to correct marked.
func (h *history) onAmend(arrival string) {
	a := h.s.flowApp()
	if a == nil {
		return
	}
	btn, state, when := h.life.amends[arrival], h.states[arrival], h.whens[arrival]
	btn.Disable()
	state.SetText(when + "\n" + tr("history.asking"))
	go func() {
		ctx, cancel := context.WithTimeout(h.s.ctx, 2*networkTimeout)
		defer cancel()
		c, err := a.CorrectionRequest(ctx, flow.StatusQuery{Arrival: arrival}, h.s.callbacks(nil))
		var orig *submit.FormDocument
		if err == nil {
			orig, err = a.OriginalForm(ctx, arrival)
		}
		onMain(func() {
			btn.Enable()
			if err != nil {
				state.SetText(when + "\n" + h.s.explain(err))
				h.s.event("correction-failed")
				return
			}
			state.SetText(when + "\n" + tr("history.correction", map[string]any{"Official": c.Notice.Official,
				"Fields": strings.Join(h.s.fieldLabels(c), "、"), "Reason": text(c.Reason)}))
			h.s.startAmendment(c, orig)
		})
	}()
}

// fieldLabels are the correction's fields as the form labels them.
func (s *shell) fieldLabels(c *flow.Correction) []string {
	p, _ := s.procedureInfo(c.Procedure)
	var out []string
	for _, key := range c.Fields {
		out = append(out, fieldLabel(p.Procedure, key))
	}
	return out
}

// fieldLabel is a form field's label, by its key.
func fieldLabel(p submit.Procedure, key string) string {
	if name, ok := strings.CutPrefix(key, "applicant."); ok {
		return applicantLabel(name)
	}
	name := strings.TrimPrefix(key, "fields.")
	for _, f := range p.Form.Fields {
		if f.Name == name {
			if currentLanguage() == i18n.English && f.LabelEN != "" {
				return f.LabelEN
			}
			return f.LabelJA
		}
	}
	return name
}

// startAmendment opens the amendment in the application wizard: the
// original form (or an empty one when this computer keeps none) with the
// fields to correct marked; a signed procedure chooses its credential
// first, as a new application does.
func (s *shell) startAmendment(c *flow.Correction, orig *submit.FormDocument) {
	p, ok := s.procedureInfo(c.Procedure)
	if !ok {
		return
	}
	d := &draft{proc: p, form: orig, amend: c}
	if orig == nil {
		d.form, d.originalMissing = flow.NewForm(p.Procedure), true
	}
	s.draft = d
	if s.tabs != nil {
		s.tabs.Select(s.applyTab)
	}
	if p.Level.NeedsSignature() {
		s.showCredential()
	} else {
		s.showForm()
	}
	s.event("correction")
}

// mark is a form row's label, marked when the correction asks for it.
func (f *formScreen) mark(key, label string) string {
	if f.d.amend == nil || !slices.Contains(f.d.amend.Fields, key) {
		return label
	}
	f.marked = append(f.marked, key)
	return tr("form.correction_mark") + label
}

// correctionBanner says what the municipality asks, above an amendment's
// form; empty for a new application.
func (f *formScreen) correctionBanner() fyne.CanvasObject {
	box := container.NewVBox()
	if f.d.amend == nil {
		return box
	}
	l := wrapped(tr("form.correction", map[string]any{"Reason": text(f.d.amend.Reason)}))
	l.Importance = widget.WarningImportance
	box.Add(l)
	if f.d.originalMissing {
		box.Add(wrapped(tr("form.original_missing")))
	}
	return box
}

// finishAmendment shows the history with the amendment's answer, or what
// went wrong, as a new application's end does.
func (s *shell) finishAmendment(out *flow.Amended, err error) {
	var pe *flow.PrecheckError
	switch {
	case err == nil:
	case errors.As(err, &pe) && pe.Precheck != nil:
		s.showFailedPrecheck(pe.Precheck)
		return
	case errors.Is(err, context.Canceled):
		s.backToForm(tr("progress.cancelled"))
		return
	case errors.Is(err, flow.ErrDeclined):
		s.backToForm(tr("precheck.declined"))
		return
	case errors.Is(err, errPINCancelled):
		s.backToForm("")
		return
	default:
		s.backToForm("")
		s.showError(err)
		return
	}
	s.goHome()
	s.tabs.SelectIndex(tabHistory)
	h := s.history.get()
	h.onReload()
	st := out.Status
	h.status.SetText(tr("history.amended") + " " + tr("receipt.arrival") + " " + st.ArrivalNumber)
	if state := h.states[st.ArrivalNumber]; state != nil {
		state.SetText(h.whens[st.ArrivalNumber] + "\n" + tr("history.status", map[string]any{"Status": statusWord(st.Status),
			"At": st.UpdatedAt.Local().Format("2006-01-02 15:04")}) + historySteps(st))
		h.showActions(st.ArrivalNumber, st)
	}
	s.event("amended")
}

// historySteps is a line of the application's steps after its arrival
// (withdrawn, correction requested, amended, …), each with its time, or
// "" while it has none.
func historySteps(st *submit.ApplicationStatus) string {
	if len(st.History) < 2 {
		return ""
	}
	var steps []string
	for _, e := range st.History {
		steps = append(steps, tr("event."+string(e.Kind))+" "+e.At.Local().Format("01-02 15:04"))
	}
	return "\n" + tr("history.steps", map[string]any{"Steps": strings.Join(steps, " → ")})
}
