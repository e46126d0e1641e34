package flow

import "github.com/shinsei-app/shinsei/i18n"

// Explain says in lang what went wrong and what to do, in the polite
// words of a municipal help desk, for any error a use case returns:
// those of flow, pkcs11, pcsc, signer, certcheck, identity and submit.
// The texts never contain a PIN, a password or personal data; an error
// it does not know gets a general message that asks the user to try again
// or contact the help desk (with the diagnostics).
func Explain(err error, lang i18n.Lang) (message, hint string) {
	m, h := Explanation(err)
	return m.In(lang), h.In(lang)
}

// Explanation is Explain in both languages.
func Explanation(err error) (message, hint i18n.Text) {
	return explain(err)
}
