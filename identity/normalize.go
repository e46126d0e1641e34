package identity

import (
	"slices"
	"sort"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"
)

// Normalisation kinds reported in FieldResult.Normalized. They are
// machine-readable and stable; Explain turns them into Japanese or English.
const (
	// NormWidth: full-width and half-width forms and other compatibility
	// characters (Unicode NFKC): ２ and 2, ｶﾀｶﾅ and カタカナ, ㍼ and 昭和.
	NormWidth = "width"
	// NormSpace: U+3000, ASCII and other spaces, runs of them, and the
	// family/given-name separator being present or absent.
	NormSpace = "space"
	// NormDash: the hyphen, minus, dash, box-drawing and long-vowel
	// variants (‐ - − – — ― ─ ー), and in addresses 丁目, 番地, 番, 号 and
	// の written as hyphens: 二丁目１番２号 = ２－１－２ = 2-1-2 = 二丁目1-2.
	NormDash = "dash"
	// NormKanjiNumeral: kanji numerals (〇 一…九 十 百 千) and Arabic digits
	// in addresses and dates: 二十三 = 23, 一〇一 = 101.
	NormKanjiNumeral = "kanji-numeral"
	// NormLetterCase: upper and lower case of Latin letters (foreign
	// residents' names are registered in capitals: SMITH JOHN = Smith John).
	NormLetterCase = "letter-case"
	// NormOldKanji: old and new forms of the same kanji (旧字体・異体字),
	// from the table in variants.go: 髙 = 高, 澤 = 沢, 邊 = 辺.
	NormOldKanji = "old-kanji"
	// NormSubstitute: the certificate holds a substitute character
	// (代替文字) at a flagged position and the form has another character
	// there; flagged positions are wildcards for exactly one character.
	NormSubstitute = "substitute-character"
	// NormKanaVariant: in addresses, ヶ ケ ヵ が ガ between kanji (霞が関 =
	// 霞ヶ関 = 霞ケ関) and の ノ 之 between kanji (市ノ瀬 = 市の瀬).
	NormKanaVariant = "kana-variant"
	// NormVariationSelector: Ideographic Variation Sequences and other
	// variation selectors (U+FE00–FE0F, U+E0100–E01EF) are ignored.
	NormVariationSelector = "variation-selector"
	// NormCorporateAbbreviation: the abbreviated legal form of a company
	// name, in the same position: (株)・（株）・㈱ = 株式会社, (有) = 有限会社,
	// (同)・(合) = 合同会社, (一社) = 一般社団法人, …
	NormCorporateAbbreviation = "corporate-abbreviation"
	// NormCorporateNumberCheckDigit: the form gives the 13-digit corporate
	// number (法人番号: a valid check digit followed by the 12-digit
	// registration number) where the certificate holds the 12-digit
	// 会社法人等番号, or the other way round.
	NormCorporateNumberCheckDigit = "corporate-number-check-digit"
	// NormEraDate: the date of birth is written in a Japanese era (昭和60年,
	// S60) rather than as the Gregorian ISO date.
	NormEraDate = "era-date"
	// NormDateFormat: a Gregorian date in another notation than
	// YYYY-MM-DD (1985/4/15, 1985年4月15日, 19850415).
	NormDateFormat = "date-format"
	// NormSexLabel: the sex is written as a word (男, 女性, female) rather
	// than as the code the certificate holds, or as the other of the two
	// codes (3, 9) meaning "other / not stated".
	NormSexLabel = "sex-label"
)

// normOrder is the order in which normalisations are listed.
var normOrder = []string{
	NormWidth, NormSpace, NormLetterCase, NormDash, NormKanjiNumeral, NormOldKanji, NormSubstitute, NormKanaVariant,
	NormVariationSelector, NormCorporateAbbreviation, NormCorporateNumberCheckDigit, NormEraDate,
	NormDateFormat, NormSexLabel,
}

