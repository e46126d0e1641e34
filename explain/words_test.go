package explain

import (
	"bufio"
	"encoding/json"
	"errors"
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/shinsei-app/shinsei/flow"
	"github.com/shinsei-app/shinsei/pkcs11"
	"github.com/shinsei-app/shinsei/submit"
)

// The glossary beside the translations is the one list of words; these
// tests read it and check every Japanese text against it.
const (
	glossaryPath = "../assets/lang/glossary.md"
	jaPath       = "../assets/lang/ja.json"
	// helpDeskDetail starts the ja.json keys of the help desk's detail,
	// which may keep technical words (the glossary says so).
	helpDeskDetail = "help.detail."
)

// wordRule is one row of the glossary's "Words" table.
type wordRule struct {
	write, never string
	except       []string
}

type glossary struct {
	words  []wordRule
	tokens []string
}

// readGlossary reads the cells between backquotes of the glossary's
// "Words" and "Not on resident screens" tables.
func readGlossary(t *testing.T) glossary {
	t.Helper()
	f, err := os.Open(glossaryPath)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var g glossary
	section := ""
	cell := regexp.MustCompile("`([^`]+)`")
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		line := sc.Text()
		if strings.HasPrefix(line, "## ") {
			section = strings.TrimPrefix(line, "## ")
			continue
		}
		if !strings.HasPrefix(line, "|") || strings.HasPrefix(line, "|---") {
			continue
		}
		cols := strings.Split(strings.Trim(line, "|"), "|")
		val := func(i int) []string {
			if i >= len(cols) {
				return nil
			}
			var out []string
			for _, m := range cell.FindAllStringSubmatch(cols[i], -1) {
				out = append(out, m[1])
			}
			return out
		}
		switch section {
		case "Words":
			w, n := val(0), val(1)
			if len(w) == 1 && len(n) == 1 {
				g.words = append(g.words, wordRule{write: w[0], never: n[0], except: val(2)})
			}
		case "Not on resident screens":
			g.tokens = append(g.tokens, val(0)...)
		}
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	if len(g.words) < 5 || len(g.tokens) < 10 {
		t.Fatalf("the glossary's tables were not read: %d words, %d tokens", len(g.words), len(g.tokens))
	}
	return g
}

// text is one Japanese text and where it comes from.
type text struct{ where, ja string }

// jaJSON is every value of ja.json, by key.
func jaJSON(t *testing.T) map[string]string {
	t.Helper()
	b, err := os.ReadFile(jaPath)
	if err != nil {
		t.Fatal(err)
	}
	var raw map[string]json.RawMessage
	if err := json.Unmarshal(b, &raw); err != nil {
		t.Fatal(err)
	}
	out := map[string]string{}
	for k, v := range raw {
		var s string
		if json.Unmarshal(v, &s) == nil {
			out[k] = s
			continue
		}
		var plural map[string]string
		if err := json.Unmarshal(v, &plural); err != nil {
			t.Fatalf("ja.json %s: %v", k, err)
		}
		for form, s := range plural {
			out[k+"."+form] = s
		}
	}
	return out
}

