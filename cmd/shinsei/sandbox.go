package main

import (
	"context"
	"crypto/x509"
	"encoding/pem"
	"fmt"
	"os"
	"path/filepath"
	"sync"
	"time"

	"github.com/shinsei-app/shinsei/flow"
	"github.com/shinsei-app/shinsei/sandbox"
	"github.com/shinsei-app/shinsei/sandbox/service"
	"github.com/shinsei-app/shinsei/submit"
	"github.com/shinsei-app/shinsei/ui"
)

// sandboxWorld is the outside world started in this process when nothing
// is configured, so a new user sees the whole flow work: a fresh sandbox
// kit (certificates and a SoftHSM token standing in for a My Number
// card), the CRL/OCSP/VA responders and the reference service, all on
// loopback. Where SoftHSM is missing (Windows, or Linux and macOS without
// it) the resident signs with the kit's resident.p12 instead, offered on
// the credential screen. Its receipts and outbox live in a temporary
// directory and its account passwords in memory: nothing of the practice
// run is kept.
type sandboxWorld struct {
	lang flow.Lang
	// softhsm is the SoftHSM module to use; empty lets the sandbox find
	// it ($SHINSEI_SOFTHSM_MODULE, then the usual places).
	softhsm string

	once sync.Once
	cfg  flow.Config
	err  error

	mu  sync.Mutex
	kit *sandbox.Kit // set once started

	dir        string
	responders *sandbox.Responders
	svc        *service.Service
}

// note says, Japanese first, which credential the practice signs with
// and its password, which are public on purpose; before the sandbox has
// started, that it is being prepared.
func (w *sandboxWorld) note() string {
	w.mu.Lock()
	kit := w.kit
	w.mu.Unlock()
	switch {
	case kit == nil:
		return "練習用の証明書を準備しています…\nPreparing the practice certificates…"
	case kit.HasToken():
		return fmt.Sprintf("練習用のマイナンバーカード（SoftHSM）で署名します。署名用パスワード：%s\n"+
			"The practice signs with a stand-in My Number card (SoftHSM). Signature password: %s",
			sandbox.KitPIN, sandbox.KitPIN)
	}
	name := filepath.Base(kit.ResidentP12)
	return fmt.Sprintf("このパソコンにはSoftHSMがないため、練習用の証明書ファイル（%s、パスワード：%s）で署名します。\n"+
		"SoftHSM is not on this computer, so the practice signs with a certificate file (%s, password: %s).",
		name, sandbox.KitP12Password, name, sandbox.KitP12Password)
}

// practiceFile is the resident's credential where SoftHSM is missing.
func practiceFile(kit *sandbox.Kit) flow.CredentialFile {
	return flow.CredentialFile{Path: kit.ResidentP12, Cert: kit.Resident.Cert,
		Label: flow.Text{Ja: "練習用の証明書ファイル（住民の署名用電子証明書）", En: "Practice certificate file (a resident's signature certificate)"},
		Note: flow.Text{Ja: "パスワード：" + sandbox.KitP12Password + "（練習用に公開しています）",
			En: "Password: " + sandbox.KitP12Password + " (public, for practice)"}}
}

// newSandboxWorld makes the sandbox's temporary directory; the sandbox
// itself starts at the first open.
func newSandboxWorld(lang flow.Lang) (*sandboxWorld, error) {
	dir, err := os.MkdirTemp("", "shinsei-sandbox-")
	if err != nil {
		return nil, err
	}
	return &sandboxWorld{lang: lang, dir: dir}, nil
}

// caFile is where the service's CA certificate is written once the
// sandbox runs, for the help desk's diagnosis.
func (w *sandboxWorld) caFile() string { return filepath.Join(w.dir, "service-ca.pem") }

// open starts the sandbox at the first call and opens a flow.App on it.
func (w *sandboxWorld) open(ctx context.Context, _ ui.Settings) (*flow.App, error) {
	w.once.Do(func() { w.err = w.start(ctx) })
	if w.err != nil {
		return nil, w.err
	}
	return flow.Open(ctx, w.cfg)
}

func (w *sandboxWorld) start(ctx context.Context) error {
	dir := w.dir
	kit, err := sandbox.NewKitWith(ctx, filepath.Join(dir, "kit"), time.Now(),
		sandbox.KitOptions{SoftHSMModule: w.softhsm, SoftHSMOptional: true})
	if err != nil {
		return err
	}
	p := kit.PKI
	// The service is a registered verifier and refuses certificates its
	// registry does not know: record the resident's and the official's.
	kit.Registry.Record(p.JPKISign, kit.Resident.Cert)
	kit.Registry.Record(p.LGPKIOrg, kit.Official.Cert)
	if w.responders, err = sandbox.StartResponders(ctx, p, kit.Registry, "127.0.0.1:0"); err != nil {
		return err
	}
	w.svc, err = service.Start(ctx, service.Config{PKI: p, Registry: kit.Registry,
		DBPath: filepath.Join(dir, "service", "service.db"), Official: kit.Official, VA: w.responders.VA})
	if err != nil {
		return err
	}
	ca := pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: w.svc.CACert().Raw})
	if err := os.WriteFile(w.caFile(), ca, 0o644); err != nil {
		return err
	}
	w.cfg = flow.Config{
		ServiceURL: w.svc.URL(), ServiceAnchors: []*x509.Certificate{w.svc.CACert()}, ServiceVA: w.svc.VACert(),
		Module: kit.SoftHSMModule, DataDir: filepath.Join(dir, "data"), TrustAnchors: p.Roots(),
		Lang: w.lang, Keyring: &submit.MemoryKeyring{}, // practice accounts never reach the OS keyring
	}
	if !kit.HasToken() {
		// No card to stand in for: no module at all (a real card would
		// not be trusted here), and the resident's .p12 offered instead.
		w.cfg.NoModules = true
		w.cfg.SuggestedFiles = []flow.CredentialFile{practiceFile(kit)}
	}
	w.mu.Lock()
	w.kit = kit
	w.mu.Unlock()
	return nil
}

func (w *sandboxWorld) close() {
	if w.svc != nil {
		_ = w.svc.Close()
	}
	if w.responders != nil {
		_ = w.responders.Close()
	}
	if w.dir != "" {
		_ = os.RemoveAll(w.dir)
	}
}
