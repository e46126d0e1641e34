package ui

import (
	"context"
	"fmt"
	"sync/atomic"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"
)

// progress shows signing and sending: a bar for hashing the form and
// attachments, one for the upload, and Cancel. Cancelling cancels the
// context flow works under; flow removes a half-written package and
// leaves the outbox as it was, so nothing is left half-done.
type progress struct {
	s         *shell
	stage     *textLabel
	hashing   *widget.ProgressBar
	uploading *widget.ProgressBar
	cancel    *focusButton
	stop      context.CancelFunc
	hashed    bool // the first hashing report was seen
	box       fyne.CanvasObject
	// The last per-mille shown of each bar: reports that would not move
	// a bar are not sent to the UI thread (an upload reports every 32 KiB).
	hashShown, upShown atomic.Int64
}

func newProgress(s *shell, stop context.CancelFunc) *progress {
	p := &progress{s: s, stage: wrapped(tr("progress.preparing")), hashing: widget.NewProgressBar(),
		uploading: widget.NewProgressBar(), stop: stop}
	p.hashShown.Store(-1)
	p.upShown.Store(-1)
	p.hashing.TextFormatter = func() string { return percent(p.hashing) }
	p.uploading.TextFormatter = func() string { return percent(p.uploading) }
	p.cancel = newButtonWithIcon(tr("common.cancel"), theme.CancelIcon(), p.onCancel)
	p.box = container.NewVBox(heading(tr("progress.title")), p.stage,
		widget.NewLabel(tr("progress.hashing")), p.hashing,
		widget.NewLabel(tr("progress.uploading")), p.uploading,
		wrapped(tr("progress.note")),
		container.NewHBox(p.cancel))
	return p
}

func percent(b *widget.ProgressBar) string {
	return fmt.Sprintf("%.0f%%", 100*(b.Value-b.Min)/(b.Max-b.Min))
}

func (p *progress) view() fyne.CanvasObject { return p.box }

// onCancel stops the work; flow cleans up and returns context.Canceled.
func (p *progress) onCancel() {
	p.cancel.Disable()
	p.stage.SetText(tr("progress.cancelling"))
	p.stop()
}

// setHashing and setUploading move the bars; flow calls them from its
// goroutine, so they go through onMain.
func (p *progress) setHashing(done, total int64) {
	if !moved(&p.hashShown, done, total) {
		return
	}
	onMain(func() {
		p.stage.SetText(tr("progress.stage_hashing"))
		p.hashing.SetValue(fraction(done, total))
		if !p.hashed {
			p.hashed = true
			p.s.event("hashing")
		}
	})
}

func (p *progress) setUploading(done, total int64) {
	if !moved(&p.upShown, done, total) {
		return
	}
	onMain(func() {
		p.hashing.SetValue(1)
		p.stage.SetText(tr("progress.stage_uploading"))
		p.uploading.SetValue(fraction(done, total))
	})
}

func (p *progress) setStage(s string) { onMain(func() { p.stage.SetText(s) }) }

// moved reports whether done of total would move a bar last drawn at
// *shown per mille (the first report, 0 and the end always do).
func moved(shown *atomic.Int64, done, total int64) bool {
	pm := int64(1000 * fraction(done, total))
	old := shown.Swap(pm)
	return pm != old || done == 0 || done == total
}

func fraction(done, total int64) float64 {
	if total <= 0 {
		return 0
	}
	return min(1, float64(done)/float64(total))
}
