package ui

import (
	"strings"
	"testing"

	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"github.com/shinsei-app/shinsei/explain"
	"github.com/shinsei-app/shinsei/i18n"
	"github.com/shinsei-app/shinsei/sandbox/service"
	"github.com/shinsei-app/shinsei/signer"
)

func TestTheReceiptSaysWhenTheSignatureWentWithoutItsTimestamp(t *testing.T) {
	note := explain.Of(signer.ErrTSAUnreachable).Message.In(i18n.Japanese)
	tests := []struct {
		name string
		tsa  string // "" is the service's announced authority, which answers
		want string
		// members differs between the cases: the same form signed in the
		// same second by the same key is the same signature, which the
		// service refuses as already received.
		members string
	}{
		{"with the time-stamp authority down, the receipt carries shinseictl's note", "http://127.0.0.1:1/tsa", note, "3"},
		{"with the authority up, the receipt carries no note", "", "", "4"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg := config(t)
			cfg.TSAURL = tt.tsa
			h := newHarness(t, cfg)
			h.startProcedure(service.ProcMoveOut)
			h.chooseToken()
			h.s.fa.Clipboard().SetContent(strings.Replace(movingForm, `"members": 2`, `"members": `+tt.members, 1))
			test.Tap(h.s.form.paste)
			test.Tap(h.s.form.next)
			h.enterPIN("sandbox1")
			h.confirmSign()
			h.wait("receipt")
			r := h.s.receipt
			if r.rec.ArrivalNumber == "" {
				t.Fatal("no receipt")
			}
			switch {
			case tt.want == "" && r.timestampNote != nil:
				t.Fatalf("a note on a time-stamped signature: %q", r.timestampNote.Text)
			case tt.want != "" && (r.timestampNote == nil || r.timestampNote.Text != tt.want):
				t.Fatalf("the receipt's note is %v, want %q", r.timestampNote, tt.want)
			case tt.want != "" && r.timestampNote.Importance != widget.WarningImportance:
				t.Errorf("the note is not shown as a warning")
			}
		})
	}
}
