package identity

import (
	"slices"
	"testing"

	"golang.org/x/text/unicode/norm"
)

func TestAddressesThatAHelpDeskWouldCallTheSameNormalizeAlike(t *testing.T) {
	for _, tc := range []struct {
		name string
		a, b string
	}{
		{"二丁目１番２号 and ２－１－２ are the same address", "霞が関二丁目１番２号", "霞が関２－１－２"},
		{"二丁目１番２号 and 2-1-2 are the same address", "霞が関二丁目１番２号", "霞が関2-1-2"},
		{"二丁目１番２号 and 二丁目1-2 are the same address", "霞が関二丁目１番２号", "霞が関二丁目1-2"},
		{"2丁目1番地2 and 2-1-2 are the same address", "霞が関2丁目1番地2", "霞が関2-1-2"},
		{"a hyphen written as U+2010 is a hyphen", "霞が関2\u20101\u20102", "霞が関2-1-2"},
		{"a hyphen written as a minus sign is a hyphen", "霞が関2−1−2", "霞が関2-1-2"},
		{"a hyphen written as an en dash is a hyphen", "霞が関2–1–2", "霞が関2-1-2"},
		{"a hyphen written as an em dash is a hyphen", "霞が関2—1—2", "霞が関2-1-2"},
		{"a hyphen written as a horizontal bar is a hyphen", "霞が関2―1―2", "霞が関2-1-2"},
		{"a hyphen written as a long-vowel mark is a hyphen", "霞が関２ー１ー２", "霞が関2-1-2"},
		{"a hyphen written as a half-width long-vowel mark is a hyphen", "霞が関2ｰ1ｰ2", "霞が関2-1-2"},
		{"a hyphen written as a small hyphen-minus is a hyphen", "霞が関2﹣1﹣2", "霞が関2-1-2"},
		{"a hyphen written as a box-drawing line is a hyphen", "霞が関2─1─2", "霞が関2-1-2"},
		{"kanji numerals with 十 read as a number", "銀座二十三丁目", "銀座23丁目"},
		{"positional kanji numerals read as a number", "三〇五号室", "305号室"},
		{"北一条西二丁目 is 北1条西2丁目", "札幌市中央区北一条西二丁目", "札幌市中央区北1条西2丁目"},
		{"1番地の2 is 1-2", "島立1番地の2", "島立1-2"},
		{"a space between numbers is a hyphen", "天神2-8-30 501", "天神２－８－３０－５０１"},
		{"霞が関, 霞ヶ関 and 霞ケ関 are one place", "霞ケ関", "霞ヶ関"},
		{"ヶ and が between kanji are one place", "霞が関", "霞ヶ関"},
		{"之, ノ and の between kanji are one place", "市ノ瀬", "市之瀬"},
		{"a long vowel written with a hyphen after katakana is a long vowel", "センタ－ビル", "センタービル"},
		{"an ideographic variation selector is ignored", "葛\U000E0100飾区", "葛飾区"},
		{"old kanji forms fold to new ones", "飛驒市", "飛騨市"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if a, b := NormalizeAddress(tc.a), NormalizeAddress(tc.b); a != b {
				t.Errorf("%q → %q but %q → %q", tc.a, a, tc.b, b)
			}
		})
	}
}

func TestAddressesThatDifferInContentStayDifferent(t *testing.T) {
	for _, tc := range []struct {
		name string
		a, b string
	}{
		{"another house number is another address", "霞が関2-1-2", "霞が関2-1-3"},
		{"2-12 is not 2-1-2", "霞が関2-12", "霞が関2-1-2"},
		{"21-2 is not 2-1-2", "霞が関21-2", "霞が関2-1-2"},
		{"a room number is not dropped", "天神2-8-30 501", "天神2-8-30"},
		{"一番町 is not 一町", "千代田区一番町", "千代田区一町"},
		{"センター is not センタ", "センター", "センタ"},
		{"千代田区 keeps its 千", "千代田区", "1000代田区"},
		{"the prefecture is not optional", "東京都千代田区", "千代田区"},
		{"斎 and 斉 are different kanji", "斎藤ビル", "斉藤ビル"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if a, b := NormalizeAddress(tc.a), NormalizeAddress(tc.b); a == b {
				t.Errorf("%q and %q both normalise to %q", tc.a, tc.b, a)
			}
		})
	}
}

