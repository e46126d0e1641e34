package ui

import (
	"fmt"
	"strings"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"github.com/shinsei-app/shinsei/flow"
	"github.com/shinsei-app/shinsei/i18n"
	"github.com/shinsei-app/shinsei/sandbox/service"
)

// spoken is one interactive control as a screen reader meets it: the
// control's type and the name of the object Fyne hands the reader for
// it — the outermost fyne.Accessible above it (Fyne reads an accessible
// object as one element and does not look inside), or none.
type spoken struct {
	control string
	name    string
	role    fyne.AccessibleRole
	named   bool
}

// spokenControls walks what o draws, into every widget, and lists its
// interactive controls (whatever can be tapped or focused) that are
// shown. The navigation's tabs are walked through the selected tab's
// content: Fyne's tab buttons are its own (see README, Accessibility).
func spokenControls(t *testing.T, o fyne.CanvasObject) []spoken {
	t.Helper()
	var out []spoken
	var walk func(o fyne.CanvasObject, outer fyne.Accessible)
	walk = func(o fyne.CanvasObject, outer fyne.Accessible) {
		if o == nil || !o.Visible() {
			return
		}
		if a, ok := o.(fyne.Accessible); ok && outer == nil {
			if _, isContainer := o.(*fyne.Container); !isContainer {
				outer = a
			}
		}
		_, tappable := o.(fyne.Tappable)
		_, focusable := o.(fyne.Focusable)
		if (tappable || focusable) && !notAControl[fmt.Sprintf("%T", o)] {
			s := spoken{control: fmt.Sprintf("%T", o)}
			if outer != nil {
				s.name, s.role, s.named = outer.AccessibilityLabel(), outer.AccessibilityRole(), true
			}
			out = append(out, s)
		}
		switch v := o.(type) {
		case *fyne.Container:
			for _, c := range v.Objects {
				walk(c, outer)
			}
		case *container.AppTabs:
			for _, it := range v.Items {
				if strings.TrimSpace(it.Text) == "" {
					t.Errorf("a tab of the navigation has no text")
				}
			}
			if it := v.Selected(); it != nil {
				walk(it.Content, outer)
			}
		case fyne.Widget:
			for _, c := range test.WidgetRenderer(v).Objects() {
				walk(c, outer)
			}
		}
	}
	walk(o, nil)
	return out
}

// notAControl are Fyne's tappable objects that are no control of their
// own: a pop-up (a tap beside a pop-up that is not modal closes it) and a
// scroll bar's track (a tap there scrolls; the keyboard scrolls too).
var notAControl = map[string]bool{"*widget.PopUp": true, "*widget.scrollBarArea": true}

// meaningful reports whether a name says something to a listener: not
// empty, not the file name of an icon (Fyne's default for a button
// without text), not Fyne's "Container".
func meaningful(name string) bool {
	name = strings.TrimSpace(name)
	for _, suffix := range []string{".svg", ".png"} {
		if strings.HasSuffix(strings.ToLower(name), suffix) {
			return false
		}
	}
	return name != "" && name != "Container"
}

// checkSpoken fails on each interactive control of what the window shows
// (content and dialogs) without a meaningful accessible name, and on two
// buttons that a listener could not tell apart.
func checkSpoken(t *testing.T, screen string, win fyne.Window) {
	t.Helper()
	roots := []fyne.CanvasObject{win.Content()}
	for _, o := range win.Canvas().Overlays().List() {
		if p := overlayPopUp(o); p != nil {
			o = p
		}
		roots = append(roots, o)
	}
	n := 0
	for _, root := range roots {
		seen := map[string]bool{}
		for _, s := range spokenControls(t, root) {
			n++
			if !s.named || !meaningful(s.name) {
				t.Errorf("%s: a %s has no accessible name (%q)", screen, s.control, s.name)
				continue
			}
			if s.role == fyne.AccessibleRoleButton && strings.HasPrefix(s.control, "*ui.") {
				if seen[s.name] {
					t.Errorf("%s: two buttons are both named %q", screen, s.name)
				}
				seen[s.name] = true
			}
		}
	}
	if n == 0 {
		t.Errorf("%s: no interactive control found; the walk sees nothing", screen)
	}
}

func TestEveryControlOfEveryScreenHasAnAccessibleName(t *testing.T) {
	useLanguage(i18n.Japanese)
	h := newHarness(t, config(t))
	h.wait("catalogue")
	checkSpoken(t, "home", h.s.win)

	h.startProcedure(service.ProcMoveOut)
	h.wait("credentials")
	checkSpoken(t, "credential", h.s.win)
	if len(h.s.cred.choices) == 0 {
		t.Fatalf("no usable token is offered; status: %q", h.s.cred.status.Text)
	}
	test.Tap(h.s.cred.choices[0])
	h.wait("form")
	checkSpoken(t, "form", h.s.win)
	h.s.fa.Clipboard().SetContent(movingForm)
	test.Tap(h.s.form.paste)
	test.Tap(h.s.form.next)
	h.wait("pin")
	checkSpoken(t, "PIN dialog", h.s.win)
	test.Type(h.s.pin.entry, "SANDBOX1")
	test.Tap(h.s.pin.ok)
	h.wait("precheck")
	checkSpoken(t, "pre-check", h.s.win)
	h.confirmSign()
	h.wait("receipt")
	checkSpoken(t, "receipt", h.s.win)

	h.openHistory()
	checkSpoken(t, "history", h.s.win)
	for _, tab := range []struct {
		name  string
		index int
	}{{"account", tabAccount}, {"notice verification", tabVerify}, {"settings", tabSettings}, {"help desk", tabHelp}} {
		h.s.tabs.SelectIndex(tab.index)
		checkSpoken(t, tab.name, h.s.win)
	}

	h.s.tabs.SelectIndex(tabAccount)
	a := h.s.account.get()
	a.setID("shinsei-0001")
	a.updateButtons()
	checkSpoken(t, "account with one kept", h.s.win)

	d := &secretDialog{req: flow.SecretRequest{Kind: flow.SecretNewPassword, MinLen: flow.MinPasswordLen,
		Prompt: i18n.Text{Ja: "新しいパスワード", En: "New password"}}, done: make(chan pinResultSecret, 1)}
	d.build(h.s.win)
	checkSpoken(t, "new password dialog", h.s.win)
}

func TestAnIconOnlyButtonWithoutANameIsCaught(t *testing.T) {
	test.NewTempApp(t)
	for _, tc := range []struct {
		name    string
		control fyne.CanvasObject
		want    bool
	}{
		{"an icon-only button has only its icon's file name", newButtonWithIcon("", nil, nil), false},
		{"an icon-only button named is spoken by its name", newButtonWithIcon("", nil, nil).named("到達番号をコピー"), true},
		{"an entry alone is not spoken", widget.NewEntry(), false},
		{"an entry with a name is spoken by it", withName("氏名", widget.NewEntry()), true},
		{"a check box is spoken by its text", checkNamed(widget.NewCheck("内容を確認しました", nil)), true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := spokenControls(t, container.NewVBox(tc.control))
			if len(got) == 0 {
				t.Fatal("no control found")
			}
			ok := got[0].named && meaningful(got[0].name)
			if ok != tc.want {
				t.Errorf("named %v (%q), want %v", ok, got[0].name, tc.want)
			}
		})
	}
}
