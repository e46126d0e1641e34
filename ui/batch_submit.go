package ui

import (
	"context"
	"path/filepath"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/shinsei-app/shinsei/explain"
	"github.com/shinsei-app/shinsei/flow"
)

// batchSubmitScreen files several signed packages at once
// (flow.SubmitBatch): the filer chooses a folder, whose packages (.asice)
// are listed with check boxes — those the service already received are
// marked with their arrival number and left unchecked — or adds package
// files one by one, and files the ones checked. flow sends four at a
// time and never sends a package the journal holds a receipt for; each
// package gets one result line (received with its arrival number,
// already received and not sent again, or not filed with what to do) and
// the screen a summary. Cancel stops the batch: what was not sent stays
// unsent, what was on its way waits in the outbox to be sent once
// (flow's promise).
type batchSubmitScreen struct {
	s       *shell
	status  *textLabel
	list    *fyne.Container
	results *fyne.Container
	bar     *widget.ProgressBar
	folder  *focusButton
	add     *focusButton
	all     *focusButton
	none    *focusButton
	send    *focusButton
	cancel  *focusButton
	back    *focusButton
	// pkgs are the packages listed, checks and notes their check boxes
	// and the lines under them, in the same order.
	pkgs   []flow.BatchPackage
	checks []*widget.Check
	notes  []*textLabel
	// lines are the result lines of the batch running or last run, by
	// package path.
	lines   map[string]*fyne.Container
	running bool
	stop    context.CancelFunc
	// filed is the last batch's outcome (for tests).
	filed []flow.Filed
	box   fyne.CanvasObject
}

func newBatchSubmitScreen(s *shell) *batchSubmitScreen {
	b := &batchSubmitScreen{s: s, status: wrapped(tr("batchfile.none")), list: container.NewVBox(),
		results: container.NewVBox(), bar: widget.NewProgressBar(), lines: map[string]*fyne.Container{}}
	b.bar.Hide()
	b.folder = newButtonWithIcon(tr("batchfile.folder"), theme.FolderOpenIcon(), b.onFolder)
	b.add = newButtonWithIcon(tr("batchfile.add"), theme.ContentAddIcon(), b.onAdd)
	b.all = newButtonWithIcon(tr("batchfile.check_all"), theme.CheckButtonCheckedIcon(), func() { b.checkAll(true) })
	b.none = newButtonWithIcon(tr("batchfile.check_none"), theme.CheckButtonIcon(), func() { b.checkAll(false) })
	b.send = newButtonWithIcon(tr("batchfile.submit"), theme.MailSendIcon(), b.onSubmit)
	b.send.Importance = widget.HighImportance
	b.cancel = newButtonWithIcon(tr("common.cancel"), theme.CancelIcon(), b.onCancel)
	b.back = newButtonWithIcon(tr("common.back"), theme.NavigateBackIcon(), s.goHome)
	b.box = container.NewBorder(
		container.NewVBox(heading(tr("batchfile.title")), wrapped(tr("batchfile.intro")), b.status, b.bar),
		container.NewHBox(b.back, layoutSpacer(), b.cancel, b.send), nil, nil,
		container.NewVScroll(container.NewVBox(
			container.NewHBox(b.folder, b.add, b.all, b.none),
			b.list, widget.NewSeparator(), b.results)))
	b.update()
	return b
}

func (b *batchSubmitScreen) view() fyne.CanvasObject { return b.box }

// showBatchSubmit opens 「まとめて提出」 in the application tab, with the
// packages given listed (none: the filer chooses a folder).
func (s *shell) showBatchSubmit(paths ...string) {
	s.batchSubmit = newBatchSubmitScreen(s)
	s.showApply(s.batchSubmit.view())
	if s.tabs != nil {
		s.tabs.Select(s.applyTab)
	}
	s.event("batch-submit")
	if len(paths) > 0 {
		s.batchSubmit.addFiles(paths)
	}
}

func (b *batchSubmitScreen) onFolder() {
	chooseFolder(b.s.win, tr("batchfile.folder_title"), b.listFolder)
}

func (b *batchSubmitScreen) onAdd() {
	newFileOpen(func(r fyne.URIReadCloser, err error) {
		if err != nil || r == nil {
			return
		}
		path := r.URI().Path()
		_ = r.Close()
		b.addFiles([]string{path})
	}, b.s.win).Show()
}

