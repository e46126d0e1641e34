package flow

import (
	"time"

	"github.com/shinsei-app/shinsei/submit"
)

// ValidUntilChoice is what the principal may choose as the last day
// (有効期限) of a power of attorney signed now, by the App's clock, for a
// surface that offers the choice (the window's 「委任状を作る」). Each day is
// the date in Japan, at midnight UTC: give it to
// PowerOfAttorneyRequest.ValidUntil as it is.
type ValidUntilChoice struct {
	// Today is the day of issue, the first day that may be chosen.
	Today time.Time
	// Default is the last day when none is chosen:
	// submit.PowerOfAttorneyDefaultMonths after Today.
	Default time.Time
	// Latest is the last day that may be chosen:
	// submit.PowerOfAttorneyMaxMonths after Today.
	Latest time.Time
}

// ValidUntilChoice is the choice of a power of attorney's last day now.
func (a *App) ValidUntilChoice() ValidUntilChoice {
	now := a.now()
	c := ValidUntilChoice{Today: dateOf(submit.PowerOfAttorneyDay(now))}
	c.Default = dateOf(submit.PowerOfAttorneyDefaultUntil(now))
	c.Latest = dateOf(submit.PowerOfAttorneyLatestUntil(now))
	return c
}

// MonthsLater is the day months after Today, counted as the default and
// the latest day are (a day that month lacks runs into the next).
func (c ValidUntilChoice) MonthsLater(months int) time.Time {
	y, m, d := c.Today.Date()
	return time.Date(y, m+time.Month(months), d, 0, 0, 0, 0, time.UTC)
}

// CheckValidUntil says whether t (its date, as in its own location) may
// be chosen now as a power of attorney's last day: nil, or
// ErrValidUntilOutOfRange, as SignPowerOfAttorney says before any PIN.
// The zero time (the default) may always be chosen.
func (a *App) CheckValidUntil(t time.Time) error {
	_, err := a.validUntil(t)
	return err
}

// dateOf is the YYYY-MM-DD date s at midnight UTC.
func dateOf(s string) time.Time {
	t, _ := time.Parse(submit.DateLayout, s) // written by submit in this layout
	return t
}
