//go:build cgo

package sandbox

import (
	"context"
	"crypto/x509"
	"errors"
	"path/filepath"
	"time"

	"github.com/shinsei-app/shinsei/sandbox/kit"
	"github.com/shinsei-app/shinsei/sandbox/pki"
	"github.com/shinsei-app/shinsei/sandbox/responder"
	"github.com/shinsei-app/shinsei/sandbox/service"
)

// Options say what Start assembles. The zero value is a fresh PKI with
// an empty registry, the responders and the reference service on free
// loopback ports, the service's database in a temporary directory.
type Options struct {
	// KitDir, when set, is where a kit is issued (kit.NewWith with Kit);
	// the world then serves the kit's PKI and registry, with the kit's
	// resident and official recorded, since the service is a registered
	// verifier and refuses certificates its registry does not know.
	KitDir string
	// Kit is the kit's options (another SoftHSM module, or a kit made
	// without SoftHSM); used only with KitDir.
	Kit kit.Options
	// PKI and Registry are served when there is no kit: for callers that
	// issue their own credentials. A nil PKI means a fresh one dated Now,
	// a nil Registry an empty one.
	PKI      *pki.PKI
	Registry *pki.Registry
	// Now dates a fresh PKI or kit; zero means time.Now().
	Now time.Time
	// NoResponders leaves the CRL/OCSP/VA responders out; the service
	// then signs its OCSP answers with a VA of its own.
	NoResponders bool
	// RegistryFile, when set, is a file the world's registry shares with
	// other processes (pki.Registry.ShareFile): the virtual card issued
	// with 'shinsei-sandbox card --sandbox DIR' records and revokes its
	// certificates there, and the service and responders answer for them.
	RegistryFile string
	// Service configures the reference service. Start fills in PKI and
	// Registry, VA with the responders' unless set, and Official with the
	// kit's official unless set.
	Service service.Config
}

// World is the outside world running on this machine: the PKI and its
// revocation state, the kit when one was asked for, the responders and
// the reference service. Close it when done; it also stops when the
// context given to Start is done.
type World struct {
	PKI      *pki.PKI
	Registry *pki.Registry
	// Kit is the kit issued into Options.KitDir, nil without one.
	Kit *kit.Kit
	// Responders serve the CRLs, OCSP and the VA; nil with
	// Options.NoResponders.
	Responders *responder.Server
	// Service is the reference service.
	Service *service.Service
}

// Start assembles the world opts describe: the kit or the PKI, then the
// responders, then the service, which uses the responders' VA.
func Start(ctx context.Context, opts Options) (_ *World, err error) {
	now := opts.Now
	if now.IsZero() {
		now = time.Now()
	}
	w := &World{PKI: opts.PKI, Registry: opts.Registry}
	defer func() {
		if err != nil {
			w.Close()
		}
	}()
	cfg := opts.Service
	switch {
	case opts.KitDir != "":
		if w.Kit, err = kit.NewWith(ctx, opts.KitDir, now, opts.Kit); err != nil {
			return nil, err
		}
		w.PKI, w.Registry = w.Kit.PKI, w.Kit.Registry
		// The kit records the company's certificates; record the others.
		w.Registry.Record(w.PKI.JPKISign, w.Kit.Resident.Cert)
		w.Registry.Record(w.PKI.JPKISign, w.Kit.Proxy.Cert)
		w.Registry.Record(w.PKI.LGPKIOrg, w.Kit.Official.Cert)
		if cfg.Official == nil {
			cfg.Official = w.Kit.Official
		}
	case w.PKI == nil:
		if w.PKI, err = pki.New(now); err != nil {
			return nil, err
		}
	}
	if w.Registry == nil {
		w.Registry = pki.NewRegistry()
	}
	if opts.RegistryFile != "" {
		if err := w.Registry.ShareFile(opts.RegistryFile); err != nil {
			return nil, err
		}
	}
	if !opts.NoResponders {
		if w.Responders, err = responder.Start(ctx, w.PKI, w.Registry, "127.0.0.1:0"); err != nil {
			return nil, err
		}
		if cfg.VA == nil {
			cfg.VA = w.Responders.VA
		}
		if cfg.TSAURL == "" {
			cfg.TSAURL = w.Responders.TSAURL()
		}
	}
	cfg.PKI, cfg.Registry = w.PKI, w.Registry
	if w.Service, err = service.Start(ctx, cfg); err != nil {
		return nil, err
	}
	return w, nil
}

// InDir returns opts set to keep the world in dir across runs, as
// 'shinsei-sandbox serve --dir' does: the PKI in dir/pki (kit.Options.PKIDir)
// with the registry shared in dir/pki/registry.jsonl (RegistryFile), the
// kit in dir/kit, the service's database in dir/service. A world
// restarted on dir trusts and knows what the previous one issued, and
// holds what it received.
func InDir(dir string, opts Options) Options {
	opts = SharePKI(dir, opts)
	opts.KitDir = filepath.Join(dir, "kit")
	opts.Service.DBPath = filepath.Join(dir, "service", "service.db")
	return opts
}

// RegistryFileName is the shared registry's file in a world's PKI
// directory (InDir).
const RegistryFileName = "registry.jsonl"

// DirEnv names the environment variable that points the desktop app's
// embedded sandbox at a sandbox directory ('serve --dir DIR', 'card
// --sandbox DIR'): it then uses that directory's PKI and shared registry,
// so the virtual card issued there is trusted and known.
const DirEnv = "SHINSEI_SANDBOX_DIR"

// SharePKI returns opts set to use the PKI and shared registry of the
// sandbox directory dir (InDir's), keeping its own kit and database.
func SharePKI(dir string, opts Options) Options {
	opts.Kit.PKIDir = filepath.Join(dir, "pki")
	opts.RegistryFile = filepath.Join(dir, "pki", RegistryFileName)
	return opts
}

// URL is the reference service's base URL.
func (w *World) URL() string { return w.Service.URL() }

// ServiceAnchors are the certificates a client trusts for the service's
// TLS: the sandbox LGPKI root that issued its server certificate.
func (w *World) ServiceAnchors() []*x509.Certificate {
	return []*x509.Certificate{w.Service.CACert()}
}

// TrustAnchors are the sandbox roots a client trusts for signatures.
func (w *World) TrustAnchors() []*x509.Certificate { return w.PKI.Roots() }

// Close stops the service and the responders. The kit's directory is
// left as it is.
func (w *World) Close() error {
	var errs []error
	if w.Service != nil {
		errs = append(errs, w.Service.Close())
	}
	if w.Responders != nil {
		errs = append(errs, w.Responders.Close())
	}
	return errors.Join(errs...)
}
