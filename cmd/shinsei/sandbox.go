package main

import (
	"context"
	"encoding/pem"
	"fmt"
	"os"
	"path/filepath"
	"sync"

	"github.com/shinsei-app/shinsei/flow"
	"github.com/shinsei-app/shinsei/i18n"
	"github.com/shinsei-app/shinsei/internal/fsx"
	"github.com/shinsei-app/shinsei/sandbox"
	"github.com/shinsei-app/shinsei/sandbox/kit"
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
	lang i18n.Lang
	// softhsm is the SoftHSM module to use; empty lets the sandbox find
	// it ($SHINSEI_SOFTHSM_MODULE, then the usual places).
	softhsm string

	once sync.Once
	cfg  flow.Config
	err  error

	mu  sync.Mutex
	kit *kit.Kit // set once started

	dir   string
	world *sandbox.World
	// stopCompleting stops completing applications (see completeEnv);
	// stopSlow the slow proxy (see slowEnv).
	stopCompleting, stopSlow func()
}

// note says, in the app's language, which credential the practice signs
// with and its password, which are public on purpose; before the sandbox
// has started, that it is being prepared.
func (w *sandboxWorld) note() string {
	w.mu.Lock()
	k := w.kit
	w.mu.Unlock()
	var t i18n.Text
	switch {
	case k == nil:
		t = i18n.Text{Ja: "練習用の証明書を準備しています…", En: "Preparing the practice certificates…"}
	case k.HasToken():
		// Residents read this: the card's software (SoftHSM) is not named.
		t = i18n.Text{Ja: "このパソコンの中にある練習用のマイナンバーカードで署名します。署名用電子証明書のパスワード：" + kit.PIN,
			En: "The practice signs with a stand-in My Number card kept on this computer. Signature password: " + kit.PIN}
	default:
		name := filepath.Base(k.ResidentP12)
		t = i18n.Text{Ja: fmt.Sprintf("練習用の証明書ファイル（%s、パスワード：%s）で署名します。", name, kit.P12Password),
			En: fmt.Sprintf("The practice signs with a certificate file (%s, password: %s).", name, kit.P12Password)}
	}
	if w.lang == i18n.English {
		return t.En
	}
	return t.Ja // the window's language unless English is chosen
}

// practiceFile is the resident's credential where SoftHSM is missing.
func practiceFile(k *kit.Kit) flow.CredentialFile {
	return flow.CredentialFile{Path: k.ResidentP12, Cert: k.Resident.Cert,
		Label: i18n.Text{Ja: "練習用の証明書ファイル（住民の署名用電子証明書）", En: "Practice certificate file (a resident's signature certificate)"},
		Note: i18n.Text{Ja: "パスワード：" + kit.P12Password + "（練習用に公開しています）",
			En: "Password: " + kit.P12Password + " (public, for practice)"}}
}

// newSandboxWorld makes the sandbox's temporary directory; the sandbox
// itself starts at the first open.
func newSandboxWorld(lang i18n.Lang) (*sandboxWorld, error) {
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
	opts := sandbox.Options{
		KitDir: filepath.Join(dir, "kit"), Kit: kit.Options{SoftHSMModule: w.softhsm, SoftHSMOptional: true},
		Service: service.Config{DBPath: filepath.Join(dir, "service", "service.db")},
	}
	shared := os.Getenv(sandbox.DirEnv)
	if shared != "" {
		// The help desk's virtual card ('shinsei-sandbox card --sandbox
		// DIR'): this sandbox trusts and knows it; its kit, database and
		// receipts stay this run's own.
		opts = sandbox.SharePKI(shared, opts)
	}
	world, err := sandbox.Start(ctx, opts)
	if err != nil {
		return err
	}
	w.world = world
	w.stopCompleting = startCompleting(world.Service)
	ca := pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: world.Service.CACert().Raw})
	if err := os.WriteFile(w.caFile(), ca, 0o644); err != nil {
		return err
	}
	k := world.Kit
	w.cfg = flow.Config{
		ServiceURL: world.URL(), ServiceAnchors: world.ServiceAnchors(), ServiceVA: world.Service.VACert(),
		Module: k.SoftHSMModule, DataDir: filepath.Join(dir, "data"), TrustAnchors: world.TrustAnchors(),
		Lang: w.lang, Keyring: &submit.MemoryKeyring{}, // practice accounts never reach the OS keyring
	}
	if w.cfg.Proxy, w.stopSlow, err = startSlowUploads(); err != nil {
		return err
	}
	switch {
	case shared != "" && os.Getenv(pcscSocketEnv) != "":
		// The virtual card is exported: every module found is offered
		// (OpenSC reads the card), beside the practice token or file.
		w.cfg.Module = ""
		if !k.HasToken() {
			w.cfg.SuggestedFiles = []flow.CredentialFile{practiceFile(k)}
		}
	case !k.HasToken():
		// No card to stand in for: no module at all (a real card would
		// not be trusted here), and the resident's .p12 offered instead.
		w.cfg.NoModules = true
		w.cfg.SuggestedFiles = []flow.CredentialFile{practiceFile(k)}
	}
	w.mu.Lock()
	w.kit = k
	w.mu.Unlock()
	return nil
}

// pcscSocketEnv is pcsc-lite's variable for the socket of the pcscd to
// use: the virtual card's stack ('shinsei-sandbox card') prints it to
// export.
const pcscSocketEnv = "PCSCLITE_CSOCK_NAME"

func (w *sandboxWorld) close() {
	if w.stopCompleting != nil {
		w.stopCompleting()
	}
	if w.stopSlow != nil {
		w.stopSlow()
	}
	if w.world != nil {
		_ = w.world.Close()
	}
	if w.dir != "" {
		_ = fsx.RemoveAll(w.dir)
	}
}