// goJaLiterals is every string literal in the Ja of an i18n.Text (the
// text itself, or the parts and formats it is made of) in the non-test Go
// files of dir, and in the first argument of a call of one of calls.
func goJaLiterals(t *testing.T, dir string, calls ...string) []text {
	t.Helper()
	files, err := filepath.Glob(filepath.Join(dir, "*.go"))
	if err != nil {
		t.Fatal(err)
	}
	var out []text
	fset := token.NewFileSet()
	for _, file := range files {
		if strings.HasSuffix(file, "_test.go") {
			continue
		}
		f, err := parser.ParseFile(fset, file, nil, 0)
		if err != nil {
			t.Fatal(err)
		}
		add := func(e ast.Expr) {
			ast.Inspect(e, func(n ast.Node) bool {
				if lit, ok := n.(*ast.BasicLit); ok && lit.Kind == token.STRING {
					if s, err := strconv.Unquote(lit.Value); err == nil && s != "" {
						out = append(out, text{fset.Position(lit.Pos()).String(), s})
					}
				}
				return true
			})
		}
		ast.Inspect(f, func(n ast.Node) bool {
			switch n := n.(type) {
			case *ast.CallExpr:
				if id, ok := n.Fun.(*ast.Ident); ok && slices.Contains(calls, id.Name) && len(n.Args) > 0 {
					add(n.Args[0])
				}
			case *ast.KeyValueExpr:
				if id, ok := n.Key.(*ast.Ident); ok && id.Name == "Ja" {
					add(n.Value)
				}
			}
			return true
		})
	}
	if len(out) < 20 {
		t.Fatalf("only %d Japanese literals found in %s", len(out), dir)
	}
	return out
}

// everyJapaneseText is ja.json, the Japanese literals of explain and of
// flow, and what a resident reads of the diagnosis.
func everyJapaneseText(t *testing.T) []text {
	var all []text
	for k, v := range jaJSON(t) {
		all = append(all, text{"ja.json " + k, v})
	}
	all = append(all, goJaLiterals(t, ".")...)
	all = append(all, goJaLiterals(t, "../flow")...)
	all = append(all, diagnosisTexts(t)...)
	sort.Slice(all, func(i, j int) bool { return all[i].where < all[j].where })
	return all
}

// residentTexts is what a resident reads: ja.json less the help desk's
// detail, and the Message and Hint of every explanation (sentinels, the
// service's reasons, certificate findings, and the typed errors in the
// states they word differently), and the diagnosis's checks as the help
// desk screen shows them to a resident (diagnosisTexts). Command hints and
// the diagnosis's help-desk detail are not among them.
func residentTexts(t *testing.T) []text {
	var out []text
	for k, v := range jaJSON(t) {
		if !strings.HasPrefix(k, helpDeskDetail) {
			out = append(out, text{"ja.json " + k, v})
		}
	}
	entry := func(where string, e Entry) {
		out = append(out, text{where + " message", e.Message.Ja}, text{where + " hint", e.Hint.Ja})
	}
	out = append(out, diagnosisTexts(t)...)
	for _, r := range sentinels {
		entry(fmt.Sprintf("sentinel %v", r.err), r.entry())
	}
	for reason, h := range reasonHints {
		out = append(out, text{fmt.Sprintf("reason %s hint", reason), h.hint.Ja})
	}
	for reason, e := range certReasons {
		out = append(out, text{fmt.Sprintf("certificate %v message", reason), e.msg.Ja}, text{fmt.Sprintf("certificate %v hint", reason), e.hint.Ja})
	}
	typedErrs := map[string]error{
		"wrong PIN, tries unknown": &pkcs11.PINError{Status: pkcs11.PINStatus{TriesLeft: -1}},
		"wrong PIN, 4 tries left":  &pkcs11.PINError{Status: pkcs11.PINStatus{CountLow: true, TriesLeft: 4}},
		"wrong PIN, final try":     &pkcs11.PINError{Status: pkcs11.PINStatus{CountLow: true, FinalTry: true, TriesLeft: 1}},
		"wrong PIN, locked":        &pkcs11.PINError{Status: pkcs11.PINStatus{Locked: true}},
		"TLS unknown authority":    &submit.TLSError{Failure: submit.TLSUnknownAuthority},
		"TLS host mismatch":        &submit.TLSError{Failure: submit.TLSHostMismatch},
		"TLS certificate invalid":  &submit.TLSError{Failure: submit.TLSCertificateInvalid},
		"TLS old version":          &submit.TLSError{Failure: submit.TLSOldVersion},
		"service failure":          &submit.ProblemError{Status: 503},
		"rate limited":             &submit.ProblemError{Status: 429, Problem: submit.Problem{Reason: submit.ReasonRateLimited}, RetryAfter: 30 * time.Second},
		"account locked a while":   &submit.ProblemError{Status: 423, Problem: submit.Problem{Reason: submit.ReasonAccountLocked}, RetryAfter: 2 * time.Minute},
		"unknown refusal":          &submit.ProblemError{Status: 400, Problem: submit.Problem{Reason: "something-new"}},
		"refused package":          &submit.SendError{Refused: true, Err: submit.ErrRefused},
		"kept package":             &submit.SendError{Err: submit.ErrUnreachable, NotSent: true},
		"already received":         &flow.AlreadyReceivedError{Record: submit.Record{ArrivalNumber: "A-1"}},
		"too large, signed":        &flow.TooLargeError{Procedure: "p", Limit: 64 << 20, Signed: true, Err: submit.ErrRefused},
		"too large, form":          &flow.TooLargeError{Procedure: "p", Limit: 1 << 20, Err: submit.ErrRefused},
		"too large, limit unknown": &flow.TooLargeError{Procedure: "p", Signed: true, Err: submit.ErrRefused},
		"unsupported signature":    errors.ErrUnsupported,
		"unknown error":            errors.New("something else"),
	}
	for where, err := range typedErrs {
		entry(where, Of(err))
	}
	return out
}

