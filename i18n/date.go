package i18n

import (
	"fmt"
	"time"
)

// DateJa writes a date the way Japanese texts say it: 「2029年5月1日」, in
// the time's own location.
func DateJa(t time.Time) string {
	return fmt.Sprintf("%d年%d月%d日", t.Year(), int(t.Month()), t.Day())
}

// DateEn writes a date for English texts: "1 May 2029".
func DateEn(t time.Time) string { return t.Format("2 January 2006") }
