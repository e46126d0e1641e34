package flow

import (
	"bytes"
	"context"
	"crypto/x509"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"maps"
	"math"
	"os"
	"slices"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/shinsei-app/shinsei/identity"
	"github.com/shinsei-app/shinsei/internal/iox"
	"github.com/shinsei-app/shinsei/submit"
)

// maxTextRunes bounds a form string without its own MaxLen, as the
// service does.
const maxTextRunes = 1000

// applicantKeys are the applicant-block fields a form may hold (the JSON
// names of identity.Applicant).
var applicantKeys = []string{
	identity.FieldName, "name_kana", identity.FieldBirthDate, identity.FieldSex, identity.FieldAddress,
	identity.FieldCorporateName, identity.FieldCorporateNumber, identity.FieldCorporateAddress,
	identity.FieldRepresentativeName, identity.FieldRepresentativeTitle,
}

// applicantLabels name the applicant-block fields for messages.
var applicantLabels = map[string]Text{
	identity.FieldName:                {"氏名", "name"},
	"name_kana":                       {"フリガナ", "name reading (kana)"},
	identity.FieldBirthDate:           {"生年月日", "date of birth"},
	identity.FieldSex:                 {"性別", "sex"},
	identity.FieldAddress:             {"住所", "address"},
	identity.FieldCorporateName:       {"商号・名称", "corporate name"},
	identity.FieldCorporateNumber:     {"会社法人等番号", "corporate number"},
	identity.FieldCorporateAddress:    {"本店・主たる事務所の所在地", "head office address"},
	identity.FieldRepresentativeName:  {"代表者の氏名", "representative's name"},
	identity.FieldRepresentativeTitle: {"代表者の資格", "representative's title"},
}

// ApplicantLabel names an applicant-block field (identity.Field… or
// "name_kana") for a form's label.
func ApplicantLabel(field string) Text {
	if l, ok := applicantLabels[field]; ok {
		return l
	}
	return Text{field, field}
}

// FieldProblem is what is wrong with one field of a form. Field is
// "applicant.<name>", "fields.<name>", "procedure" or "attachments".
// Messages quote the field's label, never its value.
type FieldProblem struct {
	// Field names the field, Message says what to do about it.
	Field   string `json:"field"`
	Message Text   `json:"message"`
}

// OpenForm reads a completed form (a JSON FormDocument, at most
// submit.MaxForm bytes). Numbers are kept as json.Number, as the service
// reads them.
func OpenForm(ctx context.Context, path string) (*submit.FormDocument, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("flow: form: %w", err)
	}
	defer f.Close()
	data, err := iox.ReadAll(f, submit.MaxForm)
	if errors.Is(err, iox.ErrTooLarge) {
		return nil, fmt.Errorf("flow: form: larger than %d bytes: %w", submit.MaxForm, submit.ErrNotForm)
	}
	if err != nil {
		return nil, fmt.Errorf("flow: form: %w", err)
	}
	return ParseForm(data)
}

// ParseForm reads a form document from JSON (pasted, or from a file).
func ParseForm(data []byte) (*submit.FormDocument, error) {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	var doc submit.FormDocument
	if err := dec.Decode(&doc); err != nil {
		return nil, fmt.Errorf("flow: form: not a JSON form document (%w): %w", err, submit.ErrNotForm)
	}
	if doc.Procedure == "" {
		return nil, fmt.Errorf("flow: form: it names no procedure: %w", submit.ErrNotForm)
	}
	if doc.Applicant == nil {
		doc.Applicant = map[string]any{}
	}
	if doc.Fields == nil {
		doc.Fields = map[string]any{}
	}
	return &doc, nil
}

// NewForm returns an empty form for the procedure: its applicant block
// and fields present and empty, to be filled in (and pre-filled with
// FillApplicant).
func NewForm(proc submit.Procedure) *submit.FormDocument {
	doc := &submit.FormDocument{Procedure: proc.ID, Applicant: map[string]any{}, Fields: map[string]any{}}
	for _, name := range proc.Form.Applicant {
		doc.Applicant[name] = ""
	}
	for _, f := range proc.Form.Fields {
		doc.Fields[f.Name] = nil
	}
	return doc
}

// Prefill reads the applicant block from a signature certificate: the
// four attributes of a JPKI certificate (the date of birth as YYYY-MM-DD,
// the sex as its code), or the corporate attributes of a
// commercial-registry certificate. A certificate that carries neither
// gives an empty Applicant. The values are personal data: show them only
// to their owner.
func Prefill(cert *x509.Certificate) identity.Applicant {
	if cert == nil {
		return identity.Applicant{}
	}
	if p, err := identity.FromJPKI(cert); err == nil {
		return identity.Applicant{Name: p.Name, BirthDate: p.BirthDate.ISO(), Sex: p.Sex.Code(), Address: p.Address}
	}
	if c, err := identity.FromCorporate(cert); err == nil {
		return identity.Applicant{CorporateName: c.Name, CorporateNumber: c.Number, CorporateAddress: c.Address,
			RepresentativeName: c.RepresentativeName, RepresentativeTitle: c.RepresentativeTitle}
	}
	return identity.Applicant{}
}