func TestNamesNormalizeSpacesWidthAndLongVowels(t *testing.T) {
	for _, tc := range []struct {
		name string
		a, b string
	}{
		{"U+3000, an ASCII space and no space separate a name alike", "高橋　花子", "高橋 花子"},
		{"no separator at all is the same name", "高橋　花子", "高橋花子"},
		{"half-width katakana with a voiced mark is full-width katakana", "ｼﾞｮｰｼﾞ", "ジョージ"},
		{"a full-width hyphen used as a long vowel is a long vowel", "ジョ－ジ", "ジョージ"},
		{"Latin letters in full width are Latin letters", "ＳＭＩＴＨ　ＪＯＨＮ", "SMITH JOHN"},
		{"Latin letters in lower case are the registered capitals", "Smith John", "SMITH JOHN"},
		{"an old kanji form folds to the new one", "渡邊　健一", "渡辺　健一"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if a, b := NormalizeName(tc.a), NormalizeName(tc.b); a != b {
				t.Errorf("%q → %q but %q → %q", tc.a, a, tc.b, b)
			}
		})
	}
}

func TestKanjiNumeralsReadAsNumbers(t *testing.T) {
	for _, tc := range []struct {
		name, in, want string
	}{
		{"a single digit", "二", "2"},
		{"ten alone", "十", "10"},
		{"ten and a digit", "十五", "15"},
		{"tens", "二十三", "23"},
		{"a hundred and one", "百一", "101"},
		{"thousands", "千二百三十四", "1234"},
		{"positional digits with 〇", "一〇一", "101"},
		{"a lone 千 is a place name, not a number", "千", "千"},
		{"a lone 百 is a place name, not a number", "百", "百"},
		{"a run that is not a number stays", "十十", "十十"},
		{"〇 among multipliers is not a number", "二千〇五", "二千〇五"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := convertKanjiNumeralsString(tc.in); got != tc.want {
				t.Errorf("%q → %q, want %q", tc.in, got, tc.want)
			}
		})
	}
}

func TestKanjiVariantTable(t *testing.T) {
	seen := map[rune]bool{}
	for _, v := range kanjiVariants {
		if seen[v.old] {
			t.Errorf("U+%04X %c appears twice", v.old, v.old)
		}
		seen[v.old] = true
		if v.old == v.new {
			t.Errorf("U+%04X %c maps to itself", v.old, v.old)
		}
		for _, r := range []rune{v.old, v.new} {
			if s := string(r); norm.NFKC.String(s) != s {
				t.Errorf("U+%04X %c is not NFKC-stable: NFKC handles it, the table must not", r, r)
			}
		}
		if _, chained := kanjiVariantMap[v.new]; chained {
			t.Errorf("the new form %c of %c is itself an old form", v.new, v.old)
		}
		if v.example == "" {
			t.Errorf("%c has no example", v.old)
		}
	}
	for _, v := range kanjiVariants {
		t.Run(string(v.old)+" folds to "+string(v.new), func(t *testing.T) {
			r := matchText(FieldName, "田中　"+string(v.new)+"子", nil, "田中　"+string(v.old)+"子", nameSteps)
			if r.Outcome != OutcomeMatchNormalized || !slices.Equal(r.Normalized, []string{NormOldKanji}) {
				t.Errorf("got %v, want match-normalized [old-kanji]", r)
			}
			r = matchText(FieldName, "田中　"+string(v.old)+"子", nil, "田中　"+string(v.new)+"子", nameSteps)
			if r.Outcome != OutcomeMatchNormalized {
				t.Errorf("the other way round: got %v", r)
			}
		})
	}
}

