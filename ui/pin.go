package ui

import (
	"context"
	"errors"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/shinsei-app/shinsei/pkcs11"
)

// errPINCancelled is what the PIN dialog answers when the resident closes
// it without entering a PIN.
var errPINCancelled = errors.New("ui: PIN entry cancelled")

// pinDialog asks for a token's PIN once. Before anything is typed it says
// how many tries are left; on the final try it warns in red and asks for a
// second confirmation; the format (the signature password's 6–16 of A–Z
// and 0–9, upper-cased as typed) is checked as it is typed and OK stays
// disabled until it fits. A locked PIN gets an explanation and no field
// at all. It never opens again by itself after a wrong PIN: flow returns
// the error and the resident starts again when ready.
type pinDialog struct {
	req     pkcs11.PINRequest
	win     fyne.Window
	tries   *textLabel
	warning *textLabel
	entry   *widget.Entry
	format  *textLabel
	final   *widget.Check // "I understand this is the last try"
	ok      *focusButton
	cancel  *focusButton
	// The final try's second confirmation, while shown.
	confirm  *confirmBox
	popup    *widget.PopUp
	answered bool
	done     chan pinResult
}

type pinResult struct {
	answer pkcs11.PINAnswer
	err    error
}

// askPIN shows the dialog over win and waits for the answer. It is called
// from flow's goroutine; it touches widgets only through onMain.
func askPIN(ctx context.Context, win fyne.Window, req pkcs11.PINRequest, shown func(*pinDialog)) (pkcs11.PINAnswer, error) {
	d := &pinDialog{req: req, win: win, done: make(chan pinResult, 1)}
	onMain(func() {
		d.build()
		if shown != nil {
			shown(d)
		}
	})
	select {
	case r := <-d.done:
		return r.answer, r.err
	case <-ctx.Done():
		onMain(d.close)
		return pkcs11.PINAnswer{}, ctx.Err()
	}
}

func (d *pinDialog) jpki() bool { return d.req.Policy == pkcs11.PolicyJPKISignature }

func (d *pinDialog) build() {
	title := tr("pin.title")
	if d.jpki() {
		title = tr("pin.title_jpki")
	}
	d.tries = wrapped(d.triesText())
	d.tries.Importance = widget.WarningImportance
	d.cancel = newButtonWithIcon(tr("common.cancel"), theme.CancelIcon(), d.onCancel)
	content := container.NewVBox(heading(title), d.tries)

	if d.req.Status.Locked {
		// No field: a further attempt is impossible and must not be offered.
		d.warning = wrapped(tr("pin.locked"))
		d.warning.Importance = widget.DangerImportance
		d.cancel.SetText(tr("common.close"))
		content.Add(d.warning)
		content.Add(container.NewHBox(layoutSpacer(), d.cancel))
		d.show(content)
		return
	}

	d.entry = widget.NewPasswordEntry()
	d.entry.SetPlaceHolder(tr("pin.placeholder"))
	d.entry.OnChanged = d.onChanged
	d.entry.OnSubmitted = func(string) { d.onOK() }
	d.format = wrapped(d.formatHint())
	d.ok = newButtonWithIcon(tr("pin.ok"), theme.ConfirmIcon(), d.onOK)
	d.ok.Importance = widget.HighImportance
	d.ok.Disable()
	content.Add(withName(title, d.entry))
	content.Add(d.format)
	if d.req.Status.FinalTry {
		d.warning = wrapped(tr("pin.final_warning"))
		d.warning.Importance = widget.DangerImportance
		d.final = widget.NewCheck(tr("pin.final_check"), func(bool) { d.updateOK() })
		content.Add(d.warning)
		content.Add(checkNamed(d.final))
	} else {
		content.Add(wrapped(tr("pin.once")))
	}
	content.Add(container.NewHBox(layoutSpacer(), d.cancel, d.ok))
	d.show(content)
	d.win.Canvas().Focus(d.entry)
}

func (d *pinDialog) show(content fyne.CanvasObject) {
	d.popup = widget.NewModalPopUp(container.NewPadded(content), d.win.Canvas())
	d.popup.Resize(fyne.NewSize(520, d.popup.MinSize().Height))
	d.popup.Show()
}

