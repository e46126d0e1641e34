package submit

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"time"

	"github.com/shinsei-app/shinsei/internal/fsx"
)

// maxJournalLine bounds one record; longer lines are skipped as corrupt.
const maxJournalLine = 64 << 10

// Record is one receipt in the journal.
type Record struct {
	Service       string `json:"service"`
	Account       string `json:"account,omitempty"`
	Procedure     string `json:"procedure"`
	ArrivalNumber string `json:"arrival_number"`
	// InquiryNumber is what an anonymous applicant needs to ask about the
	// application: the journal file is readable by the user only.
	InquiryNumber string    `json:"inquiry_number,omitempty"`
	ReceivedAt    time.Time `json:"received_at"`
	RecordedAt    time.Time `json:"recorded_at"`
	// PackageSHA256 is the hex SHA-256 of the body sent (and, by the
	// receipt, stored).
	PackageSHA256 string `json:"package_sha256"`
	// ArchivedSHA256 is the hex SHA-256 of the package as the service
	// archived it (Receipt.ArchivedSHA256), when it says.
	ArchivedSHA256 string `json:"archived_package_sha256,omitempty"`
	IdempotencyKey string `json:"idempotency_key,omitempty"`
	// File is the base name of the file the user submitted.
	File string `json:"file,omitempty"`
	// OutboxID is the outbox item the receipt is for.
	OutboxID string `json:"outbox_id,omitempty"`
	// Answer, when set, makes this line not a receipt but the service's
	// answer to a later step of the application (a withdrawal, an
	// amendment): Receipts leaves it out, Answers lists it.
	Answer *Answer `json:"answer,omitempty"`
}

// Answer is the service's answer to a step the applicant took after the
// receipt, kept in the journal beside it.
type Answer struct {
	// Kind is EventWithdrawn or EventAmended; Status the application's
	// status the service answered, at At (the service's time of the step).
	Kind   EventKind `json:"kind"`
	Status Status    `json:"status"`
	At     time.Time `json:"at"`
	// PackageSHA256, IdempotencyKey and File are an amendment's: the hex
	// SHA-256 of its body, the key it was sent with, the file's base name.
	PackageSHA256  string `json:"package_sha256,omitempty"`
	IdempotencyKey string `json:"idempotency_key,omitempty"`
	File           string `json:"file,omitempty"`
}

// sameStep reports whether two lines record the same thing: the receipt
// of an application, or the same answer (a withdrawal, or an amendment
// by its key).
func sameStep(a, b Record) bool {
	if a.Service != b.Service || a.ArrivalNumber != b.ArrivalNumber || (a.Answer == nil) != (b.Answer == nil) {
		return false
	}
	return a.Answer == nil || (a.Answer.Kind == b.Answer.Kind && a.Answer.IdempotencyKey == b.Answer.IdempotencyKey)
}

func (r Record) valid() bool { return r.ArrivalNumber != "" && r.Service != "" }

// Journal is the append-only local record of receipts: one JSON object per
// line, each synced to disk before Append returns. A crash can leave at
// most a torn last line, which readers ignore and the next Append removes.
type Journal struct {
	path string
}

// OpenJournal returns the journal at path, creating its directory. The
// file itself is created by the first Append.
func OpenJournal(path string) (*Journal, error) {
	if err := mkdirPrivate(filepath.Dir(path)); err != nil {
		return nil, err
	}
	return &Journal{path: path}, nil
}

// Path returns the journal's file.
func (j *Journal) Path() string { return j.path }