func sortNorms(s []string) []string {
	slices.SortStableFunc(s, func(a, b string) int { return slices.Index(normOrder, a) - slices.Index(normOrder, b) })
	return slices.Compact(s)
}

// unit is one character of a value under normalisation. It remembers the
// character of the original value it came from, so that the certificate's
// substitute-character flags, which index the certificate's characters,
// stay attached to the right place through every step.
type unit struct {
	r      rune
	src    int  // index of the original character
	wild   bool // a flagged substitute character of the certificate
	folded bool // changed by the kanji variant table; pre holds the rune before
	pre    rune
}

type text []unit

func newText(s string, flags []bool) text {
	t := make(text, 0, len(s))
	i := 0
	for _, r := range s {
		t = append(t, unit{r: r, src: i, wild: i < len(flags) && flags[i]})
		i++
	}
	return t
}

func (t text) String() string {
	var b strings.Builder
	for _, u := range t {
		b.WriteRune(u.r)
	}
	return b.String()
}

func (t text) sameRunes(o text) bool {
	return slices.EqualFunc(t, o, func(a, b unit) bool { return a.r == b.r })
}

func (u unit) original() rune {
	if u.folded {
		return u.pre
	}
	return u.r
}

// step is one normalisation; name is the kind reported when it was needed.
type step struct {
	name  string
	apply func(text) text
}

// The normalisation profiles. Each step changes only what no other step
// of its profile changes (the width step leaves spaces alone, the dash
// step only handles characters that NFKC leaves as they are, the variant
// table holds only NFKC-stable characters), so that leaving one step out
// shows whether it was needed.
var (
	nameSteps = []step{
		{NormVariationSelector, stripVariationSelectors},
		{NormSpace, removeSpaces},
		{NormWidth, nfkc},
		{NormLetterCase, upperLatin},
		{NormDash, func(t text) text { return dashes(t, false) }},
		{NormOldKanji, foldKanji},
	}
	addressSteps = []step{
		{NormVariationSelector, stripVariationSelectors},
		{NormSpace, addressSpaces},
		{NormWidth, nfkc},
		{NormLetterCase, upperLatin},
		{NormKanjiNumeral, kanjiNumerals},
		{NormDash, func(t text) text { return dashes(t, true) }},
		{NormKanaVariant, kanaVariants},
		{NormOldKanji, foldKanji},
	}
	corporateNameSteps = []step{
		{NormVariationSelector, stripVariationSelectors},
		{NormSpace, removeSpaces},
		{NormCorporateAbbreviation, corporateAbbreviations},
		{NormWidth, nfkc},
		{NormLetterCase, upperLatin},
		{NormDash, func(t text) text { return dashes(t, false) }},
		{NormOldKanji, foldKanji},
	}
	corporateNumberSteps = []step{
		{NormSpace, removeSpaces},
		{NormWidth, nfkc},
		{NormDash, removeDashes},
		{NormCorporateNumberCheckDigit, dropCheckDigit},
	}
)

const maxRounds = 8

// normalize applies steps (all but skip, -1 for none) until the text no
// longer changes. It also returns a bit set of the steps that changed it.
func normalize(t text, steps []step, skip int) (text, uint) {
	var changed uint
	for range maxRounds {
		before := t
		for i, s := range steps {
			if i == skip {
				continue
			}
			next := s.apply(t)
			if !next.sameRunes(t) {
				changed |= 1 << i
			}
			t = next
		}
		if t.sameRunes(before) {
			break
		}
	}
	return t, changed
}

// normalizeString is normalize for a plain string, for tests and fuzzing.
func normalizeString(s string, steps []step) string {
	t, _ := normalize(newText(s, nil), steps, -1)
	return t.String()
}

// NormalizeAddress returns the canonical form used to compare addresses:
// NFKC, no spaces (a space between two numbers becomes a hyphen), Arabic
// digits, 丁目/番地/番/号 as hyphens without a trailing one, ヶ for
// ケ/が between kanji, new kanji forms. It is meant for comparison and
// search keys, not for display.
func NormalizeAddress(s string) string { return normalizeString(s, addressSteps) }

