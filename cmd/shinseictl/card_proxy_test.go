//go:build cgo && linux

package main

import (
	"context"
	"encoding/pem"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/shinsei-app/shinsei/diagnosis"
	"github.com/shinsei-app/shinsei/identity"
	"github.com/shinsei-app/shinsei/internal/fsx/fsxtest"
	"github.com/shinsei-app/shinsei/sandbox"
	"github.com/shinsei-app/shinsei/sandbox/kit"
	"github.com/shinsei-app/shinsei/sandbox/pki"
	"github.com/shinsei-app/shinsei/sandbox/vcard"
	"github.com/shinsei-app/shinsei/signer"
)

// Proxy filing on the virtual card: what a proxy's filing would have
// refused is refused before the card's PIN is read (no VERIFY, even on
// the final try with a wrong PIN), and each signature is its own holder's
// one entry — the card holder's counted at the card: the login and the
// signature key's context-specific login, one signature.
func TestProxyFilingOnTheVirtualCardPresentsEachHoldersPINOnlyForTheirOwnSignature(t *testing.T) {
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
	withService := []string{"--service", world.URL(), "--anchor", write("roots.pem", string(roots))}

	// The relative, with a .p12 file; the card holder is the sample resident.
	relative, err := vc.issuer.PKI.IssueResident(kit.ProxyResident(), pki.ResidentOptions{})
	if err != nil {
		t.Fatal(err)
	}
	vc.issuer.Registry.Record(vc.issuer.PKI.JPKISign, relative.Cert)
	der, err := relative.PKCS12(kit.P12Password)
	if err != nil {
		t.Fatal(err)
	}
	relativeP12 := write("relative.p12", string(der))
	sample := pki.SampleResident()
	holderForm := write("holder.json", `{"procedure": "move-out-notification", "applicant": {"name": "`+sample.Name+`", "birth_date": "1985-04-15", "sex": "2", "address": "`+sample.Address+`"}, "fields": {"new_address": "大阪府大阪市北区中之島一丁目３番２０号", "move_date": "2026-12-20", "members": 1, "my_number_card": "継続利用する"}}`)
	relativeForm := write("relative.json", `{"procedure": "move-out-notification", "applicant": {"name": "高橋　一郎", "birth_date": "1983-03-01", "sex": "1", "address": "東京都千代田区霞が関二丁目１番２号"}, "fields": {"new_address": "大阪府大阪市北区中之島一丁目３番２０号", "move_date": "2026-12-20", "members": 1, "my_number_card": "継続利用する"}}`)
	h, err := identity.HolderOf(relative.Cert)
	if err != nil {
		t.Fatal(err)
	}
	// The relative's power of attorney naming the card holder, made with the .p12.
	relativePOA := filepath.Join(dir, "POA-relative.asice")
	if code, _, stderr := shinseictl(kit.P12Password+"\n", append([]string{"sign", "--power-of-attorney", "--proxy", sample.Name,
		"--procedure", "move-out-notification", "--out", relativePOA, "--p12", relativeP12, "--pin-stdin"}, withService...)...); code != exitOK {
		t.Fatalf("the relative's power of attorney: exit %d\n%s", code, stderr)
	}

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
		{"a power of attorney for a procedure a proxy cannot file is refused before the card's PIN", vcard.ScenarioFinalTry, wrong,
			func(out string) []string {
				return append([]string{"--allow-final-try", "--power-of-attorney", "--proxy", h.Person.Name, "--procedure", "child-allowance-claim", "--out", out}, withService...)
			}, exitNegative, "cannot be filed by a proxy", 0},
		{"a form whose applicant is not the principal is refused before the card's PIN", vcard.ScenarioFinalTry, wrong,
			func(out string) []string {
				return append([]string{"--allow-final-try", "--proxy-for", relativePOA, "--out", out, holderForm}, withService...)
			}, exitNegative, "someone other than the form's applicant", 0},
		{"the card holder signs a power of attorney: the login and the signature key's login", vcard.ScenarioHealthy, vcard.SignaturePIN + "\n",
			func(out string) []string {
				return append([]string{"--power-of-attorney", "--proxy", h.Person.Name, "--procedure", "move-out-notification", "--out", out}, withService...)
			}, exitOK, "", 2},
		{"the card holder signs as the relative's proxy: the login and the signature key's login", vcard.ScenarioHealthy, vcard.SignaturePIN + "\n",
			func(out string) []string {
				return append([]string{"--proxy-for", relativePOA, "--out", out, relativeForm}, withService...)
			}, exitOK, "", 2},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			card := vc.insert(t, c.scenario)
			triesBefore, _ := card.TriesLeft()
			out := filepath.Join(fsxtest.TempDir(t), "out.asice")
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
			_, statErr := os.Stat(out)
			switch {
			case c.code != exitOK && (statErr == nil || st.Signatures != 0):
				t.Error("something was signed")
			case c.code == exitOK && st.Signatures != 1:
				t.Errorf("the card made %d signatures, want 1", st.Signatures)
			}
			if c.code == exitOK {
				rep, err := signer.Verify(ctx, out, signer.VerifyOptions{Roots: world.TrustAnchors()})
				if err != nil || rep.Outcome() != signer.OutcomeValid || !rep.Signer.Equal(card.SignatureCredential().Cert) {
					t.Fatalf("the package is not valid or not signed by the card (%v)", err)
				}
			}
			if strings.Contains(stdout+stderr, vcard.SignaturePIN) || strings.Contains(stdout+stderr, "WRONG2026") {
				t.Errorf("the output holds a PIN")
			}
		})
	}
}
