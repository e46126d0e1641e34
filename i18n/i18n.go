// Package i18n holds the two languages Shinsei speaks to people and a text
// in both. The use cases (flow), the help-desk diagnosis, the error table
// and both surfaces share it; it imports nothing of the project and never
// decides anything from a text.
package i18n

// Lang is a language texts are rendered in.
type Lang string

// Languages of the texts.
const (
	Japanese Lang = "ja"
	English  Lang = "en"
)

// Text is a message in Japanese and English.
type Text struct {
	Ja string `json:"ja"`
	En string `json:"en"`
}

// In returns the message in lang (English for any language but Japanese).
func (t Text) In(lang Lang) string {
	if lang == Japanese {
		return t.Ja
	}
	return t.En
}

// IsZero reports whether the message is empty.
func (t Text) IsZero() bool { return t.Ja == "" && t.En == "" }
