package identity

import (
	"fmt"
	"strings"
	"time"
)

type phrase struct{ ja, en string }

func (p phrase) in(ja bool) string {
	if ja {
		return p.ja
	}
	return p.en
}

var fieldLabels = map[string]phrase{
	FieldName:                {"氏名", "name"},
	FieldBirthDate:           {"生年月日", "date of birth"},
	FieldSex:                 {"性別", "sex"},
	FieldAddress:             {"住所", "address"},
	FieldCorporateName:       {"商号（法人名）", "corporate name"},
	FieldCorporateNumber:     {"会社法人等番号", "corporate number"},
	FieldCorporateAddress:    {"本店所在地", "head-office address"},
	FieldRepresentativeName:  {"代表者の氏名", "representative's name"},
	FieldRepresentativeTitle: {"代表者の資格", "representative's title"},
}

// fieldAdvice says what to do when a field does not match.
var fieldAdvice = map[string]phrase{
	FieldName: {"マイナンバーカードに記録された氏名で入力してください。",
		"Please enter your name exactly as recorded on your My Number card."},
	FieldBirthDate: {"マイナンバーカードに記録された生年月日で入力してください。",
		"Please enter your date of birth as recorded on your My Number card."},
	FieldSex: {"マイナンバーカードに記録された性別で入力してください。",
		"Please enter your sex as recorded on your My Number card."},
	FieldAddress: {"マイナンバーカードに記録された住所を、都道府県から省略せずに入力してください。転居などで住所が変わった場合は、お住まいの市区町村の窓口で電子証明書の再発行を受けてください。",
		"Please enter your full address, from the prefecture on, as recorded on your My Number card. If you have moved, please have the certificate reissued at your municipal office."},
	FieldCorporateName: {"登記されている商号（法人名）で入力してください。",
		"Please enter the corporate name as registered."},
	FieldCorporateNumber: {"登記されている12桁の会社法人等番号、または13桁の法人番号で入力してください。",
		"Please enter the 12-digit registration number (会社法人等番号) or the 13-digit corporate number (法人番号) as registered."},
	FieldCorporateAddress: {"登記されている本店所在地を、都道府県から省略せずに入力してください。",
		"Please enter the full head-office address, from the prefecture on, as registered."},
	FieldRepresentativeName: {"電子証明書に記録された代表者の氏名で入力してください。",
		"Please enter the representative's name as recorded in the certificate."},
	FieldRepresentativeTitle: {"電子証明書に記録された代表者の資格（代表取締役など）で入力してください。",
		"Please enter the representative's title (such as 代表取締役) as recorded in the certificate."},
}

// formatHints say how to write a value that could not be read.
var formatHints = map[string]phrase{
	FieldBirthDate: {"「1985-04-15」や「昭和60年4月15日」のように入力してください。",
		"Please write it like 1985-04-15 or 昭和60年4月15日."},
	FieldSex: {"「男」または「女」のように入力してください。",
		"Please write male or female (男 or 女)."},
	FieldCorporateNumber: {"12桁の会社法人等番号、または13桁の法人番号を数字で入力してください。",
		"Please enter the 12-digit registration number or the 13-digit corporate number, in digits."},
}

var normLabels = map[string]phrase{
	NormWidth:                     {"全角・半角", "full-width and half-width characters"},
	NormSpace:                     {"空白", "spaces"},
	NormDash:                      {"ハイフン・長音記号", "hyphens and long-vowel marks"},
	NormLetterCase:                {"大文字・小文字", "upper and lower case"},
	NormKanjiNumeral:              {"漢数字", "kanji numerals"},
	NormOldKanji:                  {"旧字体・新字体", "old and new kanji forms"},
	NormSubstitute:                {"代替文字", "substitute characters"},
	NormKanaVariant:               {"「ヶ」「ケ」「が」などの書き分け", "ヶ, ケ and が in place names"},
	NormVariationSelector:         {"異体字セレクタ", "variation selectors"},
	NormCorporateAbbreviation:     {"「(株)」などの略記", "abbreviations such as (株)"},
	NormCorporateNumberCheckDigit: {"法人番号（13桁）と会社法人等番号（12桁）", "13-digit corporate number and 12-digit registration number"},
	NormEraDate:                   {"和暦・西暦", "Japanese era and Western calendar"},
	NormDateFormat:                {"日付の書き方", "date format"},
	NormSexLabel:                  {"性別の書き方", "how sex is written"},
}

func normLabel(kind, field string, ja bool) string {
	if kind == NormDash {
		switch field {
		case FieldAddress, FieldCorporateAddress:
			return phrase{"ハイフンと丁目・番地・号の書き方", "hyphens and 丁目/番地/号"}.in(ja)
		case FieldCorporateNumber:
			return phrase{"ハイフン", "hyphens"}.in(ja)
		}
	}
	if l, ok := normLabels[kind]; ok {
		return l.in(ja)
	}
	return kind
}

