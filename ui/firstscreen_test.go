package ui

import (
	"bytes"
	"context"
	"image/png"
	"strings"
	"sync/atomic"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"

	"github.com/shinsei-app/shinsei/assets"
	"github.com/shinsei-app/shinsei/flow"
)

// firstScreen is the shell as the window first shows it: built and laid
// out at its size, before anything is opened (Run opens the flow.App
// only after the first frame). opened counts the calls of Open.
func firstScreen(t *testing.T, opts Options) (s *shell, opened *atomic.Int32) {
	t.Helper()
	opened = &atomic.Int32{}
	opts.Open = func(context.Context, Settings) (*flow.App, error) {
		opened.Add(1)
		return nil, context.Canceled
	}
	a := test.NewTempApp(t)
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(cancel)
	s = newShell(ctx, a, opts, nil)
	s.win.Resize(windowSize)
	s.win.Show()
	t.Cleanup(s.close)
	return s, opened
}

// The tab bar is placed on the leading side before its tabs are added
// (shell.go), so that Fyne does not build it once per tab count before
// the first frame: the first screen must still show all six tabs there,
// each selecting its screen, with 申請する (or 通知の確認, for a notice
// opened from the desktop) selected.
func TestTheFirstScreenShowsTheSixTabsOnTheLeadingSideWithTheRightOneSelected(t *testing.T) {
	for _, tc := range []struct {
		name string
		opts Options
		want int
	}{
		{name: "a plain start selects 申請する", opts: Options{}, want: tabApply},
		{name: "the sandbox's start selects 申請する", opts: Options{Sandbox: true,
			SandboxNote: func() string { return "練習用の証明書を準備しています…" }}, want: tabApply},
		{name: "a notice opened from the desktop selects 通知の確認", opts: Options{OpenNotice: "/nonexistent/notice.asice"},
			want: tabVerify},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s, opened := firstScreen(t, tc.opts)
			if got := len(s.tabs.Items); got != len(tabSteps) {
				t.Fatalf("the navigation has %d tabs, want %d", got, len(tabSteps))
			}
			if got := s.tabs.SelectedIndex(); got != tc.want {
				t.Errorf("tab %d is selected, want %d", got, tc.want)
			}
			sel := s.tabs.Selected()
			if sel == nil || !sel.Content.Visible() || sel.Content.Size().Width == 0 {
				t.Fatalf("the selected tab's screen is not shown")
			}
			drv := s.fa.Driver()
			barX := drv.AbsolutePositionForObject(s.tabs).X
			if contentX := drv.AbsolutePositionForObject(sel.Content).X; contentX <= barX+40 {
				t.Errorf("the screen starts at x=%v, the navigation at x=%v: the tabs are not on the leading side", contentX, barX)
			}
			// Each tab is where a tap selects it (the bar shows all six,
			// none in an overflow menu), from the last back to the first.
			var targets []Target
			for _, tg := range s.targets() {
				if tg.Context == tabContext {
					targets = append(targets, tg)
				}
			}
			if len(targets) != len(tabSteps) {
				t.Fatalf("%d tabs are listed as targets, want %d", len(targets), len(tabSteps))
			}
			for i := len(targets) - 1; i >= 0; i-- {
				if i == s.tabs.SelectedIndex() {
					continue
				}
				test.TapCanvas(s.win.Canvas(), fyne.NewPos(targets[i].X, targets[i].Y))
				if got := s.tabs.SelectedIndex(); got != i {
					t.Errorf("a tap on the tab %q selected tab %d, want %d", targets[i].Label, got, i)
				}
			}
			if n := opened.Load(); n != 0 {
				t.Errorf("building the first screen opened the app %d times, want none before the first frame", n)
			}
		})
	}
}

// iconLog records the icons set, in order.
type iconLog struct {
	who string
	log *[]string
}

func (l iconLog) SetIcon(r fyne.Resource) {
	name := "nil"
	if r != nil {
		name = r.Name()
	}
	*l.log = append(*l.log, l.who+" "+name)
}

// The window shows the 256×256 icon, decoded once as it opens, and the
// app keeps the 512×512 one, set after the window is made (Run calls
// setIcons after newShell) so that the window does not take it.
func TestTheWindowOpensWithTheSmallIconAndTheAppKeepsTheLargeOne(t *testing.T) {
	var log []string
	setIcons(iconLog{"app", &log}, iconLog{"window", &log})
	want := []string{"window " + assets.WindowIcon.Name(), "app " + assets.Icon.Name()}
	if strings.Join(log, ", ") != strings.Join(want, ", ") {
		t.Errorf("icons set: %q, want %q", log, want)
	}
	img, err := png.Decode(bytes.NewReader(assets.WindowIcon.Content()))
	if err != nil {
		t.Fatal(err)
	}
	if b := img.Bounds(); b.Dx() != 256 || b.Dy() != 256 {
		t.Errorf("the window's icon is %v, want 256×256", b)
	}
}
