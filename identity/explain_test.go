package identity_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/shinsei-app/shinsei/identity"
	"github.com/shinsei-app/shinsei/sandbox/pki"
)

func TestExplainSpeaksLikeAHelpDesk(t *testing.T) {
	p := resident(t, pki.SampleResident())
	for _, tc := range []struct {
		name  string
		form  identity.Applicant
		field string
		lang  string
		want  string
	}{
		{"a different name quotes both values and says what to enter, in Japanese",
			identity.Applicant{Name: "高橋 華子"}, identity.FieldName, "ja",
			"氏名が一致しません（証明書: 高橋　花子 / 申請書: 高橋 華子）。マイナンバーカードに記録された氏名で入力してください。"},
		{"a different name quotes both values and says what to enter, in English",
			identity.Applicant{Name: "高橋 華子"}, identity.FieldName, "en",
			"The name does not match (certificate: 高橋　花子 / form: 高橋 華子). Please enter your name exactly as recorded on your My Number card."},
		{"an address that differs in width and numerals only is explained as such",
			identity.Applicant{Address: "東京都千代田区霞が関2丁目1番2号"}, identity.FieldAddress, "ja",
			"住所は表記の違い（全角・半角、漢数字）を除いて一致しました。"},
		{"an address written with hyphens names the 丁目・番地・号 difference",
			identity.Applicant{Address: "東京都千代田区霞が関2-1-2"}, identity.FieldAddress, "ja-JP",
			"住所は表記の違い（全角・半角、ハイフンと丁目・番地・号の書き方、漢数字）を除いて一致しました。"},
		{"a substitute character is explained as not compared",
			identity.Applicant{Name: "髙橋　花子"}, identity.FieldName, "ja",
			"氏名は表記の違い（代替文字）を除いて一致しました。証明書で代替文字になっている文字は照合していません。"},
		{"a substitute character is explained as not compared, in English",
			identity.Applicant{Name: "髙橋　花子"}, identity.FieldName, "en",
			"The name matches the certificate apart from how it is written (substitute characters). Characters that the certificate records as substitute characters (代替文字) were not compared."},
		{"a different date of birth shows the certificate's date in the era and in the Western calendar",
			identity.Applicant{BirthDate: "1985-04-16"}, identity.FieldBirthDate, "ja",
			"生年月日が一致しません（証明書: 昭和60年4月15日（1985年4月15日） / 申請書: 1985-04-16）。マイナンバーカードに記録された生年月日で入力してください。"},
		{"a different date of birth in English names the era year",
			identity.Applicant{BirthDate: "1985-04-16"}, identity.FieldBirthDate, "en",
			"The date of birth does not match (certificate: 1985-04-15 (Showa 60) / form: 1985-04-16). Please enter your date of birth as recorded on your My Number card."},
		{"an unreadable date says how to write one",
			identity.Applicant{BirthDate: "春生まれ"}, identity.FieldBirthDate, "ja",
			"申請書の生年月日を読み取れません（申請書: 春生まれ）。「1985-04-15」や「昭和60年4月15日」のように入力してください。"},
		{"a different sex is shown in words",
			identity.Applicant{Sex: "男"}, identity.FieldSex, "ja",
			"性別が一致しません（証明書: 女性 / 申請書: 男）。マイナンバーカードに記録された性別で入力してください。"},
		{"an era date is explained as an era difference",
			identity.Applicant{BirthDate: "昭和60年4月15日"}, identity.FieldBirthDate, "ja",
			"生年月日は表記の違い（和暦・西暦）を除いて一致しました。"},
		{"an exact match says so",
			identity.Applicant{Sex: "2"}, identity.FieldSex, "ja", "性別は証明書の記録と一致しました。"},
		{"a field left empty is not compared",
			identity.Applicant{}, identity.FieldAddress, "ja", "申請書に住所が入力されていないため、照合していません。"},
		{"a field left empty is not compared, in English",
			identity.Applicant{}, identity.FieldAddress, "en", "The form leaves the address empty, so it was not compared."},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f, _ := identity.MatchPerson(p, tc.form).Field(tc.field)
			if got := f.Explain(tc.lang); got != tc.want {
				t.Errorf("got  %s\nwant %s", got, tc.want)
			}
		})
	}
}

