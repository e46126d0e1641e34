package pki

import (
	"crypto/x509"
	"errors"
	"math/big"
	"testing"
	"time"
)

func TestRegistryTracksRevocationsHoldsAndReleases(t *testing.T) {
	p := pki(t)
	reg := NewRegistry()
	ca := p.Private
	at := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	good, revoked, held, stranger := big.NewInt(10), big.NewInt(11), big.NewInt(12), big.NewInt(13)
	for _, s := range []*big.Int{good, revoked, held} {
		reg.Record(ca, &x509.Certificate{SerialNumber: s})
	}
	if err := reg.Revoke(ca, revoked, ReasonKeyCompromise, at); err != nil {
		t.Fatal(err)
	}
	if err := reg.Hold(ca, held, at); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name   string
		serial *big.Int
		want   CertStatus
		reason RevocationReason
	}{
		{"a recorded certificate is good", good, CertGood, 0},
		{"a revoked certificate is revoked with its reason", revoked, CertRevoked, ReasonKeyCompromise},
		{"a held certificate is on hold", held, CertOnHold, ReasonCertificateHold},
		{"a serial never recorded is unknown", stranger, CertUnknown, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, rev := reg.Status(ca, tt.serial)
			if got != tt.want || rev.Reason != tt.reason {
				t.Fatalf("got %v (%v), want %v (%v)", got, rev.Reason, tt.want, tt.reason)
			}
			if got == CertRevoked && !rev.At.Equal(at) {
				t.Fatalf("revoked at %v, want %v", rev.At, at)
			}
		})
	}
	if got, _ := reg.Status(p.LGPKIApp, good); got != CertUnknown {
		t.Fatalf("another CA's registry should not know the serial, got %v", got)
	}
	if err := reg.Revoke(ca, revoked, ReasonSuperseded, at); !errors.Is(err, ErrAlreadyRevoked) {
		t.Fatalf("revoking twice: %v", err)
	}
	if err := reg.Hold(ca, revoked, at); !errors.Is(err, ErrAlreadyRevoked) {
		t.Fatalf("holding a revoked certificate: %v", err)
	}
	if err := reg.Release(ca, revoked); !errors.Is(err, ErrNotOnHold) {
		t.Fatalf("releasing a revoked certificate: %v", err)
	}
	if err := reg.Revoke(ca, good, ReasonRemoveFromCRL, at); !errors.Is(err, ErrBadReason) {
		t.Fatalf("revoking with removeFromCRL: %v", err)
	}
	if err := reg.Release(ca, held); err != nil {
		t.Fatal(err)
	}
	if got, _ := reg.Status(ca, held); got != CertGood {
		t.Fatalf("after release: %v, want good", got)
	}
	if err := reg.Hold(ca, held, at); err != nil {
		t.Fatal(err)
	}
	if err := reg.Revoke(ca, held, ReasonCessationOfOperation, at); err != nil {
		t.Fatalf("a held certificate may be revoked for good: %v", err)
	}
	if got, rev := reg.Status(ca, held); got != CertRevoked || rev.Reason != ReasonCessationOfOperation {
		t.Fatalf("after revoking a held certificate: %v %v", got, rev.Reason)
	}
}

func TestCRLListsRevokedAndHeldCertificatesAndDropsReleasedOnes(t *testing.T) {
	p := pki(t)
	reg := NewRegistry()
	ca := p.LGPKIOrg
	now := time.Now()
	if err := reg.Revoke(ca, big.NewInt(1), ReasonKeyCompromise, now.Add(-time.Hour)); err != nil {
		t.Fatal(err)
	}
	if err := reg.Hold(ca, big.NewInt(2), now.Add(-time.Hour)); err != nil {
		t.Fatal(err)
	}
	der, err := reg.CRL(ca, now, 0)
	if err != nil {
		t.Fatal(err)
	}
	crl, err := x509.ParseRevocationList(der)
	if err != nil {
		t.Fatal(err)
	}
	if err := crl.CheckSignatureFrom(ca.Cert); err != nil {
		t.Fatalf("the CRL must be signed by its CA: %v", err)
	}
	if got := crl.NextUpdate.Sub(crl.ThisUpdate); got != CRLValidity {
		t.Fatalf("nextUpdate - thisUpdate = %v, want %v", got, CRLValidity)
	}
	reasons := map[int64]int{}
	for _, e := range crl.RevokedCertificateEntries {
		reasons[e.SerialNumber.Int64()] = e.ReasonCode
	}
	if len(reasons) != 2 || reasons[1] != int(ReasonKeyCompromise) || reasons[2] != int(ReasonCertificateHold) {
		t.Fatalf("entries %v", reasons)
	}
	if err := reg.Release(ca, big.NewInt(2)); err != nil {
		t.Fatal(err)
	}
	der, err = reg.CRL(ca, now, time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	next, err := x509.ParseRevocationList(der)
	if err != nil {
		t.Fatal(err)
	}
	if len(next.RevokedCertificateEntries) != 1 {
		t.Fatalf("a released hold must leave the CRL, got %d entries", len(next.RevokedCertificateEntries))
	}
	if next.Number.Cmp(crl.Number) <= 0 {
		t.Fatalf("CRL number %v after %v must grow", next.Number, crl.Number)
	}
}
