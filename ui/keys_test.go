package ui

import (
	"context"
	"errors"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"

	"github.com/shinsei-app/shinsei/flow"
	"github.com/shinsei-app/shinsei/submit"
)

// bareShell is a shell in Fyne's test app with nothing opened, for the
// screens that need no service.
func bareShell(t *testing.T, opts Options) *shell {
	t.Helper()
	a := test.NewTempApp(t)
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(cancel)
	s := newShell(ctx, a, opts, nil)
	s.win.Resize(fyne.NewSize(1000, 720))
	s.win.Show()
	return s
}

// pressTab does what the desktop window does with Tab (Shift+Tab when
// shift): a focused widget that accepts Tab is given the key; otherwise
// the window moves the focus.
func pressTab(c fyne.Canvas, shift bool) {
	if f, ok := c.Focused().(fyne.Tabbable); ok && f.AcceptsTab() {
		c.Focused().TypedKey(&fyne.KeyEvent{Name: fyne.KeyTab})
		return
	}
	if shift {
		c.FocusPrevious()
	} else {
		c.FocusNext()
	}
}

func TestTabLeavesAMultiLineFieldOfTheFormAndShiftTabComesBack(t *testing.T) {
	s := bareShell(t, Options{})
	p := flow.ProcedureInfo{Procedure: submit.Procedure{ID: "p", TitleJA: "粗大ごみ収集の申込", Level: submit.LevelNone,
		Form: submit.Form{Fields: []submit.Field{
			{Name: "items", LabelJA: "品目と数量", LabelEN: "Items", Type: "string", MaxLen: 200},
			{Name: "phone", LabelJA: "電話番号", LabelEN: "Phone", Type: "string", MaxLen: 20},
		}}}}
	s.draft = &draft{proc: p, form: flow.NewForm(p.Procedure)}
	s.showForm()
	c := s.win.Canvas()
	items, phone := s.form.targets["fields.items"], s.form.fields["phone"].(*entryT)
	c.Focus(items.(fyne.Focusable))
	test.Type(s.form.fields["items"].(*entryT), "たんす 1\nいす 2")

	pressTab(c, false)
	if c.Focused() != fyne.Focusable(phone) {
		t.Fatalf("Tab in the multi-line field left the focus on %T, want the next field", c.Focused())
	}
	if got := s.form.fields["items"].(*entryT).Text; got != "たんす 1\nいす 2" {
		t.Errorf("Tab changed the multi-line field to %q", got)
	}
	pressTab(c, true)
	if c.Focused() != items.(fyne.Focusable) {
		t.Errorf("Shift+Tab from the next field focused %T, want the multi-line field", c.Focused())
	}

	// A Tab handed to the field itself moves the focus too.
	items.(fyne.Focusable).TypedKey(&fyne.KeyEvent{Name: fyne.KeyTab})
	if c.Focused() != fyne.Focusable(phone) {
		t.Errorf("a Tab typed into the multi-line field left the focus on %T", c.Focused())
	}
	if got := s.form.fields["items"].(*entryT).Text; got != "たんす 1\nいす 2" {
		t.Errorf("a Tab typed into the multi-line field changed it to %q", got)
	}
}

func TestTabLeavesTheSettingsListsOfFilesAndShiftTabComesBack(t *testing.T) {
	s := bareShell(t, Options{})
	s.tabs.SelectIndex(tabSettings)
	st := s.settings.get()
	c := s.win.Canvas()
	for _, tc := range []struct {
		name       string
		field      *tabEntry
		prev, next fyne.Focusable
	}{
		{"the service's certificates", st.anchors, st.serviceURL, st.system},
		{"the trusted certificates", st.trust, st.module, st.proxy},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c.Focus(tc.field)
			test.Type(tc.field, "/etc/shinsei/a.pem")
			pressTab(c, false)
			if c.Focused() != tc.next {
				t.Errorf("Tab focused %T, want the next field", c.Focused())
			}
			pressTab(c, true)
			if c.Focused() != fyne.Focusable(tc.field) {
				t.Errorf("Shift+Tab came back to %T", c.Focused())
			}
			pressTab(c, true)
			if c.Focused() != tc.prev {
				t.Errorf("Shift+Tab from the list focused %T, want the field before it", c.Focused())
			}
			if tc.field.Text != "/etc/shinsei/a.pem" {
				t.Errorf("the keys changed the list to %q", tc.field.Text)
			}
		})
	}
}

func TestEnterAndEscapeCloseTheErrorDialog(t *testing.T) {
	for _, key := range []fyne.KeyName{fyne.KeyReturn, fyne.KeyEnter, fyne.KeyEscape} {
		t.Run(string(key), func(t *testing.T) {
			s := bareShell(t, Options{})
			c := s.win.Canvas()
			s.showError(errors.New("the service did not answer"))
			if c.Overlays().Top() == nil {
				t.Fatal("no error dialog is shown")
			}
			if c.Focused() != fyne.Focusable(s.errorDialog.close) {
				t.Fatalf("the error dialog's Close button has no focus (%T has)", c.Focused())
			}
			c.Focused().TypedKey(&fyne.KeyEvent{Name: key})
			if c.Overlays().Top() != nil {
				t.Errorf("%s left the error dialog open", key)
			}
		})
	}
}

func TestEscapeClosesTheLicenceDialogOfTheHelpDesk(t *testing.T) {
	s := bareShell(t, Options{})
	s.tabs.SelectIndex(tabHelp)
	h := s.help.get()
	c := s.win.Canvas()
	test.Tap(h.licence)
	if c.Overlays().Top() == nil {
		t.Fatal("no licence dialog is shown")
	}
	if _, ok := c.Focused().(*keyButton); !ok {
		t.Fatalf("the licence dialog's Close button has no focus (%T has)", c.Focused())
	}
	c.Focused().TypedKey(&fyne.KeyEvent{Name: fyne.KeyEscape})
	if c.Overlays().Top() != nil {
		t.Error("Escape left the licence dialog open")
	}
}
