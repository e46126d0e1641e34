package ui

import (
	"strings"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"github.com/shinsei-app/shinsei/diagnosis"
	"github.com/shinsei-app/shinsei/pkcs11"
	"github.com/shinsei-app/shinsei/submit"
)

// sectionDetail is the text of the help desk's detail closed under a
// section's line, and whether the line has one.
func sectionDetail(o fyne.CanvasObject) (string, bool) {
	c, ok := o.(*fyne.Container)
	if !ok {
		return "", false
	}
	for _, o := range c.Objects {
		if a, ok := o.(*widget.Accordion); ok && len(a.Items) == 1 {
			if a.Items[0].Open {
				return "", false // open before anyone asked
			}
			return strings.Join(texts(a.Items[0].Detail), "\n"), true
		}
	}
	return "", false
}

func TestTheHelpDeskKeepsTechnicalWordsInTheDetailAndTheCopiedReport(t *testing.T) {
	h := newHarness(t, config(t))
	// No card software at all: the modules' line has a technical side,
	// and so may the reader's and the service's.
	h.s.opts.Diag = diagnosis.Options{Modules: []pkcs11.ModuleFile{}, Keyring: &submit.MemoryKeyring{}, ServiceURL: world.svc.URL()}
	hd := h.s.help.get()
	test.Tap(hd.run)
	h.wait("diagnosed")
	r := hd.report
	if r.Modules.Status != diagnosis.StatusFail || r.Modules.Detail.IsZero() {
		t.Fatalf("the modules section is %s with detail %+v; want a failure with the help desk's detail", r.Modules.Status, r.Modules.Detail)
	}

	technical := []string{"PKCS#11", "PC/SC", "pcscd", "OpenSC", "sudo", "systemctl", "apt-get", "HTTP", "トークン", "トラストアンカー", "異常"}
	for i, sec := range r.Sections() {
		resident := strings.Join(texts(hd.lines.Objects[i]), " ")
		for _, w := range technical {
			if strings.Contains(resident, w) {
				t.Errorf("the resident's line of %s shows %q: %q", sec.ID, w, resident)
			}
		}
		if !sec.Detail.IsZero() {
			d, ok := sectionDetail(hd.lines.Objects[i])
			if !ok || !strings.Contains(d, text(sec.Detail)) {
				t.Errorf("the help desk's detail of %s is %q (closed: %t), want it to hold %q", sec.ID, d, ok, text(sec.Detail))
			}
		}
	}
	modules, _ := sectionDetail(hd.lines.Objects[1])
	if !strings.Contains(modules, "PKCS#11") || !strings.Contains(modules, "opensc-pkcs11") {
		t.Errorf("the modules' detail does not name the module and what to install: %q", modules)
	}
	if !strings.Contains(hd.verdict.Text, "要対応") || strings.Contains(hd.verdict.Text, "異常") {
		t.Errorf("the verdict reads %q, want the glossary's 要対応", hd.verdict.Text)
	}

	// The copied report keeps it all, for the help desk.
	test.Tap(hd.copy)
	copied := h.s.fa.Clipboard().Content()
	for _, want := range []string{"［ヘルプデスク向け］", "PKCS#11 モジュールがありません", "opensc-pkcs11", "[要対応] カードを使うためのソフトウェア"} {
		if !strings.Contains(copied, want) {
			t.Errorf("the copied report lacks %q:\n%s", want, copied)
		}
	}
}
