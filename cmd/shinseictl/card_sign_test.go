//go:build cgo && linux

package main

import (
	"context"
	"encoding/json"
	"encoding/pem"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	"github.com/shinsei-app/shinsei/diagnosis"
	"github.com/shinsei-app/shinsei/internal/fsx/fsxtest"
	"github.com/shinsei-app/shinsei/sandbox"
	"github.com/shinsei-app/shinsei/sandbox/pki"
	"github.com/shinsei-app/shinsei/sandbox/vcard"
)

// sign on the virtual card: every input is checked before the PIN is
// read, so a refused case sends no VERIFY at all, even on the final try
// with a wrong PIN and --allow-final-try; and between the one PIN and the
// signature the certificate is pre-checked, so a card the service would
// refuse signs nothing after exactly one presentation.
func TestSignOnTheVirtualCardSpendsNoTryInVainAndSignsNothingTheServiceWouldRefuse(t *testing.T) {
	vc := startCardStack(t)
	t.Setenv(diagnosis.ErrorLogEnv, filepath.Join(fsxtest.TempDir(t), "last-errors.json"))
	dir := fsxtest.TempDir(t)
	write := func(name, content string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(content), 0o600); err != nil {
			t.Fatal(err)
		}
		return p
	}
	sample := pki.SampleResident()
	applicant, err := json.Marshal(map[string]any{"procedure": "sandbox-juminhyo",
		"applicant": map[string]string{"name": sample.Name, "address": sample.Address}})
	if err != nil {
		t.Fatal(err)
	}
	form := write("form.json", string(applicant))
	empty := write("empty.json", "")
	fifo := filepath.Join(dir, "fifo.json")
	if err := syscall.Mkfifo(fifo, 0o600); err != nil {
		t.Fatal(err)
	}
	existing := write("existing.asice", "an earlier package")

	// The service, serving the card issuer's PKI and revocation registry.
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(cancel)
	world, err := sandbox.Start(ctx, sandbox.Options{PKI: vc.issuer.PKI, Registry: vc.issuer.Registry, NoResponders: true})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { world.Close() })
	var roots []byte
	for _, c := range append(world.TrustAnchors(), world.ServiceAnchors()...) {
		roots = append(roots, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: c.Raw})...)
	}
	anchors := write("roots.pem", string(roots))
	withService := []string{"--service", world.URL(), "--anchor", anchors}

	const wrong = "WRONG2026\n"
	cases := []struct {
		name     string
		scenario vcard.Scenario
		stdin    string
		args     func(out string) []string
		code     int
		stderr   string
		verifies int
	}{
		{"a missing form on the final-try card is refused before the wrong PIN is read", vcard.ScenarioFinalTry, wrong,
			func(out string) []string {
				return []string{"--allow-final-try", "--out", out, filepath.Join(dir, "missing.json")}
			}, exitUsage, "no try was spent", 0},
		{"a FIFO as the form is refused at once, unread", vcard.ScenarioFinalTry, wrong,
			func(out string) []string { return []string{"--allow-final-try", "--out", out, fifo} }, exitUsage, "not a regular file", 0},
		{"a missing --out folder is refused before the PIN", vcard.ScenarioFinalTry, wrong,
			func(string) []string {
				return []string{"--allow-final-try", "--out", filepath.Join(dir, "nowhere", "app.asice"), form}
			}, exitUsage, "output folder does not exist", 0},
		{"an existing --out is refused before the PIN", vcard.ScenarioFinalTry, wrong,
			func(string) []string { return []string{"--allow-final-try", "--out", existing, form} }, exitUsage, "--force", 0},
		{"an empty form is refused before the PIN", vcard.ScenarioFinalTry, wrong,
			func(out string) []string { return []string{"--allow-final-try", "--out", out, empty} }, exitUsage, "the form is empty", 0},
		{"a card without a signature certificate is refused before its PIN", vcard.ScenarioNoSignatureCert, wrong,
			func(out string) []string { return []string{"--out", out, form} }, exitEnvironment, "no signature certificate", 0},
		{"an expired card signs nothing, after one PIN", vcard.ScenarioExpired, vcard.SignaturePIN + "\n",
			func(out string) []string { return []string{"--out", out, form} }, exitNegative, "expired", 1},
		{"an old-generation card signs nothing, after one PIN", vcard.ScenarioOldGeneration, vcard.SignaturePIN + "\n",
			func(out string) []string { return append([]string{"--out", out, form}, withService...) }, exitNegative, "[red] certificate", 1},
		{"a revoked card signs nothing with --service, after one PIN", vcard.ScenarioRevoked, vcard.SignaturePIN + "\n",
			func(out string) []string { return append([]string{"--out", out, form}, withService...) }, exitNegative, "revoked", 1},
		{"an address-changed card signs nothing against the form, after one PIN", vcard.ScenarioAddressChanged, vcard.SignaturePIN + "\n",
			func(out string) []string { return append([]string{"--out", out, form}, withService...) }, exitNegative, "[red] identity address", 1},
		{"a healthy card with --service signs, the login and the signature key's login", vcard.ScenarioHealthy, vcard.SignaturePIN + "\n",
			func(out string) []string { return append([]string{"--out", out, form}, withService...) }, exitOK, "", 2},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			card := vc.insert(t, c.scenario)
			triesBefore, _ := card.TriesLeft()
			out := filepath.Join(fsxtest.TempDir(t), "application.asice")
			args := append([]string{"sign", "--module", vc.module, "--pin-stdin"}, c.args(out)...)
			code, stdout, stderr := shinseictl(c.stdin, args...)
			if code != c.code {
				t.Fatalf("exit %d, want %d\nstdout:\n%s\nstderr:\n%s", code, c.code, stdout, stderr)
			}
			if !strings.Contains(stderr, c.stderr) {
				t.Errorf("stderr lacks %q:\n%s", c.stderr, stderr)
			}
			st := card.Stats()
			if got := st.SignatureVerifies + st.AuthVerifies; got != c.verifies {
				t.Errorf("the card got %d VERIFYs carrying a PIN, want %d (stats %+v)", got, c.verifies, st)
			}
			if tries, _ := card.TriesLeft(); tries != triesBefore {
				t.Errorf("tries left %d, was %d", tries, triesBefore)
			}
			if _, err := os.Stat(out); c.code != exitOK && err == nil {
				t.Error("a package was written")
			}
			if c.code != exitOK && st.Signatures != 0 {
				t.Error("the card signed")
			}
			if b, _ := os.ReadFile(existing); string(b) != "an earlier package" {
				t.Error("the existing package was overwritten")
			}
			for _, secret := range []string{vcard.SignaturePIN, "WRONG2026"} {
				if strings.Contains(stdout+stderr, secret) {
					t.Errorf("the output holds a PIN")
				}
			}
		})
	}
}
