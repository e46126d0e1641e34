package ui

import (
	"sync"

	"fyne.io/fyne/v2/lang"

	"github.com/shinsei-app/shinsei/assets"
	"github.com/shinsei-app/shinsei/i18n"
)

var language struct {
	sync.Mutex
	loaded  bool
	current i18n.Lang
}

// useLanguage makes l the language of every string the app and Fyne's own
// dialogs show. Fyne picks its translation from the system locale, which
// on a resident's machine (or under Xvfb with LANG=C) need not be
// Japanese; so the chosen language's file is also loaded under the locale
// Fyne picked, which then answers every key in Japanese (ja.json holds
// Fyne's own words too: OK, キャンセル, 開く, …).
func useLanguage(l i18n.Lang) {
	if l != i18n.English {
		l = i18n.Japanese
	}
	language.Lock()
	defer language.Unlock()
	if !language.loaded {
		if err := lang.AddTranslationsFS(assets.Lang, "lang"); err != nil {
			panic("ui: the embedded translations do not load: " + err.Error())
		}
		language.loaded = true
	}
	data, err := assets.Lang.ReadFile("lang/" + string(l) + ".json")
	if err != nil {
		panic("ui: no translation for " + string(l))
	}
	if sys := lang.SystemLocale(); sys.LanguageString() != string(l) {
		if err := lang.AddTranslationsForLocale(data, sys); err != nil {
			panic("ui: " + err.Error())
		}
	}
	language.current = l
}

// currentLanguage is the language useLanguage chose, for texts that
// come from flow in both languages.
func currentLanguage() i18n.Lang {
	language.Lock()
	defer language.Unlock()
	if language.current == "" {
		return i18n.Japanese
	}
	return language.current
}

// tr returns the translation of key; data, if any, fills its {{.Name}}
// placeholders. A key missing from the files shows as the key itself (the
// tests make sure none is).
func tr(key string, data ...map[string]any) string {
	if len(data) > 0 {
		return lang.X(key, key, data[0])
	}
	return lang.X(key, key)
}

// text returns t in the current language.
func text(t i18n.Text) string { return t.In(currentLanguage()) }
