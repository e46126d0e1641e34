package identity_test

import (
	"errors"
	"testing"

	"github.com/shinsei-app/shinsei/identity"
	"github.com/shinsei-app/shinsei/sandbox/pki"
)

func TestHolderOfReadsWhicheverHolderACertificateHas(t *testing.T) {
	corp, err := sandboxPKI(t).IssueCorporate(pki.SampleCorporation())
	if err != nil {
		t.Fatal(err)
	}
	badFlags := sampleNames(t)
	badFlags[1] = utf8Name(t, identity.OIDJPKINameFlags, "1")
	cases := []struct {
		name               string
		holder             func() (identity.Holder, error)
		resident, company  bool
		wantErr, notWanted error
	}{
		{"a resident's signature certificate gives the person",
			func() (identity.Holder, error) {
				return identity.HolderOf(withExtensions(sanExtension(t, sampleNames(t)...)))
			}, true, false, nil, nil},
		{"a registry certificate gives the corporation",
			func() (identity.Holder, error) { return identity.HolderOf(corp.Cert) }, false, true, nil, nil},
		{"a certificate of neither kind says it is neither",
			func() (identity.Holder, error) { return identity.HolderOf(withExtensions()) }, false, false, identity.ErrNotCorporate, nil},
		{"a resident's certificate whose flags do not fit the name says so, not that it is no registry certificate",
			func() (identity.Holder, error) {
				return identity.HolderOf(withExtensions(sanExtension(t, badFlags...)))
			}, false, false, identity.ErrFlagsLength, identity.ErrNotCorporate},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			h, err := c.holder()
			if (h.Person != nil) != c.resident || (h.Corporation != nil) != c.company {
				t.Errorf("person %v, corporation %v; want %v, %v", h.Person != nil, h.Corporation != nil, c.resident, c.company)
			}
			switch {
			case c.wantErr == nil && err != nil:
				t.Fatalf("HolderOf: %v", err)
			case c.wantErr != nil && !errors.Is(err, c.wantErr):
				t.Fatalf("HolderOf: %v, want %v", err, c.wantErr)
			case c.notWanted != nil && errors.Is(err, c.notWanted):
				t.Errorf("HolderOf: %v also matches %v", err, c.notWanted)
			}
			if c.wantErr == identity.ErrNotCorporate && !errors.Is(err, identity.ErrNotJPKI) {
				t.Errorf("HolderOf: %v does not say it is no JPKI certificate either", err)
			}
		})
	}
}

func TestAHolderMatchesAndFillsTheApplicantBlockOfItsKind(t *testing.T) {
	h, err := identity.HolderOf(withExtensions(sanExtension(t, sampleNames(t)...)))
	if err != nil {
		t.Fatal(err)
	}
	a := h.Applicant()
	if a.Name != "高橋　花子" || a.Sex != "2" || a.BirthDate != "1985-04-15" || a.CorporateName != "" {
		t.Errorf("applicant from the certificate: %#v", a.LogValue())
	}
	if r := h.Match(a); !r.OK() {
		t.Errorf("the holder's own data does not match: %v", r)
	}
	a.Address = "大阪府大阪市北区"
	if r := h.Match(a); r.OK() {
		t.Error("another address matches")
	}
	if h.String() != "identity.Holder{redacted}" {
		t.Errorf("String shows %q", h.String())
	}
}
