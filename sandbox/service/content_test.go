package service

import (
	"net/http"
	"strings"
	"testing"

	"github.com/shinsei-app/shinsei/submit"
)

func TestAFlaggedSubstituteDoesNotLetAnotherNamePass(t *testing.T) {
	e := newSvcEnv(t)
	// SampleResident's card holds 高 flagged as a substitute (10000).
	tests := []struct {
		name, form string
		status     int
		reason     submit.Reason
	}{
		{"「X橋　花子」 is refused for 高橋　花子", "X橋　花子", 422, submit.ReasonIdentityMismatch},
		{"「佐橋　花子」 is refused for 高橋　花子", "佐橋　花子", 422, submit.ReasonIdentityMismatch},
		{"the registered 「髙橋　花子」 is accepted", "髙橋　花子", 201, ""},
		{"the card's own 「高橋　花子」 is accepted", "高橋　花子", 201, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a := residentApplicant()
			a["name"] = tt.form
			pkg := makePackage(t, e.creds.resident, sampleForm(ProcMoveOut, a))
			r := e.submitApp(ProcMoveOut, newKey(), "", submit.MediaASiCE, pkg)
			if r.status != tt.status {
				t.Fatalf("status %d, want %d: %s", r.status, tt.status, r.body)
			}
			if tt.reason != "" {
				if p := r.problem(t); p.Reason != tt.reason {
					t.Errorf("refused as %s, want %s", p.Reason, tt.reason)
				}
			}
		})
	}
}

func TestInvisibleCharactersAndUndefinedFieldsAreRefusedAndNotStored(t *testing.T) {
	e := newSvcEnv(t)
	with := func(change func(doc *submit.FormDocument)) submit.FormDocument {
		doc := sampleForm(ProcMoveOut, nil)
		change(&doc)
		return doc
	}
	tests := []struct {
		name   string
		doc    submit.FormDocument
		detail string
	}{
		{"a zero-width space in the name", with(func(d *submit.FormDocument) { d.Applicant["name"] = "髙橋\u200b　花子" }),
			"applicant.name: invisible character"},
		{"a right-to-left override in the address", with(func(d *submit.FormDocument) { d.Applicant["address"] = "東京都千代田区霞が関\u202e2-1-2" }),
			"applicant.address: invisible character"},
		{"a Hangul filler in a field", with(func(d *submit.FormDocument) {
			d.Fields["new_address"] = "大阪府大阪市北区中之島\u3164一丁目３番２０号"
		}),
			"fields.new_address: invisible character"},
		{"a byte-order mark inside a field", with(func(d *submit.FormDocument) {
			d.Fields["new_address"] = "\ufeff大阪府大阪市北区中之島一丁目３番２０号"
		}),
			"fields.new_address: invisible character"},
		{"a word joiner in a choice", with(func(d *submit.FormDocument) { d.Fields["my_number_card"] = "継続利用\u2060する" }),
			"fields.my_number_card: invisible character"},
		{"an applicant field the procedure does not ask for", with(func(d *submit.FormDocument) { d.Applicant["name_kana"] = "タカハシ　ハナコ" }),
			"applicant: name_kana is not a field of this procedure"},
		{"a field the procedure does not define", with(func(d *submit.FormDocument) { d.Fields["note"] = "追記" }),
			"fields: unknown field note"},
	}
	for _, tt := range tests {
		t.Run(tt.name+" is refused", func(t *testing.T) {
			r := e.submitApp(ProcMoveOut, newKey(), "", submit.MediaASiCE, makePackage(t, e.creds.resident, tt.doc))
			if r.status != http.StatusUnprocessableEntity {
				t.Fatalf("status %d: %s", r.status, r.body)
			}
			if p := r.problem(t); p.Reason != submit.ReasonFormInvalid || p.Detail != tt.detail {
				t.Errorf("refused as %s (%s), want form-invalid (%s)", p.Reason, p.Detail, tt.detail)
			}
		})
	}
	t.Run("an unsigned form with a zero-width joiner in the name is refused", func(t *testing.T) {
		doc := sampleForm(ProcBulkyWaste, nil)
		doc.Applicant["name"] = "高橋\u200d　花子"
		r := e.submitApp(ProcBulkyWaste, newKey(), "", submit.MediaJSON, mustJSON(t, doc))
		if p := r.problem(t); r.status != 422 || !strings.HasSuffix(p.Detail, "invisible character") {
			t.Errorf("got %d %s (%s)", r.status, p.Reason, p.Detail)
		}
	})
	if n := len(e.stored()); n != 0 {
		t.Errorf("%d refused applications were stored", n)
	}
}
