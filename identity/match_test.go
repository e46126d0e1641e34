package identity_test

import (
	"slices"
	"testing"

	"github.com/shinsei-app/shinsei/identity"
	"github.com/shinsei-app/shinsei/sandbox/pki"
)

// exactSample is the applicant block that copies the sandbox sample
// resident's certificate character for character.
func exactSample() identity.Applicant {
	return identity.Applicant{
		Name:      "高橋　花子",
		BirthDate: "1985-04-15",
		Sex:       "2",
		Address:   "東京都千代田区霞が関二丁目１番２号",
	}
}

type fieldWant struct {
	outcome    identity.Outcome
	normalized []string
	reason     identity.Reason
}

func checkField(t *testing.T, r identity.Result, field string, want fieldWant) {
	t.Helper()
	f, ok := r.Field(field)
	if !ok {
		t.Fatalf("no result for %s in %v", field, r)
	}
	if f.Outcome != want.outcome || !slices.Equal(f.Normalized, want.normalized) || f.Reason != want.reason {
		t.Errorf("%s: got %v, want %s %v %s", field, f, want.outcome, want.normalized, want.reason)
	}
}

var (
	match    = fieldWant{outcome: identity.OutcomeMatch}
	notGiven = fieldWant{outcome: identity.OutcomeNotGiven}
	differs  = fieldWant{outcome: identity.OutcomeMismatch, reason: identity.ReasonDifferent}
	unread   = fieldWant{outcome: identity.OutcomeMismatch, reason: identity.ReasonUnreadable}
)

func normalized(kinds ...string) fieldWant {
	return fieldWant{outcome: identity.OutcomeMatchNormalized, normalized: kinds}
}

