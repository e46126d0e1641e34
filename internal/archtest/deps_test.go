package archtest

import (
	"os/exec"
	"slices"
	"strings"
	"testing"
)

const module = "github.com/shinsei-app/shinsei"

// rules lists, for each layer, what it may not depend on: core packages
// neither the desktop toolkit, nor the layers above (flow, the help-desk
// diagnosis, the error table), nor the sandbox; the sandbox (which reuses
// the core) neither the toolkit nor the layers above; i18n nothing of the
// project; flow no toolkit, no UI, not the diagnosis and not the error
// table; the diagnosis no flow; the error table no surface; the
// command-line tools no toolkit either, so help desks and servers build
// them without a GUI stack; the saved settings, which the window and the
// command line share, no toolkit and nothing above the core.
//
// Inside the sandbox each domain package keeps to its own: the PKI needs
// no other part, the responders and the virtual card only the PKI, SoftHSM
// provisioning none, the kit the PKI and SoftHSM, the reference service
// the PKI and the responders; none depends on package sandbox itself,
// which assembles them. A package is checked against every rule that
// names it or a folder above it. A forbidden path matches itself and the
// packages below it, or, ending in "/", everything starting with it.
var rules = []struct {
	packages, forbidden []string
}{
	{[]string{"pkcs11", "pcsc", "signer", "certcheck", "identity", "submit", "pades"},
		[]string{"fyne.io/", module + "/ui", module + "/flow", module + "/cmd/", module + "/sandbox", module + "/diagnosis", module + "/explain"}},
	{[]string{"sandbox"}, []string{"fyne.io/", module + "/ui", module + "/flow", module + "/cmd/", module + "/diagnosis", module + "/explain"}},
	{[]string{"sandbox/pki"}, sandboxExcept()},
	{[]string{"sandbox/responder", "sandbox/vcard"}, sandboxExcept("pki")},
	{[]string{"sandbox/softhsm"}, sandboxExcept()},
	{[]string{"sandbox/kit"}, sandboxExcept("pki", "softhsm")},
	{[]string{"sandbox/service"}, sandboxExcept("pki", "responder")},
	{[]string{"i18n"}, []string{module + "/"}},
	{[]string{"flow"}, []string{"fyne.io/", module + "/ui", module + "/cmd/", module + "/diagnosis", module + "/explain"}},
	{[]string{"diagnosis"}, []string{"fyne.io/", module + "/ui", module + "/cmd/", module + "/flow", module + "/explain"}},
	{[]string{"explain"}, []string{"fyne.io/", module + "/ui", module + "/cmd/", module + "/diagnosis"}},
	{[]string{"cmd/shinseictl", "cmd/shinsei-sandbox"}, []string{"fyne.io/", module + "/ui"}},
	{[]string{"settings"}, []string{"fyne.io/", module + "/ui", module + "/cmd/", module + "/flow", module + "/sandbox", module + "/diagnosis", module + "/explain"}},
}

// sandboxDomains are the sandbox's domain packages.
var sandboxDomains = []string{"pki", "responder", "vcard", "softhsm", "kit", "service"}

// sandboxExcept forbids package sandbox itself and every domain package
// of the sandbox but those allowed.
func sandboxExcept(allowed ...string) []string {
	out := []string{module + "/sandbox" + exact}
	for _, d := range sandboxDomains {
		if !slices.Contains(allowed, d) {
			out = append(out, module+"/sandbox/"+d)
		}
	}
	return out
}

// exact marks a forbidden path that matches only itself.
const exact = "$"

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
		forbidden := forbiddenFor(pkg)
		if len(forbidden) == 0 {
			continue
		}
		checked++
		for _, dep := range fields[1:] {
			for _, f := range forbidden {
				if matches(dep, f) && !strings.HasPrefix(dep, fields[0]) {
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

// forbiddenFor is what every rule naming pkg, or a folder above it,
// forbids.
func forbiddenFor(pkg string) []string {
	var out []string
	for _, r := range rules {
		for _, p := range r.packages {
			if pkg == p || strings.HasPrefix(pkg, p+"/") {
				out = append(out, r.forbidden...)
			}
		}
	}
	return out
}

// matches reports whether the import path dep is what f forbids.
func matches(dep, f string) bool {
	switch {
	case strings.HasSuffix(f, exact):
		return dep == strings.TrimSuffix(f, exact)
	case strings.HasSuffix(f, "/"):
		return strings.HasPrefix(dep, f)
	}
	return dep == f || strings.HasPrefix(dep, f+"/")
}

func TestTheRulesCatchAForbiddenDependency(t *testing.T) {
	cases := []struct {
		pkg, dep string
		want     bool
	}{
		{"sandbox/pki", module + "/sandbox/responder", true},
		{"sandbox/pki", module + "/sandbox", true},
		{"sandbox/service", module + "/sandbox/responder", false},
		{"sandbox/service", module + "/sandbox/kit", true},
		{"sandbox/kit", module + "/sandbox/softhsm", false},
		{"pcsc", module + "/sandbox/vcard", true},
		{"pcsc", "fyne.io/fyne/v2", true},
		{"flow", module + "/sandbox/pki", false},
		{"settings", "fyne.io/fyne/v2", true},
		{"settings", module + "/flow", true},
		{"settings", module + "/certcheck", false},
	}
	for _, c := range cases {
		got := slices.ContainsFunc(forbiddenFor(c.pkg), func(f string) bool { return matches(c.dep, f) })
		if got != c.want {
			t.Errorf("%s importing %s: forbidden %v, want %v", c.pkg, c.dep, got, c.want)
		}
	}
}
