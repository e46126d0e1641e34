package ui

import (
	"context"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
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
	fetch    *widget.Button
	open     *widget.Button
	status   *widget.Label
	lines    *fyne.Container
	report   *flow.NoticeReport
	box      fyne.CanvasObject
}

func newVerifyNotice(s *shell) *verifyNotice {
	v := &verifyNotice{s: s, arrival: widget.NewEntry(), noticeID: widget.NewEntry(), status: wrapped(""),
		lines: container.NewVBox()}
	v.arrival.SetPlaceHolder(tr("verify.arrival"))
	v.noticeID.SetPlaceHolder(tr("verify.notice_id"))
	v.fetch = widget.NewButtonWithIcon(tr("verify.fetch"), theme.DownloadIcon(), v.onFetch)
	v.open = widget.NewButtonWithIcon(tr("verify.open"), theme.FolderOpenIcon(), v.onOpen)
	v.box = container.NewBorder(container.NewVBox(heading(tr("verify.title")), wrapped(tr("verify.intro")),
		container.NewHBox(v.open),
		container.NewGridWithColumns(3, v.arrival, v.noticeID, v.fetch), v.status),
		nil, nil, nil, container.NewVScroll(v.lines))
	return v
}

func (v *verifyNotice) view() fyne.CanvasObject { return v.box }

func (v *verifyNotice) onOpen() {
	dialog.NewFileOpen(func(r fyne.URIReadCloser, err error) {
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

func (v *verifyNotice) run(ref flow.NoticeRef) {
	fa := v.s.flowApp()
	if fa == nil {
		return
	}
	v.status.SetText(tr("verify.checking"))
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
	v.lines.RemoveAll()
	v.lines.Add(statusLine(findingLevel(r.Integrity.Level), tr("verify.integrity"), text(r.Integrity.Message), text(r.Integrity.Todo)))
	v.lines.Add(statusLine(findingLevel(r.Certificate.Level), tr("verify.certificate"), text(r.Certificate.Message), text(r.Certificate.Todo)))
	v.lines.Add(statusLine(findingLevel(r.Revocation.Level), tr("verify.revocation"), text(r.Revocation.Message), text(r.Revocation.Todo)))
	if r.Official != "" {
		v.lines.Add(wrapped(tr("verify.official", map[string]any{"Who": r.Official})))
	}
}