// verifierCode is a raw code: lower-case words joined by hyphens.
var verifierCode = regexp.MustCompile(`\b[a-z]+(?:-[a-z]+)+\b`)

// modulePath is a shared library's name.
var modulePath = regexp.MustCompile(`\.(?:so|dylib|dll)\b`)

// containsToken reports whether s has tok, not as part of a longer ASCII
// word (VA is not in VALID).
func containsToken(s, tok string) bool {
	isWord := func(b byte) bool {
		return b >= 'A' && b <= 'Z' || b >= 'a' && b <= 'z' || b >= '0' && b <= '9'
	}
	for i := 0; ; {
		j := strings.Index(s[i:], tok)
		if j < 0 {
			return false
		}
		start, end := i+j, i+j+len(tok)
		if (start == 0 || !isWord(s[start-1]) || !isWord(tok[0])) && (end == len(s) || !isWord(s[end]) || !isWord(tok[len(tok)-1])) {
			return true
		}
		i = start + 1
	}
}

func TestEveryJapaneseTextUsesTheGlossarysWords(t *testing.T) {
	g := readGlossary(t)
	for _, w := range g.words {
		t.Run(fmt.Sprintf("%s, never %s", w.write, w.never), func(t *testing.T) {
			for _, tx := range everyJapaneseText(t) {
				s := tx.ja
				for _, ok := range w.except {
					s = strings.ReplaceAll(s, ok, "")
				}
				if strings.Contains(s, w.never) {
					t.Errorf("%s: %q has %q; the glossary writes %q", tx.where, tx.ja, w.never, w.write)
				}
			}
		})
	}
}

// Half-width digits with no space between a number and its word.
var (
	fullWidthDigit = regexp.MustCompile(`[０-９]`)
	spacedNumber   = regexp.MustCompile(`[\p{Han}\p{Hiragana}\p{Katakana}ー] +(?:[0-9]|%d|%\[\d\]d)|(?:^|[^A-Za-z0-9.\-])(?:[0-9.]+|%d|%\[\d\]d) +[\p{Han}\p{Hiragana}\p{Katakana}]`)
	// A Japanese label takes the full-width colon.
	halfWidthColon = regexp.MustCompile(`[\p{Han}\p{Hiragana}\p{Katakana}ー）」] ?:`)
)