func TestMatchPersonAgainstTheSampleResident(t *testing.T) {
	p := resident(t, pki.SampleResident())
	for _, tc := range []struct {
		name    string
		edit    func(*identity.Applicant)
		field   string
		want    fieldWant
		overall identity.Outcome
	}{
		{"an applicant who copies the certificate exactly matches", func(*identity.Applicant) {},
			identity.FieldName, match, identity.OutcomeMatch},
		{"a reading in name_kana is ignored", func(a *identity.Applicant) { a.NameKana = "タカハシ　ハナコ" },
			identity.FieldName, match, identity.OutcomeMatch},

		// name
		{"the registered 髙 where the card holds a flagged substitute 高 matches as a substitute character",
			func(a *identity.Applicant) { a.Name = "髙橋 花子" },
			identity.FieldName, normalized(identity.NormSpace, identity.NormSubstitute), identity.OutcomeMatchNormalized},
		{"the registered 髙 with U+3000 differs only by the substitute character",
			func(a *identity.Applicant) { a.Name = "髙橋　花子" },
			identity.FieldName, normalized(identity.NormSubstitute), identity.OutcomeMatchNormalized},
		{"the registered 髙 without a space between family and given name matches",
			func(a *identity.Applicant) { a.Name = "髙橋花子" },
			identity.FieldName, normalized(identity.NormSpace, identity.NormSubstitute), identity.OutcomeMatchNormalized},
		{"an ASCII space between family and given name matches after space normalisation",
			func(a *identity.Applicant) { a.Name = "高橋 花子" },
			identity.FieldName, normalized(identity.NormSpace), identity.OutcomeMatchNormalized},
		{"no space between family and given name matches after space normalisation",
			func(a *identity.Applicant) { a.Name = "高橋花子" },
			identity.FieldName, normalized(identity.NormSpace), identity.OutcomeMatchNormalized},
		{"a run of mixed spaces and a trailing space match after space normalisation",
			func(a *identity.Applicant) { a.Name = "高橋 　 花子 " },
			identity.FieldName, normalized(identity.NormSpace), identity.OutcomeMatchNormalized},
		{"a different given name is a mismatch",
			func(a *identity.Applicant) { a.Name = "高橋　華子" },
			identity.FieldName, differs, identity.OutcomeMismatch},
		{"a flagged character does not stand for a missing one",
			func(a *identity.Applicant) { a.Name = "橋　花子" },
			identity.FieldName, differs, identity.OutcomeMismatch},
		{"a flagged character does not excuse a difference elsewhere",
			func(a *identity.Applicant) { a.Name = "髙田　花子" },
			identity.FieldName, differs, identity.OutcomeMismatch},

		// date of birth
		{"the era date 昭和60年4月15日 matches the certificate's 319850415",
			func(a *identity.Applicant) { a.BirthDate = "昭和60年4月15日" },
			identity.FieldBirthDate, normalized(identity.NormEraDate), identity.OutcomeMatchNormalized},
		{"the abbreviated era date S60.4.15 matches",
			func(a *identity.Applicant) { a.BirthDate = "S60.4.15" },
			identity.FieldBirthDate, normalized(identity.NormEraDate), identity.OutcomeMatchNormalized},
		{"the era date with full-width digits matches",
			func(a *identity.Applicant) { a.BirthDate = "昭和６０年４月１５日" },
			identity.FieldBirthDate, normalized(identity.NormWidth, identity.NormEraDate), identity.OutcomeMatchNormalized},
		{"the era date in kanji numerals matches",
			func(a *identity.Applicant) { a.BirthDate = "昭和六十年四月十五日" },
			identity.FieldBirthDate, normalized(identity.NormKanjiNumeral, identity.NormEraDate), identity.OutcomeMatchNormalized},
		{"the Gregorian date 1985年4月15日 matches",
			func(a *identity.Applicant) { a.BirthDate = "1985年4月15日" },
			identity.FieldBirthDate, normalized(identity.NormDateFormat), identity.OutcomeMatchNormalized},
		{"the Gregorian date 1985/4/15 matches",
			func(a *identity.Applicant) { a.BirthDate = "1985/4/15" },
			identity.FieldBirthDate, normalized(identity.NormDateFormat), identity.OutcomeMatchNormalized},
		{"the next day in ISO form is a mismatch",
			func(a *identity.Applicant) { a.BirthDate = "1985-04-16" },
			identity.FieldBirthDate, differs, identity.OutcomeMismatch},
		{"the next day in era form is a mismatch",
			func(a *identity.Applicant) { a.BirthDate = "昭和60年4月16日" },
			identity.FieldBirthDate, differs, identity.OutcomeMismatch},
		{"the same day and month in the wrong era is a mismatch",
			func(a *identity.Applicant) { a.BirthDate = "平成29年4月15日" },
			identity.FieldBirthDate, differs, identity.OutcomeMismatch},
		{"an era year the era never reached is unreadable",
			func(a *identity.Applicant) { a.BirthDate = "平成60年4月15日" },
			identity.FieldBirthDate, unread, identity.OutcomeMismatch},
		{"words instead of a date are unreadable",
			func(a *identity.Applicant) { a.BirthDate = "春生まれ" },
			identity.FieldBirthDate, unread, identity.OutcomeMismatch},

		// sex
		{"女 matches sex code 2", func(a *identity.Applicant) { a.Sex = "女" },
			identity.FieldSex, normalized(identity.NormSexLabel), identity.OutcomeMatchNormalized},
		{"女性 matches sex code 2", func(a *identity.Applicant) { a.Sex = "女性" },
			identity.FieldSex, normalized(identity.NormSexLabel), identity.OutcomeMatchNormalized},
		{"Female matches sex code 2", func(a *identity.Applicant) { a.Sex = "Female" },
			identity.FieldSex, normalized(identity.NormSexLabel), identity.OutcomeMatchNormalized},
		{"a full-width ２ matches sex code 2", func(a *identity.Applicant) { a.Sex = "２" },
			identity.FieldSex, normalized(identity.NormWidth), identity.OutcomeMatchNormalized},
		{"男 is a mismatch for sex code 2", func(a *identity.Applicant) { a.Sex = "男" },
			identity.FieldSex, differs, identity.OutcomeMismatch},
		{"code 1 is a mismatch for sex code 2", func(a *identity.Applicant) { a.Sex = "1" },
			identity.FieldSex, differs, identity.OutcomeMismatch},
		{"a question mark as sex is unreadable", func(a *identity.Applicant) { a.Sex = "?" },
			identity.FieldSex, unread, identity.OutcomeMismatch},

		// address
		{"二丁目１番２号 written 2-1-2 matches",
			func(a *identity.Applicant) { a.Address = "東京都千代田区霞が関2-1-2" },
			identity.FieldAddress, normalized(identity.NormWidth, identity.NormDash, identity.NormKanjiNumeral), identity.OutcomeMatchNormalized},
		{"二丁目１番２号 written ２－１－２ matches",
			func(a *identity.Applicant) { a.Address = "東京都千代田区霞が関２－１－２" },
			identity.FieldAddress, normalized(identity.NormWidth, identity.NormDash, identity.NormKanjiNumeral), identity.OutcomeMatchNormalized},
		{"二丁目１番２号 written 二丁目1-2 matches",
			func(a *identity.Applicant) { a.Address = "東京都千代田区霞が関二丁目1-2" },
			identity.FieldAddress, normalized(identity.NormWidth, identity.NormDash), identity.OutcomeMatchNormalized},
		{"二丁目１番２号 written 2丁目1番2号 differs only in width and numerals",
			func(a *identity.Applicant) { a.Address = "東京都千代田区霞が関2丁目1番2号" },
			identity.FieldAddress, normalized(identity.NormWidth, identity.NormKanjiNumeral), identity.OutcomeMatchNormalized},
		{"霞ヶ関 for 霞が関 matches as a kana variant",
			func(a *identity.Applicant) { a.Address = "東京都千代田区霞ヶ関二丁目１番２号" },
			identity.FieldAddress, normalized(identity.NormKanaVariant), identity.OutcomeMatchNormalized},
		{"spaces between the parts of the address match",
			func(a *identity.Applicant) { a.Address = "東京都 千代田区 霞が関　二丁目１番２号" },
			identity.FieldAddress, normalized(identity.NormSpace), identity.OutcomeMatchNormalized},
		{"a different house number is a mismatch of the address",
			func(a *identity.Applicant) { a.Address = "東京都千代田区霞が関二丁目１番３号" },
			identity.FieldAddress, differs, identity.OutcomeMismatch},
		{"a different house number written with hyphens is a mismatch of the address",
			func(a *identity.Applicant) { a.Address = "東京都千代田区霞が関2-1-3" },
			identity.FieldAddress, differs, identity.OutcomeMismatch},
		{"block and house number run together are a mismatch",
			func(a *identity.Applicant) { a.Address = "東京都千代田区霞が関2-12" },
			identity.FieldAddress, differs, identity.OutcomeMismatch},
		{"a different chome is a mismatch",
			func(a *identity.Applicant) { a.Address = "東京都千代田区霞が関三丁目１番２号" },
			identity.FieldAddress, differs, identity.OutcomeMismatch},
		{"leaving out the prefecture is a mismatch, however obvious it is",
			func(a *identity.Applicant) { a.Address = "千代田区霞が関二丁目１番２号" },
			identity.FieldAddress, differs, identity.OutcomeMismatch},

		// not given
		{"an empty address is not given and not compared",
			func(a *identity.Applicant) { a.Address = "" },
			identity.FieldAddress, notGiven, identity.OutcomeMatch},
		{"an address of spaces only is not given",
			func(a *identity.Applicant) { a.Address = " 　" },
			identity.FieldAddress, notGiven, identity.OutcomeMatch},
		{"a form that gives nothing is not given overall",
			func(a *identity.Applicant) { *a = identity.Applicant{NameKana: "タカハシ　ハナコ"} },
			identity.FieldName, notGiven, identity.OutcomeNotGiven},
	} {
		t.Run(tc.name, func(t *testing.T) {
			a := exactSample()
			tc.edit(&a)
			r := identity.MatchPerson(p, a)
			checkField(t, r, tc.field, tc.want)
			if r.Overall != tc.overall {
				t.Errorf("overall %s, want %s (%v)", r.Overall, tc.overall, r)
			}
			if tc.want.outcome == identity.OutcomeMismatch {
				f, _ := r.Field(tc.field)
				if f.Form == "" || (f.Certificate == "" && f.Reason != identity.ReasonNotInCertificate) {
					t.Errorf("a mismatch must carry both values for the user's screen")
				}
				if len(r.Mismatches()) != 1 || r.Mismatches()[0].Field != tc.field {
					t.Errorf("mismatches %v, want only %s", r.Mismatches(), tc.field)
				}
			}
		})
	}
}

