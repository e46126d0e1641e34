package archtest

import (
	"os/exec"
	"strings"
	"testing"
)

const module = "github.com/shinsei-app/shinsei"

// rules lists, for each layer, what it may not depend on: core packages
// (and the sandbox, which reuses them) neither the desktop toolkit nor the
// layers above; flow no toolkit and no UI; the command-line tools no
// toolkit either, so help desks and servers build them without a GUI stack.
var rules = []struct {
	packages, forbidden []string
}{
	{[]string{"pkcs11", "pcsc", "signer", "certcheck", "identity", "submit", "sandbox"},
		[]string{"fyne.io/", module + "/ui", module + "/flow", module + "/cmd/"}},
	{[]string{"flow"}, []string{"fyne.io/", module + "/ui", module + "/cmd/"}},
	{[]string{"cmd/shinseictl", "cmd/shinsei-sandbox"}, []string{"fyne.io/", module + "/ui"}},
}

func TestCorePackagesDoNotDependOnTheGUIOrTheLayersAbove(t *testing.T) {
	cmd := exec.Command("go", "list", "-f", `{{.ImportPath}} {{join .Deps " "}}`, "./...")
	cmd.Dir = "../.."
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("go list: %v\n%s", err, out)
	}
	checked := 0
	for _, line := range strings.Split(strings.TrimSpace(string(out)), "\n") {
		fields := strings.Fields(line)
		pkg := strings.TrimPrefix(fields[0], module+"/")
		forbidden, ok := forbiddenFor(pkg)
		if !ok {
			continue
		}
		checked++
		for _, dep := range fields[1:] {
			for _, f := range forbidden {
				if strings.HasPrefix(dep, f) && !strings.HasPrefix(dep, fields[0]) {
					t.Errorf("%s depends on %s", pkg, dep)
				}
			}
		}
	}
	if checked == 0 {
		t.Fatal("no package of the layout found: is the module laid out as DESIGN.md §2 says?")
	}
	t.Logf("checked %d packages", checked)
}

func forbiddenFor(pkg string) ([]string, bool) {
	for _, r := range rules {
		for _, p := range r.packages {
			if pkg == p || strings.HasPrefix(pkg, p+"/") {
				return r.forbidden, true
			}
		}
	}
	return nil, false
}
