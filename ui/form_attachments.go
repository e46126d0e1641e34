package ui

import (
	"path/filepath"
	"slices"

	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"

	"github.com/shinsei-app/shinsei/flow"
)

// addAttachment adds a file to the draft, unless it would take the
// attachments over the procedure's limits (number, package size): then
// it is refused at once, the limit said under the attachments.
func (f *formScreen) addAttachment(path string) {
	f.collect()
	next := append(slices.Clone(f.d.attachments), path)
	if p := flow.CheckAttachments(f.d.proc.Procedure, f.d.form, next); p != nil {
		f.showAttachmentProblem(p)
		f.s.event("attachment-refused")
		return
	}
	f.d.attachments = next
	f.showAttachments()
	f.recheck()
	f.s.event("attachment-added")
}

// removeAttachment takes the draft's attachment i out.
func (f *formScreen) removeAttachment(i int) {
	if i < 0 || i >= len(f.d.attachments) {
		return
	}
	f.d.attachments = slices.Delete(slices.Clone(f.d.attachments), i, i+1)
	f.showAttachments()
	f.recheck()
	f.s.event("attachment-removed")
}

// showAttachmentProblem says under the attachments why a file was not
// added, and brings it into view.
func (f *formScreen) showAttachmentProblem(p *flow.FieldProblem) {
	l := f.errs["attachments"]
	l.SetText(text(p.Message))
	l.Show()
	f.reveal(f.targets["attachments"])
}

// showAttachments lists the draft's attachments, each with a button that
// removes it, under the procedure's limits; a refusal shown before is
// cleared.
func (f *formScreen) showAttachments() {
	if l := f.errs["attachments"]; l != nil {
		l.SetText("")
		l.Hide()
	}
	proc := f.d.proc.Procedure
	args := map[string]any{"Count": len(f.d.attachments), "Max": proc.Form.MaxAttachments, "Size": flow.PackageLimitText(proc)}
	f.attachRow.RemoveAll()
	f.removes = f.removes[:0]
	if len(f.d.attachments) == 0 {
		f.attached.SetText(tr("form.no_attachments", args))
		return
	}
	f.attached.SetText(tr("form.attachments", args))
	for i, p := range f.d.attachments {
		rm := newButtonWithIcon(tr("form.remove_attachment"), theme.DeleteIcon(), func() { f.removeAttachment(i) })
		f.removes = append(f.removes, rm)
		f.attachRow.Add(container.NewBorder(nil, nil, nil, rm, wrapped(filepath.Base(p))))
	}
}
