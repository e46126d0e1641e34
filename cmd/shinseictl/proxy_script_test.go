package main

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strconv"
	"time"

	"github.com/rogpeppe/go-internal/testscript"

	"github.com/shinsei-app/shinsei/sandbox/kit"
	"github.com/shinsei-app/shinsei/signer"
	"github.com/shinsei-app/shinsei/submit"
)

// Powers of attorney no client makes today, for the scripts of
// testdata/service (after 'sandbox-serve', which sets $KIT):
//
//	dated-poa DAYS OUT       a power of attorney for move-out-notification
//	                         naming 高橋　一郎, issued DAYS days from now
//	                         (-120: four months ago), valid for the default
//	                         three months from then, signed by the kit's
//	                         resident (resident.p12): expired when DAYS is
//	                         about -100 or less, not valid yet when DAYS > 0
//	carry-poa POA FORM OUT   the proxy's application of FORM carrying POA,
//	                         signed with the kit's proxy.p12 as a client
//	                         would without its checks
func datedPOA(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) != 2 {
		ts.Fatalf("usage: dated-poa DAYS OUT")
	}
	days, err := strconv.Atoi(args[0])
	ts.Check(err)
	issued := time.Now().AddDate(0, 0, days).Truncate(time.Second)
	doc := submit.PowerOfAttorney{Type: submit.PowerOfAttorneyType, Procedure: "move-out-notification",
		Principal: map[string]any{"name": "高橋　花子"}, Proxy: submit.ProxyRef{Name: "高橋　一郎"},
		IssuedAt: issued, ValidUntil: submit.PowerOfAttorneyDefaultUntil(issued)}
	data, err := json.Marshal(doc)
	ts.Check(err)
	dir := ts.MkAbs(filepath.Join("poa-" + args[0]))
	ts.Check(os.MkdirAll(dir, 0o700))
	letter := filepath.Join(dir, submit.PowerOfAttorneyName)
	ts.Check(os.WriteFile(letter, data, 0o600))
	_, err = signer.Build(context.Background(), ts.MkAbs(args[1]), []signer.File{{Path: letter}}, kitCredential(ts, "resident.p12"),
		signer.BuildOptions{Supporting: true})
	ts.Check(err)
}

func carryPOA(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) != 3 {
		ts.Fatalf("usage: carry-poa POA FORM OUT")
	}
	_, err := signer.Build(context.Background(), ts.MkAbs(args[2]), []signer.File{{Path: ts.MkAbs(args[1])}}, kitCredential(ts, "proxy.p12"),
		signer.BuildOptions{Carry: []string{ts.MkAbs(args[0])}})
	ts.Check(err)
}

// kitCredential loads one of the kit's .p12 files.
func kitCredential(ts *testscript.TestScript, name string) signer.Credential {
	kitDir := ts.Getenv("KIT")
	if kitDir == "" {
		ts.Fatalf("start the reference service first: sandbox-serve")
	}
	der, err := os.ReadFile(filepath.Join(kitDir, name))
	ts.Check(err)
	cred, err := signer.LoadPKCS12(der, []byte(kit.P12Password))
	ts.Check(err)
	return *cred
}
