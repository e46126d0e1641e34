//go:build cgo && linux

package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/shinsei-app/shinsei/diagnosis"
	"github.com/shinsei-app/shinsei/internal/fsx/fsxtest"
	"github.com/shinsei-app/shinsei/internal/testenv"
	"github.com/shinsei-app/shinsei/pkcs11"
	"github.com/shinsei-app/shinsei/sandbox/pki"
	"github.com/shinsei-app/shinsei/sandbox/vcard"
)

// These tests run shinseictl in this process (run) against the virtual My
// Number card behind the real stack — vpcd, a private pcscd, OpenSC — so
// they can read the card's VERIFY counters, which a script cannot.
//
// TestMain is testscript's, so the stack is started by each test that
// needs it (virtualCard) rather than by testenv.CardMain. libpcsclite reads
// PCSCLITE_CSOCK_NAME once per process, so every start uses the same
// directory and so the same socket; nothing else in this process uses
// PC/SC (the scripts run shinseictl as child processes).

// cardStackDir is the stack's directory for the whole test binary.
var cardStackDir = filepath.Join(os.TempDir(), fmt.Sprintf("shinseictl-card-%d", os.Getpid()))

// virtualCard is a card stack started for one test.
type virtualCard struct {
	stack  *vcard.Stack
	lib    *pkcs11.Library
	issuer *vcard.Issuer
	module string
}

// startCardStack starts pcscd with vpcd and loads OpenSC on it, failing
// the test with what to install when a part is missing. The test's cleanup
// stops everything by process id.
func startCardStack(t *testing.T) *virtualCard {
	t.Helper()
	module := ""
	for _, m := range pkcs11.FindModules() {
		if m.Name == "OpenSC" {
			module = m.Path
		}
	}
	if module == "" {
		t.Fatal("install OpenSC's PKCS#11 module (Debian: apt-get install opensc-pkcs11 opensc)")
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	stack, err := vcard.StartStack(ctx, vcard.StackOptions{Dir: cardStackDir})
	if err != nil {
		t.Fatal(err) // names the Debian package of a missing part
	}
	t.Cleanup(func() {
		if err := stack.Close(); err != nil {
			t.Errorf("stopping the card stack: %v", err)
		}
		os.RemoveAll(cardStackDir)
	})
	for _, kv := range stack.Env() {
		k, v, _ := strings.Cut(kv, "=")
		t.Setenv(k, v)
	}
	lib, err := pkcs11.Open(module)
	if err != nil {
		t.Fatalf("%v; install OpenSC (Debian: apt-get install opensc-pkcs11 opensc)", err)
	}
	t.Cleanup(func() { lib.Close() }) // runs before the stack stops
	p, err := pki.New(time.Now())
	if err != nil {
		t.Fatal(err)
	}
	issuer, err := vcard.NewIssuer(p, pki.NewRegistry())
	if err != nil {
		t.Fatal(err)
	}
	return &virtualCard{stack: stack, lib: lib, issuer: issuer, module: module}
}

// insert puts a card of the scenario in the slot and waits until OpenSC
// lists it.
func (v *virtualCard) insert(t *testing.T, s vcard.Scenario) *vcard.Card {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 15*time.Second)
	defer cancel()
	v.stack.Slot.Remove()
	if _, err := v.stack.WaitForCard(ctx, v.lib, false); err != nil {
		t.Fatal(err)
	}
	card, err := v.issuer.Issue(s)
	if err != nil {
		t.Fatal(err)
	}
	v.stack.Slot.Insert(card)
	if _, err := v.stack.WaitForCard(ctx, v.lib, true); err != nil {
		t.Fatal(err)
	}
	return card
}

// shinseictl runs the command line in this process.
func shinseictl(stdin string, args ...string) (code int, stdout, stderr string) {
	var out, errOut bytes.Buffer
	code = run(context.Background(), args, &stdio{in: strings.NewReader(stdin), out: &out, err: &errOut})
	return code, out.String(), errOut.String()
}

