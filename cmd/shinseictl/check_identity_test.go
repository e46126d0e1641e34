//go:build cgo && linux

package main

import (
	"encoding/pem"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/shinsei-app/shinsei/internal/fsx/fsxtest"
	"github.com/shinsei-app/shinsei/sandbox/pki"
)

func TestCheckFormOnACertificateWhoseHolderCannotBeReadSaysSoAndExitsFour(t *testing.T) {
	p, err := pki.New(time.Now())
	if err != nil {
		t.Fatal(err)
	}
	r := pki.SampleResident()
	r.NameFlags = "01" // two digits for a name of five characters
	cred, err := p.IssueResident(r, pki.ResidentOptions{})
	if err != nil {
		t.Fatal(err)
	}
	dir := fsxtest.TempDir(t)
	certFile, rootFile, form := filepath.Join(dir, "cert.pem"), filepath.Join(dir, "root.pem"), filepath.Join(dir, "form.json")
	for path, data := range map[string][]byte{
		certFile: pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: cred.Cert.Raw}),
		rootFile: pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: p.JPKISign.Cert.Raw}),
		form:     []byte(`{"procedure": "sandbox-juminhyo", "applicant": {"name": "高橋　花子"}}`),
	} {
		if err := os.WriteFile(path, data, 0o600); err != nil {
			t.Fatal(err)
		}
	}
	code, stdout, stderr := shinseictl("", "check", "--offline", "--cache-dir", "", "--anchor", rootFile, "--form", form, certFile)
	if code != exitIndeterminate {
		t.Fatalf("exit %d, want 4\nstdout:\n%s\nstderr:\n%s", code, stdout, stderr)
	}
	if !strings.Contains(stdout, "identity: NOT CHECKED") {
		t.Errorf("the output does not say the identity was not compared:\n%s", stdout)
	}
	code, stdout, _ = shinseictl("", "check", "--offline", "--cache-dir", "", "--json", "--anchor", rootFile, "--form", form, certFile)
	if code != exitIndeterminate || !strings.Contains(stdout, `"identity_unreadable": true`) {
		t.Errorf("--json: exit %d\n%s", code, stdout)
	}
	// Without --form the holder is not needed: the check is good.
	if code, stdout, _ := shinseictl("", "check", "--offline", "--cache-dir", "", "--anchor", rootFile, certFile); code != exitOK {
		t.Errorf("without --form: exit %d\n%s", code, stdout)
	}
}
