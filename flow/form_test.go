package flow_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/shinsei-app/shinsei/certcheck"
	"github.com/shinsei-app/shinsei/flow"
	"github.com/shinsei-app/shinsei/i18n"
	"github.com/shinsei-app/shinsei/internal/fsx/fsxtest"
	"github.com/shinsei-app/shinsei/pkcs11"
	"github.com/shinsei-app/shinsei/signer"
	"github.com/shinsei-app/shinsei/submit"
)

// moveOut is a procedure shaped like the sandbox's 転出届.
var moveOut = submit.Procedure{ID: "move-out", Level: submit.LevelSignature, For: []submit.UserType{submit.UserResident},
	Form: submit.Form{
		Applicant: []string{"name", "birth_date", "sex", "address"},
		Fields: []submit.Field{
			{Name: "new_address", LabelJA: "転出先の住所", LabelEN: "New address", Type: "string", Required: true, MaxLen: 10},
			{Name: "move_date", LabelJA: "転出予定日", LabelEN: "Date of moving out", Type: "date", Required: true},
			{Name: "members", LabelJA: "人数", LabelEN: "People", Type: "number", Required: true},
			{Name: "card", LabelJA: "カード", LabelEN: "Card", Type: "choice", Required: true, Choices: []string{"継続利用する", "継続利用しない"}},
			{Name: "note", LabelJA: "備考", LabelEN: "Notes", Type: "string"},
		},
		MaxAttachments: 1,
	}}

func validMoveOut() *submit.FormDocument {
	return &submit.FormDocument{Procedure: "move-out",
		Applicant: map[string]any{"name": "高橋　花子", "birth_date": "1985-04-15", "sex": "2", "address": "東京都千代田区霞が関二丁目１番２号"},
		Fields:    map[string]any{"new_address": "大阪府", "move_date": "2026-12-20", "members": json.Number("1"), "card": "継続利用する"}}
}

func TestFormsAreCheckedFieldByFieldAgainstTheSchema(t *testing.T) {
	tests := []struct {
		name        string
		change      func(*submit.FormDocument)
		attachments int
		want        []string
	}{
		{"a complete form has no problem", func(*submit.FormDocument) {}, 0, nil},
		{"a missing required field is named", func(d *submit.FormDocument) { delete(d.Fields, "move_date") }, 0, []string{"fields.move_date"}},
		{"an empty applicant name is named", func(d *submit.FormDocument) { d.Applicant["name"] = "  " }, 0, []string{"applicant.name"}},
		{"a choice outside the list is refused", func(d *submit.FormDocument) { d.Fields["card"] = "返納する" }, 0, []string{"fields.card"}},
		{"a date in another notation is refused", func(d *submit.FormDocument) { d.Fields["move_date"] = "2026/12/20" }, 0, []string{"fields.move_date"}},
		{"a negative number is refused", func(d *submit.FormDocument) { d.Fields["members"] = -1 }, 0, []string{"fields.members"}},
		{"a number written as text is refused", func(d *submit.FormDocument) { d.Fields["members"] = "一" }, 0, []string{"fields.members"}},
		{"text over its length is refused", func(d *submit.FormDocument) { d.Fields["new_address"] = strings.Repeat("あ", 11) }, 0, []string{"fields.new_address"}},
		{"an optional field may be left out", func(d *submit.FormDocument) { delete(d.Fields, "note") }, 0, nil},
		{"a field the schema does not know is named", func(d *submit.FormDocument) { d.Fields["extra"] = "x" }, 0, []string{"fields.extra"}},
		{"a form for another procedure is refused", func(d *submit.FormDocument) { d.Procedure = "other" }, 0, []string{"procedure"}},
		{"an applicant field the procedure does not ask for is named", func(d *submit.FormDocument) { d.Applicant["name_kana"] = "タカハシ" }, 0, []string{"applicant.name_kana"}},
		{"a zero-width space in the name is refused", func(d *submit.FormDocument) { d.Applicant["name"] = "高橋\u200b　花子" }, 0, []string{"applicant.name"}},
		{"a right-to-left override in the address is refused", func(d *submit.FormDocument) { d.Applicant["address"] = "東京都\u202e千代田区" }, 0, []string{"applicant.address"}},
		{"a Hangul filler in a field is refused", func(d *submit.FormDocument) { d.Fields["note"] = "\u3164" }, 0, []string{"fields.note"}},
		{"a byte-order mark in a field is refused", func(d *submit.FormDocument) { d.Fields["new_address"] = "\ufeff大阪府" }, 0, []string{"fields.new_address"}},
		{"too many attachments are refused", func(*submit.FormDocument) {}, 2, []string{"attachments"}},
		{"every problem is listed, in the schema's order", func(d *submit.FormDocument) {
			delete(d.Applicant, "address")
			d.Fields = map[string]any{}
		}, 0, []string{"applicant.address", "fields.new_address", "fields.move_date", "fields.members", "fields.card"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			doc := validMoveOut()
			tc.change(doc)
			probs := flow.ValidateForm(doc, moveOut, tc.attachments)
			var got []string
			for _, p := range probs {
				got = append(got, p.Field)
				if p.Message.Ja == "" || p.Message.En == "" {
					t.Errorf("%s has no message in both languages", p.Field)
				}
				if strings.Contains(p.Message.Ja+p.Message.En, "高橋") {
					t.Errorf("%s quotes personal data", p.Field)
				}
			}
			if fmt.Sprint(got) != fmt.Sprint(tc.want) {
				t.Errorf("problems %v, want %v", got, tc.want)
			}
			err := flow.CheckForm(doc, moveOut, tc.attachments)
			if (err != nil) != (len(tc.want) > 0) || (err != nil && !errors.Is(err, flow.ErrFormInvalid)) {
				t.Errorf("CheckForm: %v", err)
			}
		})
	}
}

