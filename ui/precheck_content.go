package ui

import (
	"fmt"
	"os"
	"path/filepath"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"

	"github.com/shinsei-app/shinsei/i18n"
)

// signedContent shows on the pre-check what the signature will cover:
// the applicant block (as filled from the certificate the card gave),
// the form's fields and the attachments with their sizes. It reads the
// draft as fillDraft left it, which is the form flow signs.
type signedContent struct {
	// rows are the lines shown, label then value, for the tests.
	rows [][2]string
	box  fyne.CanvasObject
}

func newSignedContent(d *draft) *signedContent {
	c := &signedContent{}
	if d == nil || d.form == nil {
		c.box = container.NewVBox()
		return c
	}
	box := container.NewVBox(subheading(tr("precheck.content")))
	section := func(title string) *fieldForm {
		box.Add(subheading(title))
		f := newFieldForm()
		box.Add(f)
		return f
	}
	add := func(f *fieldForm, label, value string) {
		if value == "" {
			value = tr("precheck.content_empty")
		}
		c.rows = append(c.rows, [2]string{label, value})
		v := wrapped(value)
		v.Selectable = true
		f.Append(label, v)
	}
	if len(d.proc.Form.Applicant) > 0 {
		f := section(tr("precheck.content_applicant"))
		for _, name := range d.proc.Form.Applicant {
			v := valueText(d.form.Applicant[name])
			if name == "sex" {
				v = sexChoice(v)
			}
			add(f, applicantLabel(name), v)
		}
	}
	if len(d.proc.Form.Fields) > 0 {
		f := section(tr("precheck.content_fields"))
		for _, fl := range d.proc.Form.Fields {
			label := fl.LabelJA
			if currentLanguage() == i18n.English {
				label = fl.LabelEN
			}
			add(f, label, choiceLabel(fl, valueText(d.form.Fields[fl.Name])))
		}
	}
	f := section(tr("precheck.content_attachments"))
	if len(d.attachments) == 0 {
		add(f, tr("precheck.content_attachments"), tr("precheck.content_none"))
	}
	for i, p := range d.attachments {
		size := tr("precheck.content_unreadable")
		if fi, err := os.Stat(p); err == nil {
			size = sizeText(fi.Size())
		}
		add(f, fmt.Sprintf("%d", i+1), tr("precheck.content_file", map[string]any{"Name": filepath.Base(p), "Size": size}))
	}
	c.box = box
	return c
}

// sizeText is a file size for residents: bytes, KB or MB (1,000-based,
// as file managers show them).
func sizeText(n int64) string {
	switch {
	case n < 1000:
		return fmt.Sprintf("%d B", n)
	case n < 1000*1000:
		return fmt.Sprintf("%.1f KB", float64(n)/1000)
	}
	return fmt.Sprintf("%.1f MB", float64(n)/(1000*1000))
}
