package diagnosis

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"sync"
	"time"
	"unicode/utf8"

	"github.com/shinsei-app/shinsei/i18n"

	"github.com/shinsei-app/shinsei/internal/fsx"
	"github.com/shinsei-app/shinsei/internal/iox"
)

// ErrorEntry is one error an ErrorLog keeps, already redacted.
type ErrorEntry struct {
	Time time.Time `json:"time"`
	// Command is what was being done, e.g. "sign" or "submit".
	Command string `json:"command,omitempty"`
	Message string `json:"message"`
}

// ErrorsReport lists the last errors recorded.
type ErrorsReport struct {
	Check
	Entries []ErrorEntry `json:"entries"`
}

// DiagCommand is the command name of the diagnosis itself: ErrorLog keeps
// no error under it.
const DiagCommand = "diag"

// DefaultErrorLogSize is how many errors an ErrorLog keeps by default.
const DefaultErrorLogSize = 20

// Limits of an ErrorLog.
const (
	maxErrorMessage = 500       // bytes of one message
	maxErrorLogFile = 256 << 10 // bytes of the file read
)

// ErrorLogEnv names the environment variable that sets the error log's
// file (DefaultErrorLogPath); "off" turns the file off.
const ErrorLogEnv = "SHINSEI_ERROR_LOG"

// ErrorLog keeps the last errors the app and the command line met, for
// Diagnose: a small ring in memory, optionally kept in a file that several
// processes share (each Record reads the file again and replaces it
// atomically; when two processes record at once, one entry may be lost).
// Messages are redacted before they are kept (see Diagnose's rules), so the
// file never holds names, addresses, birth dates, long numbers or the
// user's home directory. An ErrorLog is safe for concurrent use.
type ErrorLog struct {
	mu      sync.Mutex
	path    string
	size    int
	entries []ErrorEntry
	now     func() time.Time
}

// OpenErrorLog returns the log kept in the file at path ("" keeps it in
// memory only) holding the last size errors (DefaultErrorLogSize when
// size <= 0). A missing file is an empty log; an unreadable or damaged
// one is reported, and the log starts empty and replaces it at the next
// Record.
func OpenErrorLog(path string, size int) (*ErrorLog, error) {
	if size <= 0 {
		size = DefaultErrorLogSize
	}
	l := &ErrorLog{path: path, size: size, now: time.Now}
	if path == "" {
		return l, nil
	}
	entries, err := readErrorLog(path)
	l.entries = lastN(entries, size)
	return l, err
}

// DefaultErrorLogPath is where Shinsei keeps its last errors: the file
// named by $SHINSEI_ERROR_LOG, or last-errors.json in Shinsei's directory
// of the user's cache (on Linux ~/.cache/shinsei). It returns "" when the
// variable is "off", and an error when the user has no home directory
// (the log is then kept in memory only: nothing creates a home directory).
func DefaultErrorLogPath() (string, error) {
	switch v := os.Getenv(ErrorLogEnv); v {
	case "off":
		return "", nil
	case "":
	default:
		return v, nil
	}
	base, err := os.UserCacheDir()
	if err != nil {
		return "", fmt.Errorf("flow: error log: %w", err)
	}
	if _, err := os.Stat(filepath.Dir(base)); err != nil {
		return "", fmt.Errorf("flow: error log: no home directory: %w", err)
	}
	return filepath.Join(base, "shinsei", "last-errors.json"), nil
}