// listFolder lists the packages of folder dir instead of those listed,
// each looked up in the receipts (flow.BatchPackages).
func (b *batchSubmitScreen) listFolder(dir string) {
	a := b.s.flowApp()
	if a == nil || b.running {
		return
	}
	b.status.SetText(tr("batchfile.reading"))
	go func() {
		pkgs, err := a.BatchPackages(b.s.ctx, dir)
		onMain(func() {
			if err != nil {
				b.status.SetText(b.s.explain(err))
				b.s.event("batch-submit-listed")
				return
			}
			b.pkgs, b.checks, b.notes = nil, nil, nil
			b.list.RemoveAll()
			b.results.RemoveAll()
			for _, p := range pkgs {
				b.addRow(p)
			}
			if len(pkgs) == 0 {
				b.status.SetText(tr("batchfile.none_in_folder", map[string]any{"Dir": dir}))
			}
			b.update()
			b.s.event("batch-submit-listed")
		})
	}()
}

// addFiles adds package files to those listed, each once.
func (b *batchSubmitScreen) addFiles(paths []string) {
	a := b.s.flowApp()
	if a == nil || b.running {
		return
	}
	b.status.SetText(tr("batchfile.reading"))
	go func() {
		var pkgs []flow.BatchPackage
		for _, p := range paths {
			pkgs = append(pkgs, a.BatchPackageOf(b.s.ctx, p))
		}
		onMain(func() {
			for _, p := range pkgs {
				if !b.listed(p.Path) {
					b.addRow(p)
				}
			}
			b.update()
			b.s.event("batch-submit-listed")
		})
	}()
}

func (b *batchSubmitScreen) listed(path string) bool {
	for _, p := range b.pkgs {
		if p.Path == path {
			return true
		}
	}
	return false
}

// addRow lists a package: its check box, checked unless the service
// already received it or it cannot be read, and what is known of it.
func (b *batchSubmitScreen) addRow(p flow.BatchPackage) {
	check := widget.NewCheck(filepath.Base(p.Path), func(bool) { b.update() })
	note := wrapped("")
	switch {
	case p.Err != nil:
		note.SetText(b.s.explain(p.Err))
		note.Importance = widget.DangerImportance
		check.Disable()
	case p.Received != nil:
		note.SetText(tr("batchfile.received", map[string]any{"Arrival": p.Received.ArrivalNumber}))
	default:
		check.SetChecked(true)
		note.Hide()
	}
	b.pkgs = append(b.pkgs, p)
	b.checks = append(b.checks, check)
	b.notes = append(b.notes, note)
	b.list.Add(container.NewVBox(checkNamed(check), note))
}

// checkAll checks, or unchecks, every package that can be filed.
func (b *batchSubmitScreen) checkAll(on bool) {
	for i, c := range b.checks {
		if b.pkgs[i].Err == nil {
			c.SetChecked(on)
		}
	}
	b.update()
}

// chosen are the paths of the packages checked, in the list's order.
func (b *batchSubmitScreen) chosen() []string {
	var out []string
	for i, c := range b.checks {
		if c.Checked && !c.Disabled() {
			out = append(out, b.pkgs[i].Path)
		}
	}
	return out
}

// update shows how many are chosen and which buttons work.
func (b *batchSubmitScreen) update() {
	n := len(b.chosen())
	if !b.running && len(b.pkgs) > 0 {
		b.status.SetText(tr("batchfile.count", map[string]any{"N": len(b.pkgs), "Chosen": n}))
	}
	enable := func(btn *focusButton, on bool) {
		if on {
			btn.Enable()
		} else {
			btn.Disable()
		}
	}
	enable(b.send, n > 0 && !b.running)
	enable(b.cancel, b.running)
	for _, btn := range []*focusButton{b.folder, b.add, b.back} {
		enable(btn, !b.running)
	}
	enable(b.all, !b.running && len(b.pkgs) > 0)
	enable(b.none, !b.running && n > 0)
	for i, c := range b.checks {
		if b.running || b.pkgs[i].Err != nil {
			c.Disable()
		} else {
			c.Enable()
		}
	}
}

// onSubmit files the packages checked: four at a time, none twice; each
// result line replaces its package's waiting line as its outcome is known.
func (b *batchSubmitScreen) onSubmit() {
	a := b.s.flowApp()
	paths := b.chosen()
	if a == nil || len(paths) == 0 || b.running {
		return
	}
	ctx, stop := context.WithCancel(b.s.ctx)
	b.running, b.stop, b.filed = true, stop, nil
	b.results.RemoveAll()
	clear(b.lines)
	for _, p := range paths {
		line := container.NewStack(statusLineWith(levelInfo, tr("batchfile.level_waiting"), filepath.Base(p), "", ""))
		b.lines[p] = line
		b.results.Add(line)
	}
	b.bar.Min, b.bar.Max = 0, float64(len(paths))
	b.bar.SetValue(0)
	b.bar.Show()
	b.status.SetText(tr("batchfile.sending", map[string]any{"N": len(paths)}))
	b.update()
	cb := b.s.callbacks(nil)
	done := 0
	go func() {
		filed, err := a.SubmitBatch(ctx, flow.BatchSubmitRequest{Paths: paths}, cb, func(f flow.Filed) {
			onMain(func() {
				done++
				b.bar.SetValue(float64(min(done, len(paths))))
				if line, ok := b.lines[f.Path]; ok {
					line.Objects = []fyne.CanvasObject{b.resultLine(f)}
					line.Refresh()
				}
			})
		})
		onMain(func() {
			stop()
			b.running, b.stop, b.filed = false, nil, filed
			b.bar.SetValue(b.bar.Max)
			b.markReceived(filed)
			b.update()
			b.status.SetText(b.summary(filed, err))
			b.s.event("batch-submit-done")
		})
	}()
}

