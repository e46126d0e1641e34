package ui

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/storage"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/shinsei-app/shinsei/flow"
	"github.com/shinsei-app/shinsei/i18n"
	"github.com/shinsei-app/shinsei/submit"
)

// formScreen is the application form, built from the procedure's schema:
// the applicant block (pre-filled from the certificate where known, so a
// resident rarely types Japanese through an IME), the procedure's fields
// (choices are picked, not typed), the attachments — or a completed form
// opened from a file or pasted. Every field accepts paste.
type formScreen struct {
	s         *shell
	d         *draft
	applicant map[string]*widget.Entry
	sex       *widget.Select               // the applicant's sex is picked, not typed
	fields    map[string]fyne.CanvasObject // *widget.Entry or *widget.Select
	attached  *textLabel
	attachRow *fyne.Container // the attachments, each with its remove button
	removes   []*focusButton  // removes[i] removes the draft's attachment i
	problems  *fyne.Container
	// errs are the errors shown under each field, by FieldProblem.Field
	// ("applicant.name", "fields.x", "attachments"); targets the widget
	// each belongs to, scrolled to and focused when it is the first.
	errs    map[string]*textLabel
	targets map[string]fyne.CanvasObject
	body    fyne.CanvasObject
	scroll  *container.Scroll
	note    *textLabel
	open    *focusButton
	paste   *focusButton
	attach  *focusButton
	next    *focusButton
	back    *focusButton
	box     fyne.CanvasObject
	// proxy is 「代理で申請する」 and what it added, nil where the
	// procedure allows no proxy (proxy.go).
	proxy *proxyRow
	// marked are the rows an amendment's correction request marks.
	marked []string
}

func newFormScreen(s *shell, d *draft) *formScreen {
	f := &formScreen{s: s, d: d, applicant: map[string]*widget.Entry{}, fields: map[string]fyne.CanvasObject{},
		problems: container.NewVBox(), note: wrapped(""), attached: wrapped(""), attachRow: container.NewVBox(),
		errs: map[string]*textLabel{}, targets: map[string]fyne.CanvasObject{}}
	f.open = newButtonWithIcon(tr("form.open"), theme.FolderOpenIcon(), f.onOpen)
	f.paste = newButtonWithIcon(tr("form.paste"), theme.ContentPasteIcon(), f.onPaste)
	f.attach = newButtonWithIcon(tr("form.attach"), theme.ContentAddIcon(), f.onAttach)
	f.next = newButtonWithIcon(f.nextText(), theme.NavigateNextIcon(), f.onNext)
	f.next.Importance = widget.HighImportance
	f.back = newButtonWithIcon(tr("common.back"), theme.NavigateBackIcon(), f.onBack)

	form := newFieldForm()
	for _, name := range d.proc.Form.Applicant {
		if name == "sex" {
			f.sex = widget.NewSelect(sexChoices(), nil)
			f.sex.PlaceHolder = tr("form.choose")
			f.sex.SetSelected(sexChoice(valueText(d.form.Applicant[name])))
			form.Append(f.mark("applicant."+name, applicantLabel(name)), f.row("applicant."+name, f.sex, applicantLabel(name)))
			f.sex.OnChanged = func(string) { f.recheck() }
			continue
		}
		e := widget.NewEntry()
		e.SetText(valueText(d.form.Applicant[name]))
		f.applicant[name] = e
		form.Append(f.mark("applicant."+name, applicantLabel(name)), f.row("applicant."+name, e, applicantLabel(name)))
		e.OnChanged = func(string) { f.recheck() }
	}
	if len(d.proc.Form.Applicant) > 0 {
		f.note.SetText(f.applicantNote())
	}
	fields := newFieldForm()
	for _, fl := range d.proc.Form.Fields {
		label := fl.LabelJA
		if currentLanguage() == i18n.English {
			label = fl.LabelEN
		}
		if fl.Required {
			label += " *"
		}
		item, shown := f.fieldWidget(fl)
		f.fields[fl.Name] = item
		fields.Append(f.mark("fields."+fl.Name, label), f.row("fields."+fl.Name, shown, label))
		switch w := item.(type) {
		case *widget.Select:
			w.OnChanged = func(string) { f.recheck() }
		case *widget.Entry:
			w.OnChanged = func(string) { f.recheck() }
		}
	}
	f.showAttachments()
	body := container.NewVBox(f.problems,
		subheading(tr("form.applicant")),
		f.note, form, widget.NewSeparator(),
		subheading(tr("form.fields")),
		fields, widget.NewSeparator(), f.row("attachments", container.NewVBox(f.attached, f.attachRow), ""))
	f.body = body
	f.scroll = container.NewVScroll(body)
	top := container.NewVBox(heading(procTitle(d.proc)), f.correctionBanner(), wrapped(tr("form.intro")), container.NewHBox(f.open, f.paste))
	if f.proxy = newProxyRow(f); f.proxy != nil {
		top.Add(f.proxy.box)
	}
	f.box = container.NewBorder(top,
		container.NewHBox(f.back, layoutSpacer(), f.attach, f.next), nil, nil,
		f.scroll)
	return f
}

