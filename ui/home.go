package ui

import (
	"context"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/shinsei-app/shinsei/flow"
	"github.com/shinsei-app/shinsei/i18n"
	"github.com/shinsei-app/shinsei/submit"
)

// home is the procedure catalogue: one card per procedure with a badge
// for its authentication level and what the applicant will need.
type home struct {
	s      *shell
	status *textLabel
	list   *fyne.Container
	reload *focusButton
	// batch opens the batch-signing screen (batch.go).
	batch  *focusButton
	procs  []flow.ProcedureInfo
	starts []*focusButton // one per procedure, in order
	box    fyne.CanvasObject

	// batchSubmit opens 「まとめて提出」 (batch_submit.go).
	batchSubmit *focusButton
	// poas open the power of attorney screen (poa.go), by procedure ID,
	// on the procedures a proxy may file.
	poas map[string]*focusButton
}

func newHome(s *shell) *home {
	h := &home{s: s, status: wrapped(tr("home.loading")), list: container.NewVBox()}
	h.reload = newButtonWithIcon(tr("home.reload"), theme.ViewRefreshIcon(), h.onReload)
	h.batch = newButtonWithIcon(tr("batch.open"), theme.DocumentIcon(), s.showBatch)
	h.batchSubmit = newButtonWithIcon(tr("batchfile.open"), theme.MailSendIcon(), func() { s.showBatchSubmit() })
	h.box = container.NewBorder(
		container.NewVBox(heading(tr("home.title")), wrapped(tr("home.intro")), h.status),
		container.NewHBox(h.reload, layoutSpacer(), h.batch, h.batchSubmit), nil, nil,
		container.NewVScroll(h.list))
	return h
}

func (h *home) view() fyne.CanvasObject { return h.box }

// onReload asks the service for its catalogue again.
func (h *home) onReload() {
	a := h.s.flowApp()
	if a == nil {
		return
	}
	h.status.SetText(tr("home.loading"))
	h.status.Show()
	h.reload.Disable()
	go func() {
		ctx, cancel := context.WithTimeout(h.s.ctx, networkTimeout)
		defer cancel()
		procs, err := a.Procedures(ctx)
		onMain(func() {
			h.reload.Enable()
			if err != nil {
				h.status.SetText(h.s.explain(err))
				h.status.Importance = widget.DangerImportance
				h.status.Refresh()
				return
			}
			// The heading already asks to choose: the status says nothing.
			h.status.Importance = widget.MediumImportance
			h.status.SetText("")
			h.status.Hide()
			h.show(procs)
			h.s.event("catalogue")
		})
	}()
}

func (h *home) show(procs []flow.ProcedureInfo) {
	h.procs = procs
	h.starts = h.starts[:0]
	h.poas = map[string]*focusButton{}
	h.list.RemoveAll()
	for i := range procs {
		p := procs[i]
		start := newButtonWithIcon(tr("home.start"), theme.NavigateNextIcon(), func() { h.onStart(p) }).
			named(nameFor(tr("home.start"), procTitle(p)))
		start.Importance = widget.HighImportance
		h.starts = append(h.starts, start)
		title := subheading(procTitle(p))
		needs := wrapped(tr("home.needs") + needsText(p.Procedure))
		info := container.NewVBox(container.NewHBox(title, levelBadge(p.Level)), needs)
		if poaOffered(p) {
			info.Add(wrapped(tr("home.proxy"))) // 「代理で申請する」 on the form (proxy.go)
			poa := newButtonWithIcon(tr("poa.open"), theme.DocumentCreateIcon(), func() { h.s.showPowerOfAttorney(p.ID) }).
				named(nameFor(tr("poa.open"), procTitle(p)))
			h.poas[p.ID] = poa
			info.Add(container.NewHBox(poa))
		}
		h.list.Add(newCard("", "", container.NewBorder(nil, nil, nil, container.NewCenter(start), info)))
	}
}

// onStart opens the form of procedure p.
func (h *home) onStart(p flow.ProcedureInfo) { h.s.startApplication(p) }

// procTitle is the procedure's title in the current language.
func procTitle(p flow.ProcedureInfo) string {
	if currentLanguage() == i18n.English && p.TitleEN != "" {
		return p.TitleEN
	}
	return p.TitleJA
}

// levelBadge is the coloured badge of an authentication level.
func levelBadge(l submit.AuthLevel) fyne.CanvasObject {
	switch l {
	case submit.LevelNone:
		return badge(tr("level.none"), levelOK.color())
	case submit.LevelIDPW:
		return badge(tr("level.idpw"), levelInfo.color())
	case submit.LevelSignature:
		return badge(tr("level.signature"), levelWarn.color())
	}
	return badge(tr("level.idpw_signature"), levelFail.color())
}

// needsText says what the applicant needs for a procedure: nothing, an
// ID and password, a card (or the company's certificate file), or both.
func needsText(p submit.Procedure) string {
	cert := tr("needs.card")
	for _, u := range p.For {
		if u == submit.UserCompany {
			cert = tr("needs.registry")
		}
		if u == submit.UserStaff {
			cert = tr("needs.lgpki")
		}
	}
	switch p.Level {
	case submit.LevelNone:
		return tr("needs.nothing")
	case submit.LevelIDPW:
		return tr("needs.idpw")
	case submit.LevelSignature:
		return cert
	}
	return tr("needs.idpw") + tr("needs.and") + cert
}
