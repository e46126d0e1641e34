package flow_test

import (
	"github.com/shinsei-app/shinsei/explain"
	"github.com/shinsei-app/shinsei/i18n"
)

// explainOf is the table's message and hint for err.
func explainOf(err error) (message, hint i18n.Text) {
	e := explain.Of(err)
	return e.Message, e.Hint
}

// explainIn is explainOf in one language.
func explainIn(err error, lang i18n.Lang) (message, hint string) {
	m, h := explainOf(err)
	return m.In(lang), h.In(lang)
}
