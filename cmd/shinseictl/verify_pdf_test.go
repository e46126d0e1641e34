package main

import (
	"bytes"
	"crypto/x509"
	"crypto/x509/pkix"
	"strings"
	"testing"
	"time"

	"github.com/shinsei-app/shinsei/pades"
	"github.com/shinsei-app/shinsei/signer"
)

func TestADocumentTimestampIsPrintedAsWhatItProves(t *testing.T) {
	at := time.Date(2026, 4, 1, 9, 30, 0, 0, time.UTC)
	tsa := &x509.Certificate{Subject: pkix.Name{CommonName: "Test TSA"}, Issuer: pkix.Name{CommonName: "Sandbox CA"}}
	rep := &pades.Report{Size: 100, Signatures: []pades.Signature{{
		Field: "Signature 2", SubFilter: pades.SubFilterDocTS, Covered: 100, WholeFile: true,
		Signer: tsa, Official: "Test TSA", ProvenTime: &at, ProvenBy: "CN=Test TSA",
		Integrity:   signer.Check{OK: true, Detail: "the document existed no later than 2026-04-01T09:30:00Z (document time-stamp by CN=Test TSA)"},
		Certificate: signer.Check{OK: true}, Revocation: signer.Check{OK: true},
	}}}
	var out bytes.Buffer
	printPDFReport(&stdio{out: &out, err: &out}, "stamped.pdf", rep, false)
	for _, want := range []string{
		"authority:   Test TSA",
		"existed by:  2026-04-01T09:30:00Z — the document existed no later than then (document time-stamp by CN=Test TSA)",
		"result: VALID",
	} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("the report lacks %q:\n%s", want, out.String())
		}
	}
	if strings.Contains(out.String(), "signed by:") {
		t.Errorf("a document time-stamp is printed as a signing time:\n%s", out.String())
	}
}