func isCorporateField(field string) bool {
	switch field {
	case FieldCorporateName, FieldCorporateNumber, FieldCorporateAddress, FieldRepresentativeName, FieldRepresentativeTitle:
		return true
	}
	return false
}

// Explain says in one or two polite sentences what the outcome means and
// what to do next, in Japanese for lang "ja" (or "ja-JP", …) and in English
// otherwise, like a municipal help desk would:
//
//	氏名が一致しません（証明書: 高橋　花子 / 申請書: 高橋 華子）。マイナンバーカードに記録された氏名で入力してください。
//	住所は表記の違い（全角・半角、漢数字）を除いて一致しました。
//
// A mismatch quotes both values: show the text only to the person they
// belong to, never log it (log String or Redacted instead).
func (f FieldResult) Explain(lang string) string {
	ja := strings.HasPrefix(strings.ToLower(lang), "ja")
	label := phrase{f.Field, f.Field}
	if l, ok := fieldLabels[f.Field]; ok {
		label = l
	}
	L := label.in(ja)
	switch f.Outcome {
	case OutcomeMatch:
		if ja {
			return L + "は証明書の記録と一致しました。"
		}
		return "The " + L + " matches the certificate."
	case OutcomeMatchNormalized:
		labels := make([]string, 0, len(f.Normalized))
		for _, k := range f.Normalized {
			labels = append(labels, normLabel(k, f.Field, ja))
		}
		var s string
		if ja {
			s = L + "は表記の違い（" + strings.Join(labels, "、") + "）を除いて一致しました。"
		} else {
			s = "The " + L + " matches the certificate apart from how it is written (" + strings.Join(labels, ", ") + ")."
		}
		for _, k := range f.Normalized {
			if k == NormSubstitute {
				s += phrase{"証明書で代替文字になっている文字は照合していません。",
					" Characters that the certificate records as substitute characters (代替文字) were not compared."}.in(ja)
			}
		}
		return s
	case OutcomeNotGiven:
		if ja {
			return "申請書に" + L + "が入力されていないため、照合していません。"
		}
		return "The form leaves the " + L + " empty, so it was not compared."
	case OutcomeMismatch:
		switch f.Reason {
		case ReasonUnreadable:
			hint, ok := formatHints[f.Field]
			if !ok {
				hint = fieldAdvice[f.Field]
			}
			if ja {
				return fmt.Sprintf("申請書の%sを読み取れません（申請書: %s）。%s", L, f.Form, hint.ja)
			}
			return fmt.Sprintf("The %s on the form could not be read (form: %s). %s", L, f.Form, hint.en)
		case ReasonNotInCertificate:
			advice := phrase{"マイナンバーカードの署名用電子証明書を使っているか確認してください。",
				"Please check that you are using the signature certificate of your My Number card."}
			if isCorporateField(f.Field) {
				advice = phrase{"商業登記電子証明書を使っているか確認してください。",
					"Please check that you are using the commercial-registry certificate."}
			}
			if ja {
				return fmt.Sprintf("証明書に%sが記録されていないため、照合できません（申請書: %s）。%s", L, f.Form, advice.ja)
			}
			return fmt.Sprintf("The certificate does not record the %s, so it could not be compared (form: %s). %s", L, f.Form, advice.en)
		default:
			c := displayCertificateValue(f.Field, f.Certificate, ja)
			if ja {
				return fmt.Sprintf("%sが一致しません（証明書: %s / 申請書: %s）。%s", L, c, f.Form, fieldAdvice[f.Field].ja)
			}
			return fmt.Sprintf("The %s does not match (certificate: %s / form: %s). %s", L, c, f.Form, fieldAdvice[f.Field].en)
		}
	}
	return f.String()
}

var sexLabels = map[string]phrase{
	"1": {"男性", "male"}, "2": {"女性", "female"}, "3": {"その他", "other"}, "9": {"記載なし", "not stated"},
}

// displayCertificateValue turns the certificate's date (YYYY-MM-DD) and
// sex code into words; other values are shown as they are.
func displayCertificateValue(field, v string, ja bool) string {
	switch field {
	case FieldBirthDate:
		t, err := time.Parse("2006-01-02", v)
		if err != nil || EraOf(t) == 0 {
			return v
		}
		e := EraOf(t)
		if ja {
			return fmt.Sprintf("%s（%d年%d月%d日）", japaneseDate(e, t), t.Year(), int(t.Month()), t.Day())
		}
		return fmt.Sprintf("%s (%s %d)", v, e.Romaji(), e.Year(t.Year()))
	case FieldSex:
		if l, ok := sexLabels[v]; ok {
			return l.in(ja)
		}
	}
	return v
}
