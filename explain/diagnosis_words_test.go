package explain

import (
	"strings"
	"testing"
)

// diagnosisDir holds the help desk's diagnosis, whose checks a resident
// reads in the window.
const diagnosisDir = "../diagnosis"

// diagnosisTexts is what a resident reads of the diagnosis: the Japanese
// of every msg and msgf (a check's Summary and Hint, the status levels)
// and of every i18n.Text{Ja: …} (the sections' titles) in its non-test
// files. The help desk's Detail, written with detail and detailf, and
// the report's own labels (pick) are not among them.
func diagnosisTexts(t *testing.T) []text {
	t.Helper()
	out := goJaLiterals(t, diagnosisDir, "msg", "msgf")
	if len(out) < 40 {
		t.Fatalf("only %d resident texts found in %s", len(out), diagnosisDir)
	}
	return out
}

func TestTheDiagnosisTextsAreGatheredAndItsDetailIsLeftOut(t *testing.T) {
	var pcscd, levels, detail bool
	for _, tx := range diagnosisTexts(t) {
		switch {
		case strings.Contains(tx.ja, "カードリーダーを使うための仕組み"):
			pcscd = true
		case tx.ja == "要対応":
			levels = true
		case strings.Contains(tx.ja, "systemctl"):
			detail = true
		}
	}
	if !pcscd || !levels {
		t.Errorf("the card reader's summary (%t) or the status levels (%t) are not among the diagnosis texts", pcscd, levels)
	}
	if detail {
		t.Errorf("the help desk's detail (systemctl) is counted among what a resident reads")
	}
}
