package archtest

import (
	"os/exec"
	"strings"
	"testing"
)

const module = "github.com/shinsei-app/shinsei"

// core lists the packages that may not depend on the desktop toolkit or on
// the layers above them. The command line is held to the same rule so that
// help desks and servers can build it without a GUI stack.
var core = []string{"pkcs11", "signer", "certcheck", "identity", "submit", "sandbox", "cmd/shinseictl", "cmd/shinsei-sandbox"}

var forbidden = []string{"fyne.io/", module + "/ui", module + "/flow", module + "/cmd/"}

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
		if !isCore(pkg) {
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
		t.Fatal("no core package found: is the module layout as DESIGN.md §2 says?")
	}
	t.Logf("checked %d core packages", checked)
}

func isCore(pkg string) bool {
	for _, c := range core {
		if pkg == c || strings.HasPrefix(pkg, c+"/") {
			return true
		}
	}
	return false
}