func (f *formScreen) view() fyne.CanvasObject { return f.box }

func (f *formScreen) nextText() string {
	if f.d.proc.Level.NeedsSignature() {
		return tr("form.next_sign")
	}
	return tr("form.next_send")
}

func (f *formScreen) applicantNote() string {
	switch {
	case f.d.amend != nil && !f.d.originalMissing:
		return tr("form.applicant_original")
	case !f.d.proc.Level.NeedsSignature():
		return tr("form.applicant_type")
	case f.d.fillsAfterPIN():
		return f.d.afterPINNote()
	}
	return f.d.filledNote()
}

// fieldWidget returns the widget of a field (a *widget.Entry or a
// *widget.Select) and what the form shows for it: the same widget, or
// the multi-line entry (tabEntry) around it.
func (f *formScreen) fieldWidget(fl submit.Field) (item, shown fyne.CanvasObject) {
	cur := valueText(f.d.form.Fields[fl.Name])
	if fl.Type == "choice" {
		sel := widget.NewSelect(choiceLabels(fl), nil)
		sel.PlaceHolder = tr("form.choose")
		if cur != "" {
			sel.SetSelected(choiceLabel(fl, cur))
		}
		return sel, sel
	}
	var e *widget.Entry
	if fl.Type == "string" && fl.MaxLen > 100 {
		t := newTabEntry()
		e, shown = &t.Entry, t
		e.Wrapping = fyne.TextWrapWord
		e.SetMinRowsVisible(2)
	} else {
		e = widget.NewEntry()
		shown = e
	}
	switch fl.Type {
	case "date":
		e.SetPlaceHolder("2026-04-01")
	case "number":
		e.SetPlaceHolder(tr("form.number_hint"))
	}
	e.SetText(cur)
	return e, shown
}

// valueText shows a form value in an entry.
func valueText(v any) string {
	switch t := v.(type) {
	case nil:
		return ""
	case string:
		return t
	case json.Number:
		return t.String()
	}
	return fmt.Sprint(v)
}

// collect writes the widgets' values into the draft's form.
func (f *formScreen) collect() {
	doc := f.d.form
	for name, e := range f.applicant {
		doc.Applicant[name] = strings.TrimSpace(e.Text)
	}
	if f.sex != nil {
		doc.Applicant["sex"] = sexCode(f.sex.Selected)
	}
	for _, fl := range f.d.proc.Form.Fields {
		switch w := f.fields[fl.Name].(type) {
		case *widget.Select:
			if w.Selected == "" {
				doc.Fields[fl.Name] = nil
			} else {
				doc.Fields[fl.Name] = fl.ChoiceValue(w.Selected)
			}
		case *widget.Entry:
			v := strings.TrimSpace(w.Text)
			switch {
			case v == "":
				doc.Fields[fl.Name] = nil
			case fl.Type == "number":
				doc.Fields[fl.Name] = json.Number(toHalfWidth(v))
			case fl.Type == "date":
				doc.Fields[fl.Name] = toHalfWidth(v)
			default:
				doc.Fields[fl.Name] = v
			}
		}
	}
}

