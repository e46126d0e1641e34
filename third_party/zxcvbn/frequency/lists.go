package frequency

import (
	_ "embed"
	"strings"
)

// The lists, one word a line in rank order, as upstream generated them
// (build_frequency_lists.py) into Go literals (patched: embedded text, so
// that a program that imports the package holds the words once, not also
// 90,000 string headers; see ../PATCHED.md).
var (
	//go:embed lists/passwords.txt
	passwords string
	//go:embed lists/english_wikipedia.txt
	englishWikipedia string
	//go:embed lists/female_names.txt
	femaleNames string
	//go:embed lists/surnames.txt
	surnames string
	//go:embed lists/us_tv_and_film.txt
	usTVAndFilm string
	//go:embed lists/male_names.txt
	maleNames string
)

// FrequencyLists returns the frequency lists by name. A function (a
// map variable upstream), so that the lists are split only when used,
// not at package initialisation (patched; see ../PATCHED.md).
func FrequencyLists() map[string][]string {
	return map[string][]string{
		"passwords":         words(passwords),
		"english_wikipedia": words(englishWikipedia),
		"female_names":      words(femaleNames),
		"surnames":          words(surnames),
		"us_tv_and_film":    words(usTVAndFilm),
		"male_names":        words(maleNames),
	}
}

// words splits a list into its lines.
func words(list string) []string {
	return strings.Split(strings.TrimSuffix(list, "\n"), "\n")
}
