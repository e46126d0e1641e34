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

	"github.com/zalando/go-keyring"

	"github.com/shinsei-app/shinsei/flow"
	"github.com/shinsei-app/shinsei/pkcs11"
	"github.com/shinsei-app/shinsei/sandbox"
	"github.com/shinsei-app/shinsei/sandbox/service"
	"github.com/shinsei-app/shinsei/ui"
)

// sandboxWorld is the outside world started in this process when nothing
// is configured, so a new user sees the whole flow work: a fresh sandbox
// kit (certificates and a SoftHSM token standing in for a My Number
// card), the CRL/OCSP/VA responders and the reference service, all on
// loopback. Its receipts and outbox live in a temporary directory and its
// account passwords in memory: nothing of the practice run is kept.
type sandboxWorld struct {
	lang flow.Lang

	once sync.Once
	cfg  flow.Config
	err  error

	dir        string
	responders *sandbox.Responders
	svc        *service.Service
}

// sandboxNote tells the sandbox's secrets, which are public on purpose.
func sandboxNote() string {
	return fmt.Sprintf("署名用パスワード / signature password: %s　証明書ファイルのパスワード / .p12 password: %s",
		sandbox.KitPIN, sandbox.KitP12Password)
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
	kit, err := sandbox.NewKit(ctx, filepath.Join(dir, "kit"), time.Now())
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
	w.svc, err = service.StartService(ctx, service.ServiceConfig{PKI: p, Registry: kit.Registry,
		DBPath: filepath.Join(dir, "service", "service.db"), Official: kit.Official, VA: w.responders.VA})
	if err != nil {
		return err
	}
	ca := pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: w.svc.CACert().Raw})
	if err := os.WriteFile(w.caFile(), ca, 0o644); err != nil {
		return err
	}
	module := ""
	for _, m := range pkcs11.FindModules() {
		if m.Name == "SoftHSM" {
			module = m.Path
			break
		}
	}
	w.cfg = flow.Config{
		ServiceURL: w.svc.URL(), ServiceAnchors: []*x509.Certificate{w.svc.CACert()}, ServiceVA: w.svc.VACert(),
		Module: module, DataDir: filepath.Join(dir, "data"), TrustAnchors: p.Roots(),
		Lang: w.lang, Keyring: newMemKeyring(),
	}
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

// memKeyring keeps the sandbox's account passwords and sessions in
// memory, so practice accounts never reach the OS keyring.
type memKeyring struct {
	mu sync.Mutex
	m  map[[2]string]string
}

func newMemKeyring() *memKeyring { return &memKeyring{m: map[[2]string]string{}} }

// Set keeps a secret.
func (k *memKeyring) Set(service, user, secret string) error {
	k.mu.Lock()
	defer k.mu.Unlock()
	k.m[[2]string{service, user}] = secret
	return nil
}

// Get returns a secret or keyring.ErrNotFound.
func (k *memKeyring) Get(service, user string) (string, error) {
	k.mu.Lock()
	defer k.mu.Unlock()
	s, ok := k.m[[2]string{service, user}]
	if !ok {
		return "", keyring.ErrNotFound
	}
	return s, nil
}

// Delete removes a secret or returns keyring.ErrNotFound.
func (k *memKeyring) Delete(service, user string) error {
	k.mu.Lock()
	defer k.mu.Unlock()
	if _, ok := k.m[[2]string{service, user}]; !ok {
		return keyring.ErrNotFound
	}
	delete(k.m, [2]string{service, user})
	return nil
}
