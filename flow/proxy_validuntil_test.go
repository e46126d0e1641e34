package flow_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/shinsei-app/shinsei/flow"
	"github.com/shinsei-app/shinsei/submit"
)

func TestTheChoiceOfAPowerOfAttorneysLastDayIsCountedFromTodayInJapan(t *testing.T) {
	// 20:00 UTC on 31 August is already 1 September in Japan.
	now := time.Date(2026, time.August, 31, 20, 0, 0, 0, time.UTC)
	a, err := flow.Open(context.Background(), flow.Config{Now: func() time.Time { return now }})
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close()
	c := a.ValidUntilChoice()
	for _, tc := range []struct {
		what string
		got  time.Time
		want string
	}{
		{"the day of issue", c.Today, "2026-09-01"},
		{"the default, three months later", c.Default, submit.PowerOfAttorneyDefaultUntil(now)},
		{"the latest, six months later", c.Latest, submit.PowerOfAttorneyLatestUntil(now)},
		{"one month later", c.MonthsLater(1), "2026-10-01"},
		{"three months later, the default", c.MonthsLater(submit.PowerOfAttorneyDefaultMonths), "2026-12-01"},
		{"six months later, the latest", c.MonthsLater(submit.PowerOfAttorneyMaxMonths), "2027-03-01"},
	} {
		if got := tc.got.Format(submit.DateLayout); got != tc.want {
			t.Errorf("%s is %s, want %s", tc.what, got, tc.want)
		}
	}

	for _, tc := range []struct {
		name    string
		until   time.Time
		refused bool
	}{
		{"no day chosen is the default and may be chosen", time.Time{}, false},
		{"the day of issue may be chosen", c.Today, false},
		{"the latest day may be chosen", c.Latest, false},
		{"a day given at midnight elsewhere counts by its own date", time.Date(2027, time.March, 1, 0, 0, 0, 0, time.FixedZone("NZDT", 13*3600)), false},
		{"the day before the day of issue is refused", c.Today.AddDate(0, 0, -1), true},
		{"the day after the latest is refused", c.Latest.AddDate(0, 0, 1), true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := a.CheckValidUntil(tc.until)
			if refused := errors.Is(err, flow.ErrValidUntilOutOfRange); refused != tc.refused || (err != nil && !refused) {
				t.Fatalf("CheckValidUntil(%s) = %v, want refused %v", tc.until.Format(submit.DateLayout), err, tc.refused)
			}
		})
	}
}
