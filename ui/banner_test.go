package ui

import (
	"fmt"
	"strings"
	"testing"

	"fyne.io/fyne/v2"

	"github.com/shinsei-app/shinsei/i18n"
)

// bannerTexts are the banner's texts, each drawn in lines.
func bannerTexts(s *shell) []*wrapLine {
	var out []*wrapLine
	var walk func(o fyne.CanvasObject)
	walk = func(o fyne.CanvasObject) {
		switch o := o.(type) {
		case *wrapLine:
			out = append(out, o)
		case *fyne.Container:
			for _, c := range o.Objects {
				walk(c)
			}
		}
	}
	walk(s.banner)
	return out
}

func TestTheBannerWrapsAtNarrowWidthsAndShowsAllItsText(t *testing.T) {
	notes := map[i18n.Lang]string{
		i18n.Japanese: "このパソコンにはSoftHSMがないため、練習用の証明書ファイル（resident.p12、パスワード：sandbox）で署名します。",
		i18n.English:  "SoftHSM is not on this computer, so the practice signs with a certificate file (resident.p12, password: sandbox).",
	}
	for _, lang := range []i18n.Lang{i18n.Japanese, i18n.English} {
		for _, width := range []float32{800, 640} {
			t.Run(fmt.Sprintf("%s at %v px", lang, width), func(t *testing.T) {
				t.Cleanup(func() { useLanguage(i18n.Japanese) })
				s := bareShell(t, Options{Sandbox: true, Settings: Settings{Lang: lang},
					SandboxNote: func() string { return notes[lang] }})
				s.win.Resize(fyne.NewSize(width, 600))
				s.win.Content().Refresh()
				s.win.Resize(fyne.NewSize(width, 601)) // as the next frame lays out again
				if m := s.banner.MinSize(); m.Width > width {
					t.Errorf("the banner needs %v wide, more than the window's %v", m.Width, width)
				}
				lines := bannerTexts(s)
				if len(lines) != 3 {
					t.Fatalf("the banner has %d lines of text, want its title, its explanation and the note", len(lines))
				}
				wrapped := 0
				for _, l := range lines {
					drawn := l.lines()
					if len(drawn) > 1 {
						wrapped++
					}
					if got := strings.ReplaceAll(strings.Join(drawn, ""), " ", ""); got != strings.ReplaceAll(l.text, " ", "") {
						t.Errorf("the banner draws %q for %q", drawn, l.text)
					}
					for _, d := range drawn {
						if w := textLine(d, bannerInk, l.size).MinSize().Width; w > l.Size().Width {
							t.Errorf("the line %q is %v wide, more than the %v it has", d, w, l.Size().Width)
						}
					}
					if l.Size().Height < l.MinSize().Height || l.Size().Width > width {
						t.Errorf("the text %q has %v to show itself in, needs %v", l.text, l.Size(), l.MinSize())
					}
				}
				if width == 640 && wrapped == 0 {
					t.Error("at 640 wide no line of the banner wraps")
				}
			})
		}
	}
}