// toHalfWidth turns full-width digits and hyphens (typed with an IME
// left on) into ASCII.
func toHalfWidth(s string) string {
	return strings.Map(func(r rune) rune {
		switch {
		case r >= '０' && r <= '９':
			return r - '０' + '0'
		case r == '－' || r == 'ー' || r == '‐':
			return '-'
		case r == '．':
			return '.'
		}
		return r
	}, s)
}

// load replaces the widgets' values with a completed form's.
func (f *formScreen) load(doc *submit.FormDocument) {
	if doc.Procedure != f.d.proc.ID {
		f.showProblems([]flow.FieldProblem{{Field: "procedure", Message: i18n.Text{
			Ja: "この申請書は別の手続きのものです。", En: "This form belongs to another procedure."}}})
		return
	}
	for name, e := range f.applicant {
		if v := valueText(doc.Applicant[name]); v != "" {
			e.SetText(v)
		}
	}
	if f.sex != nil {
		if v := valueText(doc.Applicant["sex"]); v != "" {
			f.sex.SetSelected(sexChoice(v))
		}
	}
	for name, w := range f.fields {
		v := valueText(doc.Fields[name])
		switch w := w.(type) {
		case *widget.Select:
			w.SetSelected(choiceLabel(f.field(name), v))
		case *widget.Entry:
			w.SetText(v)
		}
	}
	f.problems.RemoveAll()
	f.note.SetText(tr("form.loaded"))
	f.s.event("form-loaded")
}

// onOpen opens a completed form file (JSON).
func (f *formScreen) onOpen() {
	d := newFileOpen(func(r fyne.URIReadCloser, err error) {
		if err != nil || r == nil {
			return
		}
		path := r.URI().Path()
		_ = r.Close()
		f.openPath(path)
	}, f.s.win)
	d.SetFilter(storage.NewExtensionFileFilter([]string{".json"}))
	d.Show()
}

func (f *formScreen) openPath(path string) {
	doc, err := flow.OpenForm(context.Background(), path)
	if err != nil {
		f.s.showError(err)
		return
	}
	f.load(doc)
}

// onPaste reads a completed form pasted on the clipboard (JSON), e.g.
// copied from a municipality's web form.
func (f *formScreen) onPaste() {
	doc, err := flow.ParseForm([]byte(f.s.fa.Clipboard().Content()))
	if err != nil {
		f.s.showError(err)
		return
	}
	f.load(doc)
}

// onAttach adds a file to send with the form.
func (f *formScreen) onAttach() {
	newFileOpen(func(r fyne.URIReadCloser, err error) {
		if err != nil || r == nil {
			return
		}
		path := r.URI().Path()
		_ = r.Close()
		f.addAttachment(path)
	}, f.s.win).Show()
}

// row is a form widget with the place for its error under it; name,
// when given, is the widget's accessible name (its label in the form).
func (f *formScreen) row(key string, w fyne.CanvasObject, name string) fyne.CanvasObject {
	l := wrapped("")
	l.Importance = widget.DangerImportance
	l.Hide()
	f.errs[key], f.targets[key] = l, w
	shown := w
	if name != "" {
		shown = withName(name, w)
	}
	return container.NewVBox(shown, l)
}

// showProblems lists the problems at the top of the form and under each
// field, then scrolls to the first field with one and focuses it.
func (f *formScreen) showProblems(probs []flow.FieldProblem) {
	f.problems.RemoveAll()
	for _, l := range f.errs {
		l.SetText("")
		l.Hide()
	}
	if len(probs) == 0 {
		return
	}
	head := wrapped(tr("form.problems"))
	head.Importance = widget.DangerImportance
	f.problems.Add(head)
	var first fyne.CanvasObject
	for _, p := range probs {
		l := wrapped(bullet() + text(p.Message))
		l.Importance = widget.DangerImportance
		f.problems.Add(l)
		if e, ok := f.errs[p.Field]; ok {
			e.SetText(text(p.Message))
			e.Show()
			if first == nil {
				first = f.targets[p.Field]
			}
		}
	}
	if first != nil {
		f.reveal(first)
	}
}

