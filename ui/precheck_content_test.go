package ui

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"fyne.io/fyne/v2/test"

	"github.com/shinsei-app/shinsei/sandbox/service"
)

func TestThePrecheckShowsTheApplicantFromTheCardTheFieldsAndTheAttachments(t *testing.T) {
	att := filepath.Join(t.TempDir(), "転出理由.pdf")
	if err := os.WriteFile(att, make([]byte, 1500), 0o600); err != nil {
		t.Fatal(err)
	}
	h := newHarness(t, config(t))
	h.startProcedure(service.ProcMoveOut)
	h.chooseToken()
	f := h.s.form
	fillMoveOut(t, f) // the applicant block is left to the card
	f.addAttachment(att)
	test.Tap(f.next)
	h.enterPIN("SANDBOX1")

	shown := map[string]string{}
	var all []string
	for _, r := range h.s.check.content.rows {
		shown[r[0]] = r[1]
		all = append(all, r[0]+"="+r[1])
	}
	for label, want := range map[string]string{
		"氏名":     "高橋　花子", // read from the card after the PIN
		"住所":     "東京都千代田区霞が関二丁目１番２号",
		"性別":     tr("form.sex_female"),
		"転出先の住所": "大阪府大阪市北区中之島1-3-20",
		"転出する人数": "2",
		"マイナンバーカードの継続利用": "継続利用する",
		"1": "転出理由.pdf（1.5 KB）",
	} {
		if got := shown[label]; got != want {
			t.Errorf("the pre-check shows %s as %q, want %q (shown: %s)", label, got, want, strings.Join(all, ", "))
		}
	}
	test.Tap(h.s.check.back)
	h.wait("form")
}
