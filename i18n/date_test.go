package i18n

import (
	"testing"
	"time"
)

func TestDatesAreWrittenAsPeopleReadThem(t *testing.T) {
	for _, c := range []struct {
		name   string
		t      time.Time
		ja, en string
	}{
		{"a date in May has no leading zeros", time.Date(2029, 5, 1, 23, 59, 59, 0, time.UTC), "2029年5月1日", "1 May 2029"},
		{"a two-digit month and day stay as they are", time.Date(2033, 12, 31, 0, 0, 0, 0, time.UTC), "2033年12月31日", "31 December 2033"},
	} {
		t.Run(c.name, func(t *testing.T) {
			if got := DateJa(c.t); got != c.ja {
				t.Errorf("DateJa = %q, want %q", got, c.ja)
			}
			if got := DateEn(c.t); got != c.en {
				t.Errorf("DateEn = %q, want %q", got, c.en)
			}
		})
	}
}
