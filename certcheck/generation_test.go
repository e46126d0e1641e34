package certcheck_test

import (
	"crypto/x509"
	"testing"
	"time"

	"github.com/shinsei-app/shinsei/certcheck"
	"github.com/shinsei-app/shinsei/sandbox/pki"
)

func TestPreviousJPKIGenerationTellsTheRootGenerationThatSignedTheCertificate(t *testing.T) {
	p := testPKI(t)
	current, err := p.IssueResident(pki.SampleResident(), pki.ResidentOptions{})
	if err != nil {
		t.Fatal(err)
	}
	old, err := p.IssueResident(pki.SampleResident(), pki.ResidentOptions{OldGeneration: true})
	if err != nil {
		t.Fatal(err)
	}
	expired, err := p.IssueResident(pki.SampleResident(), pki.ResidentOptions{NotBefore: time.Now().Add(-6 * 365 * 24 * time.Hour), NotAfter: time.Now().Add(-24 * time.Hour)})
	if err != nil {
		t.Fatal(err)
	}
	corp, err := p.IssueCorporate(pki.SampleCorporation())
	if err != nil {
		t.Fatal(err)
	}
	now := time.Now()
	for _, tc := range []struct {
		name  string
		cert  *x509.Certificate
		roots []*x509.Certificate
		want  bool
	}{
		{"a certificate under the expired root of the same name is of the previous generation", old.Cert, p.Roots(), true},
		{"a certificate under the current root is not", current.Cert, p.Roots(), false},
		{"a certificate past its own end under the current root is expired, not of the previous generation", expired.Cert, p.Roots(), false},
		{"a company certificate is not a JPKI one", corp.Cert, p.Roots(), false},
		{"without the current root, an expired root alone tells no generation", old.Cert, []*x509.Certificate{p.JPKISignOld.Cert}, false},
		{"without the root that signed it nothing is told", old.Cert, []*x509.Certificate{p.JPKISign.Cert}, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := certcheck.PreviousJPKIGeneration(tc.cert, tc.roots, now); got != tc.want {
				t.Errorf("PreviousJPKIGeneration = %v, want %v", got, tc.want)
			}
		})
	}
}
