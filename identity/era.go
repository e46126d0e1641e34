package identity

import (
	"errors"
	"fmt"
	"io"
	"log/slog"
	"regexp"
	"strconv"
	"strings"
	"time"
	"unicode"

	"golang.org/x/text/unicode/norm"
)

// Era is a Japanese era (元号) as the JPKI date of birth encodes it: the
// first digit of EYYYYMMDD.
type Era int

// The eras a living person can be born in.
const (
	EraMeiji  Era = 1 // 明治, from 1868
	EraTaisho Era = 2 // 大正, from 1912-07-30
	EraShowa  Era = 3 // 昭和, from 1926-12-25
	EraHeisei Era = 4 // 平成, from 1989-01-08
	EraReiwa  Era = 5 // 令和, from 2019-05-01
)

type eraInfo struct {
	kanji, romaji, letter string
	start                 time.Time // first day
}

var eras = map[Era]eraInfo{
	EraMeiji:  {"明治", "Meiji", "M", date(1868, 1, 1)},
	EraTaisho: {"大正", "Taisho", "T", date(1912, 7, 30)},
	EraShowa:  {"昭和", "Showa", "S", date(1926, 12, 25)},
	EraHeisei: {"平成", "Heisei", "H", date(1989, 1, 8)},
	EraReiwa:  {"令和", "Reiwa", "R", date(2019, 5, 1)},
}

func date(y int, m time.Month, d int) time.Time { return time.Date(y, m, d, 0, 0, 0, 0, time.UTC) }

// Valid reports whether e is one of the five known eras.
func (e Era) Valid() bool { _, ok := eras[e]; return ok }

// String returns the era's name in kanji (昭和), or "Era(n)" for an
// unknown value.
func (e Era) String() string {
	if i, ok := eras[e]; ok {
		return i.kanji
	}
	return fmt.Sprintf("Era(%d)", int(e))
}

// Romaji returns the era's name in Latin letters (Showa).
func (e Era) Romaji() string { return eras[e].romaji }

// Letter returns the one-letter abbreviation (M, T, S, H, R).
func (e Era) Letter() string { return eras[e].letter }

// Year returns the era year of a Gregorian year (1985 in Showa is 60).
func (e Era) Year(gregorian int) int { return gregorian - eras[e].start.Year() + 1 }

// contains reports whether d can be written in era e. The first day of the
// next era is accepted too: on the days the era changed at an emperor's
// death (1912-07-30, 1926-12-25) both names were in use, and registers
// differ on which one they recorded.
func (e Era) contains(d time.Time) bool {
	i, ok := eras[e]
	if !ok || d.Before(i.start) {
		return false
	}
	if next, ok := eras[e+1]; ok && d.After(next.start) {
		return false
	}
	return true
}

// EraOf returns the era a Gregorian date belongs to (the new era from its
// first day on), or 0 before Meiji.
func EraOf(d time.Time) Era {
	for e := EraReiwa; e >= EraMeiji; e-- {
		if !d.Before(eras[e].start) {
			return e
		}
	}
	return 0
}

// BirthDate is a JPKI date of birth: the era the register records and the
// calendar date. Date is midnight UTC of that day; only its year, month and
// day are meaningful. Formatting a BirthDate with fmt or slog prints a
// placeholder, not the date: use ISO or Japanese to display it to its owner.
type BirthDate struct {
	Era  Era
	Date time.Time
}

// ISO returns the date as YYYY-MM-DD.
func (b BirthDate) ISO() string { return b.Date.Format("2006-01-02") }

// Japanese returns the date in era notation, such as 昭和60年4月15日 (the
// first year is written 元年).
func (b BirthDate) Japanese() string { return japaneseDate(b.Era, b.Date) }

// Format prints a placeholder so that a date of birth never reaches a log
// by accident.
func (b BirthDate) Format(f fmt.State, _ rune) {
	_, _ = io.WriteString(f, "identity.BirthDate{redacted}")
}

// LogValue logs a placeholder.
func (b BirthDate) LogValue() slog.Value { return slog.StringValue("identity.BirthDate{redacted}") }

func japaneseDate(e Era, d time.Time) string {
	y := e.Year(d.Year())
	ys := strconv.Itoa(y)
	if y == 1 {
		ys = "元"
	}
	return fmt.Sprintf("%s%s年%d月%d日", e, ys, int(d.Month()), d.Day())
}

// parseBirthDate parses the certificate's EYYYYMMDD value.
func parseBirthDate(s string) (BirthDate, error) {
	if len(s) != 9 {
		return BirthDate{}, ErrBadBirthDate
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return BirthDate{}, ErrBadBirthDate
		}
	}
	e := Era(s[0] - '0')
	y, _ := strconv.Atoi(s[1:5])
	m, _ := strconv.Atoi(s[5:7])
	d, _ := strconv.Atoi(s[7:9])
	t, ok := calendarDate(y, m, d)
	if !ok || !e.contains(t) {
		return BirthDate{}, ErrBadBirthDate
	}
	return BirthDate{Era: e, Date: t}, nil
}

