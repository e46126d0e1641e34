package ui

import (
	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/shinsei-app/shinsei/explain"
	"github.com/shinsei-app/shinsei/submit"
)

// receiptScreen shows the service's receipt: the arrival number (and the
// inquiry number of an anonymous application) large and copyable, and
// that it is kept in the history on this computer.
type receiptScreen struct {
	s       *shell
	rec     submit.Record
	arrival *bigNumber
	inquiry *bigNumber // nil when there is none
	done    *focusButton
	history *focusButton
	// timestampNote says why the signature went without a time-stamp
	// (flow.Signed.TimestampNote, in explain's words); nil when it has one.
	timestampNote *textLabel
	box           fyne.CanvasObject
}

// keptKey is what the receipt says of the history on this computer: the
// sandbox keeps nothing of a practice run (cmd/shinsei removes its data
// when the app closes), so it says the history lasts until then.
func keptKey(sandbox bool) string {
	if sandbox {
		return "receipt.kept_practice"
	}
	return "receipt.kept"
}

func newReceiptScreen(s *shell, rec submit.Record, timestampNote error) *receiptScreen {
	r := &receiptScreen{s: s, rec: rec}
	r.arrival = newBigNumber(s.win, tr("receipt.arrival"), rec.ArrivalNumber)
	body := container.NewVBox(heading(tr("receipt.title")), wrapped(tr("receipt.intro")), r.arrival.view())
	if rec.InquiryNumber != "" {
		r.inquiry = newBigNumber(s.win, tr("receipt.inquiry"), rec.InquiryNumber)
		body.Add(r.inquiry.view())
		body.Add(wrapped(tr("receipt.inquiry_note")))
	}
	body.Add(wrapped(tr("receipt.received", map[string]any{"At": rec.ReceivedAt.Local().Format("2006-01-02 15:04")})))
	body.Add(wrapped(tr(keptKey(s.opts.Sandbox))))
	if timestampNote != nil {
		// The same note shinseictl prints, from explain's one table: the
		// signature is valid and was sent without a time-stamp. Its hint
		// speaks of a submission still to come, so only the message is
		// shown once the application was sent.
		r.timestampNote = wrapped(explain.Of(timestampNote).Message.In(currentLanguage()))
		r.timestampNote.Importance = widget.WarningImportance
		body.Add(r.timestampNote)
	}
	r.done = newButtonWithIcon(tr("receipt.done"), theme.HomeIcon(), s.goHome)
	r.done.Importance = widget.HighImportance
	r.history = newButtonWithIcon(tr("receipt.history"), theme.HistoryIcon(), r.onHistory)
	body.Add(container.NewHBox(r.history, r.done))
	r.box = container.NewVScroll(body)
	return r
}

func (r *receiptScreen) view() fyne.CanvasObject { return r.box }

func (r *receiptScreen) onHistory() {
	r.s.tabs.SelectIndex(tabHistory)
}
