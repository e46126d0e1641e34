package ui

import (
	"context"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/storage"
	"fyne.io/fyne/v2/theme"

	"github.com/shinsei-app/shinsei/flow"
	"github.com/shinsei-app/shinsei/submit"
)

// Proxy filing (代理申請) on the form: where the procedure allows a proxy,
// 「代理で申請する」 lets the proxy add the principal's power of attorney
// (POA.asice, made by the principal with 'shinseictl sign
// --power-of-attorney'). The applicant block is then the principal's, from
// the power of attorney's signer; flow checks the rest when signing.

// proxyRow holds the form's proxy controls.
type proxyRow struct {
	add    *focusButton // 「代理で申請する」
	remove *focusButton // 「委任状を外す」
	note   *textLabel
	box    *fyne.Container
}

// newProxyRow returns the proxy controls for f, or nil where the
// procedure allows no proxy.
func newProxyRow(f *formScreen) *proxyRow {
	p := f.d.proc.Procedure
	// An amendment answers the application as it was filed: whoever
	// filed it corrects it, no power of attorney is added then.
	if !p.AllowsProxy() || !p.Level.NeedsSignature() || f.d.amend != nil {
		return nil
	}
	r := &proxyRow{note: wrapped("")}
	r.add = newButtonWithIcon(tr("form.proxy"), theme.AccountIcon(), f.onProxy)
	r.remove = newButtonWithIcon(tr("form.proxy_remove"), theme.DeleteIcon(), f.removeProxy)
	r.remove.Hide()
	r.note.Hide()
	r.box = container.NewVBox(container.NewHBox(r.add, r.remove), r.note)
	return r
}

// onProxy asks for the principal's power of attorney.
func (f *formScreen) onProxy() {
	d := newFileOpen(func(r fyne.URIReadCloser, err error) {
		if err != nil || r == nil {
			return
		}
		path := r.URI().Path()
		_ = r.Close()
		f.useProxy(path)
	}, f.s.win)
	d.SetFilter(storage.NewExtensionFileFilter([]string{".asice"}))
	d.Show()
}

// useProxy reads the power of attorney at path and, when it serves this
// procedure, files as the proxy: the applicant block is filled from the
// principal's certificate.
func (f *formScreen) useProxy(path string) {
	a := f.s.flowApp()
	if a == nil || f.proxy == nil {
		return
	}
	poa, err := a.ReadPowerOfAttorney(context.Background(), path)
	if err == nil {
		err = poa.CheckFor(f.d.proc.Procedure)
	}
	if err != nil {
		f.s.showError(err)
		return
	}
	f.collect()
	f.d.poa = poa
	f.d.filled = flow.FillApplicant(f.d.form, flow.Prefill(poa.Principal), f.d.proc.Procedure, true)
	for name, e := range f.applicant {
		e.SetText(valueText(f.d.form.Applicant[name]))
	}
	if f.sex != nil {
		f.sex.SetSelected(sexChoice(valueText(f.d.form.Applicant["sex"])))
	}
	principal := poa.PrincipalName()
	if named := poa.Document.Proxy; named.Name != "" {
		f.proxy.note.SetText(tr("form.proxy_added", map[string]any{"Principal": principal, "Proxy": named.Name}))
	} else {
		f.proxy.note.SetText(tr("form.proxy_added_account", map[string]any{"Principal": principal, "Account": named.Account}))
	}
	if until, err := time.Parse(submit.DateLayout, poa.Document.ValidUntil); err == nil {
		f.proxy.note.SetText(f.proxy.note.Text + " " + tr("form.proxy_valid_until", map[string]any{"Date": dateText(until)}))
	}
	f.proxy.note.Show()
	f.proxy.remove.Show()
	f.note.SetText(tr("form.proxy_applicant"))
	f.recheck()
	f.s.event("proxy-added")
}

// removeProxy files in the signer's own name again.
func (f *formScreen) removeProxy() {
	if f.proxy == nil || f.d.poa == nil {
		return
	}
	f.d.poa = nil
	f.proxy.note.SetText("")
	f.proxy.note.Hide()
	f.proxy.remove.Hide()
	f.note.SetText(f.applicantNote())
	f.s.event("proxy-removed")
}

// poaPath is the power of attorney the draft is filed with, "" for none.
func (d *draft) poaPath() string {
	if d.poa == nil {
		return ""
	}
	return d.poa.Path
}
