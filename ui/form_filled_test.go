package ui

import (
	"testing"

	"fyne.io/fyne/v2/test"

	"github.com/shinsei-app/shinsei/flow"
	"github.com/shinsei-app/shinsei/sandbox/service"
)

// procedureInfo is the catalogue's procedure id, once it is shown.
func (h *harness) procedureInfo(id string) flow.ProcedureInfo {
	h.t.Helper()
	if h.count("catalogue") == 0 {
		h.wait("catalogue")
	}
	for _, p := range h.s.home.procs {
		if p.ID == id {
			return p
		}
	}
	h.t.Fatalf("procedure %s is not in the catalogue", id)
	return flow.ProcedureInfo{}
}

func TestACompanyProcedureOpenedWithACardSaysNothingWasFilledAndLeavesTheCompanyFieldsEmpty(t *testing.T) {
	h := newHarness(t, config(t))
	h.startProcedure(service.ProcBidQualification)
	h.wait("credentials")
	if len(h.s.cred.choices) == 0 {
		t.Fatal("the card is not offered")
	}
	test.Tap(h.s.cred.choices[0])
	h.wait("form")
	f := h.s.form
	for name, e := range f.applicant {
		if e.Text != "" {
			t.Errorf("the company field %s reads %q from a resident's card", name, e.Text)
		}
	}
	if f.note.Text != tr("form.prefill_none_card") {
		t.Errorf("the form says %q; want %q, since the card filled nothing", f.note.Text, tr("form.prefill_none_card"))
	}
}

func TestTheFormSaysWhichApplicantFieldsTheCertificateFilled(t *testing.T) {
	h := newHarness(t, config(t))
	resident, company := h.procedureInfo(service.ProcMoveOut), h.procedureInfo(service.ProcBidQualification)
	for _, tc := range []struct {
		name string
		d    *draft
		want string
	}{
		{"every field filled is said as filled", &draft{proc: resident, fileCert: world.resident.Cert, filled: resident.Form.Applicant}, tr("form.prefilled")},
		{"some fields filled are named", &draft{proc: resident, fileCert: world.resident.Cert, filled: []string{"name", "address"}},
			tr("form.prefilled_some", map[string]any{"Fields": text(flow.ApplicantLabel("name")) + "、" + text(flow.ApplicantLabel("address"))})},
		{"nothing filled from a file says so", &draft{proc: company, fileCert: world.resident.Cert}, tr("form.prefilled_none")},
		{"a card met for the first time on a company procedure promises nothing",
			&draft{proc: company, token: &flow.FoundToken{MyNumberCard: true}}, tr("form.prefill_none_card")},
		{"a card met for the first time on a resident procedure fills after the password",
			&draft{proc: resident, token: &flow.FoundToken{MyNumberCard: true}}, tr("form.prefill_after_pin")},
	} {
		t.Run(tc.name, func(t *testing.T) {
			tc.d.form = flow.NewForm(tc.d.proc.Procedure)
			if got := newFormScreen(h.s, tc.d).note.Text; got != tc.want {
				t.Errorf("the form says %q, want %q", got, tc.want)
			}
		})
	}
}
