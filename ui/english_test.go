package ui

import (
	"encoding/json"
	"regexp"
	"strings"
	"testing"
	"unicode"
	"unicode/utf8"

	"github.com/shinsei-app/shinsei/assets"
)

// fullWidth is punctuation of Japanese text, out of place in English.
var fullWidth = regexp.MustCompile(`[：、。「」『』（）〜～！？　]`)

func TestEnglishTextsUseLatinPunctuationAndStartWithACapital(t *testing.T) {
	data, err := assets.Lang.ReadFile("lang/en.json")
	if err != nil {
		t.Fatal(err)
	}
	var raw map[string]json.RawMessage
	if err := json.Unmarshal(data, &raw); err != nil {
		t.Fatal(err)
	}
	n := 0
	for k, v := range raw {
		var s string
		if json.Unmarshal(v, &s) != nil {
			continue // a plural form of Fyne's
		}
		n++
		if m := fullWidth.FindString(s); m != "" {
			t.Errorf("en.json %s: %q has the full-width %q", k, s, m)
		}
		// Parts of a sentence ("What you need: your ID and password") and
		// a file's size in brackets stay small.
		if strings.HasPrefix(k, "needs.") || k == "precheck.content_unreadable" || strings.HasPrefix(s, "{{") {
			continue
		}
		if r, _ := utf8.DecodeRuneInString(s); unicode.IsLetter(r) && !unicode.IsUpper(r) {
			t.Errorf("en.json %s: %q starts with a small letter", k, s)
		}
	}
	if n < 200 {
		t.Fatalf("only %d English texts were read", n)
	}
}