func TestEveryOutcomeAndNormalisationHasBothLanguages(t *testing.T) {
	kinds := []string{identity.NormWidth, identity.NormSpace, identity.NormLetterCase, identity.NormDash, identity.NormKanjiNumeral,
		identity.NormOldKanji, identity.NormSubstitute, identity.NormKanaVariant, identity.NormVariationSelector,
		identity.NormCorporateAbbreviation, identity.NormCorporateNumberCheckDigit, identity.NormEraDate,
		identity.NormDateFormat, identity.NormSexLabel}
	fields := []string{identity.FieldName, identity.FieldBirthDate, identity.FieldSex, identity.FieldAddress,
		identity.FieldCorporateName, identity.FieldCorporateNumber, identity.FieldCorporateAddress,
		identity.FieldRepresentativeName, identity.FieldRepresentativeTitle}
	var results []identity.FieldResult
	for _, field := range fields {
		for _, k := range kinds {
			results = append(results, identity.FieldResult{Field: field, Outcome: identity.OutcomeMatchNormalized, Normalized: []string{k}})
		}
		results = append(results,
			identity.FieldResult{Field: field, Outcome: identity.OutcomeMatch},
			identity.FieldResult{Field: field, Outcome: identity.OutcomeNotGiven},
			identity.FieldResult{Field: field, Outcome: identity.OutcomeMismatch, Reason: identity.ReasonDifferent, Certificate: "C", Form: "F"},
			identity.FieldResult{Field: field, Outcome: identity.OutcomeMismatch, Reason: identity.ReasonUnreadable, Form: "F"},
			identity.FieldResult{Field: field, Outcome: identity.OutcomeMismatch, Reason: identity.ReasonNotInCertificate, Form: "F"})
	}
	for _, f := range results {
		ja, en := f.Explain("ja"), f.Explain("en")
		if !strings.HasSuffix(ja, "。") || strings.Contains(ja, "%!") || strings.ContainsAny(ja, "_") {
			t.Errorf("%v: Japanese explanation %q", f, ja)
		}
		if !strings.HasSuffix(en, ".") || strings.Contains(en, "%!") || strings.ContainsAny(en, "_") {
			t.Errorf("%v: English explanation %q", f, en)
		}
		for _, k := range f.Normalized {
			if strings.Contains(ja, k) || (strings.Contains(k, "-") && strings.Contains(en, k)) {
				t.Errorf("%v: the machine name %q leaks into the explanation", f, k)
			}
		}
		if f.Outcome == identity.OutcomeMismatch && f.Reason == identity.ReasonDifferent &&
			(!strings.Contains(ja, "証明書: C") || !strings.Contains(en, "form: F")) {
			t.Errorf("%v: a mismatch must quote both values", f)
		}
	}
}

