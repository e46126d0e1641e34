//go:build cgo && linux

package flow_test

import (
	"context"
	"errors"
	"path/filepath"
	"testing"

	"github.com/shinsei-app/shinsei/flow"
	"github.com/shinsei-app/shinsei/i18n"
	"github.com/shinsei-app/shinsei/internal/fsx/fsxtest"
	"github.com/shinsei-app/shinsei/internal/testenv"
	"github.com/shinsei-app/shinsei/pkcs11"
	"github.com/shinsei-app/shinsei/sandbox/kit"
	"github.com/shinsei-app/shinsei/sandbox/service"
	"github.com/shinsei-app/shinsei/signer"
)

// The sandbox on a computer without SoftHSM: no module at all, and the
// resident's certificate as a suggested .p12 file.
func TestWithoutModulesASuggestedFileSignsAndSubmitsAtTheReferenceService(t *testing.T) {
	w := getWorld(t)
	svc := startService(t, w.pki, w.reg)
	der, err := w.resident.PKCS12(kit.P12Password)
	if err != nil {
		t.Fatal(err)
	}
	practice := flow.CredentialFile{Path: p12File(t, der), Label: i18n.Text{Ja: "練習用", En: "practice"}, Cert: w.resident.Cert}
	missing := flow.CredentialFile{Path: filepath.Join(fsxtest.TempDir(t), "gone.p12"), Label: i18n.Text{Ja: "無い", En: "gone"}}
	// The SoftHSM library holds a resident token: NoModules must hide it.
	a, _ := openApp(t, svc, w.pki, []*pkcs11.Library{testenv.SoftHSM(t)}, func(c *flow.Config) {
		c.NoModules = true
		c.SuggestedFiles = []flow.CredentialFile{missing, practice}
	})
	ctx := context.Background()

	found, err := a.FindCredentials(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(found.Tokens) != 0 || len(found.Problems) != 0 {
		t.Errorf("without modules FindCredentials shows %d tokens and %d problems, want none", len(found.Tokens), len(found.Problems))
	}
	if len(found.Files) != 1 || found.Files[0].Path != practice.Path || !found.Files[0].Cert.Equal(w.resident.Cert) {
		t.Fatalf("the suggested files found are %+v, want only the practice file that exists", found.Files)
	}

	for _, tc := range []struct {
		name   string
		choice flow.CredentialChoice
		want   error
	}{
		{"a token cannot be used when no module is", residentToken(), flow.ErrNoModule},
		{"the practice file with a wrong password is refused", found.Files[0].Choice(), signer.ErrWrongPassword},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := &recorder{pin: flowPIN, secrets: map[flow.SecretKind]string{flow.SecretP12Password: "wrong"}}
			proc, doc := form(t, a, service.ProcMoveOut, w.resident.Cert)
			_, _, err := a.SignAndSubmit(ctx, flow.SignRequest{Procedure: proc.Procedure, Form: doc, Credential: tc.choice}, "", r.callbacks())
			if !errors.Is(err, tc.want) {
				t.Fatalf("SignAndSubmit = %v, want %v", err, tc.want)
			}
			if r.pinCalls != 0 || r.okCall != 0 {
				t.Errorf("asked for a PIN %d times and a confirmation %d times", r.pinCalls, r.okCall)
			}
		})
	}

	t.Run("the resident signs the move-out form with the practice file and gets a receipt", func(t *testing.T) {
		r := &recorder{secrets: map[flow.SecretKind]string{flow.SecretP12Password: kit.P12Password}}
		proc, doc := form(t, a, service.ProcMoveOut, found.Files[0].Cert)
		signed, rec, err := a.SignAndSubmit(ctx, flow.SignRequest{Procedure: proc.Procedure, Form: doc, Credential: found.Files[0].Choice()}, "", r.callbacks())
		if err != nil {
			t.Fatal(err)
		}
		if r.secretCalls != 1 || r.pinCalls != 0 || r.okCall != 1 {
			t.Errorf("asked for the password %d times, a PIN %d times, a confirmation %d times; want 1, 0, 1",
				r.secretCalls, r.pinCalls, r.okCall)
		}
		if !signed.Certificate.Equal(w.resident.Cert) || !signed.Precheck.OK() {
			t.Errorf("signed with %s, pre-check OK %v", signed.Certificate.Subject, signed.Precheck.OK())
		}
		if rec.ArrivalNumber == "" {
			t.Errorf("the receipt %+v has no arrival number", rec)
		}
	})
}
