package ui

import (
	"go/ast"
	"go/parser"
	"go/token"
	"image/color"
	"math"
	"path/filepath"
	"strings"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/theme"

	"github.com/shinsei-app/shinsei/flow"
	"github.com/shinsei-app/shinsei/submit"
)

// luminance is the relative luminance of c (WCAG 2).
func luminance(c color.Color) float64 {
	r, g, b, _ := c.RGBA()
	lin := func(v uint32) float64 {
		x := float64(v) / 0xffff
		if x <= 0.04045 {
			return x / 12.92
		}
		return math.Pow((x+0.055)/1.055, 2.4)
	}
	return 0.2126*lin(r) + 0.7152*lin(g) + 0.0722*lin(b)
}

// contrast is the contrast ratio of a and b (WCAG 2), 1 to 21.
func contrast(a, b color.Color) float64 {
	x, y := luminance(a), luminance(b)
	return (math.Max(x, y) + 0.05) / (math.Min(x, y) + 0.05)
}

// ringOf is the focus ring drawn for b, nil when none is drawn.
func ringOf(b *focusButton) *canvas.Rectangle {
	for _, o := range test.WidgetRenderer(b).Objects() {
		if r, ok := o.(*canvas.Rectangle); ok && r == b.ring && r.Visible() {
			return r
		}
	}
	return nil
}

func TestOnlyTheFocusedButtonHasARingThatStandsOutFromTheWindowAndFromEveryButton(t *testing.T) {
	s := bareShell(t, Options{})
	p := flow.ProcedureInfo{Procedure: submit.Procedure{ID: "p", TitleJA: "粗大ごみ収集の申込", Level: submit.LevelNone,
		Form: submit.Form{Fields: []submit.Field{{Name: "phone", LabelJA: "電話番号", Type: "string", MaxLen: 20}}}}}
	s.draft = &draft{proc: p, form: flow.NewForm(p.Procedure)}
	s.showForm()
	f, c := s.form, s.win.Canvas()
	buttons := []*focusButton{f.open, f.paste, f.back, f.attach, f.next}
	th, v := Theme{}, theme.VariantLight
	for i, b := range buttons {
		c.Focus(b)
		for j, o := range buttons {
			r := ringOf(o)
			switch {
			case i == j && r == nil:
				t.Fatalf("the focused button %q has no ring", b.Text)
			case i != j && r != nil:
				t.Errorf("%q has a ring while %q has the focus", o.Text, b.Text)
			}
		}
		r := ringOf(b)
		if r.StrokeWidth < 2 || r.Size().Width <= b.Size().Width || r.Size().Height <= b.Size().Height {
			t.Errorf("the ring of %q is %v wide at %v around a button of %v: not around it", b.Text, r.StrokeWidth, r.Size(), b.Size())
		}
		if got := contrast(r.StrokeColor, th.Color(theme.ColorNameBackground, v)); got < 3 {
			t.Errorf("the ring's contrast with the window is %.1f:1, want at least 3:1", got)
		}
	}
	// Nor is it mistaken for a button's own colour.
	for _, n := range []fyne.ThemeColorName{theme.ColorNameButton, theme.ColorNamePrimary, theme.ColorNameError,
		theme.ColorNameSuccess, theme.ColorNameWarning} {
		if got := contrast(th.Color(colorNameFocusRing, v), th.Color(n, v)); n == theme.ColorNameButton && got < 3 {
			t.Errorf("the ring's contrast with a button is %.1f:1", got)
		}
		if th.Color(colorNameFocusRing, v) == th.Color(n, v) {
			t.Errorf("the ring has the colour of %s buttons", n)
		}
	}
	// Tab moves the ring with the focus.
	c.Focus(f.open)
	c.FocusNext()
	if ringOf(f.open) != nil || ringOf(f.paste) == nil {
		t.Error("after Tab the ring did not move to the next button")
	}
}

func TestEveryButtonOfTheWindowIsMadeWithTheFocusRing(t *testing.T) {
	files, err := filepath.Glob("*.go")
	if err != nil {
		t.Fatal(err)
	}
	fset := token.NewFileSet()
	for _, name := range files {
		if strings.HasSuffix(name, "_test.go") {
			continue
		}
		file, err := parser.ParseFile(fset, name, nil, 0)
		if err != nil {
			t.Fatal(err)
		}
		ast.Inspect(file, func(n ast.Node) bool {
			var x ast.Expr
			switch n := n.(type) {
			case *ast.CallExpr:
				x = n.Fun
			case *ast.CompositeLit:
				x = n.Type
			default:
				return true
			}
			if sel, ok := x.(*ast.SelectorExpr); ok {
				if id, ok := sel.X.(*ast.Ident); ok && id.Name == "widget" &&
					(strings.HasPrefix(sel.Sel.Name, "NewButton") || sel.Sel.Name == "Button") {
					t.Errorf("%s: widget.%s makes a button without the focus ring; use newButton or newButtonWithIcon",
						fset.Position(n.Pos()), sel.Sel.Name)
				}
			}
			return true
		})
	}
}
