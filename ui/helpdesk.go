package ui

import (
	"bytes"
	"context"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/storage"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/shinsei-app/shinsei/assets"
	"github.com/shinsei-app/shinsei/diagnosis"
)

// helpDesk is the diagnostics view a municipal help desk asks a resident
// to open: every section of flow.Diagnose with its verdict and what to
// do, the errors recorded earlier apart (they never count toward the
// overall verdict), the full text to copy, and a bundle to export.
// Nothing personal is in it unless the resident ticks the box.
type helpDesk struct {
	s        *shell
	run      *focusButton
	copy     *focusButton
	export   *focusButton
	personal *widget.Check
	licence  *focusButton
	status   *textLabel
	// verdict is the last diagnosis's verdict; it stays while status
	// tells what copying or saving did.
	verdict  *textLabel
	progress *widget.ProgressBarInfinite
	lines    *fyne.Container
	// past shows the errors recorded earlier: a verdict of their own,
	// apart from the computer's state in lines.
	past   *fyne.Container
	report *diagnosis.Report
	box    fyne.CanvasObject
	// saveAs asks where to save the bundle and calls back with the file
	// to write (nil when the resident closed the dialog): askSaveAs, or
	// a chosen file in tests.
	saveAs func(then func(fyne.URIWriteCloser, error))
}

func newHelpDesk(s *shell) *helpDesk {
	h := &helpDesk{s: s, status: wrapped(tr("help.intro")), verdict: wrapped(""), lines: container.NewVBox(), past: container.NewVBox(),
		progress: widget.NewProgressBarInfinite()}
	h.progress.Hide()
	h.progress.Stop()
	h.verdict.Hide()
	h.saveAs = h.askSaveAs
	h.run = newButtonWithIcon(tr("help.run"), theme.SearchIcon(), h.onRun)
	h.run.Importance = widget.HighImportance
	h.copy = newButtonWithIcon(tr("help.copy"), theme.ContentCopyIcon(), h.onCopy)
	h.export = newButtonWithIcon(tr("help.export"), theme.DocumentSaveIcon(), h.onExport)
	h.copy.Disable()
	h.export.Disable()
	h.personal = widget.NewCheck(tr("help.personal"), nil)
	h.licence = newButtonWithIcon(tr("help.licences"), theme.InfoIcon(), h.onLicences)
	h.box = container.NewBorder(
		container.NewVBox(heading(tr("help.title")), h.verdict, h.status, checkNamed(h.personal), wrapped(tr("help.personal_note")),
			container.NewHBox(h.run, h.copy, h.export), h.progress),
		container.NewHBox(layoutSpacer(), h.licence), nil, nil, container.NewVScroll(container.NewVBox(h.lines, h.past)))
	return h
}

func (h *helpDesk) view() fyne.CanvasObject { return h.box }

// onRun diagnoses the computer: modules, readers, tokens, certificates,
// anchors, the service, the clock, the keyring and the last errors.
func (h *helpDesk) onRun() {
	h.run.Disable()
	h.progress.Show()
	h.progress.Start()
	h.status.SetText(tr("help.running"))
	opts := h.s.diagOptions()
	opts.IncludePersonal = h.personal.Checked
	opts.Progress = func(id diagnosis.SectionID) {
		onMain(func() { h.status.SetText(tr("help.running") + " " + text(id.Title())) })
	}
	go func() {
		ctx, cancel := context.WithTimeout(h.s.ctx, 2*networkTimeout)
		defer cancel()
		r := diagnosis.Run(ctx, opts)
		onMain(func() {
			h.show(r)
			h.s.event("diagnosed")
		})
	}()
}

func (h *helpDesk) show(r *diagnosis.Report) {
	h.report = r
	h.progress.Stop()
	h.progress.Hide()
	h.run.Enable()
	h.copy.Enable()
	h.export.Enable()
	past := r.History()
	h.verdict.SetText(tr("help.done", map[string]any{"Status": r.Status().Label(currentLanguage()), "Past": past.Status.Label(currentLanguage())}))
	h.verdict.Show()
	h.status.SetText(tr("help.intro"))
	h.lines.RemoveAll()
	for _, sec := range r.Sections() {
		h.lines.Add(h.section(sec))
	}
	h.past.RemoveAll()
	h.past.Add(widget.NewSeparator())
	h.past.Add(wrapped(tr("help.past")))
	h.past.Add(h.section(past))
}

// section is a section's line for the resident (verdict, what was found,
// what to do) and, closed below it, the help desk's detail: the
// technical side of the check (services, commands, modules) and what was
// found, as in the copied report. The resident's line never holds it.
func (h *helpDesk) section(sec diagnosis.Section) fyne.CanvasObject {
	resident := statusLine(diagLevel(sec.Status), text(sec.ID.Title()), text(sec.Summary), text(sec.Hint))
	var detail []string
	if !sec.Detail.IsZero() {
		detail = append(detail, text(sec.Detail))
	}
	detail = append(detail, h.report.Details(sec.ID, currentLanguage())...)
	if len(detail) == 0 {
		return container.NewVBox(resident)
	}
	body := wrapped(strings.Join(detail, "\n"))
	return container.NewVBox(resident, widget.NewAccordion(widget.NewAccordionItem(tr("help.detail.show"), body)))
}

func diagLevel(s diagnosis.Status) level {
	switch s {
	case diagnosis.StatusOK:
		return levelOK
	case diagnosis.StatusWarn:
		return levelWarn
	case diagnosis.StatusFail:
		return levelFail
	}
	return levelInfo
}

// onCopy puts the report's text on the clipboard, to paste in a mail or
// a chat with the help desk.
func (h *helpDesk) onCopy() {
	if h.report != nil {
		h.s.fa.Clipboard().SetContent(h.report.Text(currentLanguage()))
		h.status.SetText(tr("help.copied"))
	}
}

// onExport saves the bundle (a zip) where the resident chooses.
func (h *helpDesk) onExport() {
	if h.report == nil {
		return
	}
	var buf bytes.Buffer
	if err := h.report.WriteBundle(&buf); err != nil {
		h.s.showError(err)
		return
	}
	h.saveAs(func(w fyne.URIWriteCloser, err error) {
		if err != nil || w == nil {
			return
		}
		_, err = w.Write(buf.Bytes())
		if cerr := w.Close(); err == nil {
			err = cerr
		}
		if err != nil {
			h.s.showError(err)
			return
		}
		h.status.SetText(tr("help.exported", map[string]any{"Path": w.URI().Path()}))
	})
}

// askSaveAs asks where to save the bundle with the file save dialog.
func (h *helpDesk) askSaveAs(then func(fyne.URIWriteCloser, error)) {
	d := newFileSave(then, h.s.win)
	d.SetFileName("shinsei-diagnostics.zip")
	d.SetFilter(storage.NewExtensionFileFilter([]string{".zip"}))
	d.Show()
}

// onLicences shows the licence the embedded font ships under.
func (h *helpDesk) onLicences() {
	t := widget.NewLabel(assets.FontLicence)
	t.Wrapping = fyne.TextWrapWord
	scroll := container.NewVScroll(t)
	scroll.SetMinSize(fyne.NewSize(560, 400))
	newClosableDialog(tr("help.licences"), scroll, h.s.win).Show()
}