func TestCommandsReadTheVirtualCardsExactTriesAndNeverSpendOne(t *testing.T) {
	vc := startCardStack(t)
	t.Setenv(diagnosis.ErrorLogEnv, filepath.Join(fsxtest.TempDir(t), "last-errors.json"))
	dir := fsxtest.TempDir(t)
	form := filepath.Join(dir, "form.json")
	if err := os.WriteFile(form, []byte(`{"procedure": "sandbox-juminhyo"}`), 0o600); err != nil {
		t.Fatal(err)
	}
	signatureToken := func(t *testing.T, stdout string) pinView {
		t.Helper()
		var doc struct {
			Modules []moduleView `json:"modules"`
		}
		if err := json.Unmarshal([]byte(stdout), &doc); err != nil {
			t.Fatalf("tokens --json: %v\n%s", err, stdout)
		}
		for _, m := range doc.Modules {
			for _, tok := range m.Tokens {
				if tok.Label == pkcs11.JPKISignatureLabel {
					return tok.PIN
				}
			}
		}
		t.Fatalf("no signature token listed:\n%s", stdout)
		return pinView{}
	}
	cases := []struct {
		name     string
		scenario vcard.Scenario
		stdin    string
		args     func(out string) []string
		code     int
		check    func(t *testing.T, card *vcard.Card, stdout, stderr string)
		verifies int // VERIFY commands carrying a PIN the card may see
	}{
		{"tokens --json shows 5 tries left on a healthy card", vcard.ScenarioHealthy, "",
			func(string) []string { return []string{"tokens", "--module", vc.module, "--json"} }, exitOK,
			func(t *testing.T, _ *vcard.Card, stdout, _ string) {
				if got := signatureToken(t, stdout); got != (pinView{TriesLeft: 5}) {
					t.Errorf("signature PIN %+v, want 5 tries left", got)
				}
			}, 0},
		{"tokens --json shows 1 try left, as the final try, on a final-try card", vcard.ScenarioFinalTry, "",
			func(string) []string { return []string{"tokens", "--module", vc.module, "--json"} }, exitOK,
			func(t *testing.T, _ *vcard.Card, stdout, _ string) {
				if got := signatureToken(t, stdout); got != (pinView{FinalTry: true, TriesLeft: 1}) {
					t.Errorf("signature PIN %+v, want the final try", got)
				}
			}, 0},
		{"tokens shows a locked card as locked", vcard.ScenarioLocked, "",
			func(string) []string { return []string{"tokens", "--module", vc.module} }, exitOK,
			func(t *testing.T, _ *vcard.Card, stdout, _ string) {
				if !strings.Contains(stdout, "LOCKED") || !strings.Contains(stdout, "PIN: ok (3 tries left)") {
					t.Errorf("tokens said:\n%s", stdout)
				}
			}, 0},
		{"sign tells the tries left before the PIN and reports 4 tries left after a wrong one", vcard.ScenarioHealthy, "WRONG2026\n",
			func(out string) []string {
				return []string{"sign", "--module", vc.module, "--pin-stdin", "--out", out, form}
			}, exitNegative,
			func(t *testing.T, card *vcard.Card, _, stderr string) {
				if !strings.Contains(stderr, "has 5 tries left") {
					t.Errorf("no count before the PIN:\n%s", stderr)
				}
				if !strings.Contains(stderr, "error: pkcs11: incorrect PIN (4 tries left)") || !strings.Contains(stderr, "hint: check the PIN") {
					t.Errorf("stderr:\n%s", stderr)
				}
				if sig, _ := card.TriesLeft(); sig != 4 {
					t.Errorf("the card has %d tries left, want 4", sig)
				}
			}, 1},
		{"sign --lang ja says the same in Japanese: the tries left, then the table's message and hint", vcard.ScenarioHealthy, "WRONG2026\n",
			func(out string) []string {
				return []string{"sign", "--lang", "ja", "--module", vc.module, "--pin-stdin", "--out", out, form}
			}, exitNegative,
			func(t *testing.T, card *vcard.Card, _, stderr string) {
				for _, want := range []string{"の署名用電子証明書のパスワードは、あと5回入力できます。",
					"\nerror: パスワードが違います。残りの入力回数は4回です。\n", "\nhint: パスワードを確かめてから"} {
					if !strings.Contains(stderr, want) {
						t.Errorf("no %q in stderr:\n%s", want, stderr)
					}
				}
				if strings.Contains(stderr, "incorrect") {
					t.Errorf("English words in Japanese:\n%s", stderr)
				}
				if sig, _ := card.TriesLeft(); sig != 4 {
					t.Errorf("the card has %d tries left, want 4", sig)
				}
			}, 1},
		{"sign on the final try without --allow-final-try refuses before any VERIFY", vcard.ScenarioFinalTry, vcard.SignaturePIN + "\n",
			func(out string) []string {
				return []string{"sign", "--module", vc.module, "--pin-stdin", "--out", out, form}
			}, exitNegative,
			func(t *testing.T, card *vcard.Card, _, stderr string) {
				if !strings.Contains(stderr, "ONE PIN try left") || !strings.Contains(stderr, "hint: no PIN was tried") {
					t.Errorf("stderr:\n%s", stderr)
				}
				if sig, _ := card.TriesLeft(); sig != 1 {
					t.Errorf("the card has %d tries left, want 1", sig)
				}
			}, 0},
		{"sign on a locked card refuses without asking for the PIN", vcard.ScenarioLocked, vcard.SignaturePIN + "\n",
			func(out string) []string {
				return []string{"sign", "--module", vc.module, "--pin-stdin", "--out", out, form}
			}, exitNegative,
			func(t *testing.T, _ *vcard.Card, _, stderr string) {
				if !strings.Contains(stderr, "municipal office") {
					t.Errorf("stderr:\n%s", stderr)
				}
			}, 0},
		{"sign with the right PIN signs and leaves 5 tries", vcard.ScenarioHealthy, strings.ToLower(vcard.SignaturePIN) + "\n",
			func(out string) []string {
				return []string{"sign", "--module", vc.module, "--pin-stdin", "--out", out, form}
			}, exitOK,
			func(t *testing.T, card *vcard.Card, stdout, stderr string) {
				if !strings.Contains(stdout, "signed ") {
					t.Errorf("stdout:\n%s\nstderr:\n%s", stdout, stderr)
				}
				if sig, _ := card.TriesLeft(); sig != 5 || card.Stats().Signatures != 1 {
					t.Errorf("the card has %d tries left after %d signatures", sig, card.Stats().Signatures)
				}
			}, 2}, // the login and the signature key's context-specific login
		{"diag reports the exact tries of a final-try card and sends no PIN", vcard.ScenarioFinalTry, "",
			func(string) []string { return []string{"diag", "--module", vc.module, "--json"} }, exitEnvironment, // no keyring here
			func(t *testing.T, _ *vcard.Card, stdout, _ string) {
				var r diagnosis.Report
				if err := json.Unmarshal([]byte(stdout), &r); err != nil {
					t.Fatalf("diag --json: %v", err)
				}
				found := false
				for _, tok := range r.Tokens.Tokens {
					if tok.Label == pkcs11.JPKISignatureLabel {
						found = tok.PIN.TriesLeft == 1 && tok.PIN.FinalTry && tok.PIN.Exact
					}
				}
				if !found || !r.PCSC.Reachable {
					t.Errorf("diag did not report the final try read from the card:\n%s", stdout)
				}
			}, 0},
	}
	cases = append(cases, struct {
		name     string
		scenario vcard.Scenario
		stdin    string
		args     func(out string) []string
		code     int
		check    func(t *testing.T, card *vcard.Card, stdout, stderr string)
		verifies int
	}{"diag reports a locked card as a failure of the tokens, with the municipal office's hint", vcard.ScenarioLocked, "",
		func(string) []string { return []string{"diag", "--module", vc.module, "--json"} }, exitEnvironment,
		func(t *testing.T, _ *vcard.Card, stdout, stderr string) {
			var r struct {
				diagnosis.Report
				Failed []diagnosis.SectionID `json:"failed"`
			}
			if err := json.Unmarshal([]byte(stdout), &r); err != nil {
				t.Fatalf("diag --json: %v", err)
			}
			locked := false
			for _, tok := range r.Tokens.Tokens {
				if tok.Label == pkcs11.JPKISignatureLabel {
					locked = tok.PIN.Locked && tok.Status == diagnosis.StatusFail
				}
			}
			if !locked || r.Tokens.Status != diagnosis.StatusFail || !slices.Contains(r.Failed, diagnosis.SectionTokens) || r.Overall != diagnosis.StatusFail {
				t.Errorf("diag did not fail on the locked PIN (failed %v):\n%s", r.Failed, stdout)
			}
			if !strings.Contains(stderr, "hint: A locked My Number card PIN can be reset only at your municipal office") {
				t.Errorf("stderr:\n%s", stderr)
			}
		}, 0})
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			card := vc.insert(t, c.scenario)
			out := filepath.Join(fsxtest.TempDir(t), "application.asice")
			code, stdout, stderr := shinseictl(c.stdin, c.args(out)...)
			if code != c.code {
				t.Fatalf("exit %d, want %d\nstdout:\n%s\nstderr:\n%s", code, c.code, stdout, stderr)
			}
			c.check(t, card, stdout, stderr)
			st := card.Stats()
			if got := st.SignatureVerifies + st.AuthVerifies; got != c.verifies {
				t.Errorf("the card got %d VERIFYs carrying a PIN, want %d (stats %+v)", got, c.verifies, st)
			}
			if _, err := os.Stat(out); c.code != exitOK && err == nil {
				t.Error("a package was written")
			}
			for _, secret := range []string{vcard.SignaturePIN, "sandbox1", "WRONG2026"} {
				if strings.Contains(stdout+stderr, secret) {
					t.Errorf("the output holds a PIN")
				}
			}
		})
	}
}

