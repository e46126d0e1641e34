package ui

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/storage"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/shinsei-app/shinsei/flow"
	"github.com/shinsei-app/shinsei/submit"
)

// poaScreen is where the principal — the applicant — makes a power of
// attorney (委任状) for a proxy (flow.SignPowerOfAttorney, as 'shinseictl
// sign --power-of-attorney'): the procedure (only those a proxy may file
// with a signature are offered), the proxy by name or by user ID, where
// the package is saved, the last day it is valid (有効期限, poa_until.go),
// then the card or certificate file. flow checks
// everything it can before the PIN; after the one PIN entry the
// pre-check is shown with what the power of attorney says and nothing is
// signed without the principal's tap. The screen ends by saying what to
// hand to the proxy and what the proxy does with it (「代理で申請する」,
// proxy.go).
//
// The screen's state is flow's request itself (req): a field added to
// flow.PowerOfAttorneyRequest is one more control writing it.
type poaScreen struct {
	s     *shell
	req   flow.PowerOfAttorneyRequest
	procs []flow.ProcedureInfo // the procedures offered

	proc      *widget.Select
	by        *widget.RadioGroup
	proxyName *widget.Entry
	until     *poaUntil // the last day it is valid
	status    *textLabel
	outLabel  *textLabel
	chooseOut *focusButton
	creds     *fyne.Container
	find      *focusButton
	browse    *focusButton
	back      *focusButton
	result    *textLabel // what to hand to the proxy, once signed
	// signWith are the buttons that sign with each credential found, in
	// the order shown; signing is set while flow signs.
	signWith []*focusButton
	choices  []flow.CredentialChoice
	signing  bool
	// signed is the power of attorney made, nil before; settled says the
	// status shows the last outcome, until the request changes.
	signed  *flow.Signed
	settled bool
	// content is what scrolls, laid out again as lines come and go.
	content *fyne.Container
	scroll  *container.Scroll
	box     fyne.CanvasObject
}

// showPowerOfAttorney opens the power of attorney screen in the
// application tab, with procedure chosen when it is one a proxy may file.
func (s *shell) showPowerOfAttorney(procedure string) {
	s.draft, s.form, s.cred, s.check, s.progress, s.receipt = nil, nil, nil, nil, nil, nil
	s.poa = newPOAScreen(s, procedure)
	s.showApply(s.poa.view())
	if s.tabs != nil {
		s.tabs.Select(s.applyTab)
	}
	s.poa.onFind()
	s.event("poa")
}

// poaOffered reports whether a power of attorney can be made for p: the
// procedure allows a proxy, and a signature, so the proxy signs with it.
func poaOffered(p flow.ProcedureInfo) bool { return p.AllowsProxy() && p.Level.NeedsSignature() }