// FillApplicant writes a's values into the form's applicant block for the
// fields the procedure asks for, leaving fields the user already filled
// untouched unless overwrite is set. It returns the fields it wrote.
func FillApplicant(doc *submit.FormDocument, a identity.Applicant, proc submit.Procedure, overwrite bool) []string {
	if doc.Applicant == nil {
		doc.Applicant = map[string]any{}
	}
	values := applicantValues(a)
	var wrote []string
	for _, name := range proc.Form.Applicant {
		v := values[name]
		if v == "" {
			continue
		}
		if cur, ok := textOf(doc.Applicant[name]); ok && strings.TrimSpace(cur) != "" && !overwrite {
			continue
		}
		doc.Applicant[name] = v
		wrote = append(wrote, name)
	}
	return wrote
}

// ApplicantOf reads the applicant block of a form as an
// identity.Applicant (values that are not text are left out).
func ApplicantOf(doc *submit.FormDocument) identity.Applicant {
	var a identity.Applicant
	if doc == nil {
		return a
	}
	get := func(k string) string {
		s, _ := textOf(doc.Applicant[k])
		return s
	}
	a.Name, a.NameKana, a.BirthDate, a.Sex, a.Address = get(identity.FieldName), get("name_kana"),
		get(identity.FieldBirthDate), get(identity.FieldSex), get(identity.FieldAddress)
	a.CorporateName, a.CorporateNumber, a.CorporateAddress = get(identity.FieldCorporateName),
		get(identity.FieldCorporateNumber), get(identity.FieldCorporateAddress)
	a.RepresentativeName, a.RepresentativeTitle = get(identity.FieldRepresentativeName), get(identity.FieldRepresentativeTitle)
	return a
}

func applicantValues(a identity.Applicant) map[string]string {
	return map[string]string{
		identity.FieldName: a.Name, "name_kana": a.NameKana, identity.FieldBirthDate: a.BirthDate,
		identity.FieldSex: a.Sex, identity.FieldAddress: a.Address,
		identity.FieldCorporateName: a.CorporateName, identity.FieldCorporateNumber: a.CorporateNumber,
		identity.FieldCorporateAddress: a.CorporateAddress, identity.FieldRepresentativeName: a.RepresentativeName,
		identity.FieldRepresentativeTitle: a.RepresentativeTitle,
	}
}

// ValidateForm checks a form against its procedure's schema as the
// service will: the procedure, the applicant block, each field's
// presence, type, length and choices, unknown fields, and the number of
// attachments (attachments < 0 skips that check). It returns every
// problem, in the schema's order; none means valid.
func ValidateForm(doc *submit.FormDocument, proc submit.Procedure, attachments int) []FieldProblem {
	var out []FieldProblem
	if doc == nil {
		return []FieldProblem{{Field: "procedure", Message: Text{"申請書がありません。", "There is no form."}}}
	}
	if doc.Procedure != proc.ID {
		out = append(out, FieldProblem{Field: "procedure", Message: Text{"この申請書は別の手続きのものです。", "This form belongs to another procedure."}})
	}
	for _, k := range sortedKeys(doc.Applicant) {
		if !slices.Contains(applicantKeys, k) {
			out = append(out, FieldProblem{Field: "applicant." + safeName(k), Message: Text{
				"申請者欄に、この手続きにない項目があります。削除してください。", "The applicant block has a field this procedure does not know; remove it."}})
		}
	}
	for _, name := range proc.Form.Applicant {
		l := ApplicantLabel(name)
		s, ok := textOf(doc.Applicant[name])
		switch {
		case !ok || strings.TrimSpace(s) == "":
			out = append(out, FieldProblem{Field: "applicant." + name, Message: Text{
				"申請者欄の「" + l.Ja + "」を入力してください。", "Please fill in the applicant's " + l.En + "."}})
		case utf8.RuneCountInString(s) > maxTextRunes || !printable(s):
			out = append(out, FieldProblem{Field: "applicant." + name, Message: Text{
				"申請者欄の「" + l.Ja + "」が正しくありません。", "The applicant's " + l.En + " is not valid."}})
		}
	}
	for _, k := range sortedKeys(doc.Fields) {
		if !slices.ContainsFunc(proc.Form.Fields, func(f submit.Field) bool { return f.Name == k }) {
			out = append(out, FieldProblem{Field: "fields." + safeName(k), Message: Text{
				"この手続きにない項目があります。削除してください。", "The form has a field this procedure does not know; remove it."}})
		}
	}
	for _, f := range proc.Form.Fields {
		if p, bad := checkField(f, doc.Fields[f.Name]); bad {
			out = append(out, p)
		}
	}
	if attachments >= 0 && attachments > proc.Form.MaxAttachments {
		out = append(out, FieldProblem{Field: "attachments", Message: Text{
			fmt.Sprintf("添付ファイルは%d件までです。", proc.Form.MaxAttachments),
			fmt.Sprintf("At most %d attachments are accepted.", proc.Form.MaxAttachments)}})
	}
	return out
}