// Record keeps err, redacted, as the newest entry, and writes the file
// when the log has one. command says what was being done. A nil err is
// not recorded. The error returned is the file's; the entry is kept in
// memory anyway.
//
// The diagnosis' own verdict (command DiagCommand) is never kept: it
// reports on the computer and is not an error met while using it, so a
// diagnosis never sees its previous run among the last errors.
func (l *ErrorLog) Record(command string, err error) error {
	if err == nil || command == DiagCommand {
		return nil
	}
	red := newRedactor()
	e := ErrorEntry{Time: l.now().UTC().Truncate(time.Second), Command: red.text(command), Message: truncate(red.text(err.Error()), maxErrorMessage)}
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.path == "" {
		l.entries = lastN(append(l.entries, e), l.size)
		return nil
	}
	entries, rerr := readErrorLog(l.path)
	if rerr != nil {
		entries = l.entries // the file is damaged: replace it
	}
	l.entries = lastN(append(entries, e), l.size)
	return writeErrorLog(l.path, l.entries)
}

// Entries returns the errors kept, oldest first.
func (l *ErrorLog) Entries() []ErrorEntry {
	l.mu.Lock()
	defer l.mu.Unlock()
	return slices.Clone(l.entries)
}

func lastN(e []ErrorEntry, n int) []ErrorEntry {
	if len(e) > n {
		e = e[len(e)-n:]
	}
	return slices.Clone(e)
}

func readErrorLog(path string) ([]ErrorEntry, error) {
	f, err := os.Open(path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("flow: error log: %w", err)
	}
	defer f.Close()
	data, err := iox.ReadAll(f, maxErrorLogFile)
	if errors.Is(err, iox.ErrTooLarge) {
		return nil, fmt.Errorf("flow: error log %s is larger than %d bytes", path, maxErrorLogFile)
	}
	if err != nil {
		return nil, fmt.Errorf("flow: error log: %w", err)
	}
	var entries []ErrorEntry
	if err := json.Unmarshal(data, &entries); err != nil {
		return nil, fmt.Errorf("flow: error log %s is damaged: %w", path, err)
	}
	return entries, nil
}

// writeErrorLog replaces the file atomically (a new file renamed over it),
// readable by the user only.
func writeErrorLog(path string, entries []ErrorEntry) error {
	data, err := json.MarshalIndent(entries, "", "  ")
	if err != nil {
		return fmt.Errorf("flow: error log: %w", err)
	}
	if err := writeFileAtomic(path, data); err != nil {
		return fmt.Errorf("flow: error log: %w", err)
	}
	return nil
}

// writeFileAtomic writes data to a new file next to path, syncs it and
// renames it over path, so readers see the old or the new content, never
// a part. The directory is made (0700) when missing; the file is 0600.
func writeFileAtomic(path string, data []byte) error {
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return err
	}
	return fsx.WriteFile(path, data, 0o600)
}

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	cut := n
	for cut > 0 && !utf8.RuneStart(s[cut]) {
		cut--
	}
	return s[:cut] + "…"
}

func (d *diagnosis) lastErrors(context.Context) {
	e := &d.r.LastErrors
	e.Entries = []ErrorEntry{}
	if d.opts.Errors != nil {
		for _, entry := range d.opts.Errors.Entries() {
			if entry.Command == DiagCommand {
				continue // a verdict an older version kept: not an error met
			}
			entry.Command, entry.Message = d.red.text(entry.Command), d.red.text(entry.Message)
			e.Entries = append(e.Entries, entry)
		}
	}
	recent := 0
	for _, entry := range e.Entries {
		if d.now.Sub(entry.Time) < 24*time.Hour {
			recent++
		}
	}
	switch {
	case len(e.Entries) == 0:
		e.set(StatusOK, msg("記録されたエラーはありません。", "No error recorded."), i18n.Text{})
	case recent == 0:
		e.set(StatusOK, msgf("過去のエラーが%d件あります（24時間以内のものはありません）。", "%d earlier error(s), none in the last 24 hours.", len(e.Entries)), i18n.Text{})
	default:
		e.set(StatusWarn, msgf("24時間以内にエラーが%[1]d件ありました（記録は全部で%[2]d件）。", "%[1]d error(s) in the last 24 hours (%[2]d recorded).", recent, len(e.Entries)),
			msg("お問い合わせの際は、このエラーの内容もお知らせください。", "Please mention these errors when you contact the help desk."))
	}
}
