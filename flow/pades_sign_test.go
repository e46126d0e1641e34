//go:build cgo && linux

package flow_test

import (
	"bytes"
	"context"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"testing"

	"github.com/shinsei-app/shinsei/flow"
	"github.com/shinsei-app/shinsei/internal/fsx/fsxtest"
	"github.com/shinsei-app/shinsei/internal/testenv"
	"github.com/shinsei-app/shinsei/internal/testenv/tool"
	"github.com/shinsei-app/shinsei/pades"
	"github.com/shinsei-app/shinsei/pkcs11"
	"github.com/shinsei-app/shinsei/sandbox/kit"
)

const rawPDF = `%PDF-1.7
1 0 obj << /Type /Catalog /Pages 2 0 R >> endobj
2 0 obj << /Type /Pages /Kids [3 0 R] /Count 1 >> endobj
3 0 obj << /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R /Resources << /Font << /F1 5 0 R >> >> >> endobj
4 0 obj << /Length 48 >> stream
BT /F1 24 Tf 72 720 Td (Application form) Tj ET
endstream endobj
5 0 obj << /Type /Font /Subtype /Type1 /BaseFont /Helvetica >> endobj
trailer << /Root 1 0 R /Size 6 >>
%%EOF
`

// samplePDFForm writes a one-page PDF, its cross-reference table written
// by qpdf.
func samplePDFForm(t *testing.T, dir string) string {
	t.Helper()
	raw := filepath.Join(dir, "raw.pdf")
	if err := os.WriteFile(raw, []byte(rawPDF), 0o600); err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(dir, "form.pdf")
	if msg, err := exec.Command(tool.Need(t, "qpdf", "install qpdf: scripts/setup-debian"), raw, out).CombinedOutput(); err != nil {
		if ee, ok := err.(*exec.ExitError); !ok || ee.ExitCode() != 3 {
			t.Fatalf("qpdf: %v\n%s", err, msg)
		}
	}
	return out
}

func TestSignPDFChecksEveryInputBeforeAnyPINAndSignsAfterOneEntry(t *testing.T) {
	w := getWorld(t)
	svc := startService(t, w.pki, w.reg)
	a, _ := openApp(t, svc, w.pki, []*pkcs11.Library{testenv.SoftHSM(t)}, func(c *flow.Config) { c.DoNotKeepCertificates = true })
	ctx := context.Background()
	dir := fsxtest.TempDir(t)
	form := samplePDFForm(t, dir)
	broken := filepath.Join(dir, "broken.pdf")
	if err := os.WriteFile(broken, []byte("%PDF-1.7\nnot a PDF\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	existing := filepath.Join(dir, "existing.pdf")
	if err := os.WriteFile(existing, []byte("an earlier file"), 0o600); err != nil {
		t.Fatal(err)
	}
	creds := []flow.CredentialChoice{residentToken(), flow.P12File(p12File(t, w.corpP12))}
	for _, c := range []struct {
		name string
		req  flow.SignPDFRequest
		want error
	}{
		{"a file that is not a PDF is refused", flow.SignPDFRequest{In: broken}, pades.ErrMalformed},
		{"a missing PDF is refused", flow.SignPDFRequest{In: filepath.Join(dir, "missing.pdf")}, flow.ErrInputMissing},
		{"an existing output is not overwritten", flow.SignPDFRequest{In: form, Out: existing}, flow.ErrOutExists},
		{"a box on a page the PDF does not have is refused", flow.SignPDFRequest{In: form, Box: &pades.Box{Page: 2, Right: 100, Top: 50}}, pades.ErrBox},
		{"a reason the PDF library would write broken is refused", flow.SignPDFRequest{In: form, Reason: "小林"}, pades.ErrText},
	} {
		t.Run(c.name, func(t *testing.T) {
			for _, cred := range creds {
				r := &recorder{pin: flowPIN, secrets: map[flow.SecretKind]string{flow.SecretP12Password: kit.P12Password}}
				req := c.req
				req.Credential = cred
				if req.Out == "" {
					req.Out = filepath.Join(fsxtest.TempDir(t), "signed.pdf")
				}
				_, err := a.SignPDF(ctx, req, r.callbacks())
				if !errors.Is(err, c.want) {
					t.Errorf("%s: err %v, want %v", cred, err, c.want)
				}
				if r.pinCalls+r.secretCalls != 0 {
					t.Errorf("%s: the PIN or password was asked %d times before the refusal", cred, r.pinCalls+r.secretCalls)
				}
				if req.Out != existing {
					if _, err := os.Stat(req.Out); err == nil {
						t.Errorf("%s: a PDF was written", cred)
					}
				}
			}
		})
	}
	t.Run("the token and the .p12 sign after one entry, PAdES-B-B without an authority", func(t *testing.T) {
		for _, cred := range creds {
			r := &recorder{pin: flowPIN, secrets: map[flow.SecretKind]string{flow.SecretP12Password: kit.P12Password}}
			out := filepath.Join(fsxtest.TempDir(t), "signed.pdf")
			signed, err := a.SignPDF(ctx, flow.SignPDFRequest{In: form, Out: out, Credential: cred, AcceptIndeterminate: true}, r.callbacks())
			if err != nil {
				t.Fatalf("%s: %v", cred, err)
			}
			if r.pinCalls+r.secretCalls != 1 || signed.Level != pades.LevelBB || signed.Signatures != 1 || signed.Precheck == nil {
				t.Errorf("%s: asked %d times, signed %+v", cred, r.pinCalls+r.secretCalls, signed)
			}
			data, err := os.ReadFile(out)
			if err != nil {
				t.Fatal(err)
			}
			rep, err := pades.Verify(ctx, bytes.NewReader(data), int64(len(data)), pades.Options{Roots: w.pki.Roots()})
			if err != nil || rep.Outcome() != pades.OutcomeValid || !rep.Signatures[0].Certificate.OK || !rep.Signatures[0].Signer.Equal(signed.Certificate) {
				t.Errorf("%s: verified %v: %+v", cred, err, rep)
			}
		}
	})
}
