package identity

import (
	"fmt"
	"io"
	"log/slog"
	"strings"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"
)

// maxValueRunes bounds the length of a value that is compared: a JPKI
// address has at most 200 characters, and normalisation is linear but not
// free. Longer form values are reported as unreadable.
const maxValueRunes = 1000

// Outcome is the result of comparing one field, or of a whole check.
type Outcome string

// The outcomes.
const (
	// OutcomeMatch: the form's value is the certificate's value as written.
	OutcomeMatch Outcome = "match"
	// OutcomeMatchNormalized: the values are the same once differences of
	// representation are removed; FieldResult.Normalized lists which.
	OutcomeMatchNormalized Outcome = "match-normalized"
	// OutcomeMismatch: the values differ in content, the form's value cannot
	// be read, or the certificate does not hold the field; see Reason.
	OutcomeMismatch Outcome = "mismatch"
	// OutcomeNotGiven: the form leaves the field empty; it was not compared.
	OutcomeNotGiven Outcome = "not-given"
)

// Reason says why a field is a mismatch.
type Reason string

// The reasons for a mismatch.
const (
	// ReasonDifferent: both values are there and differ in content.
	ReasonDifferent Reason = "different"
	// ReasonUnreadable: the form's value cannot be read as a date, a sex
	// or a corporate number, or is too long (over 1000 characters) to be
	// a name or an address.
	ReasonUnreadable Reason = "unreadable"
	// ReasonNotInCertificate: the form gives a value the certificate does
	// not hold.
	ReasonNotInCertificate Reason = "not-in-certificate"
)

// Field names used in FieldResult.Field (the JSON keys of Applicant).
const (
	FieldName                = "name"
	FieldBirthDate           = "birth_date"
	FieldSex                 = "sex"
	FieldAddress             = "address"
	FieldCorporateName       = "corporate_name"
	FieldCorporateNumber     = "corporate_number"
	FieldCorporateAddress    = "corporate_address"
	FieldRepresentativeName  = "representative_name"
	FieldRepresentativeTitle = "representative_title"
)

// FieldResult is the comparison of one field.
//
// Certificate and Form hold the two values so that the UI can show them to
// the person they belong to: the certificate's value as encoded (the date
// of birth as YYYY-MM-DD, the sex as its code) and the form's value as
// written. They are personal data: String, Format and LogValue leave them
// out, and Redacted clears them; only Explain and JSON encoding show them.
type FieldResult struct {
	Field   string  `json:"field"`
	Outcome Outcome `json:"outcome"`
	// Normalized lists the normalisations that were needed (the Norm…
	// constants), for OutcomeMatchNormalized.
	Normalized  []string `json:"normalized,omitempty"`
	Reason      Reason   `json:"reason,omitempty"`
	Certificate string   `json:"certificate,omitempty"`
	Form        string   `json:"form,omitempty"`
}

// String describes the outcome without the values, for logs:
// "address: mismatch (different)", "name: match-normalized [space substitute-character]".
func (f FieldResult) String() string {
	var b strings.Builder
	b.WriteString(f.Field)
	b.WriteString(": ")
	b.WriteString(string(f.Outcome))
	if f.Reason != "" {
		fmt.Fprintf(&b, " (%s)", f.Reason)
	}
	if len(f.Normalized) > 0 {
		fmt.Fprintf(&b, " %v", f.Normalized)
	}
	return b.String()
}

// Format prints String for every verb, so that fmt never shows the values.
func (f FieldResult) Format(s fmt.State, _ rune) { _, _ = io.WriteString(s, f.String()) }

// LogValue logs the field without its values.
func (f FieldResult) LogValue() slog.Value {
	attrs := []slog.Attr{slog.String("field", f.Field), slog.String("outcome", string(f.Outcome))}
	if f.Reason != "" {
		attrs = append(attrs, slog.String("reason", string(f.Reason)))
	}
	if len(f.Normalized) > 0 {
		attrs = append(attrs, slog.Any("normalized", f.Normalized))
	}
	return slog.GroupValue(attrs...)
}

// Result is the identity check (本人性確認) of a form against a certificate.
//
// Result holds personal data (the values in Fields). String, Format (every
// fmt verb) and LogValue are redacted: they give the outcomes, reasons and
// normalisations, never a value, and are what logs and error texts may
// use. Redacted returns a copy without values, for JSON logs or reports
// that leave the user's machine. JSON encoding of a Result and Explain
// include the values: they are for the user's own screen.
type Result struct {
	Overall Outcome       `json:"overall"`
	Fields  []FieldResult `json:"fields"`
}

// OK reports whether every given field matched (exactly or after
// normalisation) and at least one was given.
func (r Result) OK() bool {
	return r.Overall == OutcomeMatch || r.Overall == OutcomeMatchNormalized
}

// Field returns the result for a field name.
func (r Result) Field(name string) (FieldResult, bool) {
	for _, f := range r.Fields {
		if f.Field == name {
			return f, true
		}
	}
	return FieldResult{}, false
}