func newPOAScreen(s *shell, procedure string) *poaScreen {
	p := &poaScreen{s: s, status: wrapped(""), outLabel: wrapped(""), result: wrapped(""), creds: container.NewVBox()}
	var titles []string
	for _, pi := range s.home.procs {
		if poaOffered(pi) {
			p.procs = append(p.procs, pi)
			titles = append(titles, procTitle(pi))
		}
	}
	p.proc = widget.NewSelect(titles, func(title string) {
		for _, pi := range p.procs {
			if procTitle(pi) == title {
				p.req.Procedure = pi.ID
			}
		}
		p.changed()
	})
	p.proc.PlaceHolder = tr("poa.procedure_choose")
	p.by = widget.NewRadioGroup([]string{tr("poa.by_name"), tr("poa.by_account")}, func(string) { p.onProxy(p.proxyName.Text) })
	p.by.Required = true
	p.proxyName = widget.NewEntry()
	p.proxyName.OnChanged = p.onProxy
	p.until = newPOAUntil(p)
	p.by.SetSelected(tr("poa.by_name"))
	for _, pi := range p.procs {
		if pi.ID == procedure {
			p.proc.SetSelected(procTitle(pi))
		}
	}
	p.chooseOut = newButtonWithIcon(tr("poa.out_choose"), theme.DocumentSaveIcon(), p.onChooseOut)
	p.find = newButtonWithIcon(tr("cred.rescan"), theme.ViewRefreshIcon(), p.onFind)
	p.browse = newButtonWithIcon(tr("cred.p12"), theme.FolderOpenIcon(), p.onBrowse)
	p.back = newButtonWithIcon(tr("common.back"), theme.NavigateBackIcon(), s.goHome)
	p.result.Selectable = true
	p.result.Hide()
	if len(p.procs) == 0 {
		p.status.SetText(tr("poa.procedure_none"))
	}
	p.content = container.NewVBox(
		subheading(tr("poa.procedure")), withName(tr("poa.procedure"), p.proc),
		subheading(tr("poa.proxy")), withName(tr("poa.proxy"), p.by),
		withNameFunc(p.proxyLabel, p.proxyName), wrapped(tr("poa.proxy_hint")),
		subheading(tr("poa.until")), p.until.view(),
		p.outLabel, container.NewHBox(p.chooseOut),
		widget.NewSeparator(), wrapped(tr("poa.choose_credential")), p.creds, container.NewHBox(p.find, p.browse),
		widget.NewSeparator(), p.status, p.result)
	p.scroll = container.NewVScroll(p.content)
	p.box = container.NewBorder(
		container.NewVBox(heading(tr("poa.title")), wrapped(tr("poa.intro"))),
		container.NewHBox(p.back), nil, nil,
		p.scroll)
	p.update()
	return p
}

func (p *poaScreen) view() fyne.CanvasObject { return p.box }

// byAccount reports whether the proxy is named by user ID.
func (p *poaScreen) byAccount() bool { return p.by.Selected == tr("poa.by_account") }

// proxyLabel is the proxy entry's name, as its placeholder says.
func (p *poaScreen) proxyLabel() string {
	if p.byAccount() {
		return tr("poa.proxy_account")
	}
	return tr("poa.proxy_name")
}

// onProxy names the proxy in the request: by name or by user ID.
func (p *poaScreen) onProxy(text string) {
	p.req.Proxy.Name, p.req.Proxy.Account = "", ""
	if p.byAccount() {
		p.req.Proxy.Account = text
	} else {
		p.req.Proxy.Name = text
	}
	if p.proxyName != nil {
		p.proxyName.SetPlaceHolder(p.proxyLabel())
	}
	p.changed()
}

// changed is called when the request changes: the last outcome gives way
// to what the new request says.
func (p *poaScreen) changed() {
	p.settled = false
	p.status.Importance = widget.MediumImportance
	if p.result != nil && p.signed != nil {
		p.signed = nil
		p.result.Hide()
	}
	p.update()
}

// setOut sets where the power of attorney is saved; the save dialog has
// asked about replacing a file there.
func (p *poaScreen) setOut(path string) {
	p.req.Out, p.req.Overwrite = path, true
	p.changed()
}

func (p *poaScreen) onChooseOut() {
	d := newFileSave(func(w fyne.URIWriteCloser, err error) {
		if err != nil || w == nil {
			return
		}
		path := w.URI().Path()
		_ = w.Close()
		// The dialog made an empty file there; flow writes the package
		// when it is complete, and nothing is left if it is not.
		_ = os.Remove(path)
		p.setOut(path)
	}, p.s.win)
	d.SetFileName(tr("poa.file_name", map[string]any{"Proc": safeFileName(p.procTitle())}) + ".asice")
	d.SetFilter(storage.NewExtensionFileFilter([]string{".asice"}))
	d.Show()
}

// safeFileName keeps a title usable as a file name everywhere.
func safeFileName(s string) string {
	return strings.Map(func(r rune) rune {
		if strings.ContainsRune(`/\:*?"<>|`, r) {
			return '_'
		}
		return r
	}, s)
}

// procTitle is the chosen procedure's title, "" before one is chosen.
func (p *poaScreen) procTitle() string {
	for _, pi := range p.procs {
		if pi.ID == p.req.Procedure {
			return procTitle(pi)
		}
	}
	return ""
}