func (d *pinDialog) triesText() string {
	if d.jpki() {
		return triesText(d.req.Status, tr("pin.tries_jpki"))
	}
	return triesText(d.req.Status, tr("pin.tries_unknown"))
}

// triesText says what a PIN's status tells before it is entered: locked,
// the final try, the tries left when the card tells them, or that a wrong
// PIN was entered since the last use and the tries left could not be
// read; otherwise it says unknown. It is the one place a surface words
// the PIN status (flow's token notes leave it out).
func triesText(st pkcs11.PINStatus, unknown string) string {
	switch {
	case st.Locked:
		return tr("pin.tries_locked")
	case st.FinalTry:
		return tr("pin.tries_final")
	case st.TriesLeft > 1:
		return tr("pin.tries_left", map[string]any{"N": st.TriesLeft})
	case st.CountLow:
		// Only "count low" is known (SoftHSM, a card without PC/SC).
		return tr("pin.tries_low_unread")
	}
	return unknown
}

func (d *pinDialog) formatHint() string {
	switch d.req.Policy {
	case pkcs11.PolicyJPKISignature:
		return tr("pin.format_jpki")
	case pkcs11.PolicyJPKIAuth:
		return tr("pin.format_auth")
	}
	return tr("pin.format_generic")
}

// onChanged upper-cases a signature password as it is typed and checks
// its format, so a typo never spends a try.
func (d *pinDialog) onChanged(s string) {
	if d.jpki() {
		if u := strings.ToUpper(s); u != s {
			d.entry.SetText(u) // calls onChanged again with u
			return
		}
	}
	err := d.req.Check([]byte(s))
	switch {
	case s == "":
		d.format.SetText(d.formatHint())
		d.format.Importance = widget.MediumImportance
	case err != nil:
		d.format.SetText(tr("pin.format_bad") + d.formatHint())
		d.format.Importance = widget.DangerImportance
	default:
		d.format.SetText(tr("pin.format_ok"))
		d.format.Importance = widget.SuccessImportance
	}
	d.format.Refresh()
	d.updateOK()
}

func (d *pinDialog) valid() bool {
	return d.entry != nil && d.req.Check([]byte(d.entry.Text)) == nil
}

func (d *pinDialog) updateOK() {
	if d.valid() && (d.final == nil || d.final.Checked) {
		d.ok.Enable()
	} else {
		d.ok.Disable()
	}
}

// onOK answers with the PIN; on the final try only after a second,
// explicit confirmation.
func (d *pinDialog) onOK() {
	if d.ok.Disabled() || d.answered {
		return
	}
	if d.req.Status.FinalTry {
		d.askFinal()
		return
	}
	d.answer(false)
}

// askFinal is the final try's second confirmation; "No" returns to the
// dialog, where the resident may still cancel.
func (d *pinDialog) askFinal() {
	msg := wrapped(tr("pin.final_confirm"))
	msg.Importance = widget.DangerImportance
	d.confirm = newConfirmBox(tr("pin.final_confirm_title"), tr("pin.final_yes"), tr("pin.final_no"), msg, func(yes bool) {
		d.confirm = nil
		if yes {
			d.answer(true)
		}
	}, d.win)
	d.confirm.yes.Icon, d.confirm.no.Icon = theme.WarningIcon(), theme.CancelIcon()
	d.confirm.yes.Importance = widget.DangerImportance
	d.confirm.Resize(fyne.NewSize(460, 0))
	d.confirm.Show()
}

func (d *pinDialog) answer(finalConfirmed bool) {
	pin := []byte(d.entry.Text)
	d.entry.SetText("")
	d.finish(pinResult{answer: pkcs11.PINAnswer{PIN: pin, ConfirmFinalTry: finalConfirmed}})
}

func (d *pinDialog) onCancel() {
	err := errPINCancelled
	if d.req.Status.Locked {
		err = pkcs11.ErrPINLocked
	}
	d.finish(pinResult{err: err})
}

func (d *pinDialog) finish(r pinResult) {
	if d.answered {
		return
	}
	d.answered = true
	d.close()
	d.done <- r
}

func (d *pinDialog) close() {
	if d.confirm != nil {
		d.confirm.Hide()
	}
	if d.entry != nil {
		d.entry.SetText("")
	}
	if d.popup != nil {
		d.popup.Hide()
	}
}
