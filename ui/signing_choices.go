package ui

import (
	"path/filepath"

	"github.com/shinsei-app/shinsei/flow"
)

// signingChoice is one credential a screen offers to sign with, by the
// name its button shows.
type signingChoice struct {
	name   string
	choice flow.CredentialChoice
}

// signingChoices are the cards that can sign and the certificate files
// found, in that order, for the screens that sign with a credential the
// user picks (batch signing, the power of attorney): a My Number card by
// that name, another token by its label, a file by its name.
func signingChoices(found *flow.FoundCredentials) []signingChoice {
	var out []signingChoice
	for _, t := range found.Tokens {
		if !t.Usable() {
			continue
		}
		name := t.Label
		if t.MyNumberCard {
			name = tr("cred.mynumber")
		}
		out = append(out, signingChoice{name, t.Choice()})
	}
	for _, f := range found.Files {
		out = append(out, signingChoice{filepath.Base(f.Path), f.Choice()})
	}
	return out
}
