package submit

import (
	"bytes"
	"encoding/json"
	"reflect"
	"testing"
	"time"
)

func fuzzRecord(arrival string) Record {
	return Record{Service: "https://127.0.0.1:8443", Procedure: "test-none", ArrivalNumber: arrival,
		ReceivedAt: time.Date(2026, 4, 1, 9, 0, 0, 0, time.UTC), PackageSHA256: "ab"}
}

func fuzzLine(r Record) []byte {
	b, err := json.Marshal(r)
	if err != nil {
		panic(err)
	}
	return b
}

// FuzzReadJournal: whatever follows well-formed records (a torn line,
// garbage, huge lines, more records), reading never panics and never loses
// them; and the repair Append does before writing keeps every record read
// before it and puts the new one right after them.
func FuzzReadJournal(f *testing.F) {
	good := append(append(fuzzLine(fuzzRecord("1")), '\n'), append(fuzzLine(fuzzRecord("2")), '\n')...)
	f.Add([]byte(""))
	f.Add([]byte(`{"service":"s","arrival_num`))
	f.Add([]byte("\n\n{}\nnull\n[1,2]\n"))
	f.Add(fuzzLine(fuzzRecord("3")))
	f.Add(bytes.Repeat([]byte("x"), 70000))
	f.Add([]byte("\xff\xfe\x00{\"arrival_number\":\"x\"}\n"))
	f.Add(append(append(fuzzLine(fuzzRecord("4")), '\n'), "{\"service\":\"https://x\",\"arrival_number\":\"5\"}"...))
	f.Fuzz(func(t *testing.T, tail []byte) {
		recs, _, err := ReadJournal(bytes.NewReader(tail))
		if err != nil {
			t.Fatal(err)
		}
		for _, r := range recs {
			if !r.valid() {
				t.Fatalf("an incomplete record was returned: %+v", r)
			}
		}
		data := append(append([]byte(nil), good...), tail...)
		recs, _, err = ReadJournal(bytes.NewReader(data))
		if err != nil {
			t.Fatal(err)
		}
		if len(recs) < 2 || !reflect.DeepEqual(recs[:2], []Record{fuzzRecord("1"), fuzzRecord("2")}) {
			t.Fatalf("well-formed records before the tail were lost")
		}
		cut, completeLast := repairPlan(data)
		repaired := append([]byte(nil), data[:cut]...)
		if completeLast {
			repaired = append(repaired, '\n')
		}
		fresh := fuzzRecord("fresh")
		repaired = append(append(repaired, fuzzLine(fresh)...), '\n')
		after, skipped, err := ReadJournal(bytes.NewReader(repaired))
		if err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(after, append(recs[:len(recs):len(recs)], fresh)) {
			t.Fatalf("after the repair: %d records, want the %d read before and the new one", len(after), len(recs))
		}
		if _, before, _ := ReadJournal(bytes.NewReader(data)); skipped > before {
			t.Fatalf("the repair added bad lines (%d, before %d)", skipped, before)
		}
	})
}
