package certcheck_test

import (
	"crypto/x509"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/shinsei-app/shinsei/certcheck"
	"github.com/shinsei-app/shinsei/internal/fsx/fsxtest"
	"github.com/shinsei-app/shinsei/internal/testenv"
	"github.com/shinsei-app/shinsei/sandbox/pki"
)

// systemRootsLeafEnv names the certificate (DER file) a child process of
// TestOnWindowsTheSystemRootsAreTheUsersRootStore verifies.
const systemRootsLeafEnv = "SHINSEI_TEST_SYSTEM_ROOTS_LEAF"

// TestOnWindowsTheSystemRootsAreTheUsersRootStore: on Windows,
// Options.SystemRoots is the Windows verifier (x509.SystemCertPool,
// CertGetCertificateChain) over the user's certificate stores. A sandbox
// certificate is refused as untrusted while its root is not in the
// user's ROOT store, and its path ends at that root once it is; without
// SystemRoots the store is never asked. Under Wine only, in the throwaway
// prefix of scripts/wine-test (testenv.ThrowawayWineUser).
//
// Each check with SystemRoots runs in a fresh process, as each command of
// shinseictl does: Wine 8.0's crypt32 opens the ROOT store for its
// default chain engine once, at a process's first CertGetCertificateChain,
// and does not see a root added or removed after that.
func TestOnWindowsTheSystemRootsAreTheUsersRootStore(t *testing.T) {
	if leaf := os.Getenv(systemRootsLeafEnv); leaf != "" {
		verifyWithSystemRoots(leaf)
		return
	}
	testenv.ThrowawayWineUser(t)
	p := testPKI(t)
	service, err := p.IssuePrivate("service.example")
	if err != nil {
		t.Fatal(err)
	}
	resident, err := p.IssueResident(pki.SampleResident(), pki.ResidentOptions{})
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		leaf *x509.Certificate
		root *x509.Certificate
	}{
		{"a service's certificate under the sandbox's private CA", service.Cert, p.Private.Cert},
		{"a resident's signing certificate under the sandbox's JPKI root", resident.Cert, p.JPKISign.Cert},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := systemRootsInChild(t, tt.leaf); !strings.HasPrefix(got, "refused: "+string(certcheck.ReasonUntrusted)+":") {
				t.Fatalf("before its root is in the user's ROOT store: want refused as %s, got %q", certcheck.ReasonUntrusted, got)
			}
			testenv.TrustInUsersRootStore(t, tt.root)
			want := fmt.Sprintf("path of 2 ending at %s", tt.root.Subject)
			if got := systemRootsInChild(t, tt.leaf); got != want {
				t.Fatalf("with its root in the user's ROOT store: got %q, want %q", got, want)
			}
			if _, err := certcheck.VerifyPath(tt.leaf, certcheck.Options{}); err == nil {
				t.Fatal("without SystemRoots the user's ROOT store must not be trusted")
			}
		})
	}
}

// systemRootsInChild runs certcheck.VerifyPath(leaf, SystemRoots) in a
// new process of this test binary and returns what it found.
func systemRootsInChild(t *testing.T, leaf *x509.Certificate) string {
	t.Helper()
	file := filepath.Join(fsxtest.TempDir(t), "leaf.der")
	if err := os.WriteFile(file, leaf.Raw, 0o600); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(os.Args[0], "-test.run=^TestOnWindowsTheSystemRootsAreTheUsersRootStore$", "-test.count=1")
	cmd.Env = append(os.Environ(), systemRootsLeafEnv+"="+file)
	out, err := cmd.CombinedOutput()
	m := regexp.MustCompile(`(?m)^system roots: (.*?)\r?$`).FindSubmatch(out)
	if err != nil || m == nil {
		t.Fatalf("the child process: %v\n%s", err, out)
	}
	return string(m[1])
}

// verifyWithSystemRoots is the child process: it prints one line,
// "system roots: refused: REASON: ..." or "system roots: path of N ending at ROOT".
func verifyWithSystemRoots(file string) {
	der, err := os.ReadFile(file)
	if err != nil {
		fmt.Printf("system roots: %v\n", err)
		return
	}
	leaf, err := x509.ParseCertificate(der)
	if err != nil {
		fmt.Printf("system roots: %v\n", err)
		return
	}
	chain, err := certcheck.VerifyPath(leaf, certcheck.Options{SystemRoots: true})
	var ce *certcheck.Error
	switch {
	case errors.As(err, &ce):
		fmt.Printf("system roots: refused: %s: %v\n", ce.Reason, err)
	case err != nil:
		fmt.Printf("system roots: %v\n", err)
	default:
		fmt.Printf("system roots: path of %d ending at %s\n", len(chain), chain[len(chain)-1].Subject)
	}
}
