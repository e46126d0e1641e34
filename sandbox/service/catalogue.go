package service

import (
	"net/http"

	"github.com/shinsei-app/shinsei/submit"
)

// Identifiers of the sandbox catalogue's procedures, one per
// authentication level and user type.
const (
	// ProcBulkyWaste (粗大ごみ収集の申込) is anonymous: LevelNone.
	ProcBulkyWaste = "bulky-waste-collection"
	// ProcDogRegistration (犬の登録事項変更届) needs a login: LevelIDPW.
	ProcDogRegistration = "dog-registration-change"
	// ProcMoveOut (転出届) needs a signature and may be filed by a proxy:
	// LevelSignature.
	ProcMoveOut = "move-out-notification"
	// ProcChildAllowance (児童手当認定請求) needs a login and the account
	// holder's own signature: LevelIDPWSignature, no proxy.
	ProcChildAllowance = "child-allowance-claim"
	// ProcBidQualification (入札参加資格審査申請) is for companies: a login
	// (also by certificate) and the company's registry signature.
	ProcBidQualification = "bid-qualification"
)

// Limits of the catalogue's forms.
const (
	maxPackage = 64 << 20
	smallForm  = 4 << 20
)

// personBlock is the applicant block a resident's signed form fills
// from the four attributes.
var personBlock = []string{"name", "birth_date", "sex", "address"}

// SampleFields returns valid values of a sandbox procedure's own fields,
// as an applicant would fill them in, for tests and demonstrations; nil
// for a procedure the sandbox does not have. Each call returns a fresh
// map.
func SampleFields(procedure string) map[string]any {
	switch procedure {
	case ProcBulkyWaste:
		return map[string]any{"items": "椅子 1", "collection_date": "2026-12-10", "phone": "03-0000-0000", "place": "玄関前"}
	case ProcDogRegistration:
		return map[string]any{"registration_number": "千代田-123", "dog_name": "ポチ", "change": "所在地の変更", "change_date": "2026-11-01"}
	case ProcMoveOut:
		return map[string]any{"new_address": "大阪府大阪市北区中之島一丁目３番２０号", "move_date": "2026-12-20", "members": 1, "my_number_card": "継続利用する"}
	case ProcChildAllowance:
		return map[string]any{"child_name": "高橋　太郎", "child_birth_date": "2024-05-05", "relationship": "母", "bank_account": "みずほ銀行 本店 普通 1234567"}
	case ProcBidQualification:
		return map[string]any{"category": "物品", "capital": 10000000, "employees": 25, "contact_email": "keiyaku@example.jp"}
	}
	return nil
}

