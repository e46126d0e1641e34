package submit_test

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"reflect"
	"runtime"
	"sync"
	"testing"
	"time"

	"github.com/shinsei-app/shinsei/internal/fsx/fsxtest"
	"github.com/shinsei-app/shinsei/submit"
)

func record(arrival string) submit.Record {
	return submit.Record{Service: "https://127.0.0.1:8443", Procedure: "test-none", ArrivalNumber: arrival, InquiryNumber: "1234567890",
		ReceivedAt: time.Date(2026, 4, 1, 9, 0, 0, 0, time.UTC), RecordedAt: time.Date(2026, 4, 1, 9, 0, 1, 0, time.UTC),
		PackageSHA256: "ab", IdempotencyKey: "kkkkkkkkkkkkkkkkkkkk"}
}

func TestTheJournalKeepsRecordsInOrderOnce(t *testing.T) {
	j, err := submit.OpenJournal(filepath.Join(fsxtest.TempDir(t), "data", "receipts.jsonl"))
	if err != nil {
		t.Fatal(err)
	}
	if recs, err := j.Receipts(); err != nil || len(recs) != 0 {
		t.Fatalf("a new journal: %v, %v", recs, err)
	}
	for _, a := range []string{"1", "2", "1", "3"} {
		if err := j.Append(record(a)); err != nil {
			t.Fatal(err)
		}
	}
	recs, err := j.Receipts()
	if err != nil {
		t.Fatal(err)
	}
	want := []submit.Record{record("1"), record("2"), record("3")}
	if !reflect.DeepEqual(recs, want) {
		t.Fatalf("got %+v\nwant %+v", recs, want)
	}
	fi, err := os.Stat(j.Path())
	// Windows has no mode bits; the user's profile folder keeps others out.
	if err != nil || runtime.GOOS != "windows" && fi.Mode().Perm() != 0o600 {
		t.Fatalf("journal mode %v, %v; want 0600", fi.Mode(), err)
	}
}

func TestATornLastLineIsIgnoredThenRepaired(t *testing.T) {
	tests := []struct {
		name string
		tail string
		want []string
	}{
		{"a half-written record is cut off", `{"service":"https://127.0.0.1:8443","arrival_num`, []string{"1", "9"}},
		{"a whole record missing its newline is kept", mustLine(record("2")), []string{"1", "2", "9"}},
		{"garbage is cut off", "\x00\x00\x00", []string{"1", "9"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := filepath.Join(fsxtest.TempDir(t), "receipts.jsonl")
			if err := os.WriteFile(path, []byte(mustLine(record("1"))+"\n"+tt.tail), 0o600); err != nil {
				t.Fatal(err)
			}
			j, _ := submit.OpenJournal(path)
			recs, err := j.Receipts()
			if err != nil {
				t.Fatal(err)
			}
			if want := tt.want[:len(tt.want)-1]; !sameArrivals(recs, want) {
				t.Fatalf("before repair: %v, want %v", arrivals(recs), want)
			}
			if err := j.Append(record("9")); err != nil {
				t.Fatal(err)
			}
			recs, _ = j.Receipts()
			if !sameArrivals(recs, tt.want) {
				t.Fatalf("after the next append: %v, want %v", arrivals(recs), tt.want)
			}
			data, _ := os.ReadFile(path)
			if _, skipped, _ := submit.ReadJournal(bytes.NewReader(data)); skipped != 0 {
				t.Fatalf("the repaired journal still has %d bad lines:\n%s", skipped, data)
			}
		})
	}
}

func TestConcurrentAppendsLoseNothing(t *testing.T) {
	j, _ := submit.OpenJournal(filepath.Join(fsxtest.TempDir(t), "receipts.jsonl"))
	var wg sync.WaitGroup
	for i := range 20 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if err := j.Append(record(string(rune('a' + i)))); err != nil {
				t.Error(err)
			}
		}()
	}
	wg.Wait()
	if recs, _ := j.Receipts(); len(recs) != 20 {
		t.Fatalf("%d records, want 20", len(recs))
	}
}

func mustLine(r submit.Record) string {
	b, err := json.Marshal(r)
	if err != nil {
		panic(err)
	}
	return string(b)
}

func arrivals(recs []submit.Record) []string {
	var out []string
	for _, r := range recs {
		out = append(out, r.ArrivalNumber)
	}
	return out
}

func sameArrivals(recs []submit.Record, want []string) bool {
	got := arrivals(recs)
	if len(got) == 0 && len(want) == 0 {
		return true
	}
	return reflect.DeepEqual(got, want)
}

func TestAnswersAreKeptBesideTheReceiptAndNotListedAsReceipts(t *testing.T) {
	j, err := submit.OpenJournal(filepath.Join(fsxtest.TempDir(t), "receipts.jsonl"))
	if err != nil {
		t.Fatal(err)
	}
	rec := submit.Record{Service: "https://svc", ArrivalNumber: "2026-000001", Procedure: "p"}
	withdrawn := rec
	withdrawn.Answer = &submit.Answer{Kind: submit.EventWithdrawn, Status: submit.StatusWithdrawn}
	amended := rec
	amended.Answer = &submit.Answer{Kind: submit.EventAmended, Status: submit.StatusReviewing, IdempotencyKey: "k1"}
	amended2 := amended
	amended2.Answer = &submit.Answer{Kind: submit.EventAmended, Status: submit.StatusReviewing, IdempotencyKey: "k2"}
	for _, r := range []submit.Record{rec, amended, amended, amended2, withdrawn, withdrawn, rec} {
		if err := j.Append(r); err != nil {
			t.Fatal(err)
		}
	}
	recs, err := j.Receipts()
	if err != nil || len(recs) != 1 || recs[0].Answer != nil {
		t.Fatalf("receipts %+v, %v", recs, err)
	}
	answers, err := j.Answers()
	if err != nil || len(answers) != 3 {
		t.Fatalf("answers %+v, %v: want two amendments (one per key) and one withdrawal", answers, err)
	}
	if answers[0].Answer.IdempotencyKey != "k1" || answers[1].Answer.IdempotencyKey != "k2" || answers[2].Answer.Kind != submit.EventWithdrawn {
		t.Errorf("answers in the wrong order or kinds: %+v %+v %+v", answers[0].Answer, answers[1].Answer, answers[2].Answer)
	}
}
