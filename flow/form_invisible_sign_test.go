//go:build cgo && linux

package flow_test

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"testing"

	"github.com/shinsei-app/shinsei/flow"
	"github.com/shinsei-app/shinsei/internal/fsx/fsxtest"
	"github.com/shinsei-app/shinsei/internal/testenv"
	"github.com/shinsei-app/shinsei/pkcs11"
	"github.com/shinsei-app/shinsei/sandbox/service"
	"github.com/shinsei-app/shinsei/submit"
)

// What the service refuses as ambiguous (an invisible character, an
// applicant field the procedure does not ask for) stops before the PIN,
// in the window's way and in the command line's.
func TestAnInvisibleCharacterOrAnUndefinedFieldStopsSigningBeforeThePIN(t *testing.T) {
	w := getWorld(t)
	svc := startService(t, w.pki, w.reg)
	a, _ := openApp(t, svc, w.pki, []*pkcs11.Library{testenv.SoftHSM(t)})
	ctx := context.Background()
	tests := []struct {
		name string
		edit func(doc *submit.FormDocument)
	}{
		{"a zero-width space in the name", func(doc *submit.FormDocument) { doc.Applicant["name"] = "高橋\u200b　花子" }},
		{"a right-to-left override in the address", func(doc *submit.FormDocument) {
			doc.Applicant["address"] = "東京都千代田区\u202e霞が関二丁目１番２号"
		}},
		{"a Hangul filler in a field", func(doc *submit.FormDocument) { doc.Fields["new_address"] = "\u3164" }},
		{"an applicant field the procedure does not ask for", func(doc *submit.FormDocument) { doc.Applicant["name_kana"] = "タカハシ　ハナコ" }},
	}
	for _, tt := range tests {
		t.Run(tt.name+" is refused by Sign", func(t *testing.T) {
			proc, doc := form(t, a, service.ProcMoveOut, w.resident.Cert)
			tt.edit(doc)
			r := &recorder{pin: flowPIN}
			_, err := a.Sign(ctx, flow.SignRequest{Procedure: proc.Procedure, Form: doc, Credential: residentToken()}, r.callbacks())
			if !errors.Is(err, flow.ErrFormInvalid) || r.pinCalls != 0 {
				t.Errorf("err %v, PIN asked %d times; want the form refused before the PIN", err, r.pinCalls)
			}
		})
		t.Run(tt.name+" is refused by SignFiles", func(t *testing.T) {
			_, doc := form(t, a, service.ProcMoveOut, w.resident.Cert)
			tt.edit(doc)
			f, err := os.Create(filepath.Join(fsxtest.TempDir(t), "form.json"))
			if err != nil {
				t.Fatal(err)
			}
			if err := flow.WriteForm(f, doc); err != nil {
				t.Fatal(err)
			}
			f.Close()
			r := &recorder{pin: flowPIN}
			_, err = a.SignFiles(ctx, flow.SignFilesRequest{Files: []string{f.Name()}, Credential: residentToken(),
				Out: filepath.Join(fsxtest.TempDir(t), "app.asice")}, r.callbacks())
			if !errors.Is(err, flow.ErrFormInvalid) || r.pinCalls != 0 {
				t.Errorf("err %v, PIN asked %d times; want the form refused before the PIN", err, r.pinCalls)
			}
		})
	}
}
