package main

import (
	"crypto/x509"
	"encoding/pem"
	"os"
	"path/filepath"
	"testing"

	"github.com/rogpeppe/go-internal/testscript"
	"github.com/shinsei-app/shinsei/internal/fsx/fsxtest"
	"github.com/shinsei-app/shinsei/internal/testenv"
)

// TestOnWindowsTheServiceIsTrustedThroughTheUsersRootStore runs
// testdata/windows/*.txt: --system-roots through the Windows store, with
// the sandbox's service started by the Windows build of shinsei-sandbox
// (sandbox-serve) and the command "users-root add|remove CERT", which puts
// CERT in the user's ROOT store and takes it out. Under Wine only, in
// the throwaway prefix of scripts/wine-test.
func TestOnWindowsTheServiceIsTrustedThroughTheUsersRootStore(t *testing.T) {
	testenv.ThrowawayWineUser(t)
	sandbox := os.Getenv(SandboxExeEnv)
	if sandbox == "" {
		t.Skipf("needs a Windows build of shinsei-sandbox (%s)", SandboxExeEnv)
	}
	sandboxBinForScripts = sandbox
	testscript.Run(t, testscript.Params{
		Dir: filepath.Join("testdata", "windows"),
		// testscript's own removal of its work folders fails under Wine.
		WorkdirRoot: fsxtest.TempDir(t),
		Cmds: map[string]func(*testscript.TestScript, bool, []string){
			"exits": exits, "sandbox-serve": sandboxServe, "users-root": usersRoot,
		},
	})
}

// usersRoot is "users-root add|remove CERT": CERT (PEM) put in, or
// taken out of, the current user's ROOT store. One the scenario leaves
// there is taken out when it ends.
func usersRoot(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) != 2 || (args[0] != "add" && args[0] != "remove") {
		ts.Fatalf("usage: users-root add|remove CERT")
	}
	data, err := os.ReadFile(ts.MkAbs(args[1]))
	ts.Check(err)
	block, _ := pem.Decode(data)
	if block == nil {
		ts.Fatalf("users-root: %s holds no PEM certificate", args[1])
	}
	cert, err := x509.ParseCertificate(block.Bytes)
	ts.Check(err)
	if args[0] == "remove" {
		ts.Check(testenv.RemoveUsersRoot(cert))
		return
	}
	_, err = testenv.AddUsersRoot(cert)
	ts.Check(err)
	ts.Defer(func() { testenv.RemoveUsersRoot(cert) }) // "not there" once the scenario removed it
}
