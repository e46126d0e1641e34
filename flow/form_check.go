package flow

import (
	"encoding/json"
	"fmt"
	"math"
	"slices"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/shinsei-app/shinsei/i18n"
	"github.com/shinsei-app/shinsei/identity"
	"github.com/shinsei-app/shinsei/submit"
)

// FieldProblem is what is wrong with one field of a form. Field is
// "applicant.<name>", "fields.<name>", "procedure" or "attachments".
// Messages quote the field's label, never its value.
type FieldProblem struct {
	// Field names the field, Message says what to do about it.
	Field   string    `json:"field"`
	Message i18n.Text `json:"message"`
}

// ValidateForm checks a form against its procedure's schema as the
// service will: the procedure, the applicant block, each field's
// presence, type, length and choices, unknown fields, and the number of
// attachments (attachments < 0 skips that check). It returns every
// problem, in the schema's order; none means valid.
func ValidateForm(doc *submit.FormDocument, proc submit.Procedure, attachments int) []FieldProblem {
	var out []FieldProblem
	if doc == nil {
		return []FieldProblem{{Field: "procedure", Message: i18n.Text{Ja: "申請書がありません。", En: "There is no form."}}}
	}
	if doc.Procedure != proc.ID {
		out = append(out, FieldProblem{Field: "procedure", Message: i18n.Text{Ja: "この申請書は別の手続きのものです。", En: "This form belongs to another procedure."}})
	}
	for _, k := range sortedKeys(doc.Applicant) {
		if !slices.Contains(applicantKeys, k) || !slices.Contains(proc.Form.Applicant, k) {
			out = append(out, FieldProblem{Field: "applicant." + safeName(k), Message: i18n.Text{Ja: "申請者欄に、この手続きにない項目があります。削除してください。", En: "The applicant block has a field this procedure does not know; remove it."}})
		}
	}
	for _, name := range proc.Form.Applicant {
		l := ApplicantLabel(name)
		s, ok := textOf(doc.Applicant[name])
		switch {
		case (!ok || strings.TrimSpace(s) == "") && name == identity.FieldSex:
			// Picked from a list on the window, never typed.
			out = append(out, FieldProblem{Field: "applicant." + name, Message: i18n.Text{Ja: "申請者欄の「" + l.Ja + "」を選んでください。", En: "Please choose the applicant's " + l.En + "."}})
		case ok && hasInvisible(s):
			out = append(out, FieldProblem{Field: "applicant." + name, Message: invisibleMessage("申請者欄の「"+l.Ja+"」", "The applicant's "+l.En)})
		case !ok || strings.TrimSpace(s) == "":
			out = append(out, FieldProblem{Field: "applicant." + name, Message: i18n.Text{Ja: "申請者欄の「" + l.Ja + "」を入力してください。", En: "Please fill in the applicant's " + l.En + "."}})
		case utf8.RuneCountInString(s) > maxTextRunes || !printable(s):
			out = append(out, FieldProblem{Field: "applicant." + name, Message: i18n.Text{Ja: "申請者欄の「" + l.Ja + "」が正しくありません。", En: "The applicant's " + l.En + " is not valid."}})
		}
	}
	for _, k := range sortedKeys(doc.Fields) {
		if !slices.ContainsFunc(proc.Form.Fields, func(f submit.Field) bool { return f.Name == k }) {
			out = append(out, FieldProblem{Field: "fields." + safeName(k), Message: i18n.Text{Ja: "この手続きにない項目があります。削除してください。", En: "The form has a field this procedure does not know; remove it."}})
		}
	}
	for _, f := range proc.Form.Fields {
		if p, bad := checkField(f, doc.Fields[f.Name]); bad {
			out = append(out, p)
		}
	}
	if attachments >= 0 && attachments > proc.Form.MaxAttachments {
		out = append(out, FieldProblem{Field: "attachments", Message: i18n.Text{Ja: fmt.Sprintf("添付ファイルは%d件までです。", proc.Form.MaxAttachments), En: fmt.Sprintf("At most %d attachments are accepted.", proc.Form.MaxAttachments)}})
	}
	return out
}

