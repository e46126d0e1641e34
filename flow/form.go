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
	"os"
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/shinsei-app/shinsei/i18n"
	"github.com/shinsei-app/shinsei/identity"
	"github.com/shinsei-app/shinsei/internal/iox"
	"github.com/shinsei-app/shinsei/internal/jsonx"
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
var applicantLabels = map[string]i18n.Text{
	identity.FieldName:                {Ja: "氏名", En: "name"},
	"name_kana":                       {Ja: "フリガナ", En: "name reading (kana)"},
	identity.FieldBirthDate:           {Ja: "生年月日", En: "date of birth"},
	identity.FieldSex:                 {Ja: "性別", En: "sex"},
	identity.FieldAddress:             {Ja: "住所", En: "address"},
	identity.FieldCorporateName:       {Ja: "商号・名称", En: "corporate name"},
	identity.FieldCorporateNumber:     {Ja: "会社法人等番号", En: "corporate number"},
	identity.FieldCorporateAddress:    {Ja: "本店・主たる事務所の所在地", En: "head office address"},
	identity.FieldRepresentativeName:  {Ja: "代表者の氏名", En: "representative's name"},
	identity.FieldRepresentativeTitle: {Ja: "代表者の資格", En: "representative's title"},
}

// ApplicantLabel names an applicant-block field (identity.Field… or
// "name_kana") for a form's label.
func ApplicantLabel(field string) i18n.Text {
	if l, ok := applicantLabels[field]; ok {
		return l
	}
	return i18n.Text{Ja: field, En: field}
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
		return nil, &Error{Op: "form", Err: err}
	}
	defer f.Close()
	data, err := iox.ReadAll(f, submit.MaxForm)
	if errors.Is(err, iox.ErrTooLarge) {
		return nil, &Error{Op: "form", Err: fmt.Errorf("larger than %d bytes: %w", submit.MaxForm, submit.ErrNotForm)}
	}
	if err != nil {
		return nil, &Error{Op: "form", Err: err}
	}
	return ParseForm(data)
}

// ParseForm reads a form document from JSON (pasted, or from a file).
func ParseForm(data []byte) (*submit.FormDocument, error) {
	if err := jsonx.CheckKeys(data); err != nil {
		return nil, &Error{Op: "form", Err: fmt.Errorf("%v: %w", err, submit.ErrNotForm)}
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	dec.DisallowUnknownFields() // the service refuses what it does not define
	var doc submit.FormDocument
	if err := dec.Decode(&doc); err != nil {
		return nil, &Error{Op: "form", Err: fmt.Errorf("not a JSON form document (%w): %w", err, submit.ErrNotForm)}
	}
	if doc.Procedure == "" {
		return nil, &Error{Op: "form: it names no procedure", Err: submit.ErrNotForm}
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
	h, _ := identity.HolderOf(cert)
	return h.Applicant()
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

// WriteForm writes the form as indented JSON to w.
func WriteForm(w io.Writer, doc *submit.FormDocument) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	if err := enc.Encode(doc); err != nil {
		return &Error{Op: "form", Err: err}
	}
	return nil
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
		return nil, &Error{Op: "form", Err: errors.New("larger than the service accepts")}
	}
	return buf.Bytes(), nil
}
