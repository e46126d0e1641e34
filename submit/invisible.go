package submit

import "unicode"

// IsInvisible reports whether r is a character that shows as nothing and
// so can make two texts look alike that are not: a format character
// (Unicode category Cf: zero-width spaces and joiners, bidirectional
// controls, the byte-order mark, invisible operators and tags) or a
// filler that Unicode counts as a letter (the Hangul fillers, the
// half-width Hangul filler, the braille blank). A form field or a
// password holding one is refused. Variation selectors, which choose a
// kanji's glyph, are not among them.
func IsInvisible(r rune) bool {
	switch r {
	case '\u115F', '\u1160', '\u3164', '\uFFA0', '\u2800':
		return true
	}
	return unicode.Is(unicode.Cf, r)
}