func TestMatchPersonFieldsComeInTheOrderOfTheFourAttributes(t *testing.T) {
	r := identity.MatchPerson(resident(t, pki.SampleResident()), exactSample())
	var got []string
	for _, f := range r.Fields {
		got = append(got, f.Field)
	}
	if want := []string{"name", "birth_date", "sex", "address"}; !slices.Equal(got, want) {
		t.Fatalf("fields %v, want %v", got, want)
	}
	if !r.OK() {
		t.Fatalf("exact copy not OK: %v", r)
	}
}

func TestMatchPersonWithOtherResidents(t *testing.T) {
	for _, tc := range []struct {
		name     string
		resident pki.Resident
		form     identity.Applicant
		field    string
		want     fieldWant
	}{
		{"渡辺 健一 on the form matches 渡邊　健一 in the certificate as an old kanji form",
			pki.Resident{Name: "渡邊　健一", Sex: "1", BirthDate: "419920303", Address: "神奈川県横浜市中区日本大通１番地"},
			identity.Applicant{Name: "渡辺 健一"},
			identity.FieldName, normalized(identity.NormSpace, identity.NormOldKanji)},
		{"齋藤 on the form matches 斎藤 in the certificate as an old kanji form",
			pki.Resident{Name: "斎藤　美穂", Sex: "2", BirthDate: "520200101", Address: "大阪府大阪市北区中之島一丁目３番２０号"},
			identity.Applicant{Name: "齋藤　美穂"},
			identity.FieldName, normalized(identity.NormOldKanji)},
		{"斉藤 is a different surname from 斎藤 and does not match",
			pki.Resident{Name: "斎藤　美穂", Sex: "2", BirthDate: "520200101", Address: "大阪府大阪市北区中之島一丁目３番２０号"},
			identity.Applicant{Name: "斉藤　美穂"},
			identity.FieldName, differs},
		{"竜ヶ崎市 on the form matches 龍ケ崎市 in the certificate",
			pki.Resident{Name: "鈴木　一郎", Sex: "1", BirthDate: "319501010", Address: "茨城県龍ケ崎市３７１０番地"},
			identity.Applicant{Address: "茨城県竜ヶ崎市3710"},
			identity.FieldAddress, normalized(identity.NormWidth, identity.NormDash, identity.NormOldKanji, identity.NormKanaVariant)},
		{"北1条西2丁目 matches 北一条西二丁目 in Sapporo",
			pki.Resident{Name: "佐々木　翔太", Sex: "1", BirthDate: "420000229", Address: "北海道札幌市中央区北一条西二丁目１番地"},
			identity.Applicant{Address: "北海道札幌市中央区北1条西2丁目1"},
			identity.FieldAddress, normalized(identity.NormWidth, identity.NormDash, identity.NormKanjiNumeral)},
		{"1番地の2 matches 1-2",
			pki.Resident{Name: "中村　さくら", Sex: "2", BirthDate: "419950505", Address: "長野県松本市大字島立１番地の２"},
			identity.Applicant{Address: "長野県松本市大字島立1-2"},
			identity.FieldAddress, normalized(identity.NormWidth, identity.NormDash)},
		{"a room number after a space matches a room number after a hyphen",
			pki.Resident{Name: "小林　陽介", Sex: "1", BirthDate: "319880808", Address: "福岡県福岡市中央区天神二丁目８番３０号　天神ハイツ５０１号室"},
			identity.Applicant{Address: "福岡県福岡市中央区天神2-8-30 天神ハイツ501号室"},
			identity.FieldAddress, normalized(identity.NormWidth, identity.NormSpace, identity.NormDash, identity.NormKanjiNumeral)},
		{"a flagged substitute in the address is a wildcard at its own position",
			pki.Resident{Name: "山本　大輔", Sex: "1", BirthDate: "319700707", Address: "大阪府大阪市北区梅田一丁目２番３号　高島ビル４０１",
				AddressFlags: "0000000000000000001000000"},
			identity.Applicant{Address: "大阪府大阪市北区梅田1-2-3 髙島ビル401"},
			identity.FieldAddress, normalized(identity.NormWidth, identity.NormSpace, identity.NormDash, identity.NormKanjiNumeral, identity.NormSubstitute)},
		{"a flagged substitute in the address does not excuse the next character",
			pki.Resident{Name: "山本　大輔", Sex: "1", BirthDate: "319700707", Address: "大阪府大阪市北区梅田一丁目２番３号　高島ビル４０１",
				AddressFlags: "0000000000000000001000000"},
			identity.Applicant{Address: "大阪府大阪市北区梅田1-2-3 髙畑ビル401"},
			identity.FieldAddress, differs},
		{"sex code 9 matches その他 as other or not stated",
			pki.Resident{Name: "伊藤　光", Sex: "9", BirthDate: "420010911", Address: "京都府京都市左京区吉田本町３６番地１"},
			identity.Applicant{Sex: "その他"},
			identity.FieldSex, normalized(identity.NormSexLabel)},
		{"sex code 9 does not match 女",
			pki.Resident{Name: "伊藤　光", Sex: "9", BirthDate: "420010911", Address: "京都府京都市左京区吉田本町３６番地１"},
			identity.Applicant{Sex: "女"},
			identity.FieldSex, differs},
		{"昭和元年 is the first year of Showa",
			pki.Resident{Name: "加藤　正", Sex: "1", BirthDate: "319261225", Address: "東京都新宿区西新宿二丁目８番１号"},
			identity.Applicant{BirthDate: "昭和元年12月25日"},
			identity.FieldBirthDate, normalized(identity.NormEraDate)},
		{"平成元年1月8日 matches the first day of Heisei in ISO form",
			pki.Resident{Name: "加藤　平", Sex: "1", BirthDate: "419890108", Address: "東京都新宿区西新宿二丁目８番１号"},
			identity.Applicant{BirthDate: "1989-01-08"},
			identity.FieldBirthDate, match},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p := resident(t, tc.resident)
			checkField(t, identity.MatchPerson(p, tc.form), tc.field, tc.want)
		})
	}
}

