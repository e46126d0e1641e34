//go:build cgo && linux

package main

import (
	"context"
	"encoding/pem"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/shinsei-app/shinsei/diagnosis"
	"github.com/shinsei-app/shinsei/internal/fsx/fsxtest"
	"github.com/shinsei-app/shinsei/sandbox"
	"github.com/shinsei-app/shinsei/sandbox/service"
	"github.com/shinsei-app/shinsei/sandbox/vcard"
	"github.com/shinsei-app/shinsei/submit"
)

// withdraw and amend on the virtual card: one PIN read from standard
// input, presented twice at the card (the login and the signature key's
// context-specific login) and never in vain — a withdrawal of a
// processed application and an amendment nobody asked for are refused
// before the card sees a password.
func TestWithdrawAndAmendOnTheVirtualCardPresentOnePINAndNoneWhenRefusedBefore(t *testing.T) {
	vc := startCardStack(t)
	t.Setenv(diagnosis.ErrorLogEnv, filepath.Join(fsxtest.TempDir(t), "last-errors.json"))
	dir := fsxtest.TempDir(t)
	t.Setenv(dataDirEnv, filepath.Join(dir, "data"))
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(cancel)
	world, err := sandbox.Start(ctx, sandbox.Options{PKI: vc.issuer.PKI, Registry: vc.issuer.Registry, NoResponders: true})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { world.Close() })
	var roots []byte
	for _, c := range world.ServiceAnchors() {
		roots = append(roots, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: c.Raw})...)
	}
	anchor := filepath.Join(dir, "service-ca.pem")
	if err := os.WriteFile(anchor, roots, 0o600); err != nil {
		t.Fatal(err)
	}
	svc := []string{"--service", world.URL(), "--anchor", anchor, "--no-settings"}
	card := vc.insert(t, vcard.ScenarioHealthy)
	pin := vcard.SignaturePIN + "\n"
	form := func(members int) string {
		p := filepath.Join(dir, fmt.Sprintf("move-out-%d.json", members))
		doc := fmt.Sprintf(`{"procedure": "move-out-notification", "applicant": {"name": "高橋　花子", "birth_date": "1985-04-15", "sex": "2",
 "address": "東京都千代田区霞が関二丁目１番２号"}, "fields": {"new_address": "大阪府大阪市北区中之島一丁目３番２０号", "move_date": "2026-12-20",
 "members": %d, "my_number_card": "継続利用する"}}`, members)
		if err := os.WriteFile(p, []byte(doc), 0o600); err != nil {
			t.Fatal(err)
		}
		return p
	}
	file := func(members int) string {
		t.Helper()
		out := filepath.Join(dir, fmt.Sprintf("move-out-%d.asice", members))
		if code, _, stderr := shinseictl(pin, "sign", "--module", vc.module, "--pin-stdin", "--out", out, form(members)); code != exitOK {
			t.Fatalf("sign: %d\n%s", code, stderr)
		}
		code, stdout, stderr := shinseictl("", append(append([]string{"submit"}, svc...), "--json", out)...)
		if code != exitOK {
			t.Fatalf("submit: %d\n%s", code, stderr)
		}
		i := strings.Index(stdout, `"arrival_number": "`)
		if i < 0 {
			t.Fatalf("no arrival number in %s", stdout)
		}
		rest := stdout[i+len(`"arrival_number": "`):]
		return rest[:strings.IndexByte(rest, '"')]
	}
	last := card.Stats()
	want := func(step string, code, wantCode, verifies, signatures int, stderr string) {
		t.Helper()
		st := card.Stats()
		if code != wantCode || st.SignatureVerifies-last.SignatureVerifies != verifies || st.Signatures-last.Signatures != signatures {
			t.Errorf("%s: exit %d, the card saw %d verifications and made %d signatures; want exit %d, %d, %d\n%s",
				step, code, st.SignatureVerifies-last.SignatureVerifies, st.Signatures-last.Signatures, wantCode, verifies, signatures, stderr)
		}
		if sig, _ := card.TriesLeft(); sig != vcard.SignaturePINTries {
			t.Errorf("%s: %d tries left", step, sig)
		}
		last = st
	}

	arrival := file(2)
	last = card.Stats()
	code, stdout, stderr := shinseictl(pin, append(append([]string{"withdraw"}, svc...), "--yes", "--module", vc.module, "--pin-stdin", arrival)...)
	want("the signed withdrawal", code, exitOK, 2, 1, stderr)
	if !strings.Contains(stdout, "取下げ withdrawn") {
		t.Errorf("withdraw said:\n%s", stdout)
	}

	done := file(3)
	if _, err := world.Service.Advance(ctx, done, service.SandboxAdvance{Status: submit.StatusCompleted}); err != nil {
		t.Fatal(err)
	}
	last = card.Stats()
	code, _, stderr = shinseictl(pin, append(append([]string{"withdraw"}, svc...), "--yes", "--module", vc.module, "--pin-stdin", done)...)
	want("the withdrawal of a processed application", code, exitNegative, 0, 0, stderr)

	asked := file(4)
	fixed := form(5)
	last = card.Stats()
	code, _, stderr = shinseictl(pin, append(append([]string{"amend"}, svc...), "--module", vc.module, "--pin-stdin", asked, fixed)...)
	want("an amendment nobody asked for", code, exitNegative, 0, 0, stderr)
	if _, err := world.Service.RequestCorrection(ctx, asked, service.SandboxCorrection{Fields: []string{"fields.members"}, ReasonJA: "世帯の人数をご確認ください。"}); err != nil {
		t.Fatal(err)
	}
	code, stdout, stderr = shinseictl(pin, append(append([]string{"amend"}, svc...), "--module", vc.module, "--pin-stdin", asked, fixed)...)
	want("the signed amendment", code, exitOK, 2, 1, stderr)
	if !strings.Contains(stdout, "補正 amended") {
		t.Errorf("amend said:\n%s", stdout)
	}
}