// onCancel stops the batch: flow sends nothing more, and what was on
// its way waits in the outbox, to be sent once.
func (b *batchSubmitScreen) onCancel() {
	if b.stop == nil {
		return
	}
	b.cancel.Disable()
	b.status.SetText(tr("batchfile.cancelling"))
	b.stop()
}

// resultLine is one package's outcome: received (green, with its arrival
// number), already received and not sent again (blue), already filed at
// the service (blue), or not filed (red, the explanation and what to do).
func (b *batchSubmitScreen) resultLine(f flow.Filed) fyne.CanvasObject {
	name := filepath.Base(f.Path)
	switch {
	case f.Status == flow.FiledDelivered && f.Record != nil:
		found := tr("batchfile.delivered", map[string]any{"Arrival": f.Record.ArrivalNumber})
		if f.Record.InquiryNumber != "" {
			found += "\n" + tr("receipt.inquiry") + " " + f.Record.InquiryNumber
		}
		return statusLineWith(levelOK, tr("batchfile.level_delivered"), name, found, "")
	case f.Status == flow.FiledSkipped && f.Record != nil:
		return statusLineWith(levelInfo, tr("batchfile.level_skipped"), name,
			tr("batchfile.skipped", map[string]any{"Arrival": f.Record.ArrivalNumber}), "")
	case f.Status == flow.FiledSkipped:
		return statusLineWith(levelInfo, tr("batchfile.level_skipped"), name, tr("batchfile.skipped_twice"), "")
	}
	e, lang := explain.Of(f.Err), currentLanguage()
	if f.Status == flow.FiledAlreadyFiled {
		return statusLineWith(levelInfo, tr("batchfile.level_already"), name, e.Message.In(lang), e.Hint.In(lang))
	}
	return statusLineWith(levelFail, tr("batchfile.level_failed"), name, e.Message.In(lang), e.Hint.In(lang))
}

// markReceived notes on the list the packages the batch got receipts
// for, and unchecks them, so that the list says what is left to file.
func (b *batchSubmitScreen) markReceived(filed []flow.Filed) {
	for _, f := range filed {
		if f.Record == nil {
			continue
		}
		for i, p := range b.pkgs {
			if p.Path == f.Path {
				b.pkgs[i].Received = f.Record
				b.notes[i].SetText(tr("batchfile.received", map[string]any{"Arrival": f.Record.ArrivalNumber}))
				b.notes[i].Show()
				b.checks[i].SetChecked(false)
			}
		}
	}
}

// summary counts the outcomes of the batch; a batch stopped by Cancel
// says so first.
func (b *batchSubmitScreen) summary(filed []flow.Filed, err error) string {
	if filed == nil && err != nil {
		return b.s.explain(err)
	}
	counts := map[flow.FiledStatus]int{}
	for _, f := range filed {
		counts[f.Status]++
	}
	msg := tr("batchfile.done", map[string]any{"N": len(filed), "Delivered": counts[flow.FiledDelivered],
		"Skipped": counts[flow.FiledSkipped], "Already": counts[flow.FiledAlreadyFiled], "Failed": counts[flow.FiledFailed]})
	if err != nil {
		msg = tr("batchfile.cancelled") + "\n" + msg
	}
	return msg
}

// offerFiling puts under a batch signing's results a button that files
// the packages it signed on 「まとめて提出」.
func (b *batchScreen) offerFiling(res *flow.BatchResult) {
	b.fileSigned = nil
	b.after.RemoveAll()
	if res == nil {
		return
	}
	var signed []string
	for _, it := range res.Items {
		if it.Status == flow.BatchSigned {
			signed = append(signed, it.Package)
		}
	}
	if len(signed) == 0 {
		return
	}
	b.fileSigned = newButtonWithIcon(tr("batchfile.file_signed"), theme.MailSendIcon(), func() { b.s.showBatchSubmit(signed...) })
	b.fileSigned.Importance = widget.HighImportance
	b.after.Add(container.NewHBox(b.fileSigned))
}
