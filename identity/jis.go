package identity

import (
	"unicode/utf8"

	"golang.org/x/text/encoding/japanese"
)

// inJISX0208 reports whether r is a character a certificate can hold as
// it is: ASCII, a half-width katakana (JIS X 0201, held in full width) or
// a character of JIS X 0208 proper. The card keeps any other character
// as a flagged substitute (代替文字); the NEC and IBM extensions that
// EUC-JP encoders put in rows 13 and 89–92 are outside JIS X 0208, and so
// are JIS X 0212 and the characters EUC-JP cannot encode at all.
func inJISX0208(r rune) bool {
	if r < utf8.RuneSelf {
		return true
	}
	var buf [utf8.UTFMax]byte
	n := utf8.EncodeRune(buf[:], r)
	enc, err := japanese.EUCJP.NewEncoder().Bytes(buf[:n])
	if err != nil {
		return false
	}
	switch {
	case len(enc) == 2 && enc[0] == 0x8E: // JIS X 0201 katakana
		return true
	case len(enc) == 2:
		row := int(enc[0]) - 0xA0
		return row >= 1 && row <= 8 || row >= 16 && row <= 84
	}
	return false // JIS X 0212 (0x8F) or anything else
}

// fitsSubstitute reports whether the form's characters f may stand where
// the certificate holds the flagged substitute c: they are the same
// character after normalisation (the same, or a variant the kanji table
// folds together), or each is a character the certificate could not have
// held, outside JIS X 0208. A character the card could hold is not one it
// would have replaced, so 佐 or X never stands for a substitute.
func fitsSubstitute(c, f text) bool {
	if len(f) == 0 {
		return false
	}
	if len(c) == len(f) {
		same := true
		for k := range c {
			if c[k].r != f[k].r {
				same = false
				break
			}
		}
		if same {
			return true
		}
	}
	for _, u := range f {
		if inJISX0208(u.original()) {
			return false
		}
	}
	return true
}