// checkField checks one field's value against its schema.
func checkField(f submit.Field, v any) (FieldProblem, bool) {
	p := FieldProblem{Field: "fields." + f.Name}
	if s, isText := v.(string); isText && hasInvisible(s) {
		p.Message = invisibleMessage("「"+f.LabelJA+"」", "“"+f.LabelEN+"”")
		return p, true
	}
	if s, isText := v.(string); v == nil || isText && strings.TrimSpace(s) == "" {
		if f.Required && f.Type == "choice" {
			p.Message = i18n.Text{Ja: "「" + f.LabelJA + "」を選んでください。", En: "Please choose “" + f.LabelEN + "”."}
			return p, true
		}
		if f.Required {
			p.Message = i18n.Text{Ja: "「" + f.LabelJA + "」を入力してください。", En: "Please fill in “" + f.LabelEN + "”."}
			return p, true
		}
		return p, false
	}
	switch f.Type {
	case "string":
		s, ok := v.(string)
		limit := maxTextRunes
		if f.MaxLen > 0 {
			limit = f.MaxLen
		}
		switch {
		case !ok || !printable(s):
			p.Message = i18n.Text{Ja: "「" + f.LabelJA + "」は文字で入力してください。", En: "“" + f.LabelEN + "” must be text."}
		case utf8.RuneCountInString(s) > limit:
			p.Message = i18n.Text{Ja: fmt.Sprintf("「%s」は%d文字以内で入力してください。", f.LabelJA, limit), En: fmt.Sprintf("“%s” must be at most %d characters.", f.LabelEN, limit)}

		default:
			return p, false
		}
	case "number":
		if x, ok := numberOf(v); ok && x >= 0 && !math.IsInf(x, 0) && !math.IsNaN(x) {
			return p, false
		}
		p.Message = i18n.Text{Ja: "「" + f.LabelJA + "」は0以上の数字で入力してください（半角数字）。", En: "“" + f.LabelEN + "” must be a number, 0 or more."}
	case "date":
		if s, ok := v.(string); ok {
			if _, err := time.Parse(time.DateOnly, s); err == nil {
				return p, false
			}
		}
		p.Message = i18n.Text{Ja: "「" + f.LabelJA + "」は2026-04-01の形式の日付で入力してください。", En: "“" + f.LabelEN + "” must be a date written as 2026-04-01."}
	case "choice":
		if s, ok := v.(string); ok && slices.Contains(f.Choices, s) {
			return p, false
		}
		p.Message = i18n.Text{Ja: "「" + f.LabelJA + "」は次から選んでください：" + strings.Join(f.Choices, "、"), En: "Choose “" + f.LabelEN + "” from: " + strings.Join(choicesEN(f), ", ")}

	default:
		p.Message = i18n.Text{Ja: "「" + f.LabelJA + "」の形式がこのアプリでは分かりません。", En: "“" + f.LabelEN + "” has a type this app does not know."}
	}
	return p, true
}

// ValidateFormToFill is ValidateForm for a form whose empty applicant
// fields Sign will fill from the certificate (SignRequest.FillApplicant):
// those are not reported as missing, everything else is.
func ValidateFormToFill(doc *submit.FormDocument, proc submit.Procedure, attachments int) []FieldProblem {
	probs := ValidateForm(doc, proc, attachments)
	if doc == nil {
		return probs
	}
	return slices.DeleteFunc(probs, func(p FieldProblem) bool {
		name, ok := strings.CutPrefix(p.Field, "applicant.")
		if !ok {
			return false
		}
		s, isText := textOf(doc.Applicant[name])
		return doc.Applicant[name] == nil || isText && strings.TrimSpace(s) == ""
	})
}

// CheckForm is ValidateForm returning a *FormError (ErrFormInvalid) when
// anything is wrong.
func CheckForm(doc *submit.FormDocument, proc submit.Procedure, attachments int) error {
	if probs := ValidateForm(doc, proc, attachments); len(probs) > 0 {
		return &FormError{Problems: probs}
	}
	return nil
}

// textOf returns v as text: a string, or a number (a sex may be 1 or 2).
func textOf(v any) (string, bool) {
	switch t := v.(type) {
	case string:
		return t, true
	case json.Number:
		return t.String(), true
	case float64:
		return fmt.Sprint(t), true
	case int:
		return fmt.Sprint(t), true
	case int64:
		return fmt.Sprint(t), true
	}
	return "", false
}

func numberOf(v any) (float64, bool) {
	switch t := v.(type) {
	case json.Number:
		x, err := t.Float64()
		return x, err == nil
	case float64:
		return t, true
	case float32:
		return float64(t), true
	case int:
		return float64(t), true
	case int64:
		return float64(t), true
	case int32:
		return float64(t), true
	case uint:
		return float64(t), true
	case uint64:
		return float64(t), true
	}
	return 0, false
}

func printable(s string) bool {
	return strings.IndexFunc(s, func(r rune) bool {
		return r != '\n' && r != '\r' && r != '\t' && unicode.IsControl(r)
	}) < 0
}

// choicesEN are f's choices as an English screen shows them.
func choicesEN(f submit.Field) []string {
	out := make([]string, len(f.Choices))
	for i, c := range f.Choices {
		out[i] = f.ChoiceLabel(c, true)
	}
	return out
}

// hasInvisible reports a character that shows as nothing
// (submit.IsInvisible): zero-width and bidirectional controls, other
// format characters and the Hangul fillers. The service refuses a form
// holding one, so it is refused here before anything is signed.
func hasInvisible(s string) bool { return strings.IndexFunc(s, submit.IsInvisible) >= 0 }

// invisibleMessage says that the field labelled ja/en holds an invisible
// character.
func invisibleMessage(ja, en string) i18n.Text {
	return i18n.Text{Ja: ja + "に、目に見えない文字（ゼロ幅スペースや文字の向きを変える制御文字など）が含まれています。その文字を削除してください。",
		En: en + " contains an invisible character (such as a zero-width space or a text-direction control); please remove it."}
}