// Mismatches returns the fields that do not match.
func (r Result) Mismatches() []FieldResult {
	var out []FieldResult
	for _, f := range r.Fields {
		if f.Outcome == OutcomeMismatch {
			out = append(out, f)
		}
	}
	return out
}

// String is redacted: "identity: mismatch; name: match; address: mismatch (different); …".
func (r Result) String() string {
	parts := []string{"identity: " + string(r.Overall)}
	for _, f := range r.Fields {
		parts = append(parts, f.String())
	}
	return strings.Join(parts, "; ")
}

// Format prints String for every verb (%v, %+v, %#v, %s, …).
func (r Result) Format(s fmt.State, _ rune) { _, _ = io.WriteString(s, r.String()) }

// LogValue logs the result without values.
func (r Result) LogValue() slog.Value {
	attrs := []slog.Attr{slog.String("overall", string(r.Overall))}
	for _, f := range r.Fields {
		attrs = append(attrs, slog.Attr{Key: f.Field, Value: f.LogValue()})
	}
	return slog.GroupValue(attrs...)
}

// Redacted returns a copy of r with the Certificate and Form values removed.
func (r Result) Redacted() Result {
	out := Result{Overall: r.Overall, Fields: make([]FieldResult, len(r.Fields))}
	for i, f := range r.Fields {
		f.Certificate, f.Form = "", ""
		f.Normalized = append([]string(nil), f.Normalized...)
		out.Fields[i] = f
	}
	return out
}

// Explain returns the explanation of every field, one per line, in
// Japanese for lang "ja" (or "ja-JP", …) and in English otherwise. It
// includes the values: show it only to the user they belong to.
func (r Result) Explain(lang string) string {
	lines := make([]string, 0, len(r.Fields))
	for _, f := range r.Fields {
		lines = append(lines, f.Explain(lang))
	}
	return strings.Join(lines, "\n")
}

func overall(fields []FieldResult) Outcome {
	out := OutcomeNotGiven
	for _, f := range fields {
		switch f.Outcome {
		case OutcomeMismatch:
			return OutcomeMismatch
		case OutcomeMatchNormalized:
			out = OutcomeMatchNormalized
		case OutcomeMatch:
			if out == OutcomeNotGiven {
				out = OutcomeMatch
			}
		}
	}
	return out
}

// MatchPerson compares the applicant block of a form with the four
// attributes of a JPKI signature certificate: name, date of birth, sex,
// address, in that order. NameKana and the corporate fields are ignored. A
// nil p is treated as a certificate holding nothing.
//
// The comparison is strict about content and lenient about representation:
// it removes differences a municipal help desk would not count (widths,
// spaces, letter case, hyphen and long-vowel variants, 丁目/番地/号 against hyphens,
// kanji numerals, old and new kanji forms, ヶ/ケ/が in place names, era and
// Gregorian dates, the certificate's substitute characters as wildcards),
// and nothing else. In particular the address must be complete: a form
// that leaves out the prefecture, the city or the building does not match,
// even when everything else does. Overall is OutcomeMismatch when any
// field is, OutcomeNotGiven when the form gives none of the four.
func MatchPerson(p *Person, a Applicant) Result {
	if p == nil {
		p = &Person{}
	}
	fields := []FieldResult{
		matchText(FieldName, p.Name, p.NameFlags, a.Name, nameSteps),
		matchBirthDate(p.BirthDate, a.BirthDate),
		matchSex(p.Sex, a.Sex),
		matchText(FieldAddress, p.Address, p.AddressFlags, a.Address, addressSteps),
	}
	return Result{Overall: overall(fields), Fields: fields}
}

// MatchCorporation compares the corporate fields of the applicant block
// with a commercial-registry certificate: corporate name, corporate number,
// head-office address, representative's name and title, in that order,
// with the same strict-content, lenient-representation rules as
// MatchPerson. The corporate name also accepts the abbreviated legal form
// in the same place ((株)サンドボックス商事 = 株式会社サンドボックス商事, but
// not サンドボックス商事株式会社), and the corporate number accepts the
// 13-digit 法人番号 when its check digit is right. A nil c is treated as a
// certificate holding nothing.
func MatchCorporation(c *Corporation, a Applicant) Result {
	if c == nil {
		c = &Corporation{}
	}
	fields := []FieldResult{
		matchText(FieldCorporateName, c.Name, nil, a.CorporateName, corporateNameSteps),
		matchCorporateNumber(c.Number, a.CorporateNumber),
		matchText(FieldCorporateAddress, c.Address, nil, a.CorporateAddress, addressSteps),
		matchText(FieldRepresentativeName, c.RepresentativeName, nil, a.RepresentativeName, nameSteps),
		matchText(FieldRepresentativeTitle, c.RepresentativeTitle, nil, a.RepresentativeTitle, nameSteps),
	}
	return Result{Overall: overall(fields), Fields: fields}
}