// ready reports whether the request names what flow needs from the
// screen: a procedure, a proxy, where to save and a last day that may be
// chosen.
func (p *poaScreen) ready() bool {
	return p.req.Procedure != "" && strings.TrimSpace(p.req.Proxy.Name+p.req.Proxy.Account) != "" && p.req.Out != "" &&
		!p.req.ValidUntil.IsZero() && p.until.problem == ""
}

// update shows where the package goes and which buttons work.
func (p *poaScreen) update() {
	if p.chooseOut == nil {
		return // still being built
	}
	if p.req.Out == "" {
		p.outLabel.SetText(tr("poa.out_none"))
	} else {
		p.outLabel.SetText(tr("poa.out", map[string]any{"Path": p.req.Out}))
	}
	if !p.signing && !p.settled && len(p.procs) > 0 {
		switch {
		case p.until.problem != "":
			p.status.Importance = widget.MediumImportance
			if p.until.refused {
				p.status.Importance = widget.DangerImportance
			}
			p.status.SetText(p.until.problem)
		case p.ready():
			p.status.Importance = widget.MediumImportance
			p.status.SetText(p.summary())
		default:
			p.status.Importance = widget.MediumImportance
			p.status.SetText(tr("poa.missing"))
		}
	}
	for _, b := range p.signWith {
		if p.ready() && !p.signing {
			b.Enable()
		} else {
			b.Disable()
		}
	}
	for _, b := range []*focusButton{p.chooseOut, p.find, p.browse} {
		if p.signing {
			b.Disable()
		} else {
			b.Enable()
		}
	}
	p.content.Refresh() // lines added, shown or hidden take their place
}

// summary says what the power of attorney will say: whom it entrusts
// with what, and until when.
func (p *poaScreen) summary() string {
	until := tr("poa.summary_until", map[string]any{"Date": dateText(p.req.ValidUntil)})
	if p.req.Proxy.Account != "" {
		return tr("poa.summary_account", map[string]any{"Proc": p.procTitle(), "Account": strings.TrimSpace(p.req.Proxy.Account)}) + "\n" + until
	}
	return tr("poa.summary", map[string]any{"Proc": p.procTitle(), "Proxy": strings.TrimSpace(p.req.Proxy.Name)}) + "\n" + until
}

// onFind lists the cards and certificate files that can sign, each with
// its own button; no PIN is asked here.
func (p *poaScreen) onFind() {
	a := p.s.flowApp()
	if a == nil {
		return
	}
	p.find.Disable()
	p.creds.RemoveAll()
	p.creds.Add(wrapped(tr("cred.searching")))
	go func() {
		ctx, cancel := context.WithTimeout(p.s.ctx, networkTimeout)
		defer cancel()
		found, err := a.FindCredentials(ctx)
		onMain(func() {
			p.creds.RemoveAll()
			p.signWith, p.choices = nil, nil
			if err != nil {
				p.creds.Add(wrapped(p.s.explain(err)))
			} else {
				for _, c := range signingChoices(found) {
					p.addChoice(c.name, c.choice)
				}
				if len(p.choices) == 0 {
					p.creds.Add(wrapped(tr("cred.none")))
				}
			}
			p.update()
			p.s.event("poa-credentials")
		})
	}()
}

// onBrowse adds a certificate file chosen on this computer.
func (p *poaScreen) onBrowse() {
	d := newFileOpen(func(r fyne.URIReadCloser, err error) {
		if err != nil || r == nil {
			return
		}
		path := r.URI().Path()
		_ = r.Close()
		p.addChoice(filepath.Base(path), flow.P12File(path))
		p.update()
	}, p.s.win)
	d.SetFilter(storage.NewExtensionFileFilter([]string{".p12", ".pfx"}))
	d.Show()
}

func (p *poaScreen) addChoice(name string, choice flow.CredentialChoice) {
	if len(p.choices) == 0 {
		p.creds.RemoveAll() // "none found" gives way to the first choice
	}
	btn := newButtonWithIcon(tr("poa.sign_with", map[string]any{"Name": name}), theme.ConfirmIcon(), func() { p.onSign(choice) })
	btn.Importance = widget.HighImportance
	p.signWith = append(p.signWith, btn)
	p.choices = append(p.choices, choice)
	p.creds.Add(container.NewHBox(btn))
}

