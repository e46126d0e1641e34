//go:build linux && cgo

package main

import (
	"fmt"
	"path/filepath"
	"time"

	"github.com/shinsei-app/shinsei/sandbox"
	"github.com/shinsei-app/shinsei/sandbox/pki"
)

// cardPKI is the PKI and registry a virtual card is issued from: those of
// the sandbox in dir ('serve --dir DIR', or the app's embedded sandbox
// with SHINSEI_SANDBOX_DIR=DIR) when dir is set — the PKI saved there
// (made when there is none), and the registry its service and responders
// share, so that they know the card's certificate (and answer revoked for
// the revoked scenario) — else a PKI of its own.
func cardPKI(dir string, now time.Time) (*pki.PKI, *pki.Registry, error) {
	if dir == "" {
		p, err := pki.New(now)
		return p, pki.NewRegistry(), err
	}
	pkiDir := filepath.Join(dir, "pki")
	p, err := pki.LoadOrCreate(pkiDir, now)
	if err != nil {
		return nil, nil, fmt.Errorf("card: the sandbox in %s: %w", dir, err)
	}
	reg := pki.NewRegistry()
	if err := reg.ShareFile(filepath.Join(pkiDir, sandbox.RegistryFileName)); err != nil {
		return nil, nil, err
	}
	return p, reg, nil
}
