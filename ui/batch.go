package ui

import (
	"context"
	"path/filepath"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/shinsei-app/shinsei/flow"
)

// batchScreen signs several completed forms at once (flow.SignBatch): the
// resident adds the form files (a form's attachments are the files of the
// folder of its name beside it), chooses where the signed packages go and
// signs with a card or a certificate file found on this computer — the
// PIN or password is entered once for them all — and sees one result line
// per form.
type batchScreen struct {
	s        *shell
	forms    []string
	outDir   string
	status   *textLabel
	formList *fyne.Container
	outLabel *textLabel
	creds    *fyne.Container
	results  *fyne.Container
	add      *focusButton
	clear    *focusButton
	chooseTo *focusButton
	find     *focusButton
	back     *focusButton
	// signWith are the buttons that sign with each credential found, in
	// the order shown; signing is set while a batch runs.
	signWith []*focusButton
	choices  []flow.CredentialChoice
	signing  bool
	// result is the last batch's outcome.
	result *flow.BatchResult
	box    fyne.CanvasObject

	// fileSigned files the packages just signed (batch_submit.go), in
	// after, under the results.
	fileSigned *focusButton
	after      *fyne.Container
}

func newBatchScreen(s *shell) *batchScreen {
	b := &batchScreen{s: s, status: wrapped(tr("batch.none")), formList: container.NewVBox(), outLabel: wrapped(""),
		creds: container.NewVBox(), results: container.NewVBox(), after: container.NewVBox()}
	b.add = newButtonWithIcon(tr("batch.add"), theme.ContentAddIcon(), b.onAdd)
	b.clear = newButtonWithIcon(tr("batch.clear"), theme.ContentClearIcon(), b.onClear)
	b.chooseTo = newButtonWithIcon(tr("batch.out_choose"), theme.FolderOpenIcon(), b.onChooseOut)
	b.find = newButtonWithIcon(tr("cred.rescan"), theme.ViewRefreshIcon(), b.onFind)
	b.back = newButtonWithIcon(tr("common.back"), theme.NavigateBackIcon(), s.goHome)
	b.box = container.NewBorder(
		container.NewVBox(heading(tr("batch.title")), wrapped(tr("batch.intro")), b.status),
		container.NewHBox(b.back), nil, nil,
		container.NewVScroll(container.NewVBox(
			b.formList, container.NewHBox(b.add, b.clear),
			b.outLabel, container.NewHBox(b.chooseTo),
			widget.NewSeparator(), wrapped(tr("batch.choose_credential")), b.creds, container.NewHBox(b.find),
			widget.NewSeparator(), b.results, b.after)))
	b.update()
	return b
}

func (b *batchScreen) view() fyne.CanvasObject { return b.box }

// showBatch opens the batch screen in the application tab.
func (s *shell) showBatch() {
	s.batch = newBatchScreen(s)
	s.showApply(s.batch.view())
	s.batch.onFind()
	s.event("batch")
}

// addForm adds a form file to the batch; the first form's folder is
// where the packages go unless another was chosen.
func (b *batchScreen) addForm(path string) {
	for _, f := range b.forms {
		if f == path {
			return
		}
	}
	b.forms = append(b.forms, path)
	if b.outDir == "" {
		b.outDir = filepath.Dir(path)
	}
	b.update()
}

// setOutDir sets the folder the packages are written to.
func (b *batchScreen) setOutDir(dir string) {
	b.outDir = dir
	b.update()
}

func (b *batchScreen) onAdd() {
	newFileOpen(func(r fyne.URIReadCloser, err error) {
		if err != nil || r == nil {
			return
		}
		path := r.URI().Path()
		_ = r.Close()
		b.addForm(path)
	}, b.s.win).Show()
}

func (b *batchScreen) onClear() {
	b.forms = nil
	b.update()
}

func (b *batchScreen) onChooseOut() {
	chooseFolder(b.s.win, tr("batch.out_title"), b.setOutDir)
}

