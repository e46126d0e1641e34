package identity

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"strings"

	"golang.org/x/text/unicode/norm"
)

// Applicant is the applicant block of a form: what the applicant wrote
// about themselves, to be compared with the certificate. Empty fields are
// "not given" and are not compared.
//
// In JSON "sex" may be a string or a number (1, 2). Formatting an Applicant
// with fmt or logging it with slog prints a placeholder, never the personal
// data.
type Applicant struct {
	// Name is the family and given name; the separator may be U+3000, an
	// ASCII space or absent.
	Name string `json:"name,omitempty"`
	// NameKana is the reading (フリガナ). The certificate holds no reading,
	// so it is never compared.
	NameKana string `json:"name_kana,omitempty"`
	// BirthDate is any format ParseDate reads: 1985-04-15, 昭和60年4月15日,
	// S60.4.15, 1985年4月15日, …
	BirthDate string `json:"birth_date,omitempty"`
	// Sex is 1/2 (3/9), 男/女, 男性/女性, male/female, m/f, …; see ParseSex.
	Sex     string `json:"sex,omitempty"`
	Address string `json:"address,omitempty"`

	// Corporate applicants.
	CorporateName       string `json:"corporate_name,omitempty"`
	CorporateNumber     string `json:"corporate_number,omitempty"`
	CorporateAddress    string `json:"corporate_address,omitempty"`
	RepresentativeName  string `json:"representative_name,omitempty"`
	RepresentativeTitle string `json:"representative_title,omitempty"`
}

// Format prints a placeholder: see Applicant.
func (a Applicant) Format(f fmt.State, _ rune) {
	_, _ = io.WriteString(f, "identity.Applicant{redacted}")
}

// LogValue logs a placeholder: see Applicant.
func (a Applicant) LogValue() slog.Value { return slog.StringValue("identity.Applicant{redacted}") }

// UnmarshalJSON reads an applicant block, accepting a number for "sex".
func (a *Applicant) UnmarshalJSON(b []byte) error {
	type plain Applicant
	var v struct {
		plain
		Sex json.RawMessage `json:"sex,omitempty"`
	}
	if err := json.Unmarshal(b, &v); err != nil {
		return fmt.Errorf("identity: applicant block: %w", redactJSONError(err))
	}
	*a = Applicant(v.plain)
	a.Sex = ""
	if raw := bytes.TrimSpace(v.Sex); len(raw) > 0 && !bytes.Equal(raw, []byte("null")) {
		var s string
		var n json.Number
		switch {
		case json.Unmarshal(raw, &s) == nil:
			a.Sex = s
		case json.Unmarshal(raw, &n) == nil:
			a.Sex = n.String()
		default:
			return errors.New("identity: applicant block: sex is neither a string nor a number")
		}
	}
	return nil
}

// redactJSONError keeps the kind of a JSON error but not the text, which
// can quote the input.
func redactJSONError(err error) error {
	var se *json.SyntaxError
	var te *json.UnmarshalTypeError
	switch {
	case errors.As(err, &se):
		return fmt.Errorf("invalid JSON at offset %d", se.Offset)
	case errors.As(err, &te):
		return fmt.Errorf("field %s has the wrong type", te.Field)
	}
	return errors.New("invalid JSON")
}

var sexWords = map[string]Sex{
	"1": SexMale, "男": SexMale, "男性": SexMale, "m": SexMale, "male": SexMale, "man": SexMale,
	"2": SexFemale, "女": SexFemale, "女性": SexFemale, "f": SexFemale, "female": SexFemale, "woman": SexFemale,
	"3": SexOther, "その他": SexOther, "other": SexOther, "x": SexOther,
	"9": SexNotStated, "不明": SexNotStated, "未回答": SexNotStated, "回答しない": SexNotStated,
	"記載なし": SexNotStated, "not stated": SexNotStated, "notstated": SexNotStated, "unknown": SexNotStated,
}

var errBadFormSex = errors.New("identity: the sex is not a recognised value")

// ParseSex reads the sex as written on a form: the codes 1, 2, 3, 9, the
// words 男/女, 男性/女性, その他, male/female/other, m/f (any case, full or
// half width, surrounding spaces ignored).
func ParseSex(s string) (Sex, error) {
	k := strings.ToLower(strings.TrimFunc(norm.NFKC.String(s), isSpaceLike))
	if v, ok := sexWords[k]; ok {
		return v, nil
	}
	return 0, errBadFormSex
}