// NormalizeName returns the canonical form used to compare personal names:
// NFKC, no spaces, Latin capitals, unified long-vowel marks, new kanji forms.
func NormalizeName(s string) string { return normalizeString(s, nameSteps) }

// compareTexts reports whether the normalised certificate value c equals
// the normalised form value f, treating each flagged character of c as a
// wildcard for the same character, a variant of it, or a character
// outside JIS X 0208 (fitsSubstitute), and whether a wildcard stood for a character that differs from
// the certificate's. A wildcard stands for one character of the
// certificate, so it matches as many form characters as that character
// became through normalisation, or the characters that one form character
// became (usually both are one).
func compareTexts(c, f text) (equal, substituted bool) {
	type key struct{ i, j int }
	type answer struct{ ok, subst bool }
	memo := make(map[key]answer)
	var match func(i, j int) (bool, bool)
	match = func(i, j int) (bool, bool) {
		for i < len(c) && !c[i].wild {
			if j >= len(f) || c[i].r != f[j].r {
				return false, false
			}
			i, j = i+1, j+1
		}
		if i == len(c) {
			return j == len(f), false
		}
		if a, ok := memo[key{i, j}]; ok {
			return a.ok, a.subst
		}
		e := i + 1
		for e < len(c) && c[e].wild && c[e].src == c[i].src {
			e++
		}
		best := answer{}
		if j < len(f) {
			n := 1
			for j+n < len(f) && f[j+n].src == f[j].src {
				n++
			}
			for _, n := range []int{e - i, n} {
				if j+n > len(f) || !fitsSubstitute(c[i:e], f[j:j+n]) {
					continue
				}
				ok, subst := match(e, j+n)
				if !ok {
					continue
				}
				subst = subst || !sameOriginal(c[i:e], f[j:j+n])
				if !best.ok || best.subst && !subst {
					best = answer{true, subst}
				}
			}
		}
		memo[key{i, j}] = best
		return best.ok, best.subst
	}
	return match(0, 0)
}

func sameOriginal(a, b text) bool {
	return slices.EqualFunc(a, b, func(x, y unit) bool { return x.original() == y.original() })
}

// upperLatin writes Latin letters in capitals.
func upperLatin(t text) text {
	out := make(text, len(t))
	copy(out, t)
	for i, u := range out {
		if !u.wild && unicode.Is(unicode.Latin, u.r) {
			out[i].r = unicode.ToUpper(u.r)
		}
	}
	return out
}

func isVariationSelector(r rune) bool {
	return (r >= 0xFE00 && r <= 0xFE0F) || (r >= 0xE0100 && r <= 0xE01EF)
}

func stripVariationSelectors(t text) text {
	return slices.DeleteFunc(slices.Clone(t), func(u unit) bool { return isVariationSelector(u.r) })
}

func removeSpaces(t text) text {
	return slices.DeleteFunc(slices.Clone(t), func(u unit) bool { return isSpaceLike(u.r) })
}

// addressSpaces removes spaces, except that a run of spaces between two
// numbers (２－１－２　１０１) becomes a hyphen.
func addressSpaces(t text) text {
	out := make(text, 0, len(t))
	for i := 0; i < len(t); {
		if !isSpaceLike(t[i].r) {
			out = append(out, t[i])
			i++
			continue
		}
		j := i
		for j < len(t) && isSpaceLike(t[j].r) {
			j++
		}
		if i > 0 && j < len(t) && isDigitLike(t[i-1].r) && isDigitLike(t[j].r) {
			out = append(out, unit{r: '-', src: t[i].src})
		}
		i = j
	}
	return out
}

func isDigitLike(r rune) bool { return unicode.IsDigit(r) || kanjiDigit(r) >= 0 }

func isASCIIDigit(r rune) bool { return r >= '0' && r <= '9' }