// onSign signs the power of attorney with the credential: flow checks
// the request before the PIN, asks the PIN or password once, and shows
// the pre-check (confirmPOA); the principal's tap signs.
func (p *poaScreen) onSign(choice flow.CredentialChoice) {
	a := p.s.flowApp()
	if a == nil || !p.ready() || p.signing {
		return
	}
	req := p.req
	req.Credential, req.Confirm = choice, true
	p.signing, p.signed = true, nil
	p.result.Hide()
	p.status.SetText(tr("poa.signing"))
	p.update()
	cb := p.s.callbacks(nil)
	summary := p.summary()
	cb.ConfirmSign = func(ctx context.Context, pc *flow.Precheck) (bool, error) { return p.s.confirmPOA(ctx, pc, summary) }
	go func() {
		signed, err := a.SignPowerOfAttorney(p.s.ctx, req, cb)
		onMain(func() { p.finish(req, signed, err) })
	}()
}

// finish shows the outcome: what to hand to the proxy, or why nothing
// was signed and what to do.
func (p *poaScreen) finish(req flow.PowerOfAttorneyRequest, signed *flow.Signed, err error) {
	p.signing, p.settled = false, true
	p.status.Importance = widget.DangerImportance
	defer p.update()
	var pe *flow.PrecheckError
	switch {
	case err == nil:
		p.signed = signed
		p.status.Importance = widget.SuccessImportance
		p.status.SetText(tr("poa.done", map[string]any{"Date": dateText(signedUntil(req, signed))}))
		data := map[string]any{"Path": signed.Path, "Proc": p.procTitle(), "Proxy": strings.TrimSpace(req.Proxy.Name), "Account": strings.TrimSpace(req.Proxy.Account)}
		if req.Proxy.Account != "" {
			p.result.SetText(tr("poa.handover_account", data))
		} else {
			p.result.SetText(tr("poa.handover", data))
		}
		p.result.Show()
		p.update()
		p.scroll.Refresh()
		p.scroll.ScrollToBottom() // what to hand to the proxy, in view
		p.s.event("poa-signed")
		return
	case errors.Is(err, flow.ErrDeclined), errors.Is(err, errPINCancelled), errors.Is(err, context.Canceled):
		p.status.Importance = widget.MediumImportance
		p.status.SetText(tr("poa.declined"))
	case errors.As(err, &pe) && pe.Precheck != nil:
		lines := []string{tr("poa.failed")}
		for _, l := range pe.Precheck.Reds() {
			lines = append(lines, text(l.Message)+" "+text(l.Todo))
		}
		p.status.SetText(strings.Join(lines, "\n"))
	default:
		p.status.SetText(tr("poa.failed") + "\n" + p.s.explain(err))
		p.s.showError(err)
	}
	p.s.event("poa-failed")
}

// signedUntil is the last day written in the power of attorney signed
// for req.
func signedUntil(req flow.PowerOfAttorneyRequest, signed *flow.Signed) time.Time {
	if signed.Written != nil {
		if t, err := time.Parse(submit.DateLayout, signed.Written.ValidUntil); err == nil {
			return t
		}
	}
	return req.ValidUntil
}

// confirmPOA is the power of attorney's Callbacks.ConfirmSign: the
// pre-check panel in a dialog, under what the power of attorney says.
func (s *shell) confirmPOA(ctx context.Context, pc *flow.Precheck, summary string) (bool, error) {
	answer := make(chan bool, 1)
	var pop *widget.PopUp
	onMain(func() {
		s.check = newPrecheckPanel(s, pc, answer)
		says := wrapped(tr("poa.confirm", map[string]any{"Summary": summary}))
		pop = widget.NewModalPopUp(container.NewPadded(container.NewBorder(says, nil, nil, nil, s.check.view())), s.win.Canvas())
		pop.Resize(fyne.NewSize(720, 560))
		pop.Show()
		s.event("precheck")
	})
	defer onMain(func() { pop.Hide() })
	select {
	case yes := <-answer:
		return yes, nil
	case <-ctx.Done():
		return false, ctx.Err()
	}
}