// update shows the forms chosen, the folder and which buttons work.
func (b *batchScreen) update() {
	b.formList.RemoveAll()
	for _, f := range b.forms {
		b.formList.Add(wrapped("・" + filepath.Base(f) + "　→　" + flow.BatchName(f) + ".asice"))
	}
	if len(b.forms) == 0 {
		b.status.SetText(tr("batch.none"))
	} else if !b.signing {
		b.status.SetText(tr("batch.count", map[string]any{"N": len(b.forms)}))
	}
	if b.outDir == "" {
		b.outLabel.SetText(tr("batch.out_none"))
	} else {
		b.outLabel.SetText(tr("batch.out", map[string]any{"Dir": b.outDir}))
	}
	ready := len(b.forms) > 0 && b.outDir != "" && !b.signing
	for _, btn := range b.signWith {
		if ready {
			btn.Enable()
		} else {
			btn.Disable()
		}
	}
	for _, btn := range []*focusButton{b.add, b.clear, b.chooseTo, b.find} {
		if b.signing {
			btn.Disable()
		} else {
			btn.Enable()
		}
	}
	if len(b.forms) == 0 {
		b.clear.Disable()
	}
}

// onFind lists the cards, tokens and certificate files that can sign,
// each with its own button; no PIN is asked here.
func (b *batchScreen) onFind() {
	a := b.s.flowApp()
	if a == nil {
		return
	}
	b.find.Disable()
	b.creds.RemoveAll()
	b.creds.Add(wrapped(tr("cred.searching")))
	go func() {
		ctx, cancel := context.WithTimeout(b.s.ctx, networkTimeout)
		defer cancel()
		found, err := a.FindCredentials(ctx)
		onMain(func() {
			b.find.Enable()
			b.creds.RemoveAll()
			b.signWith, b.choices = nil, nil
			if err != nil {
				b.creds.Add(wrapped(b.s.explain(err)))
				return
			}
			for _, c := range signingChoices(found) {
				b.addChoice(c.name, c.choice)
			}
			if len(b.choices) == 0 {
				b.creds.Add(wrapped(tr("cred.none")))
			}
			b.update()
			b.s.event("batch-credentials")
		})
	}()
}

func (b *batchScreen) addChoice(name string, choice flow.CredentialChoice) {
	btn := newButtonWithIcon(tr("batch.sign_with", map[string]any{"Name": name}), theme.ConfirmIcon(), func() { b.onSign(choice) })
	btn.Importance = widget.HighImportance
	b.signWith = append(b.signWith, btn)
	b.choices = append(b.choices, choice)
	b.creds.Add(container.NewHBox(btn))
}

// onSign signs every form with the credential: the PIN or password is
// asked once (the PIN dialog), then each form's result is listed as it
// is known.
func (b *batchScreen) onSign(choice flow.CredentialChoice) {
	a := b.s.flowApp()
	if a == nil || len(b.forms) == 0 || b.outDir == "" || b.signing {
		return
	}
	b.signing = true
	b.results.RemoveAll()
	b.after.RemoveAll()
	b.status.SetText(tr("batch.signing", map[string]any{"N": len(b.forms)}))
	b.update()
	forms, out := append([]string(nil), b.forms...), b.outDir
	cb := b.s.callbacks(nil)
	cb.ConfirmSign = b.s.confirmInPopup
	go func() {
		res, err := a.SignBatch(b.s.ctx, flow.BatchSignRequest{Forms: forms, OutDir: out, Credential: choice}, cb,
			func(it flow.BatchItem) { onMain(func() { b.results.Add(b.itemLine(it)) }) })
		onMain(func() {
			b.signing = false
			b.result = res
			b.update()
			switch {
			case res != nil && res.Signed > 0 && err == nil:
				b.status.SetText(tr("batch.done", map[string]any{"Signed": res.Signed, "Other": len(res.Items) - res.Signed}))
			case err != nil:
				b.status.SetText(tr("batch.stopped") + "\n" + b.s.explain(err))
			default:
				b.status.SetText(tr("batch.done", map[string]any{"Signed": 0, "Other": len(res.Items)}))
			}
			b.offerFiling(res)
			b.s.event("batch-done")
		})
	}()
}

// itemLine is one form's result: signed (green, with the package), not
// signed because of this form (red, with what to do), or not tried
// because the batch stopped (amber).
func (b *batchScreen) itemLine(it flow.BatchItem) fyne.CanvasObject {
	name := filepath.Base(it.Form)
	switch it.Status {
	case flow.BatchSigned:
		return statusLineWith(levelOK, tr("batch.level_signed"), name, tr("batch.signed", map[string]any{"Path": it.Package}), "")
	case flow.BatchNotTried:
		return statusLineWith(levelWarn, tr("batch.level_not_signed"), name, tr("batch.not_tried"), "")
	}
	return statusLineWith(levelFail, tr("batch.level_not_signed"), name, b.s.explain(it.Err), "")
}