// nfkc applies Unicode NFKC to the runs of non-space characters, keeping
// track of which original characters each output character came from.
func nfkc(t text) text {
	out := make(text, 0, len(t))
	for i := 0; i < len(t); {
		if isSpaceLike(t[i].r) {
			out = append(out, t[i])
			i++
			continue
		}
		j := i
		for j < len(t) && !isSpaceLike(t[j].r) {
			j++
		}
		out = appendNFKC(out, t[i:j])
		i = j
	}
	return out
}

func appendNFKC(out, run text) text {
	b := make([]byte, 0, len(run)*3)
	offs := make([]int, 0, len(run))
	for _, u := range run {
		offs = append(offs, len(b))
		b = utf8.AppendRune(b, u.r)
	}
	if norm.NFKC.IsNormal(b) {
		return append(out, run...)
	}
	var it norm.Iter
	it.Init(norm.NFKC, b)
	for !it.Done() {
		start := it.Pos()
		seg := string(it.Next())
		end := it.Pos()
		first := sort.SearchInts(offs, start)
		last := sort.SearchInts(offs, end)
		if first >= len(run) {
			first = len(run) - 1
		}
		if last <= first {
			last = first + 1
		}
		in := run[first:last]
		if seg == in.String() {
			out = append(out, in...)
			continue
		}
		proto := unit{src: in[0].src}
		for _, u := range in {
			proto.wild = proto.wild || u.wild
		}
		for _, r := range seg {
			u := proto
			u.r = r
			out = append(out, u)
		}
	}
	return out
}

// kanjiDigit returns the value of a kanji digit (〇 一 … 九), or -1.
func kanjiDigit(r rune) int {
	switch r {
	case '〇':
		return 0
	case '一':
		return 1
	case '二':
		return 2
	case '三':
		return 3
	case '四':
		return 4
	case '五':
		return 5
	case '六':
		return 6
	case '七':
		return 7
	case '八':
		return 8
	case '九':
		return 9
	}
	return -1
}

func kanjiMultiplier(r rune) int {
	switch r {
	case '十':
		return 10
	case '百':
		return 100
	case '千':
		return 1000
	}
	return 0
}

func isKanjiNumeral(r rune) bool { return kanjiDigit(r) >= 0 || kanjiMultiplier(r) > 0 }

// kanjiValue reads a run of kanji numerals: positional (一〇一 = 101) when it
// has no 十百千, otherwise with multipliers (二十三 = 23, 千二百 = 1200).
func kanjiValue(rs []rune) (string, bool) {
	hasMul := slices.ContainsFunc(rs, func(r rune) bool { return kanjiMultiplier(r) > 0 })
	if !hasMul {
		var b strings.Builder
		for _, r := range rs {
			b.WriteByte(byte('0' + kanjiDigit(r)))
		}
		return b.String(), true
	}
	total, cur, lastMul := 0, -1, 10000
	for _, r := range rs {
		if d := kanjiDigit(r); d >= 0 {
			if cur != -1 || d == 0 {
				return "", false
			}
			cur = d
			continue
		}
		m := kanjiMultiplier(r)
		if m >= lastMul || cur == 0 {
			return "", false
		}
		lastMul = m
		if cur == -1 {
			cur = 1
		}
		total += cur * m
		cur = -1
	}
	if cur > 0 {
		total += cur
	}
	return strconv.Itoa(total), true
}

// kanjiNumerals replaces each run of kanji numerals by Arabic digits
// (北一条西二丁目 → 北1条西2丁目). Runs that touch a flagged character, that
// do not read as a number, or that are a lone 百 or 千 (千代田, 千葉, 百人町:
// place names, never a number in an address) stay.
func kanjiNumerals(t text) text {
	out := make(text, 0, len(t))
	for i := 0; i < len(t); {
		if !isKanjiNumeral(t[i].r) {
			out = append(out, t[i])
			i++
			continue
		}
		j := i
		wild := false
		var rs []rune
		for j < len(t) && isKanjiNumeral(t[j].r) {
			wild = wild || t[j].wild
			rs = append(rs, t[j].r)
			j++
		}
		v, ok := kanjiValue(rs)
		if lone := len(rs) == 1 && (rs[0] == '百' || rs[0] == '千'); wild || !ok || lone {
			out = append(out, t[i:j]...)
		} else {
			for _, r := range v {
				out = append(out, unit{r: r, src: t[i].src})
			}
		}
		i = j
	}
	return out
}