// Catalogue returns the sandbox's procedures. Each call returns a fresh
// copy.
func Catalogue() []submit.Procedure {
	resident := []submit.UserType{submit.UserResident}
	return []submit.Procedure{
		{
			ID: ProcBulkyWaste, TitleJA: "粗大ごみ収集の申込", TitleEN: "Bulky waste collection",
			Level: submit.LevelNone, For: resident, ProxyAllowed: true,
			Form: submit.Form{
				Applicant: []string{"name", "address"},
				Fields: []submit.Field{
					{Name: "items", LabelJA: "品目と数量", LabelEN: "Items and quantities", Type: "string", Required: true, MaxLen: 200},
					{Name: "collection_date", LabelJA: "収集希望日", LabelEN: "Preferred collection date", Type: "date", Required: true},
					{Name: "phone", LabelJA: "電話番号", LabelEN: "Phone number", Type: "string", Required: true, MaxLen: 20},
					{Name: "place", LabelJA: "出す場所", LabelEN: "Where the items will be put out", Type: "choice", Required: true,
						Choices:   []string{"玄関前", "集積所", "その他"},
						ChoicesEN: []string{"In front of the entrance", "At the collection point", "Elsewhere"}},
				},
				MaxAttachments: 2, MaxPackageBytes: smallForm,
			},
		},
		{
			ID: ProcDogRegistration, TitleJA: "犬の登録事項変更届", TitleEN: "Change of dog registration details",
			Level: submit.LevelIDPW, For: resident,
			Form: submit.Form{
				Applicant: []string{"name", "address"},
				Fields: []submit.Field{
					{Name: "registration_number", LabelJA: "登録番号", LabelEN: "Registration number", Type: "string", Required: true, MaxLen: 20},
					{Name: "dog_name", LabelJA: "犬の名前", LabelEN: "Dog's name", Type: "string", Required: true, MaxLen: 40},
					{Name: "change", LabelJA: "変更の内容", LabelEN: "What changed", Type: "choice", Required: true,
						Choices:   []string{"所在地の変更", "所有者の変更", "死亡"},
						ChoicesEN: []string{"Change of address", "Change of owner", "Death"}},
					{Name: "change_date", LabelJA: "変更日", LabelEN: "Date of the change", Type: "date", Required: true},
					{Name: "note", LabelJA: "備考", LabelEN: "Notes", Type: "string", MaxLen: 400},
				},
				MaxAttachments: 2, MaxPackageBytes: smallForm,
			},
		},
		{
			ID: ProcMoveOut, TitleJA: "転出届", TitleEN: "Notification of moving out",
			Level: submit.LevelSignature, For: resident, ProxyAllowed: true,
			Form: submit.Form{
				Applicant: personBlock,
				Fields: []submit.Field{
					{Name: "new_address", LabelJA: "転出先の住所", LabelEN: "New address", Type: "string", Required: true, MaxLen: 200},
					{Name: "move_date", LabelJA: "転出予定日", LabelEN: "Date of moving out", Type: "date", Required: true},
					{Name: "members", LabelJA: "転出する人数", LabelEN: "Number of people moving", Type: "number", Required: true},
					{Name: "my_number_card", LabelJA: "マイナンバーカードの継続利用", LabelEN: "Keep using the My Number card", Type: "choice", Required: true,
						Choices:   []string{"継続利用する", "継続利用しない"},
						ChoicesEN: []string{"Keep using it", "Stop using it"}},
				},
				MaxAttachments: 5, MaxPackageBytes: maxPackage,
			},
		},
		{
			ID: ProcChildAllowance, TitleJA: "児童手当認定請求", TitleEN: "Child allowance claim",
			Level: submit.LevelIDPWSignature, For: resident,
			Form: submit.Form{
				Applicant: personBlock,
				Fields: []submit.Field{
					{Name: "child_name", LabelJA: "児童の氏名", LabelEN: "Child's name", Type: "string", Required: true, MaxLen: 60},
					{Name: "child_birth_date", LabelJA: "児童の生年月日", LabelEN: "Child's date of birth", Type: "date", Required: true},
					{Name: "relationship", LabelJA: "請求者との続柄", LabelEN: "Relationship to the claimant", Type: "choice", Required: true,
						Choices:   []string{"父", "母", "その他"},
						ChoicesEN: []string{"Father", "Mother", "Other"}},
					{Name: "bank_account", LabelJA: "振込先口座", LabelEN: "Bank account for payment", Type: "string", Required: true, MaxLen: 60},
				},
				MaxAttachments: 5, MaxPackageBytes: maxPackage,
			},
		},
		{
			ID: ProcBidQualification, TitleJA: "入札参加資格審査申請", TitleEN: "Application for bidding qualification",
			Level: submit.LevelIDPWSignature, For: []submit.UserType{submit.UserCompany}, CertificateLogin: true,
			Form: submit.Form{
				Applicant: []string{"corporate_name", "corporate_number", "corporate_address", "representative_name"},
				Fields: []submit.Field{
					{Name: "category", LabelJA: "申請区分", LabelEN: "Category", Type: "choice", Required: true,
						Choices:   []string{"工事", "物品", "委託"},
						ChoicesEN: []string{"Construction", "Goods", "Services"}},
					{Name: "capital", LabelJA: "資本金（円）", LabelEN: "Capital (yen)", Type: "number", Required: true},
					{Name: "employees", LabelJA: "従業員数", LabelEN: "Employees", Type: "number", Required: true},
					{Name: "contact_email", LabelJA: "担当者の連絡先メールアドレス", LabelEN: "Contact e-mail", Type: "string", Required: true, MaxLen: 254},
				},
				MaxAttachments: 10, MaxPackageBytes: maxPackage,
			},
		},
	}
}

// Trust returns what the catalogue announces about the service's checks
// of signers (GET /trust): the anchors signers' certificates must chain
// to, the intermediates it knows, and its validation authority — the
// same anchors and VA the service itself uses.
func (s *Service) Trust() submit.Trust {
	t := submit.Trust{ValidationAuthority: &submit.ValidationAuthority{
		OCSPPath: submit.APIPrefix + "/ocsp", Certificate: s.va.Cert.Raw}}
	if s.cfg.TSAURL != "" {
		t.TimestampAuthority = &submit.TimestampAuthority{URL: s.cfg.TSAURL}
	}
	for _, c := range s.anchors {
		t.SignerAnchors = append(t.SignerAnchors, c.Raw)
	}
	for _, c := range s.inter {
		t.Intermediates = append(t.Intermediates, c.Raw)
	}
	return t
}

// handleTrust answers GET /trust.
func (s *Service) handleTrust(w http.ResponseWriter, _ *http.Request) {
	writeJSON(w, http.StatusOK, s.Trust())
}
