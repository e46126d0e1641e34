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
// 'serve --dir DIR' when dir is set — the saved PKI, and the registry its
// service and responders share, so that they know the card's certificate
// (and answer revoked for the revoked scenario) — else a PKI of its own.
func cardPKI(dir string, now time.Time) (*pki.PKI, *pki.Registry, error) {
	if dir == "" {
		p, err := pki.New(now)
		return p, pki.NewRegistry(), err
	}
	pkiDir := filepath.Join(dir, "pki")
	p, err := pki.Load(pkiDir, now)
	if err != nil {
		return nil, nil, fmt.Errorf("card: the sandbox in %s: %w (start 'shinsei-sandbox serve --dir %s' first)", dir, err, dir)
	}
	reg := pki.NewRegistry()
	if err := reg.ShareFile(filepath.Join(pkiDir, sandbox.RegistryFileName)); err != nil {
		return nil, nil, err
	}
	return p, reg, nil
}