func convertKanjiNumeralsString(s string) string {
	return kanjiNumerals(newText(s, nil)).String()
}

// isDash reports the NFKC-stable hyphen, dash, minus, box-drawing and
// long-vowel characters people type for a hyphen. The full-width and small
// forms (－ ﹣ ｰ ﹘) are NFKC's business.
func isDash(r rune) bool {
	switch r {
	case '-', '\u2010', '\u2012', '\u2013', '\u2014', '\u2015', '\u2212', '\u2043', '\u2500', '\u2501', 'ー':
		return true
	}
	return false
}

func isKatakana(r rune) bool { return unicode.Is(unicode.Katakana, r) || r == 'ー' }

func at(t text, i int) rune {
	if i < 0 || i >= len(t) {
		return 0
	}
	return t[i].r
}

// dashes unifies hyphen-like characters. After a digit such a character is
// a hyphen (２ー１); ー after a katakana stays a long-vowel mark (センター2);
// another dash after a katakana and not before a digit is a long-vowel
// mark too (センタ－); every other one is "-". In addresses it
// also writes 丁目, 番地, 番 (not in 番町/番丁), 号 (not in 号室, 号棟, 号館,
// 号線, 号地) after a number, and の/ノ/之 between numbers, as hyphens, then
// collapses runs of hyphens and drops a hyphen that ends a number.
func dashes(t text, address bool) text {
	out := make(text, len(t))
	copy(out, t)
	for i, u := range out {
		if u.wild || !isDash(u.r) {
			continue
		}
		prev, next := at(t, i-1), at(t, i+1)
		switch {
		case isASCIIDigit(prev):
			out[i].r = '-'
		case u.r == 'ー' && (isKatakana(prev) || !isASCIIDigit(next)):
			// a long-vowel mark stays (センター, センター2)
		case u.r != 'ー' && isKatakana(prev) && !isASCIIDigit(next):
			out[i].r = 'ー'
		default:
			out[i].r = '-'
		}
	}
	if !address {
		return out
	}
	t, out = out, make(text, 0, len(out))
	for i := 0; i < len(t); i++ {
		u := t[i]
		afterNumber := len(out) > 0 && isASCIIDigit(out[len(out)-1].r)
		hyphen := unit{r: '-', src: u.src}
		switch {
		case u.wild:
		case afterNumber && u.r == '丁' && at(t, i+1) == '目' && !t[i+1].wild,
			afterNumber && u.r == '番' && at(t, i+1) == '地' && !t[i+1].wild:
			out = append(out, hyphen)
			i++
			continue
		case afterNumber && u.r == '番' && !strings.ContainsRune("町丁", at(t, i+1)),
			afterNumber && u.r == '号' && !strings.ContainsRune("室棟館線地", at(t, i+1)),
			strings.ContainsRune("のノ之", u.r) && len(out) > 0 && (afterNumber || out[len(out)-1].r == '-') &&
				isASCIIDigit(at(t, i+1)):
			out = append(out, hyphen)
			continue
		}
		out = append(out, u)
	}
	t, out = out, make(text, 0, len(out))
	for i, u := range t {
		if u.r == '-' && !u.wild {
			if len(out) > 0 && out[len(out)-1].r == '-' {
				continue // collapse a run
			}
			if len(out) > 0 && isASCIIDigit(out[len(out)-1].r) && !isASCIIDigit(at(t, i+1)) && at(t, i+1) != '-' {
				continue // a hyphen that ends a number: 2-1-2- or 2-1-2-ABCビル
			}
		}
		out = append(out, u)
	}
	return out
}