func TestDiagExitsZeroWhenTheComputerIsReadyForTheCard(t *testing.T) {
	if !testenv.Keyring(t) { // a real keyring, in a child process
		return
	}
	vc := startCardStack(t)
	t.Setenv(diagnosis.ErrorLogEnv, filepath.Join(fsxtest.TempDir(t), "last-errors.json"))
	// An earlier diag that failed (a module that is no module) does not
	// turn the next one amber: its verdict is no error met.
	notModule := filepath.Join(fsxtest.TempDir(t), "notamodule.so")
	os.WriteFile(notModule, []byte("not a library"), 0o600)
	if code, stdout, _ := shinseictl("", "diag", "--module", notModule); code != exitEnvironment {
		t.Fatalf("diag with no module: exit %d, want 3\n%s", code, stdout)
	}
	card := vc.insert(t, vcard.ScenarioHealthy)
	out := filepath.Join(fsxtest.TempDir(t), "bundle.zip")
	code, stdout, stderr := shinseictl("", "diag", "--module", vc.module, "--out", out)
	if code != exitOK {
		t.Fatalf("exit %d, want 0\nstdout:\n%s\nstderr:\n%s", code, stdout, stderr)
	}
	for _, want := range []string{"Overall: ok", "Past errors: ok", "[ok] Last errors: No error recorded.", "[ok] OS keyring", "[ok] Card readers (PC/SC)", "signature password (6–16 letters and digits): 5 tries left", "bundle written to"} {
		if !strings.Contains(stdout, want) {
			t.Errorf("diag lacks %q:\n%s", want, stdout)
		}
	}
	if fi, err := os.Stat(out); err != nil || fi.Mode().Perm() != 0o600 {
		t.Errorf("bundle: %v, mode %v; want a file only the user reads", err, fi.Mode())
	}
	if st := card.Stats(); st.SignatureVerifies+st.AuthVerifies != 0 {
		t.Errorf("diag sent a PIN: %+v", st)
	}

	// The same computer with a locked card: the card does not work, so
	// diag fails (exit 3) on it alone, and says where it is reset.
	vc.insert(t, vcard.ScenarioLocked)
	code, stdout, stderr = shinseictl("", "diag", "--module", vc.module)
	if code != exitEnvironment {
		t.Fatalf("locked card: exit %d, want 3\nstdout:\n%s\nstderr:\n%s", code, stdout, stderr)
	}
	for _, want := range []string{"[FAIL] Cards, tokens and PIN state", "The signature password (6–16 letters and digits) is locked.", "Overall: FAIL", "Past errors: ok"} {
		if !strings.Contains(stdout, want) {
			t.Errorf("diag on a locked card lacks %q:\n%s", want, stdout)
		}
	}
	if !strings.Contains(stderr, "error: diag: Cards, tokens and PIN state do not work") || !strings.Contains(stderr, "hint: A locked My Number card PIN can be reset only at your municipal office") {
		t.Errorf("stderr:\n%s", stderr)
	}
}
