package archtest

import (
	"go/ast"
	"go/parser"
	"go/token"
	"io/fs"
	"path/filepath"
	"strings"
	"testing"
)

// TestNoSurfaceDecidesByAnErrorsText keeps the rule that the surfaces
// (cmd/ and ui/) tell errors apart with errors.Is and errors.As and the
// table of package explain, never by their text: no comparison, switch,
// strings function or regular expression may take err.Error() — only a
// method that itself returns an error's text (an Error method, a field
// that carries the text to the user) may read it.
func TestNoSurfaceDecidesByAnErrorsText(t *testing.T) {
	checked := 0
	for _, dir := range []string{"cmd", "ui"} {
		root := filepath.Join("..", "..", dir)
		err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
			if err != nil || d.IsDir() || !strings.HasSuffix(path, ".go") || strings.HasSuffix(path, "_test.go") {
				return err
			}
			checked++
			fset := token.NewFileSet()
			f, err := parser.ParseFile(fset, path, nil, 0)
			if err != nil {
				return err
			}
			for _, pos := range decisionsOnErrorText(f) {
				t.Errorf("%s decides by an error's text (err.Error()): use errors.Is/As or package explain", fset.Position(pos))
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	if checked == 0 {
		t.Fatal("no Go file found under cmd/ or ui/")
	}
}

// decisionsOnErrorText finds X.Error() calls used to decide: as an
// operand of ==, !=, a switch tag, or an argument of a strings or regexp
// function.
func decisionsOnErrorText(f *ast.File) []token.Pos {
	isErrorCall := func(e ast.Expr) bool {
		c, ok := e.(*ast.CallExpr)
		if !ok || len(c.Args) != 0 {
			return false
		}
		s, ok := c.Fun.(*ast.SelectorExpr)
		return ok && s.Sel.Name == "Error"
	}
	var found []token.Pos
	ast.Inspect(f, func(n ast.Node) bool {
		switch n := n.(type) {
		case *ast.BinaryExpr:
			if (n.Op == token.EQL || n.Op == token.NEQ) && (isErrorCall(n.X) || isErrorCall(n.Y)) {
				found = append(found, n.Pos())
			}
		case *ast.SwitchStmt:
			if n.Tag != nil && isErrorCall(n.Tag) {
				found = append(found, n.Pos())
			}
		case *ast.CallExpr:
			if s, ok := n.Fun.(*ast.SelectorExpr); ok {
				if pkg, ok := s.X.(*ast.Ident); ok && (pkg.Name == "strings" || pkg.Name == "regexp") {
					for _, a := range n.Args {
						if isErrorCall(a) {
							found = append(found, n.Pos())
						}
					}
				}
			}
		}
		return true
	})
	return found
}
