package ui

import (
	"testing"

	"fyne.io/fyne/v2/test"

	"github.com/shinsei-app/shinsei/flow"
	"github.com/shinsei-app/shinsei/i18n"
	"github.com/shinsei-app/shinsei/sandbox/service"
)

func TestTheCardScreenNamesItsSoftwareAndReaderWithoutPathsOrSlotIDs(t *testing.T) {
	test.NewTempApp(t)
	useLanguage(i18n.Japanese)
	for _, c := range []struct {
		name string
		tok  flow.FoundToken
		want string
	}{
		{"the J-LIS software with a reader", flow.FoundToken{ModuleName: "JPKI", Module: "/usr/lib/libjpki.so", Reader: "ACS ACR39U ICC Reader 00 00"},
			"読み取り：JPKI利用者ソフト（カードリーダー：ACS ACR39U ICC Reader）"},
		{"OpenSC by its path", flow.FoundToken{Module: "/usr/lib/x86_64-linux-gnu/opensc-pkcs11.so", Reader: "Virtual PCD 00 00"},
			"読み取り：標準のカード読み取りソフト（カードリーダー：Virtual PCD）"},
		{"the practice token without its slot ID", flow.FoundToken{ModuleName: "Implementation of PKCS11", Module: "library:0", Manufacturer: "SoftHSM project", Reader: "SoftHSM slot ID 0x4d2"},
			"読み取り：練習用のカード（このパソコンの中）"},
		{"an unknown module without its path", flow.FoundToken{Module: "/opt/vendor/lib/libacme-p11.so"},
			"読み取り：設定したカード読み取りソフト"},
	} {
		t.Run(c.name, func(t *testing.T) {
			if got := readingLine(c.tok); got != c.want {
				t.Errorf("got %q, want %q", got, c.want)
			}
		})
	}

	t.Run("the credential screen of a practice token shows neither path nor slot", func(t *testing.T) {
		h := newHarness(t, config(t))
		h.startProcedure(service.ProcMoveOut)
		h.wait("credentials")
		if !rendersText(t, h.s.cred.list, "読み取り：練習用のカード") {
			t.Errorf("the token's card does not say what reads it")
		}
		for _, raw := range []string{"SoftHSM", "slot", "0x", ".so", "library:"} {
			if rendersText(t, h.s.cred.list, raw) {
				t.Errorf("the credential screen shows %q", raw)
			}
		}
	})
}