func TestAFormFileIsReadAndANewFormFollowsTheSchema(t *testing.T) {
	path := filepath.Join(fsxtest.TempDir(t), "form.json")
	if err := os.WriteFile(path, []byte(`{"procedure":"move-out","applicant":{"sex":2},"fields":{"members":3}}`), 0o600); err != nil {
		t.Fatal(err)
	}
	doc, err := flow.OpenForm(context.Background(), path)
	if err != nil {
		t.Fatal(err)
	}
	if a := flow.ApplicantOf(doc); a.Sex != "2" {
		t.Errorf("sex read as %q", a.Sex)
	}
	if _, ok := doc.Fields["members"].(json.Number); !ok {
		t.Errorf("numbers are %T, want json.Number as the service reads them", doc.Fields["members"])
	}
	if _, err := flow.ParseForm([]byte(`{"applicant":{}}`)); !errors.Is(err, submit.ErrNotForm) {
		t.Errorf("a form naming no procedure: %v", err)
	}
	fresh := flow.NewForm(moveOut)
	if len(fresh.Applicant) != 4 || len(fresh.Fields) != 5 {
		t.Errorf("new form %+v", fresh)
	}
	wrote := flow.FillApplicant(fresh, flow.ApplicantOf(validMoveOut()), moveOut, false)
	if len(wrote) != 4 || fresh.Applicant["address"] != "東京都千代田区霞が関二丁目１番２号" {
		t.Errorf("filled %v", wrote)
	}
	fresh.Applicant["name"] = "高橋 花子"
	if wrote := flow.FillApplicant(fresh, flow.ApplicantOf(validMoveOut()), moveOut, false); len(wrote) != 0 {
		t.Errorf("overwrote what the user typed: %v", wrote)
	}
}

func TestEachLevelSaysWhatTheApplicantNeeds(t *testing.T) {
	for level, want := range map[submit.AuthLevel]flow.Need{submit.LevelNone: flow.NeedNothing, submit.LevelIDPW: flow.NeedPassword,
		submit.LevelSignature: flow.NeedCertificate, submit.LevelIDPWSignature: flow.NeedBoth, "future-level": flow.NeedBoth} {
		if got := flow.NeedOf(level); got != want || got.Text().Ja == "" || got.Text().En == "" {
			t.Errorf("%s: %q %+v, want %q", level, got, got.Text(), want)
		}
	}
}