func TestMatchCorporationAgainstTheSampleCompany(t *testing.T) {
	cred, err := sandboxPKI(t).IssueCorporate(pki.SampleCorporation())
	if err != nil {
		t.Fatal(err)
	}
	c, err := identity.FromCorporate(cred.Cert)
	if err != nil {
		t.Fatal(err)
	}
	exact := identity.Applicant{
		CorporateName:       "株式会社サンドボックス商事",
		CorporateNumber:     "0100-01-999999",
		CorporateAddress:    "東京都千代田区丸の内一丁目１番１号",
		RepresentativeName:  "佐藤　一郎",
		RepresentativeTitle: "代表取締役",
	}
	for _, tc := range []struct {
		name  string
		edit  func(*identity.Applicant)
		field string
		want  fieldWant
	}{
		{"a form that copies the certificate matches", func(*identity.Applicant) {}, identity.FieldCorporateName, match},
		{"(株) before the name matches 株式会社 before the name",
			func(a *identity.Applicant) { a.CorporateName = "(株)サンドボックス商事" },
			identity.FieldCorporateName, normalized(identity.NormCorporateAbbreviation)},
		{"㈱ before the name matches 株式会社 before the name",
			func(a *identity.Applicant) { a.CorporateName = "㈱サンドボックス商事" },
			identity.FieldCorporateName, normalized(identity.NormCorporateAbbreviation)},
		{"（株） in full-width parentheses matches",
			func(a *identity.Applicant) { a.CorporateName = "（株）サンドボックス商事" },
			identity.FieldCorporateName, normalized(identity.NormCorporateAbbreviation)},
		{"half-width katakana in the corporate name match",
			func(a *identity.Applicant) { a.CorporateName = "株式会社ｻﾝﾄﾞﾎﾞｯｸｽ商事" },
			identity.FieldCorporateName, normalized(identity.NormWidth)},
		{"a space after 株式会社 matches",
			func(a *identity.Applicant) { a.CorporateName = "株式会社　サンドボックス商事" },
			identity.FieldCorporateName, normalized(identity.NormSpace)},
		{"株式会社 after the name is another company name",
			func(a *identity.Applicant) { a.CorporateName = "サンドボックス商事株式会社" },
			identity.FieldCorporateName, differs},
		{"the registration number without hyphens matches",
			func(a *identity.Applicant) { a.CorporateNumber = "010001999999" },
			identity.FieldCorporateNumber, normalized(identity.NormDash)},
		{"the registration number in full-width digits matches",
			func(a *identity.Applicant) { a.CorporateNumber = "０１００－０１－９９９９９９" },
			identity.FieldCorporateNumber, normalized(identity.NormWidth)},
		{"the 13-digit corporate number with the right check digit matches",
			func(a *identity.Applicant) { a.CorporateNumber = "7010001999999" },
			identity.FieldCorporateNumber, normalized(identity.NormDash, identity.NormCorporateNumberCheckDigit)},
		{"a 13-digit number with a wrong check digit is a mismatch",
			func(a *identity.Applicant) { a.CorporateNumber = "1010001999999" },
			identity.FieldCorporateNumber, differs},
		{"another registration number is a mismatch",
			func(a *identity.Applicant) { a.CorporateNumber = "0100-01-999998" },
			identity.FieldCorporateNumber, differs},
		{"a registration number with letters is unreadable",
			func(a *identity.Applicant) { a.CorporateNumber = "0100-01-ABC" },
			identity.FieldCorporateNumber, unread},
		{"the head-office address written 1-1-1 matches",
			func(a *identity.Applicant) { a.CorporateAddress = "東京都千代田区丸の内1-1-1" },
			identity.FieldCorporateAddress, normalized(identity.NormWidth, identity.NormDash, identity.NormKanjiNumeral)},
		{"another head-office address is a mismatch",
			func(a *identity.Applicant) { a.CorporateAddress = "東京都千代田区丸の内1-1-2" },
			identity.FieldCorporateAddress, differs},
		{"the representative's name without a space matches",
			func(a *identity.Applicant) { a.RepresentativeName = "佐藤一郎" },
			identity.FieldRepresentativeName, normalized(identity.NormSpace)},
		{"another representative is a mismatch",
			func(a *identity.Applicant) { a.RepresentativeName = "佐藤　次郎" },
			identity.FieldRepresentativeName, differs},
		{"another representative title is a mismatch",
			func(a *identity.Applicant) { a.RepresentativeTitle = "取締役" },
			identity.FieldRepresentativeTitle, differs},
		{"a corporate form without the representative leaves it not given",
			func(a *identity.Applicant) { a.RepresentativeName = "" },
			identity.FieldRepresentativeName, notGiven},
	} {
		t.Run(tc.name, func(t *testing.T) {
			a := exact
			tc.edit(&a)
			r := identity.MatchCorporation(c, a)
			checkField(t, r, tc.field, tc.want)
			wantOverall := identity.OutcomeMatch
			switch tc.want.outcome {
			case identity.OutcomeMismatch:
				wantOverall = identity.OutcomeMismatch
			case identity.OutcomeMatchNormalized:
				wantOverall = identity.OutcomeMatchNormalized
			}
			if r.Overall != wantOverall {
				t.Errorf("overall %s, want %s", r.Overall, wantOverall)
			}
		})
	}
}

func TestMatchingANilCertificateComparesNothing(t *testing.T) {
	r := identity.MatchPerson(nil, exactSample())
	if r.Overall != identity.OutcomeMismatch {
		t.Fatalf("overall %s, want mismatch", r.Overall)
	}
	for _, f := range r.Fields {
		if f.Reason != identity.ReasonNotInCertificate {
			t.Errorf("%v, want not-in-certificate", f)
		}
	}
	if r := identity.MatchCorporation(nil, identity.Applicant{}); r.Overall != identity.OutcomeNotGiven {
		t.Errorf("overall %s, want not-given", r.Overall)
	}
}
