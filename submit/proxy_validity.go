package submit

import (
	"fmt"
	"time"
)

// The validity of a power of attorney (委任状の有効期限). Its valid_until
// is the last day (a date in Japan, YYYY-MM-DD) on which a proxy may
// file with it; it is valid from its issued_at (less
// PowerOfAttorneyClockSkew, for the principal's clock) to the end of that
// day in Japan. The principal chooses the day, from the day of issue up
// to PowerOfAttorneyMaxMonths later; without a choice it is
// PowerOfAttorneyDefaultMonths later. The limit: a power of attorney is
// for one procedure, and one that outlives a move, a new certificate or a
// change of mind should not be left lying about.
const (
	// PowerOfAttorneyDefaultMonths is the validity, in months from the
	// day of issue, of a power of attorney whose principal chose none.
	PowerOfAttorneyDefaultMonths = 3
	// PowerOfAttorneyMaxMonths is the longest validity, in months from
	// the day of issue.
	PowerOfAttorneyMaxMonths = 6
	// PowerOfAttorneyClockSkew is how far before its issued_at a power of
	// attorney is already taken, for a principal's clock that runs ahead.
	PowerOfAttorneyClockSkew = 15 * time.Minute
	// DateLayout is the layout of a date in documents: YYYY-MM-DD.
	DateLayout = "2006-01-02"
)

// japan is the time zone a power of attorney's days are counted in.
var japan = time.FixedZone("JST", 9*60*60)

// PowerOfAttorneyDay is the date t falls on in Japan, as YYYY-MM-DD.
func PowerOfAttorneyDay(t time.Time) string { return t.In(japan).Format(DateLayout) }

// PowerOfAttorneyDefaultUntil is the valid_until of a power of attorney
// issued at issued whose principal chose no day: PowerOfAttorneyDefaultMonths later.
func PowerOfAttorneyDefaultUntil(issued time.Time) string {
	y, m, d := issued.In(japan).Date()
	return time.Date(y, m+PowerOfAttorneyDefaultMonths, d, 0, 0, 0, 0, time.UTC).Format(DateLayout)
}

// PowerOfAttorneyLatestUntil is the latest valid_until a power of
// attorney issued at issued may have: PowerOfAttorneyMaxMonths later.
func PowerOfAttorneyLatestUntil(issued time.Time) string {
	y, m, d := issued.In(japan).Date()
	return time.Date(y, m+PowerOfAttorneyMaxMonths, d, 0, 0, 0, 0, time.UTC).Format(DateLayout)
}

// Validity is when a power of attorney may be used: from From
// (inclusive) to End (exclusive).
type Validity struct {
	From, End time.Time
}

// Use is whether a power of attorney may be used at a time.
type Use int

// The answers of Validity.At.
const (
	// Usable: within its validity.
	Usable Use = iota
	// Expired: after its last day.
	Expired
	// NotYetValid: before it was issued (the principal's or this
	// computer's clock is off, or it was dated ahead).
	NotYetValid
)

// Validity reads when p may be used, or says why its dates are not those
// of a power of attorney: valid_until missing or not a date, before the
// day of issue, or more than PowerOfAttorneyMaxMonths after it.
func (p PowerOfAttorney) Validity() (Validity, error) {
	if p.IssuedAt.IsZero() {
		return Validity{}, fmt.Errorf("issued_at: missing")
	}
	until, err := time.ParseInLocation(DateLayout, p.ValidUntil, japan)
	if err != nil {
		return Validity{}, fmt.Errorf("valid_until: not a date YYYY-MM-DD")
	}
	issuedDay := PowerOfAttorneyDay(p.IssuedAt)
	switch {
	case p.ValidUntil < issuedDay:
		return Validity{}, fmt.Errorf("valid_until: before the day of issue")
	case p.ValidUntil > PowerOfAttorneyLatestUntil(p.IssuedAt):
		return Validity{}, fmt.Errorf("valid_until: more than %d months after the day of issue", PowerOfAttorneyMaxMonths)
	}
	return Validity{From: p.IssuedAt.Add(-PowerOfAttorneyClockSkew), End: until.AddDate(0, 0, 1)}, nil
}

// At says whether the power of attorney may be used at now.
func (v Validity) At(now time.Time) Use {
	switch {
	case !now.Before(v.End):
		return Expired
	case now.Before(v.From):
		return NotYetValid
	}
	return Usable
}
