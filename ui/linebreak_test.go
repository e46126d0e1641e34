package ui

import (
	"strings"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/theme"

	"github.com/shinsei-app/shinsei/i18n"
)

// jaSentences are representative sentences of the translations: long,
// with brackets, 、。, small kana and long vowels.
var jaSentences = []string{"pin.locked", "pin.final_warning", "account.intro", "form.prefill_after_pin",
	"settings.sandbox", "help.personal_note", "history.refused_intro", "pin.final_confirm", "precheck.red",
	"form.prefill_none_card", "history.intro", "settings.intro"}

// checkKinsoku fails for every line of lines that breaks a rule of
// Japanese line breaking or is wider than max.
func checkKinsoku(t *testing.T, name string, lines []string, max float32) {
	t.Helper()
	size := theme.TextSize()
	for i, line := range lines {
		if line == "" {
			t.Errorf("%s: line %d is empty", name, i+1)
			continue
		}
		if i > 0 && strings.ContainsRune(noLineStart, firstRune(line)) {
			t.Errorf("%s: line %d starts with %q: %q", name, i+1, firstRune(line), line)
		}
		if i < len(lines)-1 && strings.ContainsRune(noLineEnd, lastRune(line)) {
			t.Errorf("%s: line %d ends with %q: %q", name, i+1, lastRune(line), line)
		}
		if w := fyne.MeasureText(line, size, fyne.TextStyle{}).Width; w > max {
			t.Errorf("%s: line %d is %.0f wide, more than %.0f: %q", name, i+1, w, max, line)
		}
	}
}

func measureText(s string) float32 {
	return fyne.MeasureText(s, theme.TextSize(), fyne.TextStyle{}).Width
}

func TestJapaneseSentencesAreBrokenByTheRulesOfLineBreakingAtEveryWidth(t *testing.T) {
	test.NewTempApp(t).Settings().SetTheme(Theme{})
	useLanguage(i18n.Japanese)
	for _, width := range []float32{260, 480} {
		for _, key := range jaSentences {
			s := tr(key)
			lines := strings.Split(breakLines(s, width, measureText), "\n")
			if len(lines) < 2 {
				t.Errorf("%s at %.0f: one line %q; want it wrapped", key, width, lines[0])
			}
			if got := strings.Join(lines, ""); got != strings.ReplaceAll(s, " ", "") && got != s {
				t.Errorf("%s at %.0f: the lines read %q, want %q", key, width, got, s)
			}
			checkKinsoku(t, key, lines, width)
		}
	}
}

func TestAWordIsKeptWholeWhenABetterBreakIsOnTheLine(t *testing.T) {
	test.NewTempApp(t).Settings().SetTheme(Theme{})
	useLanguage(i18n.Japanese)
	s := "利用者証明用電子証明書の暗証番号を入力してから、署名用電子証明書のパスワードを入力してください。"
	for width := float32(150); width <= 600; width += 10 {
		lines := strings.Split(breakLines(s, width, measureText), "\n")
		checkKinsoku(t, "the sentence", lines, width)
		whole := false
		for _, l := range lines {
			whole = whole || strings.Contains(l, "暗証番号")
		}
		if !whole {
			t.Errorf("at %.0f, 暗証番号 is split: %q", width, lines)
		}
		for i := 1; i < len(lines); i++ {
			if lastRune(lines[i-1]) == '入' && firstRune(lines[i]) == '力' {
				t.Errorf("at %.0f, 入力 is split: %q", width, lines)
			}
		}
	}
}

func TestEnglishIsBrokenAtSpacesOnly(t *testing.T) {
	test.NewTempApp(t).Settings().SetTheme(Theme{})
	useLanguage(i18n.Japanese)
	s := "The signature password locks after five wrong tries (the card itself keeps working)."
	lines := strings.Split(breakLines(s, 200, measureText), "\n")
	words := strings.Fields(s)
	var got []string
	for _, l := range lines {
		got = append(got, strings.Fields(l)...)
	}
	if strings.Join(got, " ") != strings.Join(words, " ") || len(lines) < 2 {
		t.Errorf("the English lines %q are not the sentence's words", lines)
	}
	checkKinsoku(t, "English", lines, 200)
}

// drawnLines are the texts a canvas object draws, in order.
func drawnLines(t *testing.T, o fyne.CanvasObject) []string {
	var out []string
	switch v := o.(type) {
	case *canvas.Text:
		out = append(out, v.Text)
	case *fyne.Container:
		for _, c := range v.Objects {
			out = append(out, drawnLines(t, c)...)
		}
	case fyne.Widget:
		for _, c := range test.TempWidgetRenderer(t, v).Objects() {
			out = append(out, drawnLines(t, c)...)
		}
	}
	return out
}

func TestAWrappedLabelDrawsTheLinesOfJapaneseLineBreakingAndKeepsItsText(t *testing.T) {
	a := test.NewTempApp(t)
	a.Settings().SetTheme(Theme{})
	useLanguage(i18n.Japanese)
	for _, width := range []float32{300, 520} {
		for _, key := range jaSentences {
			l := wrapped(tr(key))
			w := a.NewWindow("")
			w.SetContent(container.NewVBox(l))
			w.Resize(fyne.NewSize(width, 400))
			w.Show()
			if l.Text != tr(key) {
				t.Errorf("%s: the label's text became %q", key, l.Text)
			}
			max := l.Size().Width - 2*theme.InnerPadding()
			lines := drawnLines(t, l)
			if len(lines) < 2 {
				t.Errorf("%s at %.0f: the label draws %q; want wrapped lines", key, width, lines)
			}
			checkKinsoku(t, key, lines, max)
			// A new text is broken again.
			l.SetText(tr("pin.final_warning"))
			checkKinsoku(t, key+" then pin.final_warning", drawnLines(t, l), max)
			if got := strings.Join(drawnLines(t, l), ""); got != tr("pin.final_warning") {
				t.Errorf("after SetText the label draws %q", got)
			}
			w.Close()
		}
	}
}

func TestAKatakanaWordWithALongVowelIsKeptWholeWhenABetterBreakIsOnTheLine(t *testing.T) {
	test.NewTempApp(t).Settings().SetTheme(Theme{})
	s := "このパソコンにはSoftHSMがないため、練習用の証明書ファイル（resident.p12、パスワード：sandbox）で署名します。"
	for width := float32(300); width <= 800; width += 10 {
		lines := strings.Split(breakLines(s, width, measureText), "\n")
		checkKinsoku(t, "the sentence", lines, width)
		for i := 1; i < len(lines); i++ {
			if a, b := lastRune(lines[i-1]), firstRune(lines[i]); kind(a) == 'k' && kind(b) == 'k' {
				t.Errorf("at %.0f, a katakana word is split: %q", width, lines)
			}
		}
	}
}