// TestLogsNeverSeeTheValues formats a mismatching result every way a log
// line might and checks that no value reaches the text.
func TestLogsNeverSeeTheValues(t *testing.T) {
	p := resident(t, pki.SampleResident())
	a := identity.Applicant{Name: "高橋 華子", BirthDate: "昭和60年4月16日", Sex: "男", Address: "東京都千代田区霞が関2-1-3"}
	r := identity.MatchPerson(p, a)
	if r.Overall != identity.OutcomeMismatch {
		t.Fatalf("overall %s, want mismatch", r.Overall)
	}
	values := []string{"高橋", "花子", "華子", "霞が関", "1985", "昭和", "60", "男", "女"}
	var logged bytes.Buffer
	// No timestamps: their digits could contain a value such as "60".
	noTime := &slog.HandlerOptions{ReplaceAttr: func(_ []string, a slog.Attr) slog.Attr {
		if a.Key == slog.TimeKey {
			return slog.Attr{}
		}
		return a
	}}
	logger := slog.New(slog.NewJSONHandler(&logged, noTime))
	logger.Info("identity check", "result", r, "field", r.Fields[0], "person", p, "applicant", a, "birth", p.BirthDate)
	slog.New(slog.NewTextHandler(&logged, noTime)).Info("identity check", "result", r, "person", *p)
	outputs := map[string]string{
		"String":            r.String(),
		"%v":                fmt.Sprintf("%v", r),
		"%+v":               fmt.Sprintf("%+v", r),
		"%#v":               fmt.Sprintf("%#v", r),
		"%s of the fields":  fmt.Sprintf("%s", r.Fields),
		"%#v of the fields": fmt.Sprintf("%#v", r.Fields),
		"%d":                fmt.Sprintf("%d", r),
		"%q of a field":     fmt.Sprintf("%q", r.Fields[3]),
		"%+v of the person": fmt.Sprintf("%+v %#v %v", p, *p, p.BirthDate),
		"%+v of the form":   fmt.Sprintf("%+v %#v", a, &a),
		"slog":              logged.String(),
		"an error wrapping": fmt.Errorf("check failed: %v", r).Error(),
	}
	redacted, err := json.Marshal(r.Redacted())
	if err != nil {
		t.Fatal(err)
	}
	outputs["JSON of Redacted"] = string(redacted)
	for how, out := range outputs {
		for _, v := range values {
			if strings.Contains(out, v) {
				t.Errorf("%s shows a value: %s", how, out)
				break
			}
		}
	}
	if !strings.Contains(r.String(), "address: mismatch (different)") {
		t.Errorf("String() should still say which field failed: %s", r.String())
	}
	full, err := json.Marshal(r)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(full), "華子") {
		t.Error("the JSON of the full Result is for the user's screen and should carry the values")
	}
	if f, _ := r.Field(identity.FieldName); f.Form == "" {
		t.Error("Redacted must not change the original")
	}
}

func TestApplicantBlockFromJSON(t *testing.T) {
	for _, tc := range []struct {
		name string
		in   string
		want identity.Applicant
	}{
		{"a resident's block with sex as a string", `{"name":"高橋　花子","name_kana":"タカハシ　ハナコ","birth_date":"昭和60年4月15日","sex":"女","address":"東京都千代田区霞が関二丁目１番２号"}`,
			identity.Applicant{Name: "高橋　花子", NameKana: "タカハシ　ハナコ", BirthDate: "昭和60年4月15日", Sex: "女", Address: "東京都千代田区霞が関二丁目１番２号"}},
		{"a resident's block with sex as a number", `{"name":"高橋　花子","sex":2}`,
			identity.Applicant{Name: "高橋　花子", Sex: "2"}},
		{"a corporate block", `{"corporate_name":"株式会社サンドボックス商事","corporate_number":"0100-01-999999","corporate_address":"東京都千代田区丸の内一丁目１番１号","representative_name":"佐藤　一郎","representative_title":"代表取締役","sex":null}`,
			identity.Applicant{CorporateName: "株式会社サンドボックス商事", CorporateNumber: "0100-01-999999", CorporateAddress: "東京都千代田区丸の内一丁目１番１号", RepresentativeName: "佐藤　一郎", RepresentativeTitle: "代表取締役"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var got identity.Applicant
			if err := json.Unmarshal([]byte(tc.in), &got); err != nil {
				t.Fatal(err)
			}
			if got != tc.want {
				t.Errorf("decoded block differs from the expected one in %s", tc.name)
			}
		})
	}
	t.Run("a wrongly typed field is reported without its value", func(t *testing.T) {
		var a identity.Applicant
		err := json.Unmarshal([]byte(`{"name":["高橋","花子"]}`), &a)
		if err == nil || strings.Contains(err.Error(), "高橋") {
			t.Fatalf("error %v", err)
		}
	})
}

