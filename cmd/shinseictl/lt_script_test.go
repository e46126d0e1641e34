package main

import (
	"context"
	"crypto/x509"
	"encoding/pem"
	"os"
	"path/filepath"
	"sync"
	"time"

	"github.com/rogpeppe/go-internal/testscript"

	"github.com/shinsei-app/shinsei/sandbox/pki"
	"github.com/shinsei-app/shinsei/sandbox/responder"
)

// ltServers holds each script's responders between "lt-pki start" and
// "lt-pki stop".
var ltServers sync.Map // *testscript.TestScript → *responder.Server

// ltPKI is the script command "lt-pki start|stop". start makes a fresh
// sandbox PKI, starts its CRL/OCSP responders and time-stamp authority on
// loopback ($RESPONDERS; the authority at $RESPONDERS/tsa), sets
// $IN_30_MONTHS (after the 2-year certificates expired, before the 3-year
// authority did) and writes to
// $LT: private.p12 (password "sandbox"), a certificate of the private CA
// whose AIA names the CA's own OCSP responder there and whose CRL
// distribution point is there too; jpki.p12, the same from the JPKI-like
// root; and the roots private-root.pem (which also issued the
// time-stamp authority) and jpki-root.pem. stop stops every responder:
// nothing can be asked any more.
func ltPKI(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) != 1 {
		ts.Fatalf("usage: lt-pki start|stop")
	}
	switch args[0] {
	case "stop":
		rs, ok := ltServers.LoadAndDelete(ts)
		if !ok {
			ts.Fatalf("lt-pki stop: not started")
		}
		ts.Check(rs.(*responder.Server).Close())
		return
	case "start":
	default:
		ts.Fatalf("usage: lt-pki start|stop")
	}
	p, err := pki.New(time.Now())
	ts.Check(err)
	rs, err := responder.Start(context.Background(), p, pki.NewRegistry(), "127.0.0.1:0")
	ts.Check(err)
	ltServers.Store(ts, rs)
	ts.Defer(func() {
		if rs, ok := ltServers.LoadAndDelete(ts); ok {
			_ = rs.(*responder.Server).Close()
		}
	})
	dir := ts.MkAbs("lt")
	ts.Check(os.MkdirAll(dir, 0o700))
	for name, ca := range map[string]*pki.CA{"private": p.Private, "jpki": p.JPKISign} {
		cred, err := rs.IssueEndEntity(ca, responder.EndEntity{CommonName: "LT " + name})
		ts.Check(err)
		cred.Root = ca.Cert
		der, err := cred.PKCS12("sandbox")
		ts.Check(err)
		ts.Check(os.WriteFile(filepath.Join(dir, name+".p12"), der, 0o600))
		ts.Check(writeCertPEMFile(filepath.Join(dir, name+"-root.pem"), ca.Cert))
	}
	ts.Setenv("RESPONDERS", rs.URL)
	ts.Setenv("LT", dir)
	// After the 2-year signer certificates expired, before the 3-year
	// time-stamp authority did.
	ts.Setenv("IN_30_MONTHS", time.Now().AddDate(2, 6, 0).UTC().Format(time.RFC3339))
}

func writeCertPEMFile(path string, c *x509.Certificate) error {
	return os.WriteFile(path, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: c.Raw}), 0o644)
}
