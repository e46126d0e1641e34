package ui

import (
	"strings"
	"testing"
	"unicode"
	"unicode/utf8"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/test"

	"github.com/shinsei-app/shinsei/flow"
	"github.com/shinsei-app/shinsei/i18n"
	"github.com/shinsei-app/shinsei/sandbox/service"
	"github.com/shinsei-app/shinsei/submit"
)

// englishShell is a bare shell in English; Japanese is back after the
// test.
func englishShell(t *testing.T) *shell {
	t.Helper()
	t.Cleanup(func() { useLanguage(i18n.Japanese) })
	return bareShell(t, Options{Settings: Settings{Lang: i18n.English}})
}

// drawnTexts are the texts drawn for o as laid out.
func drawnTexts(o fyne.CanvasObject) []string {
	var out []string
	for _, c := range test.LaidOutObjects(o) {
		if t, ok := c.(*canvas.Text); ok && strings.TrimSpace(t.Text) != "" {
			out = append(out, t.Text)
		}
	}
	return out
}

// japanese is a character of Japanese text: kanji, kana or full-width
// punctuation.
func japanese(s string) (rune, bool) {
	for _, r := range s {
		if unicode.In(r, unicode.Han, unicode.Hiragana, unicode.Katakana) || r == '・' || fullWidth.MatchString(string(r)) {
			return r, true
		}
	}
	return 0, false
}

func startsWithCapital(s string) bool {
	r, _ := utf8.DecodeRuneInString(s)
	return !unicode.IsLetter(r) || unicode.IsUpper(r)
}

func TestEveryFormOfTheCatalogueIsEnglishInEnglishWithCapitalisedLabelsAndEnglishChoices(t *testing.T) {
	s := englishShell(t)
	for _, proc := range service.Catalogue() {
		t.Run(proc.ID, func(t *testing.T) {
			p := flow.ProcedureInfo{Procedure: proc}
			s.draft = &draft{proc: p, form: flow.NewForm(p.Procedure)}
			s.showForm()
			f := s.form
			for _, o := range test.LaidOutObjects(f.box) {
				if form, ok := o.(*fieldForm); ok {
					for _, it := range form.Items {
						if !startsWithCapital(it.Text) {
							t.Errorf("the label %q starts with a small letter", it.Text)
						}
					}
				}
			}
			for _, fl := range proc.Form.Fields {
				if fl.Type != "choice" {
					continue
				}
				sel := f.fields[fl.Name].(*selectT)
				if strings.Join(sel.Options, "|") != strings.Join(fl.ChoicesEN, "|") {
					t.Errorf("%s offers %q, want the catalogue's English %q", fl.Name, sel.Options, fl.ChoicesEN)
				}
				sel.SetSelected(fl.ChoicesEN[1])
				f.collect()
				if got := f.d.form.Fields[fl.Name]; got != fl.Choices[1] {
					t.Errorf("choosing %q files %q for %s, want the catalogue's value %q", fl.ChoicesEN[1], got, fl.Name, fl.Choices[1])
				}
				// A form opened with the value shows it in English.
				f.d.form.Fields[fl.Name] = fl.Choices[2%len(fl.Choices)]
				f.load(f.d.form)
				if want := fl.ChoicesEN[2%len(fl.Choices)]; sel.Selected != want {
					t.Errorf("an opened form's %s shows %q, want %q", fl.Name, sel.Selected, want)
				}
			}
			// Nor in the errors of a form sent empty.
			for _, fl := range proc.Form.Fields {
				f.d.form.Fields[fl.Name] = nil
			}
			f.load(f.d.form)
			f.showProblems(f.validate())
			if len(f.problems.Objects) < 2 {
				t.Fatalf("an empty form shows %d lines of errors", len(f.problems.Objects))
			}
			// Nothing Japanese is drawn, the choices made included.
			for _, d := range drawnTexts(f.box) {
				if r, ok := japanese(d); ok {
					t.Errorf("the English form shows %q, with the Japanese %q", d, r)
				}
			}
		})
	}
}

func TestTheSandboxCatalogueGivesEveryChoiceInEnglish(t *testing.T) {
	for _, proc := range service.Catalogue() {
		for _, fl := range proc.Form.Fields {
			if fl.Type != "choice" {
				continue
			}
			if len(fl.ChoicesEN) != len(fl.Choices) {
				t.Errorf("%s.%s: %d English choices for %d", proc.ID, fl.Name, len(fl.ChoicesEN), len(fl.Choices))
			}
			seen := map[string]bool{}
			for _, c := range fl.ChoicesEN {
				if _, ja := japanese(c); ja || !startsWithCapital(c) || seen[c] {
					t.Errorf("%s.%s: the English choice %q is not a distinct capitalised English word", proc.ID, fl.Name, c)
				}
				seen[c] = true
			}
		}
	}
}

func TestEnglishMessagesAndTitlesUseALatinColonAndEnglishChoices(t *testing.T) {
	englishShell(t)
	title := lineTitle(flow.PrecheckLine{ID: flow.LineIdentity, Field: "name"})
	if strings.Contains(title, "：") || !strings.Contains(title, ": Name") {
		t.Errorf("the pre-check's identity line is titled %q in English", title)
	}
	var bulky submit.Procedure
	for _, p := range service.Catalogue() {
		if p.ID == service.ProcBulkyWaste {
			bulky = p
		}
	}
	doc := flow.NewForm(bulky)
	doc.Fields["place"] = "屋上"
	for _, pr := range flow.ValidateForm(doc, bulky, 0) {
		if pr.Field == "fields.place" {
			if en := pr.Message.En; !strings.Contains(en, "At the collection point") || strings.Contains(en, "集積所") {
				t.Errorf("a wrong choice says %q in English", en)
			}
			return
		}
	}
	t.Error("a choice the catalogue does not offer is not found wrong")
}

func TestThePrecheckShowsAChoiceInEnglishInEnglish(t *testing.T) {
	englishShell(t)
	var proc submit.Procedure
	for _, p := range service.Catalogue() {
		if p.ID == service.ProcBulkyWaste {
			proc = p
		}
	}
	d := &draft{proc: flow.ProcedureInfo{Procedure: proc}, form: flow.NewForm(proc)}
	d.form.Fields["place"] = "集積所"
	for _, r := range newSignedContent(d).rows {
		if r[0] == "Where the items will be put out" {
			if r[1] != "At the collection point" {
				t.Errorf("the pre-check shows the choice as %q in English", r[1])
			}
			return
		}
	}
	t.Error("the pre-check does not show the choice")
}

func TestEveryTabInEnglishShowsNoJapaneseButTheNameOfJapanese(t *testing.T) {
	s := englishShell(t)
	for i := 0; i <= tabHelp; i++ {
		s.tabs.SelectIndex(i)
		for _, d := range drawnTexts(s.win.Content()) {
			if r, ok := japanese(d); ok && d != "日本語" {
				t.Errorf("tab %d shows %q, with the Japanese %q", i, d, r)
			}
		}
	}
}