func calendarDate(y, m, d int) (time.Time, bool) {
	if y < 1 || m < 1 || m > 12 || d < 1 || d > 31 {
		return time.Time{}, false
	}
	t := date(y, time.Month(m), d)
	if t.Year() != y || int(t.Month()) != m || t.Day() != d {
		return time.Time{}, false
	}
	return t, true
}

var (
	reISO       = regexp.MustCompile(`^(\d{4})-(\d{2})-(\d{2})$`)
	reGregorian = regexp.MustCompile(`^(\d{4})(?:[-/.](\d{1,2})[-/.](\d{1,2})|年(\d{1,2})月(\d{1,2})日?(?:生まれ|生)?|(\d{2})(\d{2}))$`)
	reEra       = regexp.MustCompile(`^(明治|大正|昭和|平成|令和|明|大|昭|平|令|[MTSHRmtshr])(元|\d{1,2})(?:年(\d{1,2})月(\d{1,2})日?(?:生まれ|生)?|[-/.](\d{1,2})[-/.](\d{1,2}))$`)
)

var eraNames = map[string]Era{
	"明治": EraMeiji, "明": EraMeiji, "M": EraMeiji,
	"大正": EraTaisho, "大": EraTaisho, "T": EraTaisho,
	"昭和": EraShowa, "昭": EraShowa, "S": EraShowa,
	"平成": EraHeisei, "平": EraHeisei, "H": EraHeisei,
	"令和": EraReiwa, "令": EraReiwa, "R": EraReiwa,
}

// ParseDate reads a date of birth as people write it on a form:
//
//	1985-04-15          ISO 8601 (the canonical form)
//	1985/4/15 1985.4.15 19850415 1985年4月15日
//	昭和60年4月15日 昭和６０年４月１５日 昭和六十年四月十五日 昭和元年12月25日
//	S60.4.15 S60/4/15 s60-4-15 昭60.4.15 ㍼60年4月15日
//
// Full-width digits, kanji numerals, spaces and a trailing 生 or 生まれ are
// accepted. An era date
// must lie inside its era (平成32年 is rejected); 元年 is year 1. The result
// is midnight UTC.
func ParseDate(s string) (time.Time, error) {
	t, _, err := parseFormDate(s)
	return t, err
}

var errBadFormDate = errors.New("identity: the date is not in a recognised format")

// parseFormDate is ParseDate that also says which normalisations the
// value needed to be read as an ISO date.
func parseFormDate(s string) (time.Time, []string, error) {
	var used []string
	stripped := strings.Map(func(r rune) rune {
		if isSpaceLike(r) {
			return -1
		}
		return r
	}, s)
	if stripped != s {
		used = append(used, NormSpace)
	}
	n := norm.NFKC.String(stripped)
	if n != stripped {
		used = append(used, NormWidth)
	}
	k := convertKanjiNumeralsString(n)
	if k != n {
		used = append(used, NormKanjiNumeral)
	}
	if m := reISO.FindStringSubmatch(k); m != nil {
		t, ok := calendarDate(atoi(m[1]), atoi(m[2]), atoi(m[3]))
		if !ok {
			return time.Time{}, nil, errBadFormDate
		}
		return t, used, nil
	}
	if m := reGregorian.FindStringSubmatch(k); m != nil {
		mo, d := m[2], m[3]
		if m[4] != "" {
			mo, d = m[4], m[5]
		} else if m[6] != "" {
			mo, d = m[6], m[7]
		}
		t, ok := calendarDate(atoi(m[1]), atoi(mo), atoi(d))
		if !ok {
			return time.Time{}, nil, errBadFormDate
		}
		return t, append(used, NormDateFormat), nil
	}
	if m := reEra.FindStringSubmatch(k); m != nil {
		e := eraNames[strings.ToUpper(m[1])]
		y := 1
		if m[2] != "元" {
			y = atoi(m[2])
		}
		mo, d := m[3], m[4]
		if mo == "" {
			mo, d = m[5], m[6]
		}
		if y < 1 {
			return time.Time{}, nil, errBadFormDate
		}
		t, ok := calendarDate(eras[e].start.Year()+y-1, atoi(mo), atoi(d))
		if !ok || !e.contains(t) {
			return time.Time{}, nil, errBadFormDate
		}
		return t, append(used, NormEraDate), nil
	}
	return time.Time{}, nil, errBadFormDate
}

func atoi(s string) int {
	n, err := strconv.Atoi(s)
	if err != nil {
		return -1
	}
	return n
}

// isSpaceLike reports whitespace (U+3000 included) and the invisible
// characters that copying from web pages leaves behind.
func isSpaceLike(r rune) bool {
	switch r {
	case '\u200b', '\u200c', '\u200d', '\u2060', '\ufeff', '\u00ad':
		return true
	}
	return unicode.IsSpace(r)
}
