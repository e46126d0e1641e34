//go:build cgo && linux

package flow_test

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/shinsei-app/shinsei/flow"
	"github.com/shinsei-app/shinsei/internal/fsx/fsxtest"
	"github.com/shinsei-app/shinsei/internal/testenv"
	"github.com/shinsei-app/shinsei/pkcs11"
	"github.com/shinsei-app/shinsei/sandbox/service"
	"github.com/shinsei-app/shinsei/submit"
)

func TestSubmitBatchFilesEveryPackageOnceAndSkipsWhatWasReceived(t *testing.T) {
	w := getWorld(t)
	svc := startService(t, w.pki, w.reg)
	a, _ := openApp(t, svc, w.pki, []*pkcs11.Library{testenv.SoftHSM(t)}, func(c *flow.Config) { c.DoNotKeepCertificates = true })
	ctx := context.Background()

	// Six signed move-out notifications, signed as one batch.
	dir := fsxtest.TempDir(t)
	_, doc := form(t, a, service.ProcMoveOut, w.resident.Cert)
	data, err := json.Marshal(doc)
	if err != nil {
		t.Fatal(err)
	}
	var forms []string
	for _, n := range []string{"a", "b", "c", "d", "e", "f"} {
		p := filepath.Join(dir, n+".json")
		if err := os.WriteFile(p, data, 0o600); err != nil {
			t.Fatal(err)
		}
		forms = append(forms, p)
	}
	out := fsxtest.TempDir(t)
	res, err := a.SignBatch(ctx, flow.BatchSignRequest{Forms: forms, OutDir: out, Credential: residentToken()}, (&recorder{pin: flowPIN}).callbacks(), nil)
	if err != nil || res.Signed != 6 {
		t.Fatalf("signing the batch: %v (%d signed)", err, res.Signed)
	}
	var pkgs []string
	for _, it := range res.Items {
		pkgs = append(pkgs, it.Package)
	}

	t.Run("every package is delivered once, at most four at a time; the same package given twice is sent once", func(t *testing.T) {
		var mu sync.Mutex
		told, sending, most := 0, 0, 0
		defer flow.SetSendingHook(func(d int) {
			mu.Lock()
			defer mu.Unlock()
			sending += d
			most = max(most, sending)
		})()
		filed, err := a.SubmitBatch(ctx, flow.BatchSubmitRequest{Paths: append(pkgs, pkgs[0])}, flow.Callbacks{}, func(flow.Filed) { mu.Lock(); told++; mu.Unlock() })
		if err != nil {
			t.Fatal(err)
		}
		if told != 7 {
			t.Errorf("told %d outcomes, want 7", told)
		}
		if most > flow.BatchConcurrency || most < 2 {
			t.Errorf("at most %d packages were sent at a time, want 2 to %d", most, flow.BatchConcurrency)
		}
		arrivals := map[string]bool{}
		for _, f := range filed[:6] {
			if f.Status != flow.FiledDelivered || f.Record == nil || len(f.SHA256) != 64 {
				t.Fatalf("%s: %s %v", f.Path, f.Status, f.Err)
			}
			arrivals[f.Record.ArrivalNumber] = true
		}
		if len(arrivals) != 6 {
			t.Errorf("%d arrival numbers for 6 packages", len(arrivals))
		}
		if dup := filed[6]; dup.Status != flow.FiledSkipped || dup.Record == nil || dup.Record.ArrivalNumber != filed[0].Record.ArrivalNumber {
			t.Errorf("the second copy: %s %+v, want skipped with the first copy's receipt", dup.Status, dup.Record)
		}
	})
	t.Run("given again, every package is skipped by the journal's receipts and nothing is sent", func(t *testing.T) {
		before, _ := a.Receipts()
		filed, err := a.SubmitBatch(ctx, flow.BatchSubmitRequest{Paths: pkgs}, flow.Callbacks{}, nil)
		if err != nil {
			t.Fatal(err)
		}
		for _, f := range filed {
			if f.Status != flow.FiledSkipped || f.Record == nil {
				t.Errorf("%s: %s, want skipped with its receipt", f.Path, f.Status)
			}
		}
		if after, _ := a.Receipts(); len(after) != len(before) {
			t.Errorf("the journal went from %d to %d receipts", len(before), len(after))
		}
	})
	t.Run("a missing package fails alone, the others are skipped", func(t *testing.T) {
		filed, err := a.SubmitBatch(ctx, flow.BatchSubmitRequest{Paths: []string{pkgs[0], filepath.Join(dir, "missing.asice")}}, flow.Callbacks{}, nil)
		if err != nil {
			t.Fatal(err)
		}
		if filed[0].Status != flow.FiledSkipped || filed[1].Status != flow.FiledFailed || filed[1].Err == nil {
			t.Errorf("outcomes %s, %s (%v)", filed[0].Status, filed[1].Status, filed[1].Err)
		}
	})
}

func TestReceiptsCSVWritesAHeaderAndARowPerReceipt(t *testing.T) {
	at := time.Date(2026, 12, 5, 9, 30, 0, 0, time.UTC)
	cases := []struct {
		name string
		rec  submit.Record
		want string
	}{
		{"an anonymous receipt has its inquiry number", submit.Record{ReceivedAt: at, ArrivalNumber: "2026120500000001", InquiryNumber: "1234567890", Procedure: "bulky-waste-collection", File: "申請書.json", PackageSHA256: "ab", Service: "https://svc"},
			"2026-12-05T09:30:00Z,2026120500000001,1234567890,bulky-waste-collection,申請書.json,ab,https://svc,\r\n"},
		{"a file name a spreadsheet would run as a formula is written as text", submit.Record{ReceivedAt: at, ArrivalNumber: "2026120500000002", File: "=HYPERLINK(\"x\").asice", Account: "A0000001"},
			"2026-12-05T09:30:00Z,2026120500000002,,,\"'=HYPERLINK(\"\"x\"\").asice\",,,A0000001\r\n"},
		{"a comma in a file name is quoted", submit.Record{ReceivedAt: at, ArrivalNumber: "2026120500000003", File: "a,b.asice"},
			"2026-12-05T09:30:00Z,2026120500000003,,,\"a,b.asice\",,,\r\n"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			var b bytes.Buffer
			if err := flow.ReceiptsCSV(&b, []submit.Record{c.rec}); err != nil {
				t.Fatal(err)
			}
			header, row, _ := strings.Cut(b.String(), "\r\n")
			if header != strings.Join(flow.ReceiptsCSVHeader, ",") || row != c.want {
				t.Errorf("CSV:\n%q\nwant the header and\n%q", b.String(), c.want)
			}
		})
	}
}