func TestEveryErrorIsExplainedInBothLanguagesWithWhatToDo(t *testing.T) {
	generic, _ := explainOf(errors.New("something else"))
	tests := []struct {
		name string
		err  error
	}{
		{"a wrong PIN with tries left", fmt.Errorf("flow: %w", &pkcs11.PINError{Status: pkcs11.PINStatus{TriesLeft: 3}})},
		{"a wrong PIN that locked the card", &pkcs11.PINError{Status: pkcs11.PINStatus{Locked: true}}},
		{"a locked PIN", fmt.Errorf("flow: token: %w", pkcs11.ErrPINLocked)},
		{"an unconfirmed final try", pkcs11.ErrFinalTryNotConfirmed},
		{"a PIN of the wrong format", pkcs11.ErrPINFormat},
		{"no card", pkcs11.ErrNoToken},
		{"a card pulled out", pkcs11.ErrCardRemoved},
		{"a card without a signature certificate", pkcs11.ErrNoCertificate},
		{"no module", pkcs11.ErrModuleNotLoadable},
		{"a wrong .p12 password", signer.ErrWrongPassword},
		{"not a .p12", signer.ErrNotPKCS12},
		{"an unreadable attachment", signer.ErrInvalidFile},
		{"a malformed package", signer.ErrMalformed},
		{"an untrusted service", &submit.TLSError{Failure: submit.TLSUnknownAuthority, Err: errors.New("x509")}},
		{"an unreachable service", fmt.Errorf("x: %w", submit.ErrUnreachable)},
		{"a refusal for identity mismatch", &submit.ProblemError{Status: 422, Problem: submit.Problem{Reason: submit.ReasonIdentityMismatch, MessageJA: "本人確認ができません。", MessageEN: "Identity mismatch."}}},
		{"an application kept in the outbox", &submit.SendError{Err: fmt.Errorf("x: %w", submit.ErrUnreachable)}},
		{"no keyring", submit.ErrNoKeyring},
		{"an expired certificate", &certcheck.Error{Reason: certcheck.ReasonExpired}},
		{"a declined signature", flow.ErrDeclined},
		{"a cancelled signature", context.Canceled},
		{"an invalid form", &flow.FormError{Problems: []flow.FieldProblem{{Field: "fields.x", Message: i18n.Text{Ja: "x", En: "x"}}}}},
		{"no account", flow.ErrNoAccount},
		{"a submission at the wrong level", flow.ErrWrongLevel},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			msg, hint := explainOf(tc.err)
			if msg.Ja == "" || msg.En == "" || hint.Ja == "" || hint.En == "" {
				t.Errorf("%v: message %+v, hint %+v", tc.err, msg, hint)
			}
			if msg == generic {
				t.Errorf("%v gets the general message", tc.err)
			}
			if ja, _ := explainIn(tc.err, i18n.Japanese); ja != msg.Ja {
				t.Errorf("Explain in Japanese %q, want %q", ja, msg.Ja)
			}
		})
	}
}

func TestAFormWithAKeyTwiceIsNotReadAsAForm(t *testing.T) {
	for _, tc := range []struct{ name, doc string }{
		{"the applicant's name twice", `{"procedure":"move-out","applicant":{"name":"佐藤　次郎","name":"高橋　花子"},"fields":{}}`},
		{"the procedure twice but for its case", `{"Procedure":"other","procedure":"move-out","applicant":{},"fields":{}}`},
		{"a field twice, one spelled with an escape", `{"procedure":"move-out","applicant":{},"fields":{"note":"a","n\u006fte":"b"}}`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if _, err := flow.ParseForm([]byte(tc.doc)); !errors.Is(err, submit.ErrNotForm) {
				t.Errorf("ParseForm: %v, want submit.ErrNotForm", err)
			}
			path := filepath.Join(fsxtest.TempDir(t), "form.json")
			if err := os.WriteFile(path, []byte(tc.doc), 0o600); err != nil {
				t.Fatal(err)
			}
			if _, err := submit.ReadInput(context.Background(), path); !errors.Is(err, submit.ErrNotForm) {
				t.Errorf("submit.ReadInput: %v, want submit.ErrNotForm", err)
			}
		})
	}
}

func TestAFormWithAPartTheServiceDoesNotDefineIsNotReadAsAForm(t *testing.T) {
	doc := `{"procedure":"move-out","applicant":{},"fields":{},"attachments_note":"x"}`
	if _, err := flow.ParseForm([]byte(doc)); !errors.Is(err, submit.ErrNotForm) {
		t.Errorf("ParseForm: %v, want submit.ErrNotForm", err)
	}
}
