package pki

import (
	"math/big"
	"path/filepath"
	"testing"
	"time"
)

func TestTwoRegistriesOnOneFileSeeEachOthersChanges(t *testing.T) {
	p := pki(t)
	path := filepath.Join(t.TempDir(), "registry.jsonl")
	card, service := NewRegistry(), NewRegistry()
	for _, r := range []*Registry{card, service} {
		if err := r.ShareFile(path); err != nil {
			t.Fatal(err)
		}
	}
	cred, err := p.IssueResident(SampleResident(), ResidentOptions{})
	if err != nil {
		t.Fatal(err)
	}
	serial := cred.Cert.SerialNumber
	status := func() CertStatus { s, _ := service.Status(p.JPKISign, serial); return s }
	if got := status(); got != CertUnknown {
		t.Fatalf("before anything: %s", got)
	}
	card.Record(p.JPKISign, cred.Cert)
	if got := status(); got != CertGood {
		t.Errorf("recorded by the other: %s, want good", got)
	}
	if err := card.Hold(p.JPKISign, serial, time.Now()); err != nil {
		t.Fatal(err)
	}
	if got := status(); got != CertOnHold {
		t.Errorf("held by the other: %s, want on-hold", got)
	}
	if err := service.Release(p.JPKISign, serial); err != nil {
		t.Fatalf("released here after the other held it: %v", err)
	}
	if s, _ := card.Status(p.JPKISign, serial); s != CertGood {
		t.Errorf("released by the other: %s, want good", s)
	}
	if err := card.Revoke(p.JPKISign, serial, ReasonKeyCompromise, time.Now()); err != nil {
		t.Fatal(err)
	}
	if got, rev := service.Status(p.JPKISign, serial); got != CertRevoked || rev.Reason != ReasonKeyCompromise {
		t.Errorf("revoked by the other: %s %v", got, rev.Reason)
	}
	if err := service.Revoke(p.JPKISign, serial, ReasonSuperseded, time.Now()); err == nil {
		t.Error("revoked twice across the file")
	}
	// A registry opened later on the file knows everything at once.
	later := NewRegistry()
	if err := later.ShareFile(path); err != nil {
		t.Fatal(err)
	}
	if got, _ := later.Status(p.JPKISign, serial); got != CertRevoked {
		t.Errorf("a registry opened later: %s", got)
	}
	if got, _ := later.Status(p.JPKISign, big.NewInt(12345)); got != CertUnknown {
		t.Errorf("an unknown serial: %s", got)
	}
}
