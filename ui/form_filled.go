package ui

import (
	"crypto/x509"
	"slices"
	"strings"

	"github.com/shinsei-app/shinsei/flow"
	"github.com/shinsei-app/shinsei/i18n"
	"github.com/shinsei-app/shinsei/submit"
)

// fill writes the certificate's values into the draft's empty applicant
// fields and remembers which it wrote, so the form says only what was
// filled.
func (d *draft) fill(cert *x509.Certificate) {
	for _, name := range flow.FillApplicant(d.form, flow.Prefill(cert), d.proc.Procedure, false) {
		if !slices.Contains(d.filled, name) {
			d.filled = append(d.filled, name)
		}
	}
}

// filledNote says what the certificate known before the PIN filled in:
// every applicant field, some of them (named), or none.
func (d *draft) filledNote() string {
	switch {
	case len(d.filled) == 0 && d.cardForCompanies():
		return tr("form.prefill_none_card")
	case len(d.filled) == 0:
		return tr("form.prefilled_none")
	case len(d.filled) < len(d.proc.Form.Applicant):
		sep := "、"
		if currentLanguage() == i18n.English {
			sep = ", "
		}
		names := make([]string, len(d.filled))
		for i, n := range d.filled {
			names[i] = text(flow.ApplicantLabel(n))
		}
		return tr("form.prefilled_some", map[string]any{"Fields": strings.Join(names, sep)})
	}
	return tr("form.prefilled")
}

// afterPINNote says what happens to the applicant block once the PIN is
// entered: a My Number card fills a resident's block; for a procedure
// residents do not file (a company's) it fills nothing, and the form
// says so rather than promise it.
func (d *draft) afterPINNote() string {
	if d.cardForCompanies() {
		return tr("form.prefill_none_card")
	}
	return tr("form.prefill_after_pin")
}

// cardForCompanies reports whether a My Number card was chosen for a
// procedure residents do not file.
func (d *draft) cardForCompanies() bool {
	return d.token != nil && d.token.MyNumberCard && !slices.Contains(d.proc.For, submit.UserResident)
}
