package main

import (
	"crypto/x509"
	"errors"
	"flag"
	"os"
	"time"

	"github.com/shinsei-app/shinsei/certcheck"
	"github.com/shinsei-app/shinsei/flow"
	"github.com/shinsei-app/shinsei/internal/iox"
)

// maxCertFile bounds a certificate file given on the command line.
const maxCertFile = 1 << 20

// readInput reads a whole input file of at most limit bytes; a FIFO or a
// device is refused at once, never opened.
func readInput(path string, limit int64) ([]byte, error) {
	if err := flow.CheckInputFile(path); err != nil {
		return nil, err
	}
	f, err := os.Open(path)
	if err != nil {
		return nil, usageError("check the path", "%w", err)
	}
	defer f.Close()
	data, err := iox.ReadAll(f, limit)
	if errors.Is(err, iox.ErrTooLarge) {
		return nil, usageError("give the right file", "%s is larger than %d bytes", path, limit)
	}
	if err != nil {
		return nil, usageError("check the file can be read", "%s: %w", path, err)
	}
	return data, nil
}

// loadCertFiles reads certificates from PEM (one or more) or DER files.
func loadCertFiles(paths []string) ([]*x509.Certificate, error) {
	var certs []*x509.Certificate
	for _, p := range paths {
		data, err := readInput(p, maxCertFile)
		if err != nil {
			return nil, err
		}
		cs, err := certcheck.ParseCertificates(data)
		if err != nil {
			return nil, usageError("give a certificate in PEM or DER form", "%s: %w", p, err)
		}
		certs = append(certs, cs...)
	}
	return certs, nil
}

// trustFlags are the flags verify and check share: anchors,
// intermediates and the time to check at.
type trustFlags struct {
	anchors, intermediates multiFlag
	at                     *string
}

func addTrustFlags(fs *flag.FlagSet) *trustFlags {
	t := &trustFlags{}
	fs.Var(&t.anchors, "anchor", "trust anchor `CERT` (PEM or DER; repeatable)")
	fs.Var(&t.intermediates, "intermediate", "intermediate `CERT` for path building (repeatable)")
	t.at = fs.String("at", "", "check at this `RFC3339` time instead of now (never the signer's claimed time)")
	return t
}

// load reads the certificate files and parses the time (zero: now).
func (t *trustFlags) load(cmd string) (roots, intermediates []*x509.Certificate, at time.Time, err error) {
	if roots, err = loadCertFiles(t.anchors); err != nil {
		return nil, nil, at, err
	}
	if intermediates, err = loadCertFiles(t.intermediates); err != nil {
		return nil, nil, at, err
	}
	if *t.at != "" {
		if at, err = time.Parse(time.RFC3339, *t.at); err != nil {
			return nil, nil, at, usageError("write the time as RFC 3339, e.g. 2026-04-01T09:00:00+09:00", "%s: --at: %w", cmd, err)
		}
	}
	return roots, intermediates, at, nil
}
