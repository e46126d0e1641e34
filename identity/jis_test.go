package identity

import "testing"

func TestJISX0208MembershipIsWhatACertificateCanHold(t *testing.T) {
	for _, tc := range []struct {
		name string
		r    rune
		want bool
	}{
		{"高 is in JIS X 0208", '高', true},
		{"佐 is in JIS X 0208", '佐', true},
		{"齋 (level 2) is in JIS X 0208", '齋', true},
		{"an ASCII letter can be held", 'X', true},
		{"a half-width katakana can be held", 'ｱ', true},
		{"the ideographic space is in JIS X 0208", '　', true},
		{"髙 (an IBM extension) is not", '髙', false},
		{"﨑 (an IBM extension) is not", '﨑', false},
		{"𠮷 (outside the BMP) is not", '𠮷', false},
		{"① (an NEC special character) is not", '①', false},
		{"𩸽 (JIS X 0213 only) is not", '𩸽', false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := inJISX0208(tc.r); got != tc.want {
				t.Errorf("inJISX0208(%q) = %v, want %v", tc.r, got, tc.want)
			}
		})
	}
}

func TestAFlaggedSubstituteStandsOnlyForItsVariantOrACharacterTheCardCannotHold(t *testing.T) {
	// The card holds 高 in place of the registered character and flags it.
	cert, flags := "高橋　花子", []bool{true, false, false, false, false}
	for _, tc := range []struct {
		name, form string
		want       Outcome
	}{
		{"the registered 髙 matches", "髙橋　花子", OutcomeMatchNormalized},
		{"the substitute itself matches", "高橋　花子", OutcomeMatch},
		{"a Latin X does not pass for 高橋", "X橋　花子", OutcomeMismatch},
		{"佐 does not pass for 高橋", "佐橋　花子", OutcomeMismatch},
		{"a full-width Ｘ does not pass either", "Ｘ橋　花子", OutcomeMismatch},
		{"another character outside JIS X 0208 matches, as the card would substitute it", "𠮷橋　花子", OutcomeMatchNormalized},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if r := matchText(FieldName, cert, flags, tc.form, nameSteps); r.Outcome != tc.want {
				t.Errorf("got %v, want %s", r, tc.want)
			}
		})
	}
	t.Run("a flagged 崎 matches the variant 﨑 and 嵜 but not 埼", func(t *testing.T) {
		cert, flags := "山崎　太郎", []bool{false, true, false, false, false}
		for form, want := range map[string]Outcome{"山﨑　太郎": OutcomeMatchNormalized, "山嵜　太郎": OutcomeMatchNormalized, "山埼　太郎": OutcomeMismatch} {
			if r := matchText(FieldName, cert, flags, form, nameSteps); r.Outcome != want {
				t.Errorf("%s: got %v, want %s", form, r, want)
			}
		}
	})
	t.Run("a flagged 辺 matches 邊 and 邉, a flagged 斎 matches 齋 but not 齊", func(t *testing.T) {
		for _, tc := range []struct {
			cert  string
			flags []bool
			form  string
			want  Outcome
		}{
			{"渡辺　一郎", []bool{false, true, false, false, false}, "渡邊　一郎", OutcomeMatchNormalized},
			{"渡辺　一郎", []bool{false, true, false, false, false}, "渡邉　一郎", OutcomeMatchNormalized},
			{"斎藤　一郎", []bool{true, false, false, false, false}, "齋藤　一郎", OutcomeMatchNormalized},
			{"斎藤　一郎", []bool{true, false, false, false, false}, "齊藤　一郎", OutcomeMismatch},
			{"浜田　一郎", []bool{true, false, false, false, false}, "濱田　一郎", OutcomeMatchNormalized},
			{"徳永　一郎", []bool{true, false, false, false, false}, "德永　一郎", OutcomeMatchNormalized},
		} {
			if r := matchText(FieldName, tc.cert, tc.flags, tc.form, nameSteps); r.Outcome != tc.want {
				t.Errorf("%s for %s: got %v, want %s", tc.form, tc.cert, r, tc.want)
			}
		}
	})
}