func TestEveryJapaneseTextWritesNumbersAndColonsAsTheGlossarySays(t *testing.T) {
	for _, tx := range everyJapaneseText(t) {
		if fullWidthDigit.MatchString(tx.ja) {
			t.Errorf("%s: %q has a full-width digit", tx.where, tx.ja)
		}
		if m := spacedNumber.FindString(tx.ja); m != "" {
			t.Errorf("%s: %q has a space around a number (%q)", tx.where, tx.ja, m)
		}
		if m := halfWidthColon.FindString(tx.ja); m != "" {
			t.Errorf("%s: %q has a half-width colon after Japanese (%q); write ：", tx.where, tx.ja, m)
		}
	}
}

func TestNoResidentTextHasATechnicalWord(t *testing.T) {
	g := readGlossary(t)
	texts := residentTexts(t)
	if len(texts) < 200 {
		t.Fatalf("only %d resident texts were gathered", len(texts))
	}
	for _, tx := range texts {
		for _, tok := range g.tokens {
			if containsToken(tx.ja, tok) {
				t.Errorf("%s: %q shows %q to a resident; keep it in the help desk's detail or the command line's hint", tx.where, tx.ja, tok)
			}
		}
		if m := verifierCode.FindString(tx.ja); m != "" {
			t.Errorf("%s: %q shows the raw code %q to a resident", tx.where, tx.ja, m)
		}
		if m := modulePath.FindString(tx.ja); m != "" {
			t.Errorf("%s: %q shows a module path to a resident", tx.where, tx.ja)
		}
	}
}

// The checks themselves must catch what they are for.
func TestTheWordChecksCatchWhatTheyAreFor(t *testing.T) {
	for _, c := range []struct {
		name string
		ok   bool
	}{
		{"VA is a token on its own", containsToken("VA に問い合わせ", "VA")},
		{"VA is no token inside a word", !containsToken("VALID", "VA")},
		{"PKCS#11 is found in Japanese text", containsToken("ソフトウェア（PKCS#11）", "PKCS#11")},
		{"a spaced count is found", spacedNumber.MatchString("あと 1 回")},
		{"a tight count passes", !spacedNumber.MatchString("あと1回、残り%d回")},
		{"a file name's digit is no count", !spacedNumber.MatchString("発行された .p12 ファイル")},
		{"a half-width colon after Japanese is found", halfWidthColon.MatchString("先にログインしてください: shinseictl")},
		{"a colon inside a Latin note passes", !halfWidthColon.MatchString("（Linux: D-Bus）")},
		{"a raw verifier code is found", verifierCode.MatchString("結果：manifest-digest-mismatch")},
		{"J-LIS is no verifier code", !verifierCode.MatchString("地方公共団体情報システム機構（J-LIS）")},
	} {
		if !c.ok {
			t.Errorf("%s: the check does not hold", c.name)
		}
	}
}

// A Japanese text writes a date as 「2029年5月1日」 (i18n.DateJa), never
// with time.Format, whose layouts give ISO dates.
func TestJapaneseTextsWriteDatesWithDateJa(t *testing.T) {
	fset := token.NewFileSet()
	for _, dir := range []string{".", "../flow"} {
		files, err := filepath.Glob(filepath.Join(dir, "*.go"))
		if err != nil {
			t.Fatal(err)
		}
		for _, file := range files {
			if strings.HasSuffix(file, "_test.go") {
				continue
			}
			f, err := parser.ParseFile(fset, file, nil, 0)
			if err != nil {
				t.Fatal(err)
			}
			ast.Inspect(f, func(n ast.Node) bool {
				kv, ok := n.(*ast.KeyValueExpr)
				if !ok {
					return true
				}
				if id, isID := kv.Key.(*ast.Ident); !isID || id.Name != "Ja" {
					return true
				}
				ast.Inspect(kv.Value, func(n ast.Node) bool {
					if call, ok := n.(*ast.CallExpr); ok {
						if sel, ok := call.Fun.(*ast.SelectorExpr); ok && sel.Sel.Name == "Format" {
							t.Errorf("%s: a Japanese text formats a date with Format; use i18n.DateJa", fset.Position(call.Pos()))
						}
					}
					return true
				})
				return true
			})
		}
	}
}
