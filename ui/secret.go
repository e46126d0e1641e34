package ui

import (
	"context"
	"unicode/utf8"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/shinsei-app/shinsei/flow"
)

// secretDialog asks for a password flow needs: a certificate file's, an
// account's, or a new account password (typed twice). Like the PIN
// dialog it is shown once per request and never again by itself.
type secretDialog struct {
	req      flow.SecretRequest
	entry    *widget.Entry
	again    *widget.Entry // new passwords only
	hint     *textLabel
	ok       *focusButton
	cancel   *focusButton
	popup    *widget.PopUp
	answered bool
	done     chan pinResultSecret
}

type pinResultSecret struct {
	secret []byte
	err    error
}

// askSecret shows the dialog over win and waits; it is Callbacks.Secret.
func askSecret(ctx context.Context, win fyne.Window, req flow.SecretRequest, shown func(*secretDialog)) ([]byte, error) {
	d := &secretDialog{req: req, done: make(chan pinResultSecret, 1)}
	onMain(func() {
		d.build(win)
		if shown != nil {
			shown(d)
		}
	})
	select {
	case r := <-d.done:
		return r.secret, r.err
	case <-ctx.Done():
		onMain(d.close)
		return nil, ctx.Err()
	}
}

func (d *secretDialog) build(win fyne.Window) {
	title := tr("secret.title." + string(d.req.Kind))
	d.entry = widget.NewPasswordEntry()
	d.entry.OnChanged = func(string) { d.update() }
	d.entry.OnSubmitted = func(string) { d.onOK() }
	d.hint = wrapped("")
	d.ok = newButtonWithIcon(tr("common.ok"), theme.ConfirmIcon(), d.onOK)
	d.ok.Importance = widget.HighImportance
	d.cancel = newButtonWithIcon(tr("common.cancel"), theme.CancelIcon(), d.onCancel)
	box := container.NewVBox(heading(title))
	if d.req.Subject != "" {
		box.Add(wrapped(d.req.Subject))
	}
	box.Add(wrapped(text(d.req.Prompt)))
	box.Add(withName(title, d.entry))
	if d.req.Kind == flow.SecretNewPassword {
		d.again = widget.NewPasswordEntry()
		d.again.SetPlaceHolder(tr("secret.again"))
		d.again.OnChanged = func(string) { d.update() }
		box.Add(withName(tr("secret.again"), d.again))
	}
	box.Add(d.hint)
	box.Add(container.NewHBox(layoutSpacer(), d.cancel, d.ok))
	d.update()
	d.popup = widget.NewModalPopUp(container.NewPadded(box), win.Canvas())
	d.popup.Resize(fyne.NewSize(480, d.popup.MinSize().Height))
	d.popup.Show()
	win.Canvas().Focus(d.entry)
}

func (d *secretDialog) valid() bool {
	n := utf8.RuneCountInString(d.entry.Text)
	if n == 0 || n < d.req.MinLen {
		return false
	}
	return d.again == nil || d.again.Text == d.entry.Text
}

func (d *secretDialog) update() {
	switch {
	case d.req.MinLen > 0 && utf8.RuneCountInString(d.entry.Text) < d.req.MinLen:
		d.hint.SetText(tr("secret.min", map[string]any{"N": d.req.MinLen}))
	case d.again != nil && d.again.Text != d.entry.Text:
		d.hint.SetText(tr("secret.mismatch"))
	default:
		d.hint.SetText("")
	}
	if d.valid() {
		d.ok.Enable()
	} else {
		d.ok.Disable()
	}
}

func (d *secretDialog) onOK() {
	if !d.valid() {
		return
	}
	s := []byte(d.entry.Text)
	d.finish(pinResultSecret{secret: s})
}

func (d *secretDialog) onCancel() { d.finish(pinResultSecret{err: errPINCancelled}) }

func (d *secretDialog) finish(r pinResultSecret) {
	if d.answered {
		return
	}
	d.answered = true
	d.close()
	d.done <- r
}

func (d *secretDialog) close() {
	if d.entry != nil {
		d.entry.SetText("")
	}
	if d.again != nil {
		d.again.SetText("")
	}
	if d.popup != nil {
		d.popup.Hide()
	}
}
