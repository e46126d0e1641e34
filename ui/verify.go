package ui

import (
	"context"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/shinsei-app/shinsei/flow"
)

// verifyNotice verifies an official notice (signed by a municipal
// official's LGPKI certificate), from a file or downloaded by arrival
// number, and shows its three answers apart: intact, signed by a trusted
// official certificate valid now, not revoked.
type verifyNotice struct {
	s        *shell
	arrival  *widget.Entry
	noticeID *widget.Entry
	fetch    *focusButton
	open     *focusButton
	status   *textLabel
	lines    *fyne.Container
	// title and body are the notice's title and text, shown once it is
	// verified intact.
	title  *widget.Label
	body   *textLabel
	report *flow.NoticeReport
	box    fyne.CanvasObject
}

func newVerifyNotice(s *shell) *verifyNotice {
	v := &verifyNotice{s: s, arrival: widget.NewEntry(), noticeID: widget.NewEntry(), status: wrapped(""),
		lines: container.NewVBox(), title: heading(""), body: wrapped("")}
	v.title.Wrapping = fyne.TextWrapWord
	v.title.Hide()
	v.body.Hide()
	v.arrival.SetPlaceHolder(tr("verify.arrival"))
	v.noticeID.SetPlaceHolder(tr("verify.notice_id"))
	v.fetch = newButtonWithIcon(tr("verify.fetch"), theme.DownloadIcon(), v.onFetch)
	v.open = newButtonWithIcon(tr("verify.open"), theme.FolderOpenIcon(), v.onOpen)
	v.box = container.NewBorder(container.NewVBox(heading(tr("verify.title")), wrapped(tr("verify.intro")),
		container.NewHBox(v.open),
		container.NewGridWithColumns(3, withName(tr("verify.arrival"), v.arrival), withName(tr("verify.notice_id"), v.noticeID), v.fetch), v.status),
		nil, nil, nil, container.NewVScroll(container.NewVBox(v.title, v.body, v.lines)))
	return v
}

func (v *verifyNotice) view() fyne.CanvasObject { return v.box }

func (v *verifyNotice) onOpen() {
	newFileOpen(func(r fyne.URIReadCloser, err error) {
		if err != nil || r == nil {
			return
		}
		path := r.URI().Path()
		_ = r.Close()
		v.run(flow.NoticeRef{Path: path})
	}, v.s.win).Show()
}

func (v *verifyNotice) onFetch() {
	a, id := strings.TrimSpace(v.arrival.Text), strings.TrimSpace(v.noticeID.Text)
	if a == "" || id == "" {
		v.status.SetText(tr("verify.need_numbers"))
		return
	}
	v.run(flow.NoticeRef{Arrival: a, ID: id})
}

// openFetched fills in a notice's numbers (from the history) and
// downloads and verifies it.
func (v *verifyNotice) openFetched(arrival, id string) {
	v.arrival.SetText(arrival)
	v.noticeID.SetText(id)
	v.run(flow.NoticeRef{Arrival: arrival, ID: id})
}

func (v *verifyNotice) run(ref flow.NoticeRef) {
	fa := v.s.flowApp()
	if fa == nil {
		return
	}
	v.status.SetText(tr("verify.checking"))
	v.report = nil
	v.title.Hide()
	v.body.Hide()
	v.lines.RemoveAll()
	go func() {
		ctx, cancel := context.WithTimeout(v.s.ctx, 2*networkTimeout)
		defer cancel()
		r, err := fa.VerifyNotice(ctx, ref)
		onMain(func() {
			if err != nil {
				v.status.SetText(v.s.explain(err))
				v.s.event("error")
				return
			}
			v.show(r)
			v.s.event("notice")
		})
	}()
}

func (v *verifyNotice) show(r *flow.NoticeReport) {
	v.report = r
	if r.OK() {
		v.status.SetText(tr("verify.ok"))
	} else {
		v.status.SetText(tr("verify.bad"))
	}
	v.title.SetText(text(r.Title))
	v.title.Hidden = r.Title.IsZero()
	v.body.SetText(text(r.Text))
	v.body.Hidden = r.Text.IsZero()
	v.title.Refresh()
	v.body.Refresh()
	v.lines.RemoveAll()
	v.lines.Add(noticeLine(r.Integrity, tr("verify.integrity")))
	v.lines.Add(noticeLine(r.Certificate, tr("verify.certificate")))
	v.lines.Add(noticeLine(r.Revocation, tr("verify.revocation")))
	if r.Official != "" {
		v.lines.Add(wrapped(tr("verify.official", map[string]any{"Who": r.Official})))
	}
}

// noticeLine is one answer of a notice's verification, in the words of
// the notice screen: what was confirmed, or could not be, rather than
// the pre-check's words for the resident's own certificate.
func noticeLine(f flow.Finding, title string) fyne.CanvasObject {
	l := findingLevel(f.Level)
	return statusLineWith(l, noticeWord(l), title, text(f.Message), text(f.Todo))
}

// noticeWord is the word for an answer's colour on the notice screen.
func noticeWord(l level) string {
	switch l {
	case levelWarn:
		return tr("verify.level_warn")
	case levelFail:
		return tr("verify.level_fail")
	}
	return tr("verify.level_ok")
}
