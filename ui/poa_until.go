package ui

import (
	"regexp"
	"strconv"
	"strings"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/widget"

	"github.com/shinsei-app/shinsei/flow"
	"github.com/shinsei-app/shinsei/submit"
)

// poaUntil is the choice of the power of attorney's last day (有効期限)
// on its screen: 1 month, the default (3 months, chosen at first) or the
// longest (6 months) from today, each shown with its date, or a day the
// principal types. The day chosen is the request's ValidUntil; flow says
// which days may be chosen (flow.App.ValidUntilChoice, CheckValidUntil),
// and a typed day it refuses is explained at once in the table's words,
// with the sign buttons off, so no PIN is asked for it.
type poaUntil struct {
	p *poaScreen
	// choice is what could be chosen when the screen opened; days are the
	// dates of the options before 「日付を指定する」, in their order.
	choice flow.ValidUntilChoice
	days   []time.Time
	radio  *widget.RadioGroup
	// day is where another day is typed, shown with its hint only when
	// 「日付を指定する」 is chosen.
	day     *widget.Entry
	dayH    *textLabel
	example string // a day to write as an example, 2 months ahead
	row     fyne.CanvasObject
	// problem says why the typed day cannot be used ("" when it can, or
	// when none is typed yet); refused says flow refuses it, rather than
	// it being unreadable (yet).
	problem string
	refused bool
	box     fyne.CanvasObject
}

// untilMonths are the months offered, from the day of issue.
var untilMonths = []int{1, submit.PowerOfAttorneyDefaultMonths, submit.PowerOfAttorneyMaxMonths}

func newPOAUntil(p *poaScreen) *poaUntil {
	u := &poaUntil{p: p}
	if a := p.s.flowApp(); a != nil {
		u.choice = a.ValidUntilChoice()
	} else {
		u.choice = (&flow.App{}).ValidUntilChoice() // not reached: the screen opens from the catalogue
	}
	var options []string
	def := 0
	for _, m := range untilMonths {
		d := u.choice.MonthsLater(m)
		data := map[string]any{"Months": m, "Date": dateText(d)}
		switch m {
		case submit.PowerOfAttorneyDefaultMonths:
			def = len(u.days)
			options = append(options, tr("poa.until_default", data))
		case submit.PowerOfAttorneyMaxMonths:
			options = append(options, tr("poa.until_longest", data))
		default:
			options = append(options, tr("poa.until_months", data))
		}
		u.days = append(u.days, d)
	}
	options = append(options, tr("poa.until_other"))
	u.day = widget.NewEntry()
	u.example = u.choice.MonthsLater(2).Format("2006/1/2")
	u.day.SetPlaceHolder(tr("poa.until_day_example", map[string]any{"Example": u.example}))
	u.day.OnChanged = u.onDay
	u.dayH = wrapped(tr("poa.until_day_hint", map[string]any{"From": dateText(u.choice.Today), "Latest": dateText(u.choice.Latest), "Example": u.example}))
	u.row = container.NewVBox(withName(tr("poa.until_day"), u.day), u.dayH)
	u.row.Hide()
	u.radio = widget.NewRadioGroup(options, u.onChoose)
	u.radio.Required = true
	u.radio.SetSelected(options[def])
	u.box = container.NewVBox(withName(tr("poa.until"), u.radio), u.row,
		wrapped(tr("poa.until_hint", map[string]any{"Max": submit.PowerOfAttorneyMaxMonths})))
	return u
}

func (u *poaUntil) view() fyne.CanvasObject { return u.box }

// other reports whether 「日付を指定する」 is chosen.
func (u *poaUntil) other() bool { return u.radio.Selected == tr("poa.until_other") }

// onChoose takes an option's day, or shows where to type another.
func (u *poaUntil) onChoose(selected string) {
	for i, o := range u.radio.Options {
		if o == selected && i < len(u.days) {
			u.row.Hide()
			u.problem, u.refused = "", false
			u.p.req.ValidUntil = u.days[i]
			u.p.changed()
			return
		}
	}
	u.row.Show()
	u.onDay(u.day.Text)
}

// onDay takes the day typed; until it is one flow takes, the sign
// buttons are off and the status says why: how to write a day, or, for a
// day flow refuses, the table's explanation.
func (u *poaUntil) onDay(text string) {
	if !u.other() {
		return
	}
	t, ok := parseDay(text)
	u.problem, u.refused = "", false
	switch {
	case strings.TrimSpace(text) == "":
		// nothing typed yet: the status says what is missing
	case !ok:
		u.problem = tr("poa.until_day_unreadable", map[string]any{"Example": u.example})
	default:
		if a := u.p.s.flowApp(); a != nil {
			if err := a.CheckValidUntil(t); err != nil {
				u.problem, u.refused = u.p.s.explain(err), true
			}
		}
	}
	u.p.req.ValidUntil = t // zero unless readable: the screen does not sign without a day
	u.p.changed()
}

var digits = regexp.MustCompile(`[0-9]+`)

// parseDay reads a day as a resident types it: 2027年3月31日, 2027/3/31,
// 2027-03-31 or 2027.3.31, in full-width digits too.
func parseDay(s string) (time.Time, bool) {
	s = strings.Map(func(r rune) rune {
		if r >= '０' && r <= '９' {
			return r - '０' + '0'
		}
		return r
	}, s)
	rest := strings.TrimSpace(s)
	for _, sep := range []string{"年", "月", "日", "/", "-", ".", "／", "－", "．"} {
		rest = strings.ReplaceAll(rest, sep, " ")
	}
	fields := strings.Fields(rest)
	if len(fields) != 3 {
		return time.Time{}, false
	}
	var n [3]int
	for i, f := range fields {
		if digits.FindString(f) != f {
			return time.Time{}, false
		}
		n[i], _ = strconv.Atoi(f)
	}
	if len(fields[0]) != 4 {
		return time.Time{}, false
	}
	t := time.Date(n[0], time.Month(n[1]), n[2], 0, 0, 0, 0, time.UTC)
	if t.Year() != n[0] || int(t.Month()) != n[1] || t.Day() != n[2] {
		return time.Time{}, false // 2月30日 and the like
	}
	return t, true
}