func TestDashAndVariationSelectorSetsAreNFKCStable(t *testing.T) {
	for _, r := range []rune{'-', '\u2010', '\u2012', '\u2013', '\u2014', '\u2015', '\u2212', '\u2043', '\u2500', '\u2501', 'ー'} {
		if !isDash(r) {
			t.Errorf("U+%04X is not a dash", r)
		}
		if s := string(r); norm.NFKC.String(s) != s {
			t.Errorf("U+%04X is not NFKC-stable: the width step and the dash step would overlap", r)
		}
	}
	for _, r := range []rune{'－', '﹣', 'ｰ'} {
		if isDash(r) {
			t.Errorf("U+%04X belongs to NFKC, not to the dash step", r)
		}
	}
}

func TestSubstituteFlagsFollowTheirCharacterThroughNormalisation(t *testing.T) {
	// 髙 is the 19th character (index 18) of the certificate's address;
	// kanji numerals and markers before it shrink, the U+3000 before it
	// disappears, and the flag must still land on 高.
	cert := "大阪府大阪市北区梅田一丁目２番３号　高島ビル４０１"
	flags := make([]bool, len([]rune(cert)))
	flags[18] = true
	c, _ := normalize(newText(cert, flags), addressSteps, -1)
	var wild []rune
	for _, u := range c {
		if u.wild {
			wild = append(wild, u.r)
		}
	}
	if string(wild) != "高" {
		t.Fatalf("flagged characters after normalisation %q, want 高", string(wild))
	}
	for _, tc := range []struct {
		name, form string
		want       Outcome
	}{
		{"a character outside JIS X 0208 at the flagged position matches", "大阪府大阪市北区梅田1-2-3 𩸽島ビル401", OutcomeMatchNormalized},
		{"a JIS X 0208 character that is no variant at the flagged position does not match", "大阪府大阪市北区梅田1-2-3 佐島ビル401", OutcomeMismatch},
		{"a Latin letter at the flagged position does not match", "大阪府大阪市北区梅田1-2-3 X島ビル401", OutcomeMismatch},
		{"a missing character at the flagged position does not match", "大阪府大阪市北区梅田1-2-3 島ビル401", OutcomeMismatch},
		{"two characters at the flagged position do not match", "大阪府大阪市北区梅田1-2-3 髙髙島ビル401", OutcomeMismatch},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if r := matchText(FieldAddress, cert, flags, tc.form, addressSteps); r.Outcome != tc.want {
				t.Errorf("got %v, want %s", r, tc.want)
			}
		})
	}
}

func TestAWildcardStandsForOneCharacterEvenWhenNormalisationExpandsIt(t *testing.T) {
	// ㈱ becomes the three characters (株) under NFKC; flagged, it is still
	// one wildcard, matched by one form character or by its expansion.
	cert, flags := "山㈱田", []bool{false, true, false}
	for _, tc := range []struct {
		name, form string
		want       Outcome
	}{
		{"the same value with a trailing space", "山㈱田 ", OutcomeMatchNormalized},
		{"the expansion written out", "山(株)田", OutcomeMatchNormalized},
		{"one character the card could have held does not stand for it", "山X田", OutcomeMismatch},
		{"one character outside JIS X 0208", "山𠀋田", OutcomeMatchNormalized},
		{"two other characters", "山XY田", OutcomeMismatch},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if r := matchText(FieldName, cert, flags, tc.form, nameSteps); r.Outcome != tc.want {
				t.Errorf("got %v, want %s", r, tc.want)
			}
		})
	}
}

func TestCheckDigitOfTheCorporateNumber(t *testing.T) {
	for _, tc := range []struct {
		name string
		base []int
		want int
	}{
		{"a published corporate number (1180301018771) has check digit 1", []int{1, 8, 0, 3, 0, 1, 0, 1, 8, 7, 7, 1}, 1},
		{"the sandbox company's 010001999999 has check digit 7", []int{0, 1, 0, 0, 0, 1, 9, 9, 9, 9, 9, 9}, 7},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := checkDigit(tc.base); got != tc.want {
				t.Errorf("check digit %d, want %d", got, tc.want)
			}
		})
	}
}
