package ui

import (
	"unicode"
	"unicode/utf8"

	"github.com/shinsei-app/shinsei/flow"
	"github.com/shinsei-app/shinsei/i18n"
	"github.com/shinsei-app/shinsei/submit"
)

// colon joins a caption to what it names: 「：」 in Japanese, ": " in
// English.
func colon() string {
	if currentLanguage() == i18n.English {
		return ": "
	}
	return "："
}

// choiceLabel is the choice value v of fl as the screen shows it: in
// English where the catalogue gives the English choices.
func choiceLabel(fl submit.Field, v string) string {
	return fl.ChoiceLabel(v, currentLanguage() == i18n.English)
}

// choiceLabels are fl's choices as the screen offers them.
func choiceLabels(fl submit.Field) []string {
	out := make([]string, len(fl.Choices))
	for i, c := range fl.Choices {
		out[i] = choiceLabel(fl, c)
	}
	return out
}

// field is the catalogue's definition of the form's field name.
func (f *formScreen) field(name string) submit.Field {
	for _, fl := range f.d.proc.Form.Fields {
		if fl.Name == name {
			return fl
		}
	}
	return submit.Field{Name: name}
}

// applicantLabel is the label of an applicant-block field: flow's name
// for it, which in English is written for the middle of a sentence,
// with a capital as a label has.
func applicantLabel(name string) string {
	s := text(flow.ApplicantLabel(name))
	r, n := utf8.DecodeRuneInString(s)
	return string(unicode.ToUpper(r)) + s[n:]
}

// bullet begins an item of a list: 「・」 in Japanese, "• " in English.
func bullet() string {
	if currentLanguage() == i18n.English {
		return "• "
	}
	return "・"
}
