package explain

import (
	"go/ast"
	"go/parser"
	"go/token"
	"path/filepath"
	"strconv"
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
	files, err := filepath.Glob(filepath.Join(diagnosisDir, "*.go"))
	if err != nil {
		t.Fatal(err)
	}
	var out []text
	fset := token.NewFileSet()
	for _, file := range files {
		if strings.HasSuffix(file, "_test.go") {
			continue
		}
		f, err := parser.ParseFile(fset, file, nil, 0)
		if err != nil {
			t.Fatal(err)
		}
		add := func(e ast.Expr) {
			ast.Inspect(e, func(n ast.Node) bool {
				if lit, ok := n.(*ast.BasicLit); ok && lit.Kind == token.STRING {
					if s, err := strconv.Unquote(lit.Value); err == nil && s != "" {
						out = append(out, text{"diagnosis " + fset.Position(lit.Pos()).String(), s})
					}
				}
				return true
			})
		}
		ast.Inspect(f, func(n ast.Node) bool {
			switch n := n.(type) {
			case *ast.CallExpr:
				if id, ok := n.Fun.(*ast.Ident); ok && (id.Name == "msg" || id.Name == "msgf") && len(n.Args) > 0 {
					add(n.Args[0])
				}
			case *ast.KeyValueExpr:
				if id, ok := n.Key.(*ast.Ident); ok && id.Name == "Ja" {
					add(n.Value)
				}
			}
			return true
		})
	}
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