func TestParseDateReadsTheFormatsPeopleWrite(t *testing.T) {
	day := func(y int, m time.Month, d int) time.Time { return time.Date(y, m, d, 0, 0, 0, 0, time.UTC) }
	for _, tc := range []struct {
		name string
		in   string
		want time.Time
	}{
		{"ISO 8601", "1985-04-15", day(1985, 4, 15)},
		{"slashes without leading zeros", "1985/4/15", day(1985, 4, 15)},
		{"eight digits", "19850415", day(1985, 4, 15)},
		{"年月日 in the Western calendar", "1985年4月15日", day(1985, 4, 15)},
		{"an era with full-width digits", "昭和６０年４月１５日", day(1985, 4, 15)},
		{"an era letter with dots", "S60.4.15", day(1985, 4, 15)},
		{"a lower-case era letter with hyphens", "s60-4-15", day(1985, 4, 15)},
		{"a one-kanji era", "昭60.4.15", day(1985, 4, 15)},
		{"the square era sign ㍼", "㍼60年4月15日", day(1985, 4, 15)},
		{"元年 is the first year", "令和元年5月1日", day(2019, 5, 1)},
		{"R1 is the first year of Reiwa", "R1.5.1", day(2019, 5, 1)},
		{"the last day of Heisei", "H31.4.30", day(2019, 4, 30)},
		{"a Meiji date", "明治45年7月29日", day(1912, 7, 29)},
		{"a Taisho date", "大正15年12月24日", day(1926, 12, 24)},
		{"kanji numerals", "平成三年十月二十日", day(1991, 10, 20)},
		{"spaces around and inside", " 昭和 60年 4月 15日 ", day(1985, 4, 15)},
		{"a trailing 生", "昭和60年4月15日生", day(1985, 4, 15)},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := identity.ParseDate(tc.in)
			if err != nil || !got.Equal(tc.want) {
				t.Errorf("ParseDate(%q) = %v, %v; want %v", tc.in, got, err, tc.want)
			}
		})
	}
	for _, tc := range []struct{ name, in string }{
		{"the thirtieth of February", "1985-02-30"},
		{"昭和0年", "昭和0年4月15日"},
		{"a Heisei year after Heisei ended", "平成32年1月1日"},
		{"a Showa date after Heisei began", "昭和64年1月9日"},
		{"a Reiwa date before Reiwa began", "令和元年4月1日"},
		{"an unknown era letter", "X60.4.15"},
		{"a two-digit year", "85-04-15"},
		{"words", "春生まれ"},
	} {
		t.Run(tc.name+" is rejected", func(t *testing.T) {
			if got, err := identity.ParseDate(tc.in); err == nil {
				t.Errorf("ParseDate(%q) = %v, want an error", tc.in, got)
			}
		})
	}
}

func TestParseSexReadsCodesAndWords(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want identity.Sex
	}{
		{"1", identity.SexMale}, {"男", identity.SexMale}, {"男性", identity.SexMale}, {"Male", identity.SexMale}, {"M", identity.SexMale},
		{"2", identity.SexFemale}, {"２", identity.SexFemale}, {"女", identity.SexFemale}, {"女性", identity.SexFemale}, {"female", identity.SexFemale}, {"F", identity.SexFemale},
		{"3", identity.SexOther}, {"その他", identity.SexOther}, {"9", identity.SexNotStated}, {"回答しない", identity.SexNotStated},
	} {
		t.Run(tc.in+" is read as code "+tc.want.Code(), func(t *testing.T) {
			if got, err := identity.ParseSex(tc.in); err != nil || got != tc.want {
				t.Errorf("ParseSex(%q) = %d, %v", tc.in, got, err)
			}
		})
	}
	if _, err := identity.ParseSex("?"); err == nil {
		t.Error("a question mark should not be read as a sex")
	}
}
