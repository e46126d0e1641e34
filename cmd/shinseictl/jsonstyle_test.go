package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"regexp"
	"sort"
	"strings"
	"testing"
)

// The one JSON style of --json (DESIGN.md §4): exactly one document on
// standard output (or JSON Lines — one compact document per line — for a
// command that reports as it goes, sign --batch), every key in snake_case, and certificate serials only
// as serial_sha256 — never a key named "serial" or any other "…serial…"
// key that could hold a raw serial. TestMain checks every --json run of
// every scenario with jsonStyleProblems: a run that breaks the style
// exits jsonStyleExit, which fails its scenario.

// jsonStyleExit is the exit code of a --json run that breaks the style.
const jsonStyleExit = 98

var snakeCase = regexp.MustCompile(`^[a-z][a-z0-9]*(_[a-z0-9]+)*$`)

// jsonStyleProblems says what in out breaks the one JSON style.
func jsonStyleProblems(out []byte) []string {
	dec := json.NewDecoder(bytes.NewReader(out))
	dec.UseNumber()
	var doc any
	if err := dec.Decode(&doc); err != nil {
		return []string{fmt.Sprintf("standard output is not a JSON document: %v", err)}
	}
	docs := []any{doc}
	var extra any
	if err := dec.Decode(&extra); !errors.Is(err, io.EOF) {
		// JSON Lines: every line one whole document.
		docs = nil
		for _, line := range bytes.Split(bytes.TrimSuffix(out, []byte("\n")), []byte("\n")) {
			var d any
			if err := json.Unmarshal(line, &d); err != nil {
				return []string{"standard output holds more than one JSON document, and not one per line (JSON Lines)"}
			}
			docs = append(docs, d)
		}
	}
	problems := map[string]bool{}
	for _, doc := range docs {
		walkKeys(doc, "", func(path, key string) {
			switch {
			case !snakeCase.MatchString(key):
				problems[fmt.Sprintf("%s: key %q is not snake_case", path, key)] = true
			case strings.Contains(key, "serial") && !strings.HasSuffix(key, "serial_sha256"):
				problems[fmt.Sprintf("%s: key %q may hold a raw serial; give serial_sha256", path, key)] = true
			}
		})
	}
	var list []string
	for p := range problems {
		list = append(list, p)
	}
	sort.Strings(list)
	return list
}

// walkKeys calls fn with every object key in v and the path to it.
func walkKeys(v any, path string, fn func(path, key string)) {
	switch v := v.(type) {
	case map[string]any:
		for k, x := range v {
			fn(path, k)
			walkKeys(x, path+"."+k, fn)
		}
	case []any:
		for i, x := range v {
			walkKeys(x, fmt.Sprintf("%s[%d]", path, i), fn)
		}
	}
}

func TestTheJSONStyleCheckFindsWhatBreaksTheStyle(t *testing.T) {
	for _, c := range []struct {
		name, doc string
		problem   string // "" for none
	}{
		{"snake_case keys and a hashed serial pass", `{"exit_code": 0, "path": [{"serial_sha256": "ab", "not_after": "x"}], "hint": {"ja": "", "en": ""}}`, ""},
		{"a camelCase key is caught", `{"integrity": {"ok": true}, "signingTime": "x"}`, `key "signingTime" is not snake_case`},
		{"a nested camelCase key is caught", `{"files": [{"name": "a", "mimeType": "text/plain"}]}`, `[0]: key "mimeType"`},
		{"a raw serial is caught", `{"signer": {"serial": "1f"}}`, `key "serial" may hold a raw serial`},
		{"a raw serial under another name is caught", `{"token_serial": "1f"}`, `key "token_serial" may hold a raw serial`},
		{"two documents are caught", "{\n  \"a\": 1\n}\n{\n  \"error\": \"x\"\n}\n", "more than one JSON document"},
		{"JSON Lines, one compact document per line, pass", "{\"form\":\"a\",\"exit_code\":0}\n{\"summary\":{\"forms\":1}}\n", ""},
		{"a camelCase key on a later line of JSON Lines is caught", "{\"form\":\"a\"}\n{\"notSigned\":1}\n", `key "notSigned" is not snake_case`},
		{"text is caught", "signed x.asice\n", "not a JSON document"},
	} {
		t.Run(c.name, func(t *testing.T) {
			got := strings.Join(jsonStyleProblems([]byte(c.doc)), "\n")
			if c.problem == "" && got != "" || !strings.Contains(got, c.problem) {
				t.Errorf("problems %q, want one with %q", got, c.problem)
			}
		})
	}
}