// checkField checks one field's value against its schema.
func checkField(f submit.Field, v any) (FieldProblem, bool) {
	p := FieldProblem{Field: "fields." + f.Name}
	if s, isText := v.(string); v == nil || isText && strings.TrimSpace(s) == "" {
		if f.Required {
			p.Message = Text{"「" + f.LabelJA + "」を入力してください。", "Please fill in “" + f.LabelEN + "”."}
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
			p.Message = Text{"「" + f.LabelJA + "」は文字で入力してください。", "“" + f.LabelEN + "” must be text."}
		case utf8.RuneCountInString(s) > limit:
			p.Message = Text{fmt.Sprintf("「%s」は%d文字以内で入力してください。", f.LabelJA, limit),
				fmt.Sprintf("“%s” must be at most %d characters.", f.LabelEN, limit)}
		default:
			return p, false
		}
	case "number":
		if x, ok := numberOf(v); ok && x >= 0 && !math.IsInf(x, 0) && !math.IsNaN(x) {
			return p, false
		}
		p.Message = Text{"「" + f.LabelJA + "」は0以上の数字で入力してください（半角数字）。", "“" + f.LabelEN + "” must be a number, 0 or more."}
	case "date":
		if s, ok := v.(string); ok {
			if _, err := time.Parse(time.DateOnly, s); err == nil {
				return p, false
			}
		}
		p.Message = Text{"「" + f.LabelJA + "」は 2026-04-01 の形式の日付で入力してください。", "“" + f.LabelEN + "” must be a date written as 2026-04-01."}
	case "choice":
		if s, ok := v.(string); ok && slices.Contains(f.Choices, s) {
			return p, false
		}
		p.Message = Text{"「" + f.LabelJA + "」は次から選んでください: " + strings.Join(f.Choices, "、"),
			"Choose “" + f.LabelEN + "” from: " + strings.Join(f.Choices, ", ")}
	default:
		p.Message = Text{"「" + f.LabelJA + "」の形式がこのアプリでは分かりません。", "“" + f.LabelEN + "” has a type this app does not know."}
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

// cloneForm copies a form, so that filling the copy leaves the caller's
// untouched.
func cloneForm(doc *submit.FormDocument) *submit.FormDocument {
	if doc == nil {
		return nil
	}
	c := *doc
	c.Applicant, c.Fields = maps.Clone(doc.Applicant), maps.Clone(doc.Fields)
	if c.Applicant == nil {
		c.Applicant = map[string]any{}
	}
	return &c
}

// CheckForm is ValidateForm returning a *FormError (ErrFormInvalid) when
// anything is wrong.
func CheckForm(doc *submit.FormDocument, proc submit.Procedure, attachments int) error {
	if probs := ValidateForm(doc, proc, attachments); len(probs) > 0 {
		return &FormError{Problems: probs}
	}
	return nil
}

// WriteForm writes the form as indented JSON to w.
func WriteForm(w io.Writer, doc *submit.FormDocument) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	if err := enc.Encode(doc); err != nil {
		return fmt.Errorf("flow: form: %w", err)
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

// safeName shows a field name the form gave, cut and without controls.
func safeName(k string) string {
	k = strings.Map(func(r rune) rune {
		if unicode.IsControl(r) {
			return -1
		}
		return r
	}, k)
	if utf8.RuneCountInString(k) > 40 {
		k = string([]rune(k)[:40]) + "…"
	}
	return k
}

func sortedKeys(m map[string]any) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}

// marshalForm encodes a form as the bytes that are signed or sent.
func marshalForm(doc *submit.FormDocument) ([]byte, error) {
	var buf bytes.Buffer
	if err := WriteForm(&buf, doc); err != nil {
		return nil, err
	}
	if buf.Len() > submit.MaxForm {
		return nil, errors.New("flow: form: larger than the service accepts")
	}
	return buf.Bytes(), nil
}
