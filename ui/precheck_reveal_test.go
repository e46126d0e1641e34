package ui

import (
	"testing"

	"fyne.io/fyne/v2"

	"github.com/shinsei-app/shinsei/flow"
	"github.com/shinsei-app/shinsei/i18n"
)

// manyLines is a pre-check of n green lines, then a red one when red.
func manyLines(n int, red bool) *flow.Precheck {
	pc := &flow.Precheck{}
	for range n {
		pc.Lines = append(pc.Lines, flow.PrecheckLine{ID: flow.LineCertificate,
			Finding: flow.Finding{Level: flow.Green, Message: i18n.Text{Ja: "問題ありません。", En: "Fine."}}})
	}
	if red {
		pc.Lines = append(pc.Lines, flow.PrecheckLine{ID: flow.LineAccount,
			Finding: flow.Finding{Level: flow.Red, Message: i18n.Text{Ja: "このアカウントでは送れません。", En: "Not from this account."},
				Todo: i18n.Text{Ja: "ログインし直してください。", En: "Log in again."}}})
	}
	return pc
}

func TestAFailedPrecheckScrollsItsFirstRedLineIntoView(t *testing.T) {
	for _, tc := range []struct {
		name     string
		red      bool
		scrolled bool
	}{
		{"a red line below the fold is scrolled to", true, true},
		{"without a red line the lines stay at the top", false, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			h := newHarness(t, config(t))
			h.s.win.Resize(fyne.NewSize(1000, 600))
			h.s.showFailedPrecheck(manyLines(20, tc.red))
			h.wait("precheck")
			p := h.s.check
			if got := p.scroll.Offset.Y > 0; got != tc.scrolled {
				t.Fatalf("the lines are scrolled by %v, want scrolled=%v", p.scroll.Offset.Y, tc.scrolled)
			}
			if !tc.red {
				return
			}
			top := p.firstRed.Position().Y - p.scroll.Offset.Y
			if top < 0 || top+p.firstRed.Size().Height > p.scroll.Size().Height {
				t.Errorf("the red line spans %v..%v of a view %v high", top, top+p.firstRed.Size().Height, p.scroll.Size().Height)
			}
		})
	}
}