// reveal scrolls the form so that obj is in view and focuses it.
func (f *formScreen) reveal(obj fyne.CanvasObject) {
	f.scroll.Refresh()
	drv := fyne.CurrentApp().Driver()
	y := drv.AbsolutePositionForObject(obj).Y - drv.AbsolutePositionForObject(f.body).Y
	f.scroll.ScrollToOffset(fyne.NewPos(0, max(0, y-theme.Padding()*4)))
	if fo, ok := obj.(fyne.Focusable); ok {
		f.s.win.Canvas().Focus(fo)
	}
}

// recheck clears the error of each field that was fixed since the
// problems were shown; it adds none (a field being typed is not
// refused until the resident goes on again).
func (f *formScreen) recheck() {
	if len(f.problems.Objects) == 0 {
		return
	}
	f.collect()
	left := map[string]flow.FieldProblem{}
	for _, p := range f.validate() {
		left[p.Field] = p
	}
	var still []flow.FieldProblem
	for key, l := range f.errs {
		if !l.Visible() {
			continue
		}
		if p, ok := left[key]; ok {
			still = append(still, p)
			continue
		}
		l.SetText("")
		l.Hide()
	}
	if len(still) == 0 {
		f.problems.RemoveAll()
		return
	}
	// The summary keeps the schema's order.
	var ordered []flow.FieldProblem
	for _, p := range f.validate() {
		for _, q := range still {
			if q.Field == p.Field {
				ordered = append(ordered, p)
			}
		}
	}
	f.problems.RemoveAll()
	head := wrapped(tr("form.problems"))
	head.Importance = widget.DangerImportance
	f.problems.Add(head)
	for _, p := range ordered {
		l := wrapped(bullet() + text(p.Message))
		l.Importance = widget.DangerImportance
		f.problems.Add(l)
	}
}

// validate checks the draft's form as onNext does.
func (f *formScreen) validate() []flow.FieldProblem {
	validate := flow.ValidateForm
	if f.d.fillsAfterPIN() {
		validate = flow.ValidateFormToFill // the card fills the empty applicant fields
	}
	probs := validate(f.d.form, f.d.proc.Procedure, len(f.d.attachments))
	if !slices.ContainsFunc(probs, func(p flow.FieldProblem) bool { return p.Field == "attachments" }) {
		if p := flow.CheckAttachments(f.d.proc.Procedure, f.d.form, f.d.attachments); p != nil {
			probs = append(probs, *p)
		}
	}
	return probs
}

// onNext checks the form as the service will and goes on: to signing for
// a signature procedure, else to sending.
func (f *formScreen) onNext() {
	f.collect()
	probs := f.validate()
	f.showProblems(probs)
	if len(probs) > 0 {
		f.s.event("form-invalid")
		return
	}
	f.s.runApplication()
}

func (f *formScreen) onBack() {
	f.collect()
	if f.d.proc.Level.NeedsSignature() {
		f.s.showCredential()
		return
	}
	f.s.goHome()
}

// backToForm shows the draft's form again, as it was, with a notice
// when one is given (after a cancel, a refusal, a failed pre-check).
func (s *shell) backToForm(notice string) {
	if s.draft == nil {
		s.goHome()
		return
	}
	s.form = newFormScreen(s, s.draft)
	if notice != "" {
		s.form.note.SetText(notice)
	}
	s.showApply(s.form.view())
	s.event("form")
}

// sexChoices are the applicant's sex as offered; sexCode gives the code
// the certificate uses (1 male, 2 female, 9 not stated).
func sexChoices() []string {
	return []string{tr("form.sex_male"), tr("form.sex_female"), tr("form.sex_other")}
}

func sexCode(choice string) string {
	switch choice {
	case tr("form.sex_male"):
		return "1"
	case tr("form.sex_female"):
		return "2"
	case tr("form.sex_other"):
		return "9"
	}
	return ""
}

// sexChoice reads a form's sex (a code, or 男/女/male/female) as a choice.
func sexChoice(v string) string {
	switch strings.ToLower(strings.TrimSpace(v)) {
	case "1", "男", "男性", "male", "m":
		return tr("form.sex_male")
	case "2", "女", "女性", "female", "f":
		return tr("form.sex_female")
	case "3", "9", "その他", "other":
		return tr("form.sex_other")
	}
	return ""
}
