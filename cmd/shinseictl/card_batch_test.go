//go:build cgo && linux

package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/shinsei-app/shinsei/diagnosis"
	"github.com/shinsei-app/shinsei/internal/fsx/fsxtest"
	"github.com/shinsei-app/shinsei/sandbox/vcard"
)

// sign --batch on the virtual My Number card, counted at the card: one
// PIN entry for N forms is the login's VERIFY and N context-specific
// VERIFYs; a wrong PIN is one VERIFY and the batch stops; the final try is
// refused before any VERIFY, as sign of one form refuses it.
func TestSignBatchOnTheVirtualCardPresentsTheOnePINEntryForEachSignature(t *testing.T) {
	vc := startCardStack(t)
	t.Setenv(diagnosis.ErrorLogEnv, filepath.Join(fsxtest.TempDir(t), "last-errors.json"))
	cases := []struct {
		name       string
		scenario   vcard.Scenario
		stdin      string
		code       int
		out        []string // in stdout
		verifies   int
		signatures int
	}{
		{"four forms, one PIN entry: the login and four context-specific VERIFYs", vcard.ScenarioHealthy, strings.ToLower(vcard.SignaturePIN) + "\n", exitOK,
			[]string{"batch: 4 forms, 4 signed, 0 refused, 0 failed, 0 not signed"}, 1 + 4, 4},
		{"a wrong PIN: exactly one VERIFY, the batch stops, nothing signed", vcard.ScenarioHealthy, "WRONG2026\n", exitNegative,
			[]string{"batch: 4 forms, 0 signed, 0 refused, 0 failed, 4 not signed"}, 1, 0},
		{"the final try without --allow-final-try: refused before any VERIFY", vcard.ScenarioFinalTry, vcard.SignaturePIN + "\n", exitNegative,
			[]string{"batch: 4 forms, 0 signed, 0 refused, 0 failed, 4 not signed"}, 0, 0},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			card := vc.insert(t, c.scenario)
			dir := fsxtest.TempDir(t)
			var forms []string
			for _, n := range []string{"a", "b", "c", "d"} {
				p := filepath.Join(dir, n+".json")
				if err := os.WriteFile(p, []byte(`{"procedure": "sandbox-juminhyo"}`), 0o600); err != nil {
					t.Fatal(err)
				}
				forms = append(forms, p)
			}
			out := filepath.Join(dir, "out")
			os.Mkdir(out, 0o700)
			args := append([]string{"sign", "--batch", "--out-dir", out, "--module", vc.module, "--pin-stdin", "--no-settings"}, forms...)
			code, stdout, stderr := shinseictl(c.stdin, args...)
			if code != c.code {
				t.Fatalf("exit %d, want %d\nstdout:\n%s\nstderr:\n%s", code, c.code, stdout, stderr)
			}
			for _, want := range c.out {
				if !strings.Contains(stdout, want) {
					t.Errorf("no %q in stdout:\n%s", want, stdout)
				}
			}
			st := card.Stats()
			if got := st.SignatureVerifies + st.AuthVerifies; got != c.verifies || st.Signatures != c.signatures {
				t.Errorf("the card got %d VERIFYs carrying a PIN and made %d signatures, want %d and %d (stats %+v)", got, st.Signatures, c.verifies, c.signatures, st)
			}
			entries, _ := os.ReadDir(out)
			if len(entries) != c.signatures {
				t.Errorf("%d packages written, want %d", len(entries), c.signatures)
			}
			for _, secret := range []string{vcard.SignaturePIN, strings.ToLower(vcard.SignaturePIN), "WRONG2026"} {
				if strings.Contains(stdout+stderr, secret) {
					t.Errorf("the output holds a PIN")
				}
			}
		})
	}
}
