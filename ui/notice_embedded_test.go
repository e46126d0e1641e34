package ui

import (
	"context"
	"crypto"
	"crypto/x509"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"golang.org/x/crypto/ocsp"

	"github.com/shinsei-app/shinsei/flow"
	"github.com/shinsei-app/shinsei/sandbox/responder"
	"github.com/shinsei-app/shinsei/signer"
)

// A notice that carries its signer's revocation (the answers of the
// validation authority the settings name) is checked from that data on
// the notice screen, with no service and no network, and the screen
// says so.
func TestANoticeCarryingItsRevocationIsGreenOfflineOnTheNoticeScreen(t *testing.T) {
	cfg := config(t)
	official, err := world.w.PKI.IssueOfficial("千代田区長")
	if err != nil {
		t.Fatal(err)
	}
	world.w.Registry.Record(world.w.PKI.LGPKIOrg, official.Cert)
	world.w.Registry.Record(world.w.PKI.LGPKIOrg.Parent, world.w.PKI.LGPKIOrg.Cert)
	dir := t.TempDir()
	form := filepath.Join(dir, "notice.json")
	if err := os.WriteFile(form, []byte(`{"title":"収集日のお知らせ"}`), 0o600); err != nil {
		t.Fatal(err)
	}
	pkg := filepath.Join(dir, "通知書.asice")
	chain := append(append([]*x509.Certificate{official.Cert}, official.Intermediates...), official.Root)
	cred := signer.Credential{Signer: official.Signer(), Cert: official.Cert, Chain: chain[1:]}
	ctx := context.Background()
	if _, err := signer.Build(ctx, pkg, []signer.File{{Path: form}}, cred, signer.BuildOptions{}); err != nil {
		t.Fatal(err)
	}
	va, err := responder.NewVA("Settings VA", time.Now())
	if err != nil {
		t.Fatal(err)
	}
	vd := signer.ValidationData{Certs: append(append([]*x509.Certificate{}, chain...), va.Cert)}
	for i := 0; i+1 < len(chain); i++ {
		req, err := ocsp.CreateRequest(chain[i], chain[i+1], &ocsp.RequestOptions{Hash: crypto.SHA256})
		if err != nil {
			t.Fatal(err)
		}
		resp, err := responder.RespondVA(world.w.PKI, world.w.Registry, va, req)
		if err != nil {
			t.Fatal(err)
		}
		vd.OCSPs = append(vd.OCSPs, resp)
	}
	if n, err := signer.AddPackageValidationData(ctx, pkg, vd); err != nil || n != 1 {
		t.Fatalf("add validation data: %d %v", n, err)
	}
	// No service and no network: the settings name only the VA.
	cfg.ServiceURL, cfg.ServiceAnchors, cfg.ServiceVA, cfg.Offline = "", nil, va.Cert, true

	h := newHarnessWith(t, Options{OpenNotice: pkg, Open: func(ctx context.Context, _ Settings) (*flow.App, error) {
		return flow.Open(ctx, cfg)
	}})
	h.wait("notice")
	v, _ := h.s.verify.built()
	if v == nil || v.report == nil {
		t.Fatal("the notice screen has no verification")
	}
	if v.report.Revocation.Level != flow.Green || v.report.RevocationSource != signer.RevocationSourceEmbedded {
		t.Fatalf("revocation %+v from %q, want green from the embedded data (%+v)", v.report.Revocation, v.report.RevocationSource, v.report.Report.Revocation)
	}
	shown := strings.Join(line(v.lines, tr("verify.revocation")), " ")
	if !strings.Contains(shown, "通知書に含まれる検証データで確認しました") {
		t.Errorf("the revocation line does not say where the answer came from: %q", shown)
	}
	if !v.report.OK() {
		t.Errorf("the notice is not OK: %+v", v.report)
	}
}
