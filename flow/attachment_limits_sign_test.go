//go:build cgo && linux

package flow_test

import (
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/shinsei-app/shinsei/flow"
	"github.com/shinsei-app/shinsei/i18n"
	"github.com/shinsei-app/shinsei/internal/fsx/fsxtest"
	"github.com/shinsei-app/shinsei/internal/testenv"
	"github.com/shinsei-app/shinsei/pkcs11"
	"github.com/shinsei-app/shinsei/sandbox/service"
)

func TestAnAttachmentOverTheProceduresSizeIsRefusedBeforeAnyPINIsAsked(t *testing.T) {
	w := getWorld(t)
	svc := startService(t, w.pki, w.reg)
	a, cfg := openApp(t, svc, w.pki, []*pkcs11.Library{testenv.SoftHSM(t)})
	ctx := context.Background()
	proc, doc := form(t, a, service.ProcMoveOut, w.resident.Cert)
	big := testenv.SparseFile(t, "scan.pdf", 100<<20)

	r := &recorder{pin: flowPIN}
	signed, err := a.Sign(ctx, flow.SignRequest{Procedure: proc.Procedure, Form: doc, Attachments: []string{big},
		Credential: residentToken()}, r.callbacks())
	var fe *flow.FormError
	if !errors.As(err, &fe) || signed != nil {
		t.Fatalf("Sign: %v, want a form error before signing", err)
	}
	if r.pinCalls != 0 {
		t.Errorf("the PIN was asked %d times before the refusal", r.pinCalls)
	}
	if msg := fe.Problems[0].Message.Ja; fe.Problems[0].Field != "attachments" || !strings.Contains(msg, "64MBまで") {
		t.Errorf("the refusal says %q on %q; want the limit, on the attachments", msg, fe.Problems[0].Field)
	}
	if _, hint := explainIn(err, i18n.Japanese); !strings.Contains(hint, "64MB") {
		t.Errorf("the explanation's hint %q does not give the limit", hint)
	}
	if files := filesIn(t, filepath.Join(cfg.DataDir, "signed")); len(files) != 0 {
		t.Errorf("files were written: %v", files)
	}

	// The command line's way: the files as given.
	formPath := filepath.Join(fsxtest.TempDir(t), "form.json")
	var buf bytes.Buffer
	if err := flow.WriteForm(&buf, doc); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(formPath, buf.Bytes(), 0o600); err != nil {
		t.Fatal(err)
	}
	r = &recorder{pin: flowPIN}
	out := filepath.Join(fsxtest.TempDir(t), "app.asice")
	_, err = a.SignFiles(ctx, flow.SignFilesRequest{Files: []string{formPath, big}, Credential: residentToken(), Out: out}, r.callbacks())
	if !errors.Is(err, flow.ErrFormInvalid) || r.pinCalls != 0 {
		t.Errorf("SignFiles: %v after %d PIN prompts; want the form refused before any", err, r.pinCalls)
	}
	if _, err := os.Stat(out); err == nil {
		t.Error("a package was written")
	}
}
