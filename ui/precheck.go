package ui

import (
	"context"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/shinsei-app/shinsei/flow"
)

// precheckPanel shows the pre-check before anything is signed: the
// certificate (trust, validity, revocation in JPKI's honest words), the
// identity match field by field, the form, the service and the clock,
// each line green, amber or red with what to do. Sign is offered only
// when nothing is red, and only the resident's tap on it signs; amber
// lines must be acknowledged first.
type precheckPanel struct {
	s       *shell
	pc      *flow.Precheck
	summary *textLabel
	ack     *widget.Check // "I have read the notes" (amber lines only)
	sign    *focusButton
	back    *focusButton
	answer  chan bool
	content *signedContent // what the signature covers
	box     fyne.CanvasObject
	// scroll holds the lines and the content; firstRed is the first red
	// line, nil when none is (see revealRed).
	scroll   *container.Scroll
	firstRed fyne.CanvasObject
}

// newPrecheckPanel builds the panel; answer receives the resident's
// decision (nil: the pre-check failed and there is nothing to decide).
func newPrecheckPanel(s *shell, pc *flow.Precheck, answer chan bool) *precheckPanel {
	p := &precheckPanel{s: s, pc: pc, answer: answer}
	lines := container.NewVBox()
	for _, l := range pc.Lines {
		line := statusLine(findingLevel(l.Level), lineTitle(l), text(l.Message), text(l.Todo))
		if l.Level == flow.Red && p.firstRed == nil {
			p.firstRed = line
		}
		lines.Add(line)
		lines.Add(widget.NewSeparator())
	}
	p.summary = wrapped("")
	p.back = newButtonWithIcon(tr("precheck.back"), theme.NavigateBackIcon(), p.onBack)
	p.sign = newButtonWithIcon(tr("precheck.sign"), theme.ConfirmIcon(), p.onSign)
	p.sign.Importance = widget.HighImportance
	buttons := container.NewHBox(p.back, layoutSpacer())
	switch pc.Worst() {
	case flow.Red:
		p.summary.SetText(tr("precheck.red"))
		p.summary.Importance = widget.DangerImportance
		p.back.SetText(tr("precheck.back_fix"))
	case flow.Amber:
		p.summary.SetText(tr("precheck.amber"))
		p.summary.Importance = widget.WarningImportance
		p.ack = widget.NewCheck(tr("precheck.ack"), func(bool) { p.update() })
		buttons.Add(checkNamed(p.ack))
		buttons.Add(p.sign)
	default:
		p.summary.SetText(tr("precheck.green"))
		p.summary.Importance = widget.SuccessImportance
		buttons.Add(p.sign)
	}
	p.update()
	p.content = newSignedContent(s.draft)
	p.scroll = container.NewVScroll(container.NewVBox(lines, p.content.box))
	p.box = container.NewBorder(container.NewVBox(heading(tr("precheck.title")), p.summary), buttons, nil, nil,
		p.scroll)
	return p
}

func (p *precheckPanel) view() fyne.CanvasObject { return p.box }

func (p *precheckPanel) update() {
	if !p.pc.OK() || p.ack != nil && !p.ack.Checked {
		p.sign.Disable()
	} else {
		p.sign.Enable()
	}
}

// onSign is the resident's confirmation: flow signs.
func (p *precheckPanel) onSign() {
	if p.sign.Disabled() || p.answer == nil {
		return
	}
	p.sign.Disable()
	p.back.Disable()
	p.answer <- true
	p.answer = nil
}

// onBack declines (nothing is signed) or, after a failed pre-check,
// returns to the form to fix it.
func (p *precheckPanel) onBack() {
	if p.answer != nil {
		p.answer <- false
		p.answer = nil
		return
	}
	p.s.backToForm("")
}

func findingLevel(l flow.Level) level {
	switch l {
	case flow.Green:
		return levelOK
	case flow.Amber:
		return levelWarn
	}
	return levelFail
}

// lineTitle names a pre-check line; identity lines name their field.
func lineTitle(l flow.PrecheckLine) string {
	t := tr("precheck.line." + string(l.ID))
	if l.Field != "" && l.ID == flow.LineIdentity {
		t += colon() + applicantLabel(l.Field)
	}
	return t
}

// confirmSign is Callbacks.ConfirmSign: it shows the panel and waits for
// the resident's decision; on yes the progress screen takes over.
func (s *shell) confirmSign(ctx context.Context, pc *flow.Precheck, prog *progress) (bool, error) {
	answer := make(chan bool, 1)
	onMain(func() {
		s.fillDraft(pc)
		s.check = newPrecheckPanel(s, pc, answer)
		s.showApply(s.check.view())
		s.check.revealRed()
		s.event("precheck")
	})
	select {
	case yes := <-answer:
		if yes && prog != nil {
			onMain(func() {
				s.showApply(prog.view())
				s.event("progress")
			})
		}
		return yes, nil
	case <-ctx.Done():
		return false, ctx.Err()
	}
}

// fillDraft fills the draft's empty applicant fields from the
// certificate the pre-check read (after the PIN), so that the form shown
// again after a refusal or a cancel carries them.
func (s *shell) fillDraft(pc *flow.Precheck) {
	if s.draft != nil && pc != nil && pc.Certificate != nil {
		s.draft.fill(pc.Certificate)
	}
}

// showFailedPrecheck shows a pre-check with a red line after Sign
// refused to go on: what is wrong and what to do, and no Sign button.
func (s *shell) showFailedPrecheck(pc *flow.Precheck) {
	s.fillDraft(pc)
	s.check = newPrecheckPanel(s, pc, nil)
	s.showApply(s.check.view())
	s.check.revealRed()
	s.event("precheck")
}