// kanaVariants writes ヶ for ヶ ケ ヵ が ガ and の for の ノ 之 between two kanji.
func kanaVariants(t text) text {
	out := make(text, len(t))
	copy(out, t)
	for i, u := range t {
		if u.wild || !unicode.Is(unicode.Han, at(t, i-1)) || !unicode.Is(unicode.Han, at(t, i+1)) {
			continue
		}
		switch u.r {
		case 'ケ', 'ヵ', 'が', 'ガ':
			out[i].r = 'ヶ'
		case 'ノ', '之':
			out[i].r = 'の'
		}
	}
	return out
}

func foldKanji(t text) text {
	out := make(text, len(t))
	copy(out, t)
	for i, u := range out {
		if n, ok := kanjiVariantMap[u.r]; ok {
			out[i].pre, out[i].r, out[i].folded = u.r, n, true
		}
	}
	return out
}

// corporateForms are the abbreviations of legal forms a company name may
// be written with, between ASCII or full-width parentheses.
var corporateForms = map[string]string{
	"株":   "株式会社",
	"有":   "有限会社",
	"同":   "合同会社",
	"合":   "合同会社",
	"名":   "合名会社",
	"資":   "合資会社",
	"一社":  "一般社団法人",
	"一財":  "一般財団法人",
	"公社":  "公益社団法人",
	"公財":  "公益財団法人",
	"特非":  "特定非営利活動法人",
	"NPO": "特定非営利活動法人",
	"医":   "医療法人",
	"社福":  "社会福祉法人",
	"学":   "学校法人",
	"宗":   "宗教法人",
}

// parenthesizedForms are the single-character forms: ㈱ ㈲ ㈴ ㈾.
var parenthesizedForms = map[rune]string{'㈱': "株式会社", '㈲': "有限会社", '㈴': "合名会社", '㈾': "合資会社"}

func corporateAbbreviations(t text) text {
	out := make(text, 0, len(t))
	emit := func(s string, src int) {
		for _, r := range s {
			out = append(out, unit{r: r, src: src})
		}
	}
	for i := 0; i < len(t); i++ {
		if full, ok := parenthesizedForms[t[i].r]; ok {
			emit(full, t[i].src)
			continue
		}
		if t[i].r == '(' || t[i].r == '（' {
			j := i + 1
			for j < len(t) && j-i <= 4 && t[j].r != ')' && t[j].r != '）' {
				j++
			}
			if j < len(t) && (t[j].r == ')' || t[j].r == '）') {
				if full, ok := corporateForms[t[i+1:j].String()]; ok {
					emit(full, t[i].src)
					i = j
					continue
				}
			}
		}
		out = append(out, t[i])
	}
	return out
}

func removeDashes(t text) text {
	return slices.DeleteFunc(slices.Clone(t), func(u unit) bool { return isDash(u.r) })
}

// dropCheckDigit turns a 13-digit corporate number with a valid check digit
// into the 12-digit registration number it is made from.
func dropCheckDigit(t text) text {
	if len(t) != 13 {
		return t
	}
	digits := make([]int, 13)
	for i, u := range t {
		if !isASCIIDigit(u.r) {
			return t
		}
		digits[i] = int(u.r - '0')
	}
	if checkDigit(digits[1:]) != digits[0] {
		return t
	}
	return slices.Clone(t[1:])
}

// checkDigit computes the check digit of a corporate number (法人番号) from
// the 12-digit base: 9 − (Σ Pn×Qn mod 9), Pn the n-th digit from the right,
// Qn 1 for odd n and 2 for even n.
func checkDigit(base []int) int {
	sum := 0
	for n := 1; n <= len(base); n++ {
		q := 1
		if n%2 == 0 {
			q = 2
		}
		sum += base[len(base)-n] * q
	}
	return 9 - sum%9
}