// Append adds rec unless the journal already holds a record of the same
// service and arrival number (a replayed submission) — or, for an answer,
// the same answer — and syncs the file.
// It holds an exclusive lock on the file meanwhile, so processes may
// append concurrently. A torn last line left by a crash is cut off first,
// or, when it is a whole record that only lacks its newline, completed.
func (j *Journal) Append(rec Record) error {
	if !rec.valid() {
		return errors.New("submit: journal: a record needs a service and an arrival number")
	}
	line, err := json.Marshal(rec)
	if err != nil {
		return fmt.Errorf("submit: journal: %w", err)
	}
	f, err := os.OpenFile(j.path, os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		return fmt.Errorf("submit: journal: %w", err)
	}
	defer f.Close()
	if err := lock(f); err != nil {
		return fmt.Errorf("submit: journal: lock: %w", err)
	}
	data, err := io.ReadAll(f)
	if err != nil {
		return fmt.Errorf("submit: journal: %w", err)
	}
	cut, completeLast := repairPlan(data)
	end := int64(cut)
	if completeLast {
		line = append([]byte{'\n'}, line...)
	} else if cut < len(data) {
		if err := f.Truncate(end); err != nil {
			return fmt.Errorf("submit: journal: repair torn line: %w", err)
		}
	}
	recs, _, err := ReadJournal(bytes.NewReader(data))
	if err != nil {
		return fmt.Errorf("submit: journal: %w", err)
	}
	for _, r := range recs {
		if sameStep(r, rec) {
			return f.Sync() // the repair, if any, made durable
		}
	}
	if _, err := f.WriteAt(append(line, '\n'), end); err != nil {
		return fmt.Errorf("submit: journal: %w", err)
	}
	if err := f.Sync(); err != nil {
		return fmt.Errorf("submit: journal: %w", err)
	}
	if end == 0 {
		return fsx.SyncDir(filepath.Dir(j.path))
	}
	return nil
}

// repairPlan says how to make data end with a whole line before an
// append: keep data[:cut], and when completeLast, the last line is a whole
// record that only lacks its newline (cut is then len(data)).
func repairPlan(data []byte) (cut int, completeLast bool) {
	cut = bytes.LastIndexByte(data, '\n') + 1
	if cut == len(data) {
		return cut, false
	}
	var last Record
	if len(data)-cut <= maxJournalLine && json.Unmarshal(data[cut:], &last) == nil && last.valid() {
		return len(data), true
	}
	return cut, false
}

// Receipts returns every receipt, oldest first (the answers to later
// steps are left out: Answers). A missing journal holds no records.
func (j *Journal) Receipts() ([]Record, error) {
	recs, err := j.records()
	return slices.DeleteFunc(recs, func(r Record) bool { return r.Answer != nil }), err
}

// Answers returns the service's answers to later steps (withdrawals,
// amendments), oldest first.
func (j *Journal) Answers() ([]Record, error) {
	recs, err := j.records()
	return slices.DeleteFunc(recs, func(r Record) bool { return r.Answer == nil }), err
}

// records returns every line that is a whole record, oldest first.
func (j *Journal) records() ([]Record, error) {
	f, err := os.Open(j.path)
	if errors.Is(err, os.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("submit: journal: %w", err)
	}
	defer f.Close()
	recs, _, err := ReadJournal(f)
	if err != nil {
		return nil, fmt.Errorf("submit: journal: %w", err)
	}
	return recs, nil
}

// ReadJournal reads journal lines from r: every line that is a whole
// record, in order. Lines that are not (a torn last line, corruption, a
// line over 64 KiB) are skipped and counted; err is only a read error.
func ReadJournal(r io.Reader) (recs []Record, skipped int, err error) {
	br := bufio.NewReaderSize(r, 4096)
	var line []byte
	tooLong := false
	for {
		chunk, err := br.ReadSlice('\n')
		if len(line)+len(chunk) > maxJournalLine+1 {
			tooLong = true
		} else if !tooLong {
			line = append(line, chunk...)
		}
		switch {
		case errors.Is(err, bufio.ErrBufferFull):
			continue
		case err != nil && !errors.Is(err, io.EOF):
			return recs, skipped, err
		}
		complete := len(chunk) > 0 && chunk[len(chunk)-1] == '\n'
		if complete || len(line) > 0 || tooLong {
			var rec Record
			if !tooLong && complete && json.Unmarshal(line, &rec) == nil && rec.valid() {
				recs = append(recs, rec)
			} else if !complete && !tooLong && json.Unmarshal(line, &rec) == nil && rec.valid() {
				recs = append(recs, rec) // a whole record that only lacks its newline
			} else if len(bytes.TrimSpace(line)) > 0 || tooLong {
				skipped++
			}
		}
		line, tooLong = line[:0], false
		if err != nil {
			return recs, skipped, nil
		}
	}
}
