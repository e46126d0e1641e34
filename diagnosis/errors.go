package diagnosis

import (
	"context"
	"crypto/x509"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"github.com/shinsei-app/shinsei/i18n"

	"github.com/shinsei-app/shinsei/identity"
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
func (l *ErrorLog) Record(command string, err error) error {
	if err == nil {
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
		e.set(StatusOK, msgf("過去のエラーが %d 件あります（24時間以内のものはありません）。", "%d earlier error(s), none in the last 24 hours.", len(e.Entries)), i18n.Text{})
	default:
		e.set(StatusWarn, msgf("24時間以内にエラーが %[1]d 件ありました（記録は全部で %[2]d 件）。", "%[1]d error(s) in the last 24 hours (%[2]d recorded).", recent, len(e.Entries)),
			msg("お問い合わせの際は、このエラーの内容もお知らせください。", "Please mention these errors when you contact the help desk."))
	}
}

// redactor removes personal data from free text (error messages, paths):
// values known to be personal (read from the holder's certificates), the
// home directory, Japanese text (names and addresses), e-mail addresses,
// dates without a time (birth dates), long numbers and long hex strings
// (serial numbers, My Numbers), and the values of personal X.500
// attributes (CN=, SERIALNUMBER=, ...).
type redactor struct {
	home  string
	known []string // longest first
}

func newRedactor() *redactor {
	r := &redactor{}
	if home, err := os.UserHomeDir(); err == nil && len(home) > 1 && home != string(filepath.Separator) {
		r.home = filepath.Clean(home)
	}
	return r
}

// addCertificate learns the personal values of a holder's certificate:
// its subject and subject attributes, serial number, e-mail addresses, and
// the JPKI or commercial-registry attributes.
func (r *redactor) addCertificate(c *x509.Certificate) {
	r.add(c.Subject.String())
	for _, atv := range c.Subject.Names {
		if s, ok := atv.Value.(string); ok && !slices.Equal(atv.Type, []int{2, 5, 4, 6}) { // not the country
			r.add(s)
		}
	}
	if c.SerialNumber != nil {
		r.add(c.SerialNumber.String())
		h := c.SerialNumber.Text(16)
		r.add(h)
		r.add(strings.ToUpper(h))
	}
	for _, e := range c.EmailAddresses {
		r.add(e)
	}
	h, _ := identity.HolderOf(c)
	if p := h.Person; p != nil {
		r.add(p.Name)
		for _, part := range strings.FieldsFunc(p.Name, func(r rune) bool { return r == '\u3000' || r == ' ' }) {
			r.add(part)
		}
		r.add(p.Address)
		r.add(p.Raw.BirthDate)
		if len(p.Raw.BirthDate) == 9 {
			d := p.Raw.BirthDate[1:]
			r.add(d)
			r.add(d[:4] + "-" + d[4:6] + "-" + d[6:])
			r.add(d[:4] + "/" + d[4:6] + "/" + d[6:])
		}
	}
	if corp := h.Corporation; corp != nil {
		r.add(corp.Name)
		r.add(corp.Address)
		r.add(corp.RepresentativeName)
	}
}

func (r *redactor) add(s string) {
	s = strings.TrimSpace(s)
	if utf8.RuneCountInString(s) < 2 || len(s) < 4 || slices.Contains(r.known, s) {
		return
	}
	r.known = append(r.known, s)
	slices.SortFunc(r.known, func(a, b string) int { return len(b) - len(a) })
}

var (
	reJapanese = regexp.MustCompile(`[\p{Han}\p{Hiragana}\p{Katakana}\x{3000}-\x{303F}\x{30FC}\x{FF01}-\x{FFEF}]+`)
	reEmail    = regexp.MustCompile(`[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}`)
	reX500     = regexp.MustCompile(`\b(CN|SERIALNUMBER|STREET|POSTALCODE|UID|EMAILADDRESS|GN|SN|2\.5\.4\.\d+)=("(?:[^"\\]|\\.)*"|(?:[^,+\\]|\\.)*)`)
	reDate     = regexp.MustCompile(`\b\d{4}[-/.]\d{1,2}[-/.]\d{1,2}(T\d)?`)
	reNumber   = regexp.MustCompile(`\b\d{6,}\b`)
	reHex      = regexp.MustCompile(`\b(?:[0-9A-Fa-f]{2}:){7,}[0-9A-Fa-f]{2}\b|\b[0-9A-Fa-f]{16,}\b`)
)

// text returns s redacted.
func (r *redactor) text(s string) string {
	for _, k := range r.known {
		s = strings.ReplaceAll(s, k, "[redacted]")
	}
	if r.home != "" {
		s = replacePath(s, r.home, "~")
	}
	s = reJapanese.ReplaceAllString(s, "[redacted]")
	s = reEmail.ReplaceAllString(s, "[email]")
	s = reX500.ReplaceAllString(s, "$1=[redacted]")
	s = reDate.ReplaceAllStringFunc(s, func(m string) string {
		if strings.Contains(m, "T") {
			return m // a timestamp, not a birth date
		}
		return "[date]"
	})
	s = reHex.ReplaceAllString(s, "[hex]")
	s = reNumber.ReplaceAllString(s, "[number]")
	return s
}

// replacePath replaces dir (and what follows only when it is a path
// separator or the end) by repl.
func replacePath(s, dir, repl string) string {
	var b strings.Builder
	for {
		i := strings.Index(s, dir)
		if i < 0 {
			b.WriteString(s)
			return b.String()
		}
		end := i + len(dir)
		if end == len(s) || s[end] == '/' || s[end] == '\\' || s[end] == '"' || s[end] == ' ' || s[end] == ':' {
			b.WriteString(s[:i])
			b.WriteString(repl)
		} else {
			b.WriteString(s[:end])
		}
		s = s[end:]
	}
}