func isBlank(s string) bool { return strings.TrimFunc(s, isSpaceLike) == "" }

// matchText compares a certificate value (with its substitute flags) and a
// form value through a normalisation profile. The normalisations reported
// are those the match needed: leaving any one of them out makes the two
// values differ.
func matchText(field, cert string, flags []bool, form string, steps []step) FieldResult {
	fr := FieldResult{Field: field, Certificate: cert, Form: form}
	switch {
	case isBlank(form):
		fr.Outcome = OutcomeNotGiven
		return fr
	case cert == "":
		fr.Outcome, fr.Reason = OutcomeMismatch, ReasonNotInCertificate
		return fr
	case cert == form:
		fr.Outcome = OutcomeMatch
		return fr
	case utf8.RuneCountInString(form) > maxValueRunes || utf8.RuneCountInString(cert) > maxValueRunes:
		fr.Outcome, fr.Reason = OutcomeMismatch, ReasonUnreadable
		return fr
	}
	c0, f0 := newText(cert, flags), newText(form, nil)
	c, cChanged := normalize(c0, steps, -1)
	f, fChanged := normalize(f0, steps, -1)
	equal, substituted := compareTexts(c, f)
	if !equal {
		fr.Outcome, fr.Reason = OutcomeMismatch, ReasonDifferent
		return fr
	}
	var used []string
	if substituted {
		used = append(used, NormSubstitute)
	}
	needed := 0
	for i, s := range steps {
		ci, _ := normalize(c0, steps, i)
		fi, _ := normalize(f0, steps, i)
		if ok, _ := compareTexts(ci, fi); !ok {
			used = append(used, s.name)
			needed++
		}
	}
	if needed == 0 && !substituted {
		// Two steps could each do the job alone: name every step that
		// changed either value.
		for i, s := range steps {
			if (cChanged|fChanged)&(1<<i) != 0 {
				used = append(used, s.name)
			}
		}
	}
	fr.Outcome, fr.Normalized = OutcomeMatchNormalized, sortNorms(used)
	return fr
}

func matchBirthDate(cert BirthDate, form string) FieldResult {
	fr := FieldResult{Field: FieldBirthDate, Form: form}
	if !cert.Date.IsZero() {
		fr.Certificate = cert.ISO()
	}
	switch {
	case isBlank(form):
		fr.Outcome = OutcomeNotGiven
		return fr
	case cert.Date.IsZero():
		fr.Outcome, fr.Reason = OutcomeMismatch, ReasonNotInCertificate
		return fr
	}
	t, used, err := parseFormDate(form)
	switch {
	case err != nil:
		fr.Outcome, fr.Reason = OutcomeMismatch, ReasonUnreadable
	case !t.Equal(cert.Date):
		fr.Outcome, fr.Reason = OutcomeMismatch, ReasonDifferent
	case len(used) == 0:
		fr.Outcome = OutcomeMatch
	default:
		fr.Outcome, fr.Normalized = OutcomeMatchNormalized, sortNorms(used)
	}
	return fr
}

func matchSex(cert Sex, form string) FieldResult {
	fr := FieldResult{Field: FieldSex, Form: form}
	if cert.Valid() {
		fr.Certificate = cert.Code()
	}
	switch {
	case isBlank(form):
		fr.Outcome = OutcomeNotGiven
		return fr
	case !cert.Valid():
		fr.Outcome, fr.Reason = OutcomeMismatch, ReasonNotInCertificate
		return fr
	}
	s, err := ParseSex(form)
	switch {
	case err != nil:
		fr.Outcome, fr.Reason = OutcomeMismatch, ReasonUnreadable
	case s.category() != cert.category():
		fr.Outcome, fr.Reason = OutcomeMismatch, ReasonDifferent
	case form == cert.Code():
		fr.Outcome = OutcomeMatch
	default:
		var used []string
		trimmed := strings.TrimFunc(form, isSpaceLike)
		if trimmed != form {
			used = append(used, NormSpace)
		}
		if n := norm.NFKC.String(trimmed); s != cert || n != cert.Code() {
			used = append(used, NormSexLabel)
		} else if n != trimmed {
			used = append(used, NormWidth)
		}
		fr.Outcome, fr.Normalized = OutcomeMatchNormalized, sortNorms(used)
	}
	return fr
}

func matchCorporateNumber(cert, form string) FieldResult {
	fr := matchText(FieldCorporateNumber, cert, nil, form, corporateNumberSteps)
	if fr.Outcome == OutcomeMismatch && fr.Reason == ReasonDifferent {
		f, _ := normalize(newText(form, nil), corporateNumberSteps, -1)
		if len(f) != 12 && len(f) != 13 || strings.ContainsFunc(f.String(), func(r rune) bool { return !isASCIIDigit(r) }) {
			fr.Reason = ReasonUnreadable
		}
	}
	return fr
}
