//go:build cgo && linux

package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/shinsei-app/shinsei/diagnosis"
	"github.com/shinsei-app/shinsei/internal/fsx/fsxtest"
	"github.com/shinsei-app/shinsei/internal/testenv/tool"
	"github.com/shinsei-app/shinsei/sandbox/vcard"
)

const samplePDF = `%PDF-1.7
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

// sign --pades on the virtual card keeps the promises of every
// signature: a PDF that cannot be signed is refused before the PIN is
// read (no VERIFY, even on the final try with a wrong PIN), and a
// healthy card signs once after one PIN entry (the login and the
// signature key's context-specific login), the PDF valid for pdfsig.
func TestSignPADESOnTheVirtualCardAsksOnePINAndSignsOnce(t *testing.T) {
	vc := startCardStack(t)
	t.Setenv(diagnosis.ErrorLogEnv, filepath.Join(fsxtest.TempDir(t), "last-errors.json"))
	dir := fsxtest.TempDir(t)
	raw := filepath.Join(dir, "raw.pdf")
	if err := os.WriteFile(raw, []byte(samplePDF), 0o600); err != nil {
		t.Fatal(err)
	}
	form := filepath.Join(dir, "form.pdf")
	qpdf := tool.Need(t, "qpdf", "install qpdf: scripts/setup-debian")
	if out, err := exec.Command(qpdf, "--object-streams=disable", raw, form).CombinedOutput(); err != nil {
		if ee, ok := err.(*exec.ExitError); !ok || ee.ExitCode() != 3 {
			t.Fatalf("qpdf: %v\n%s", err, out)
		}
	}
	broken := filepath.Join(dir, "broken.pdf")
	if err := os.WriteFile(broken, []byte("%PDF-1.7\nnot a PDF\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		name       string
		scenario   vcard.Scenario
		stdin, in  string
		code       int
		verifies   int
		signatures int
	}{
		{"a PDF that cannot be read is refused on the final-try card before the wrong PIN is read", vcard.ScenarioFinalTry, "WRONG2026\n", broken, exitUsage, 0, 0},
		{"an expired card signs nothing, after one PIN", vcard.ScenarioExpired, vcard.SignaturePIN + "\n", form, exitNegative, 1, 0},
		{"a healthy card signs the PDF once after one PIN entry", vcard.ScenarioHealthy, vcard.SignaturePIN + "\n", form, exitOK, 2, 1},
	} {
		t.Run(c.name, func(t *testing.T) {
			card := vc.insert(t, c.scenario)
			triesBefore, _ := card.TriesLeft()
			out := filepath.Join(fsxtest.TempDir(t), "signed.pdf")
			code, stdout, stderr := shinseictl(c.stdin, "sign", "--pades", "--no-settings", "--module", vc.module, "--pin-stdin", "--allow-final-try", "--out", out, c.in)
			if code != c.code {
				t.Fatalf("exit %d, want %d\nstdout:\n%s\nstderr:\n%s", code, c.code, stdout, stderr)
			}
			st := card.Stats()
			if got := st.SignatureVerifies + st.AuthVerifies; got != c.verifies || st.Signatures != c.signatures {
				t.Errorf("the card got %d VERIFYs carrying a PIN and made %d signatures, want %d and %d (stats %+v)", got, st.Signatures, c.verifies, c.signatures, st)
			}
			if tries, _ := card.TriesLeft(); tries != triesBefore {
				t.Errorf("tries left %d, was %d", tries, triesBefore)
			}
			if strings.Contains(stdout+stderr, vcard.SignaturePIN) || strings.Contains(stdout+stderr, "WRONG2026") {
				t.Error("the output holds a PIN")
			}
			_, err := os.Stat(out)
			if c.code != exitOK {
				if err == nil {
					t.Error("a PDF was written")
				}
				return
			}
			pdfsig := tool.Need(t, "pdfsig", "install poppler-utils (pdfsig): scripts/setup-debian")
			rep, _ := exec.Command(pdfsig, "-nocert", out).CombinedOutput()
			if !strings.Contains(string(rep), "Signature is Valid") || !strings.Contains(string(rep), "ETSI.CAdES.detached") {
				t.Errorf("pdfsig:\n%s", rep)
			}
			if q, err := exec.Command(qpdf, "--check", out).CombinedOutput(); err != nil {
				t.Errorf("qpdf --check: %v\n%s", err, q)
			}
		})
	}
}
