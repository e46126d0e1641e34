package submit

import (
	"testing"
	"time"
)

func TestAPowerOfAttorneysDatesAreThoseOfOne(t *testing.T) {
	issued := time.Date(2026, 12, 5, 10, 0, 0, 0, japan)
	for _, tt := range []struct {
		name, until string
		ok          bool
	}{
		{"the default three months is accepted", "2027-03-05", true},
		{"the day of issue itself is accepted", "2026-12-05", true},
		{"six months to the day is accepted", "2027-06-05", true},
		{"a day more than six months ahead is refused", "2027-06-06", false},
		{"a day before the day of issue is refused", "2026-12-04", false},
		{"no last day is refused", "", false},
		{"a last day that is not a date is refused", "2027/03/05", false},
	} {
		t.Run(tt.name, func(t *testing.T) {
			_, err := PowerOfAttorney{IssuedAt: issued, ValidUntil: tt.until}.Validity()
			if (err == nil) != tt.ok {
				t.Fatalf("Validity: %v, want ok %v", err, tt.ok)
			}
		})
	}
	if got := PowerOfAttorneyDefaultUntil(issued); got != "2027-03-05" {
		t.Fatalf("the default last day is %s, want three months later", got)
	}
	// Issued just after midnight in Japan (still the day before in UTC):
	// the days are Japan's.
	early := time.Date(2026, 12, 4, 15, 30, 0, 0, time.UTC)
	if got := PowerOfAttorneyDefaultUntil(early); got != "2027-03-05" {
		t.Fatalf("the default last day of one issued at 00:30 in Japan is %s, want 2027-03-05", got)
	}
}

func TestAPowerOfAttorneyIsUsableFromItsIssueToTheEndOfItsLastDayInJapan(t *testing.T) {
	issued := time.Date(2026, 12, 5, 10, 0, 0, 0, japan)
	v, err := PowerOfAttorney{IssuedAt: issued, ValidUntil: "2027-03-05"}.Validity()
	if err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct {
		name string
		at   time.Time
		want Use
	}{
		{"at its issue", issued, Usable},
		{"a few minutes before its issue, for the principal's clock", issued.Add(-10 * time.Minute), Usable},
		{"an hour before its issue", issued.Add(-time.Hour), NotYetValid},
		{"in the last minute of its last day in Japan", time.Date(2027, 3, 5, 23, 59, 0, 0, japan), Usable},
		{"at midnight after its last day in Japan", time.Date(2027, 3, 6, 0, 0, 0, 0, japan), Expired},
		{"on its last day in UTC but the next day in Japan", time.Date(2027, 3, 5, 16, 0, 0, 0, time.UTC), Expired},
	} {
		t.Run(tt.name, func(t *testing.T) {
			if got := v.At(tt.at); got != tt.want {
				t.Fatalf("At(%s) = %d, want %d", tt.at, got, tt.want)
			}
		})
	}
}
