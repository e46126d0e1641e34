package submit_test

import (
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/shinsei-app/shinsei/internal/fsx/fsxtest"
	"github.com/shinsei-app/shinsei/submit"
	"github.com/shinsei-app/shinsei/submit/submittest"
)

// TestAnOutboxInAFolderNamedInJapaneseWithSpacesSendsAndKeepsTheReceipt
// runs one outbox round (add, send, journal, remove) in a data folder
// whose names have Japanese characters and spaces, as a Windows user
// folder often has; on Windows this goes through LockFileEx and
// FlushFileBuffers on such paths.
func TestAnOutboxInAFolderNamedInJapaneseWithSpacesSendsAndKeepsTheReceipt(t *testing.T) {
	data := filepath.Join(fsxtest.TempDir(t), "申請 データ", "控え 2026年")
	fx := &fixture{srv: startServer(t, submittest.Options{}), dir: data}
	fx.client = newClient(t, fx.srv)
	var err error
	if fx.outbox, err = submit.OpenOutbox(filepath.Join(data, "送信待ち")); err != nil {
		t.Fatal(err)
	}
	if fx.journal, err = submit.OpenJournal(filepath.Join(data, "受付 控え.jsonl")); err != nil {
		t.Fatal(err)
	}
	fx.fault(nil)
	it := fx.add(t, submittest.ProcNone, submit.LevelNone, "")
	if p := fx.pending(t); len(p) != 1 || p[0].ID != it.ID {
		t.Fatalf("pending %+v", p)
	}
	rec, err := fx.outbox.Send(context.Background(), it.ID, fx.sender())
	if err != nil {
		t.Fatal(err)
	}
	if p := fx.pending(t); len(p) != 0 {
		t.Fatalf("still pending: %+v", p)
	}
	recs, err := fx.journal.Receipts()
	if err != nil || len(recs) != 1 || recs[0].ArrivalNumber != rec.ArrivalNumber {
		t.Fatalf("journal %+v, %v", recs, err)
	}
	if _, err := os.Stat(filepath.Join(data, "受付 控え.jsonl")); err != nil {
		t.Fatalf("the journal is not under its Japanese name: %v", err)
	}
}
