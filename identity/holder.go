package identity

import (
	"crypto/x509"
	"errors"
)

// Holder is whom a certificate names: a resident (the four attributes of a
// JPKI signature certificate) or a corporation (a commercial-registry
// certificate's attributes). Exactly one of the two is set. Its values are
// personal data: String, Format and slog show neither.
type Holder struct {
	Person      *Person
	Corporation *Corporation
}

// HolderOf reads the holder of cert, whichever kind it is. A certificate
// that is neither gives an error matching both ErrNotJPKI and
// ErrNotCorporate; one whose attributes are there but cannot be read
// gives that error (ErrMalformed, ErrMissingAttribute, ErrBadBirthDate,
// ErrBadSex, ErrBadFlags or ErrFlagsLength, in an *AttributeError). It
// does not verify the certificate; that is certcheck's job.
func HolderOf(cert *x509.Certificate) (Holder, error) {
	p, perr := FromJPKI(cert)
	if perr == nil {
		return Holder{Person: p}, nil
	}
	c, cerr := FromCorporate(cert)
	switch {
	case cerr == nil:
		return Holder{Corporation: c}, nil
	case !errors.Is(perr, ErrNotJPKI):
		return Holder{}, perr
	case !errors.Is(cerr, ErrNotCorporate):
		return Holder{}, cerr
	}
	return Holder{}, errors.Join(perr, cerr)
}

// Match compares the applicant block with the holder: MatchPerson for a
// resident, MatchCorporation for a corporation.
func (h Holder) Match(a Applicant) Result {
	if h.Corporation != nil {
		return MatchCorporation(h.Corporation, a)
	}
	return MatchPerson(h.Person, a)
}

// Applicant is the holder's data as an applicant block, to fill a form
// from the certificate.
func (h Holder) Applicant() Applicant {
	switch {
	case h.Person != nil:
		p := h.Person
		return Applicant{Name: p.Name, BirthDate: p.BirthDate.ISO(), Sex: p.Sex.Code(), Address: p.Address}
	case h.Corporation != nil:
		c := h.Corporation
		return Applicant{CorporateName: c.Name, CorporateNumber: c.Number, CorporateAddress: c.Address,
			RepresentativeName: c.RepresentativeName, RepresentativeTitle: c.RepresentativeTitle}
	}
	return Applicant{}
}

// String hides the holder's values.
func (h Holder) String() string { return "identity.Holder{redacted}" }
