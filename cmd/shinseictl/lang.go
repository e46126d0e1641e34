package main

import (
	"fmt"
	"os"
	"strings"

	"github.com/shinsei-app/shinsei/explain"
	"github.com/shinsei-app/shinsei/i18n"
)

// langFlag is the flag every command takes for the language of its
// messages, prompts and reports.
const langFlag = "lang"

// takeLang finds --lang (or -lang, --lang=ja) anywhere before "--" and
// returns the language it names, else the environment's, with args
// without it: run reads it before anything else, so that even a usage
// error is worded in the language asked for.
func takeLang(args []string) (i18n.Lang, []string, error) {
	var (
		value string
		given bool
		rest  = make([]string, 0, len(args))
	)
	for i := 0; i < len(args); i++ {
		a := args[i]
		if a == "--" {
			rest = append(rest, args[i:]...)
			break
		}
		name, v, hasValue := strings.Cut(strings.TrimLeft(a, "-"), "=")
		if !strings.HasPrefix(a, "-") || name != langFlag || strings.HasPrefix(a, "---") {
			rest = append(rest, a)
			continue
		}
		switch {
		case hasValue:
			value = v
		case i+1 < len(args):
			i++
			value = args[i]
		default:
			value = ""
		}
		given = true
	}
	if !given {
		return envLang(), rest, nil
	}
	switch value {
	case "ja":
		return i18n.Japanese, rest, nil
	case "en":
		return i18n.English, rest, nil
	}
	return envLang(), rest, &failure{code: exitUsage, err: fmt.Errorf("unknown language %q", value),
		hint: "give --lang ja or --lang en"}
}

// envLang is the language of the user's locale: LC_ALL, else LC_MESSAGES,
// else LANG; Japanese for a ja… locale, English otherwise.
func envLang() i18n.Lang {
	for _, v := range []string{"LC_ALL", "LC_MESSAGES", "LANG"} {
		if l := os.Getenv(v); l != "" {
			if strings.HasPrefix(l, "ja") {
				return i18n.Japanese
			}
			return i18n.English
		}
	}
	return i18n.English
}

// language returns the language the command's output is in.
func (s *stdio) language() i18n.Lang {
	if s.lang == "" {
		return i18n.English
	}
	return s.lang
}

// tr is the text in the command's language.
func (s *stdio) tr(ja, en string) string {
	return i18n.Text{Ja: ja, En: en}.In(s.language())
}

// explained is err as the command line reports it in lang: the exit code,
// the "error:" line and the "hint:" line. In English the error line is the
// core error's own words, as it always was, and the hint the table's
// command-line hint (or the command line's own for a flag or an operand).
// In Japanese both come from the table (package explain): the message and
// the command-line hint of the error, or of the command line's usage
// error when the table does not know a usage error of the command line.
func explained(err error, lang i18n.Lang) (code int, msg, hint string) {
	f := explainErr(err)
	if lang != i18n.Japanese || f.localized {
		return f.code, f.err.Error(), f.hint
	}
	e := explain.Of(err)
	if !explain.Known(err) && f.code == exitUsage {
		e = explain.Of(explain.ErrUsage)
	}
	return f.code, e.Message.Ja, e.CommandHint().Ja
}
