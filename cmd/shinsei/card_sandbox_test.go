package main

import (
	"context"
	"crypto/x509"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/shinsei-app/shinsei/flow"
	"github.com/shinsei-app/shinsei/sandbox"
	"github.com/shinsei-app/shinsei/sandbox/pki"
	"github.com/shinsei-app/shinsei/sandbox/vcard"
	"github.com/shinsei-app/shinsei/signer"
	"github.com/shinsei-app/shinsei/ui"
)

const moveOutForm = `{"procedure": "move-out-notification", "applicant": {"name": "高橋　花子", "birth_date": "1985-04-15", "sex": "2", "address": "東京都千代田区霞が関二丁目１番２号"}, "fields": {"new_address": "大阪府大阪市北区中之島一丁目３番２０号", "move_date": "2026-12-20", "members": 1, "my_number_card": "継続利用する"}}`

func TestWithTheCardsSandboxExportedTheAppTrustsAndOffersTheVirtualCard(t *testing.T) {
	dir := t.TempDir()
	// What 'shinsei-sandbox card --sandbox DIR' does before the app starts.
	p, err := pki.LoadOrCreate(filepath.Join(dir, "pki"), time.Now())
	if err != nil {
		t.Fatal(err)
	}
	reg := pki.NewRegistry()
	if err := reg.ShareFile(filepath.Join(dir, "pki", sandbox.RegistryFileName)); err != nil {
		t.Fatal(err)
	}
	issuer, err := vcard.NewIssuer(p, reg)
	if err != nil {
		t.Fatal(err)
	}
	cards := map[vcard.Scenario]*pki.Credential{}
	for _, s := range []vcard.Scenario{vcard.ScenarioHealthy, vcard.ScenarioRevoked} {
		c, err := issuer.Issue(s)
		if err != nil {
			t.Fatal(err)
		}
		cards[s] = c.SignatureCredential()
	}
	t.Setenv(sandbox.DirEnv, dir)
	t.Setenv(pcscSocketEnv, filepath.Join(dir, "pcscd.comm"))

	sb, err := newSandboxWorld("ja")
	if err != nil {
		t.Fatal(err)
	}
	defer sb.close()
	sb.softhsm = filepath.Join(t.TempDir(), "no-such-softhsm2.so")
	ctx := context.Background()
	a, err := sb.open(ctx, ui.Settings{})
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close()
	if sb.cfg.NoModules || sb.cfg.Module != "" {
		t.Errorf("with the card exported the app offers module %q (none: %v), want every module found", sb.cfg.Module, sb.cfg.NoModules)
	}
	if !sb.world.PKI.JPKISign.Cert.Equal(p.JPKISign.Cert) {
		t.Fatal("the app's sandbox does not use the card's PKI")
	}

	for s, want := range map[vcard.Scenario]string{vcard.ScenarioHealthy: "good", vcard.ScenarioRevoked: "revoked"} {
		v, err := a.Client().Validate(ctx, cards[s].Cert.Raw)
		if err != nil || v.Status != want {
			t.Errorf("%s card: the service's validation says %+v, %v; want %s", s, v, err, want)
		}
	}

	// The pre-check says so before any signature: the revoked card is red
	// on revocation, the healthy one is not.
	for s, wantRed := range map[vcard.Scenario]bool{vcard.ScenarioHealthy: false, vcard.ScenarioRevoked: true} {
		pc := a.Precheck(ctx, cards[s].Cert, nil, nil)
		red := false
		for _, l := range pc.Reds() {
			red = red || l.ID == flow.LineRevocation
		}
		if red != wantRed {
			t.Errorf("%s card: red on revocation %v, want %v (reds %+v)", s, red, wantRed, pc.Reds())
		}
	}

	// The healthy card's signature goes through to a receipt.
	work := t.TempDir()
	form := filepath.Join(work, "form.json")
	if err := os.WriteFile(form, []byte(moveOutForm), 0o600); err != nil {
		t.Fatal(err)
	}
	c := cards[vcard.ScenarioHealthy]
	pkg := filepath.Join(work, "app.asice")
	if _, err := signer.Build(ctx, pkg, []signer.File{{Name: "form.json", Path: form}},
		signer.Credential{Signer: c.Key, Cert: c.Cert, Chain: []*x509.Certificate{c.Root}}, signer.BuildOptions{}); err != nil {
		t.Fatal(err)
	}
	rec, err := a.Submit(ctx, flow.SubmitRequest{Path: pkg}, flow.Callbacks{})
	if err != nil || rec.ArrivalNumber == "" {
		t.Fatalf("the healthy card's package: %+v, %v", rec, err)
	}
}
