package explain

import (
	"regexp"
	"strings"
	"testing"

	"github.com/shinsei-app/shinsei/submit"
)

// quotedName is a name a text sends the reader to: 「申請履歴」, 『今すぐ送る』.
var quotedName = regexp.MustCompile(`[「『]([^」』「『]+)[」』]`)

// notUINames are quoted words that name no part of the window and need
// not: the certificate's own name on the card, as J-LIS calls it.
var notUINames = map[string]bool{
	"署名用電子証明書": true,
}

// retiredNames were named by texts but never stood on a screen (or stand
// there no longer); a text may not send anyone to them, quoted or not.
var retiredNames = []string{
	"未送信の申請を送る",
	"証明書から入力",
	"データの保存先",
	"受付の一覧",
	"信頼する証明書」",
	"と信頼する証明書",
	"の信頼する証明書",
}

// uiNames is every name the window shows, from ja.json: a label, button,
// or title as written, and also without what follows it in a label (the
// colon, a note in brackets, the ellipsis of a busy label).
func uiNames(t *testing.T) map[string]bool {
	names := map[string]bool{}
	for _, v := range jaJSON(t) {
		if strings.Contains(v, "{{") {
			continue
		}
		names[v] = true
		short := v
		for _, cut := range []string{"（", "：", "…", "。"} {
			if i := strings.Index(short, cut); i > 0 {
				short = short[:i]
			}
		}
		names[short] = true
	}
	return names
}

func TestEveryQuotedNameIsOneTheWindowShows(t *testing.T) {
	names := uiNames(t)
	texts := residentTexts(t)
	texts = append(texts, goJaLiterals(t, "../flow")...)
	found := 0
	for _, tx := range texts {
		for _, m := range quotedName.FindAllStringSubmatch(tx.ja, -1) {
			name := m[1]
			if strings.Contains(name, "%") || strings.Contains(name, "{{") || notUINames[name] {
				continue
			}
			found++
			if !names[name] {
				t.Errorf("%s: %q sends the reader to 「%s」, which no screen shows", tx.where, tx.ja, name)
			}
		}
	}
	if found < 10 {
		t.Fatalf("only %d quoted names were found; the texts were not read", found)
	}
}

func TestNoTextNamesAScreenPartThatDoesNotExist(t *testing.T) {
	texts := residentTexts(t)
	texts = append(texts, goJaLiterals(t, "../flow")...)
	for _, tx := range texts {
		for _, gone := range retiredNames {
			if strings.Contains(tx.ja, gone) {
				t.Errorf("%s: %q mentions %q, which no screen shows", tx.where, tx.ja, strings.Trim(gone, "」とのの"))
			}
		}
	}
}

// The check itself catches a made-up button and passes a real one.
func TestTheQuotedNameCheckCatchesWhatItIsFor(t *testing.T) {
	names := uiNames(t)
	for _, c := range []struct {
		name string
		ok   bool
	}{
		{"a button of the history screen is a name", names["今すぐ送る"]},
		{"a settings label is a name without its note", names["信頼する認証局"]},
		{"a made-up button is no name", !names["未送信の申請を送る"]},
		{"a quoted name is found in a sentence", quotedName.FindStringSubmatch("「申請履歴」の「今すぐ送る」で")[1] == "申請履歴"},
	} {
		if !c.ok {
			t.Errorf("%s: the check does not hold", c.name)
		}
	}
}

// A certificate is renewed somewhere: the text says where (the municipal
// office for a My Number card, the registry office for a company's).
func TestEveryRenewalSaysWhere(t *testing.T) {
	texts := residentTexts(t)
	texts = append(texts, goJaLiterals(t, "../flow")...)
	n := 0
	for _, tx := range texts {
		if !strings.Contains(tx.ja, "更新") || !strings.Contains(tx.ja, "証明書") {
			continue
		}
		n++
		if !strings.Contains(tx.ja, "市区町村の窓口") && !strings.Contains(tx.ja, "登記所") {
			t.Errorf("%s: %q asks for a renewal without saying where", tx.where, tx.ja)
		}
	}
	if n < 3 {
		t.Fatalf("only %d renewal texts were found", n)
	}
}

func TestAnIdempotencyConflictSendsTheResidentToHistoryFirst(t *testing.T) {
	h := reasonHints[submit.ReasonIdempotencyConflict].hint.Ja
	hist, again := strings.Index(h, "「申請履歴」"), strings.Index(h, "新しい申請")
	if hist < 0 || (again >= 0 && again < hist) {
		t.Errorf("the hint %q does not send the resident to 「申請履歴」 before a new application", h)
	}
}
