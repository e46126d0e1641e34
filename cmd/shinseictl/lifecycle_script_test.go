package main

import (
	"bytes"
	"crypto/tls"
	"crypto/x509"
	"encoding/json"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/rogpeppe/go-internal/testscript"

	"github.com/shinsei-app/shinsei/submit"
)

// backoffice acts as the municipality's back office of the reference
// service started with 'sandbox-serve --admin':
//
//	backoffice correction ARRIVAL FIELD[,FIELD...] REASON
//	backoffice advance ARRIVAL STATUS
func backoffice(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) < 3 || (args[0] == "correction" && len(args) != 4) || (args[0] == "advance" && len(args) != 3) {
		ts.Fatalf("usage: backoffice correction ARRIVAL FIELD[,FIELD...] REASON | backoffice advance ARRIVAL STATUS")
	}
	admin := ts.Getenv("ADMIN")
	if admin == "" {
		ts.Fatalf("backoffice: start the service with 'sandbox-serve --admin'")
	}
	token, err := os.ReadFile(ts.MkAbs(filepath.Join("sandbox", "admin-token")))
	ts.Check(err)
	ca, err := os.ReadFile(ts.Getenv("ANCHOR"))
	ts.Check(err)
	roots := x509.NewCertPool()
	if !roots.AppendCertsFromPEM(ca) {
		ts.Fatalf("backoffice: $ANCHOR holds no certificate")
	}
	var path string
	var body any
	switch args[0] {
	case "correction":
		path = "/sandbox/applications/" + args[1] + "/correction"
		body = map[string]any{"fields": strings.Split(args[2], ","), "reason_ja": args[3]}
	case "advance":
		path = "/sandbox/applications/" + args[1] + "/status"
		body = map[string]any{"status": args[2]}
	default:
		ts.Fatalf("backoffice: unknown action %q", args[0])
	}
	data, err := json.Marshal(body)
	ts.Check(err)
	req, err := http.NewRequest(http.MethodPost, admin+path, bytes.NewReader(data))
	ts.Check(err)
	req.Header.Set("Content-Type", submit.MediaJSON)
	req.Header.Set("Authorization", "Bearer "+strings.TrimSpace(string(token)))
	c := &http.Client{Timeout: 30 * time.Second, Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: roots}}}
	resp, err := c.Do(req)
	ts.Check(err)
	defer resp.Body.Close()
	out, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != http.StatusOK {
		ts.Fatalf("backoffice %s: HTTP %d: %s", args[0], resp.StatusCode, out)
	}
}

// lastArrival sets $ARRIVAL to the arrival number of the last receipt in
// the receipts journal of $SHINSEI_DATA_DIR.
func lastArrival(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) != 0 {
		ts.Fatalf("usage: last-arrival")
	}
	j, err := submit.OpenJournal(filepath.Join(ts.Getenv("SHINSEI_DATA_DIR"), "receipts.jsonl"))
	ts.Check(err)
	recs, err := j.Receipts()
	ts.Check(err)
	if len(recs) == 0 {
		ts.Fatalf("last-arrival: the journal holds no receipt")
	}
	ts.Setenv("ARRIVAL", recs[len(recs)-1].ArrivalNumber)
}
