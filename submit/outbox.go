package submit

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"runtime"
	"sort"
	"strings"
	"time"

	"github.com/shinsei-app/shinsei/internal/fsx"
	"github.com/shinsei-app/shinsei/internal/iox"
)

// Errors of the outbox besides *SendError.
var (
	// ErrBusy means another process is sending the item right now.
	ErrBusy = errors.New("submit: the item is being sent by another process")
	// ErrNoItem means there is no such item in the outbox (any more).
	ErrNoItem = errors.New("submit: no such item in the outbox")
)

// Names inside the outbox and refused directories.
const (
	outboxDirName  = "outbox"
	refusedDirName = "refused"
	metaName       = "meta.json"
	bodyName       = "body"
	lockName       = "lock"
	newPrefix      = ".new-"
	donePrefix     = ".done-"
	// unlockedGrace is how long a copy being added may be without its
	// lock file: the moment between its directory and its lock file.
	unlockedGrace = time.Minute
)

var itemIDRE = regexp.MustCompile(`^[0-9]{8}T[0-9]{6}Z-[0-9a-f]{12}$`)

// Outbox keeps applications durably until the service has given a receipt
// for them. Layout under the data directory:
//
//	outbox/<id>/meta.json   the Item (procedure, idempotency key, service, …)
//	outbox/<id>/body        the package or form exactly as it is sent
//	outbox/<id>/lock        flock'ed by the process that sends the item
//	refused/<id>/...        items the service definitely refused, with the Problem
//
// An item appears in outbox/ complete or not at all: it is assembled in a
// hidden directory, every file synced, then renamed into place and the
// directory synced. It leaves outbox/ only after its receipt is synced to
// the journal, or when the service refuses it for good, by moving it to
// refused/, or when the user withdraws it before it went out in full
// (Withdraw). Nothing is deleted otherwise.
type Outbox struct {
	dir, refused string
	now          func() time.Time
	// partial counts the partial copies OpenOutbox removed.
	partial int
}

// Item is an application in the outbox (or in the refused area).
type Item struct {
	ID        string    `json:"id"`
	Service   string    `json:"service"`
	Account   string    `json:"account,omitempty"`
	Procedure string    `json:"procedure"`
	Level     AuthLevel `json:"auth_level"`
	MediaType string    `json:"media_type"`
	// WithSession sends the item in Account's session although its level
	// needs no login: a proxy named by account files from that account.
	WithSession bool `json:"with_session,omitempty"`
	// IdempotencyKey is generated once, when the item is added, and sent
	// with every attempt.
	IdempotencyKey string    `json:"idempotency_key"`
	File           string    `json:"file"` // the base name of the file submitted
	Size           int64     `json:"size"`
	SHA256         string    `json:"sha256"`
	CreatedAt      time.Time `json:"created_at"`
	Attempts       int       `json:"attempts"`
	LastAttemptAt  time.Time `json:"last_attempt_at,omitzero"`
	// LastError is the last attempt's error (never a secret).
	LastError string `json:"last_error,omitempty"`
	// Problem, HTTPStatus and RefusedAt are set on refused items.
	Problem    *Problem  `json:"problem,omitempty"`
	HTTPStatus int       `json:"http_status,omitempty"`
	RefusedAt  time.Time `json:"refused_at,omitzero"`
}

// Draft is what Add needs to queue an application.
type Draft struct {
	// Service is the service's URL (Client.BaseURL).
	Service string
	// Account is the account to log in with, for levels that need it.
	Account   string
	Procedure string
	Level     AuthLevel
	// MediaType is MediaASiCE or MediaJSON.
	MediaType string
	// Path is the file to submit; it is copied into the outbox.
	Path string
	// WithSession sends it in Account's session whatever the level (a
	// proxy named by account in the power of attorney).
	WithSession bool
}

// OpenOutbox opens (creating) the outbox under dataDir. It removes
// leftovers of interrupted work: items whose receipt was recorded but
// whose removal did not finish, and partial copies of additions whose
// process is gone (killed or crashed while copying: no process holds
// their lock any more); PartialRemoved counts the latter. A copy that
// another process is still making is left alone.
func OpenOutbox(dataDir string) (*Outbox, error) {
	o := &Outbox{dir: filepath.Join(dataDir, outboxDirName), refused: filepath.Join(dataDir, refusedDirName), now: time.Now}
	for _, d := range []string{o.dir, o.refused} {
		if err := mkdirPrivate(d); err != nil {
			return nil, err
		}
	}
	entries, err := os.ReadDir(o.dir)
	if err != nil {
		return nil, fmt.Errorf("submit: outbox: %w", err)
	}
	for _, e := range entries {
		name := e.Name()
		switch {
		case strings.HasPrefix(name, donePrefix):
			fsx.RemoveAll(filepath.Join(o.dir, name))
		case strings.HasPrefix(name, newPrefix):
			if o.removePartial(filepath.Join(o.dir, name)) {
				o.partial++
			}
		}
	}
	return o, nil
}

// PartialRemoved is the number of partial copies, left by an addition
// that was interrupted, that OpenOutbox removed.
func (o *Outbox) PartialRemoved() int { return o.partial }

// removePartial removes the partial copy dir unless the process making it
// is still at work: Add holds the copy's lock from just after making the
// directory until it is renamed into place. Without a lock file, a copy
// is removed once older than unlockedGrace.
func (o *Outbox) removePartial(dir string) bool {
	lf, err := os.OpenFile(filepath.Join(dir, lockName), os.O_RDWR, 0)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		fi, err := os.Stat(dir)
		if err != nil || o.now().Sub(fi.ModTime()) <= unlockedGrace {
			return false
		}
	case err != nil:
		return false
	default:
		defer lf.Close()
		if ok, err := tryLock(lf); err != nil || !ok {
			return false // being made by a live process
		}
		if runtime.GOOS == "windows" {
			unlock(lf)
			lf.Close() // Windows cannot remove a directory with an open file inside
		}
	}
	return fsx.RemoveAll(dir) == nil
}

// Dir returns the outbox directory.
func (o *Outbox) Dir() string { return o.dir }

// RefusedDir returns the directory of refused items.
func (o *Outbox) RefusedDir() string { return o.refused }

// NewIdempotencyKey returns a fresh random key (32 characters of the
// URL-safe base64 alphabet).
func NewIdempotencyKey() string {
	b := make([]byte, 24)
	if _, err := rand.Read(b); err != nil {
		panic("submit: crypto/rand failed: " + err.Error())
	}
	return base64.RawURLEncoding.EncodeToString(b)
}

func newItemID(now time.Time) string {
	b := make([]byte, 6)
	if _, err := rand.Read(b); err != nil {
		panic("submit: crypto/rand failed: " + err.Error())
	}
	return now.UTC().Format("20060102T150405Z") + "-" + hex.EncodeToString(b)
}

// Add copies the application into the outbox durably, with a new
// idempotency key, and returns its Item. When Add returns nil, the
// application survives a crash or a power cut; when it returns an error,
// nothing was queued.
func (o *Outbox) Add(ctx context.Context, d Draft) (_ *Item, err error) {
	if _, err := parseBaseURL(d.Service); err != nil {
		return nil, err
	}
	switch {
	case d.Procedure == "":
		return nil, errors.New("submit: outbox: no procedure")
	case !validLevel(d.Level) && d.Level != LevelUnresolved:
		return nil, fmt.Errorf("submit: outbox: unknown authentication level %q", d.Level)
	case d.MediaType != MediaASiCE && d.MediaType != MediaJSON:
		return nil, fmt.Errorf("submit: outbox: media type %q", d.MediaType)
	case (d.Level.NeedsLogin() || d.WithSession) && d.Account == "":
		return nil, errors.New("submit: outbox: the procedure needs login but no account is given")
	}
	now := o.now()
	it := &Item{ID: newItemID(now), Service: strings.TrimSuffix(d.Service, "/"), Account: d.Account, Procedure: d.Procedure,
		Level: d.Level, MediaType: d.MediaType, WithSession: d.WithSession, IdempotencyKey: NewIdempotencyKey(), File: filepath.Base(d.Path), CreatedAt: now.UTC()}
	tmp := filepath.Join(o.dir, newPrefix+it.ID)
	if err := os.Mkdir(tmp, 0o700); err != nil {
		return nil, fmt.Errorf("submit: outbox: %w", err)
	}
	// The copy's lock tells OpenOutbox in another process that it is being
	// made; once this process is gone (killed mid-copy), the next
	// OpenOutbox removes it.
	lf, err := os.OpenFile(filepath.Join(tmp, lockName), os.O_RDWR|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		fsx.RemoveAll(tmp)
		return nil, fmt.Errorf("submit: outbox: %w", err)
	}
	release := func() {
		if lf != nil {
			unlock(lf)
			lf.Close()
			lf = nil
		}
	}
	defer release()
	if err := lock(lf); err != nil {
		release()
		fsx.RemoveAll(tmp)
		return nil, fmt.Errorf("submit: outbox: lock: %w", err)
	}
	defer func() {
		if err != nil {
			release()
			fsx.RemoveAll(tmp)
		}
	}()
	if it.Size, it.SHA256, err = copySynced(ctx, d.Path, filepath.Join(tmp, bodyName)); err != nil {
		return nil, err
	}
	if err := writeItem(tmp, it); err != nil {
		return nil, err
	}
	if runtime.GOOS == "windows" {
		release() // Windows cannot rename a directory with an open file inside
	}
	if err := os.Rename(tmp, filepath.Join(o.dir, it.ID)); err != nil {
		return nil, fmt.Errorf("submit: outbox: %w", err)
	}
	if err := fsx.SyncDir(o.dir); err != nil {
		return nil, fmt.Errorf("submit: outbox: %w", err)
	}
	return it, nil
}

// copySynced copies src to a new file dst, syncs it and returns its size
// and hex SHA-256.
func copySynced(ctx context.Context, src, dst string) (int64, string, error) {
	in, err := os.Open(src)
	if err != nil {
		return 0, "", fmt.Errorf("submit: %w", err)
	}
	defer in.Close()
	out, err := os.OpenFile(dst, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return 0, "", fmt.Errorf("submit: outbox: %w", err)
	}
	defer out.Close()
	h := sha256.New()
	n, err := io.Copy(io.MultiWriter(out, h), iox.WithContext(ctx, in))
	if err != nil {
		return 0, "", fmt.Errorf("submit: outbox: copy %s: %w", filepath.Base(src), err)
	}
	if err := out.Sync(); err != nil {
		return 0, "", fmt.Errorf("submit: outbox: %w", err)
	}
	if err := out.Close(); err != nil {
		return 0, "", fmt.Errorf("submit: outbox: %w", err)
	}
	return n, hex.EncodeToString(h.Sum(nil)), nil
}

func writeItem(dir string, it *Item) error {
	data, err := json.MarshalIndent(it, "", "  ")
	if err != nil {
		return fmt.Errorf("submit: outbox: %w", err)
	}
	if err := fsx.WriteFile(filepath.Join(dir, metaName), data, 0); err != nil {
		return fmt.Errorf("submit: outbox: %w", err)
	}
	return nil
}

func readItem(dir string) (*Item, error) {
	data, err := os.ReadFile(filepath.Join(dir, metaName))
	if err != nil {
		return nil, err
	}
	var it Item
	if err := json.Unmarshal(data, &it); err != nil {
		return nil, fmt.Errorf("submit: outbox: %s: %w", filepath.Base(dir), err)
	}
	return &it, nil
}

// Pending lists the items waiting in the outbox, oldest first.
func (o *Outbox) Pending() ([]Item, error) { return listItems(o.dir) }

// Refused lists the items the service refused, oldest first, each with
// the service's Problem.
func (o *Outbox) Refused() ([]Item, error) { return listItems(o.refused) }

func listItems(dir string) ([]Item, error) {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return nil, fmt.Errorf("submit: outbox: %w", err)
	}
	var items []Item
	for _, e := range entries {
		if !e.IsDir() || !itemIDRE.MatchString(e.Name()) {
			continue
		}
		it, err := readItem(filepath.Join(dir, e.Name()))
		if errors.Is(err, fs.ErrNotExist) {
			continue // removed or moved meanwhile
		}
		if err != nil {
			return nil, err
		}
		items = append(items, *it)
	}
	sort.Slice(items, func(i, j int) bool { return items[i].ID < items[j].ID })
	return items, nil
}

// Sender is what Send and Flush send with.
type Sender struct {
	// Client is the service's client; only items for its BaseURL are sent.
	Client *Client
	// Journal receives the receipts; required.
	Journal *Journal
	// Session returns a session token for account, for procedures whose
	// level needs login. renew is true when the service refused the token
	// it returned before (expired): log in again. Nil means no login can
	// be done, and such items stay in the outbox.
	Session func(ctx context.Context, account string, renew bool) (string, error)
	// Retry bounds the attempts of this run; zero means DefaultRetry.
	Retry RetryPolicy
	// Progress, when set, is told the bytes of the item sent so far in
	// each attempt (Application.Progress).
	Progress func(sent, total int64)
	// Resolve returns a procedure's authentication level, for items
	// queued with LevelUnresolved; nil keeps such items in the outbox.
	Resolve func(ctx context.Context, procedure string) (AuthLevel, error)
}

// SendError is the outcome of a Send that did not end in a receipt. The
// item stays in the outbox (errors.Is(err, ErrKept)), or, when the service
// refused it for good, is in the refused area with its Problem (Refused).
type SendError struct {
	Item    Item
	Refused bool
	Err     error
	// NotSent is set when Err came from a step before the item was sent
	// (the login, the procedure's level, the stored copy): then it cannot
	// have arrived, whatever Err says.
	NotSent bool
}

// Error says where the application is now and why: refused; sent but
// its reply lost, so it may have arrived (MayHaveArrived); or not sent.
func (e *SendError) Error() string {
	switch {
	case e.Refused:
		return fmt.Sprintf("submit: %s was refused; it is kept among the refused items as %s: %v", e.Item.File, e.Item.ID, e.Err)
	case e.MayHaveArrived():
		return fmt.Sprintf("submit: %s may have arrived, but the reply was lost; it is kept in the outbox as %s, and sending it again with the same idempotency key ('submit --pending') finds out without filing it twice: %v",
			e.Item.File, e.Item.ID, e.Err)
	}
	return fmt.Sprintf("submit: %s was not delivered; it is queued, kept in the outbox as %s (%d attempt(s) so far), and 'submit --pending' sends it with the same idempotency key: %v",
		e.Item.File, e.Item.ID, e.Item.Attempts, e.Err)
}

// MayHaveArrived reports whether the last attempt went out in full and
// its reply was lost: the service may hold the application (see
// MayHaveArrived). Never for a refused item.
func (e *SendError) MayHaveArrived() bool { return !e.Refused && !e.NotSent && MayHaveArrived(e.Err) }

// Unwrap gives the cause.
func (e *SendError) Unwrap() error { return e.Err }

// Is matches ErrKept when the item stays in the outbox.
func (e *SendError) Is(target error) bool { return target == ErrKept && !e.Refused }

// Send sends one item, retrying as s.Retry allows with the item's
// idempotency key, and on a receipt appends it to the journal and only
// then removes the item. It returns the journal record, or:
//   - ErrBusy or ErrNoItem when another process has the item or it is gone;
//   - a *SendError, the item kept or refused, for everything else.
//
// If the receipt was received but could not be journaled, Send returns
// both the record and the error; the item stays, and the next run gets the
// same receipt again.
func (o *Outbox) Send(ctx context.Context, id string, s Sender) (*Record, error) {
	if s.Client == nil || s.Journal == nil {
		return nil, errors.New("submit: outbox: Send needs a client and a journal")
	}
	if !itemIDRE.MatchString(id) {
		return nil, fmt.Errorf("%w: %q", ErrNoItem, id)
	}
	dir := filepath.Join(o.dir, id)
	lf, err := os.OpenFile(filepath.Join(dir, lockName), os.O_RDWR|os.O_CREATE, 0o600)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, fmt.Errorf("%w: %s", ErrNoItem, id)
	}
	if err != nil {
		return nil, fmt.Errorf("submit: outbox: %w", err)
	}
	locked := true
	release := func() {
		if locked {
			unlock(lf)
			lf.Close()
			locked = false
		}
	}
	defer release()
	ok, err := tryLock(lf)
	if err != nil {
		return nil, fmt.Errorf("submit: outbox: lock: %w", err)
	}
	if !ok {
		locked = false
		lf.Close()
		return nil, fmt.Errorf("%w: %s", ErrBusy, id)
	}
	// The item may have been delivered or refused between our open and
	// our lock: it is ours only if it is still in place.
	it, err := readItem(dir)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, fmt.Errorf("%w: %s", ErrNoItem, id)
	}
	if err != nil {
		return nil, err
	}
	if it.Service != s.Client.BaseURL() {
		return nil, fmt.Errorf("submit: outbox: item %s is for %s, not %s", id, it.Service, s.Client.BaseURL())
	}
	return o.send(ctx, dir, it, s, release)
}

func (o *Outbox) send(ctx context.Context, dir string, it *Item, s Sender, release func()) (*Record, error) {
	body, err := os.Open(filepath.Join(dir, bodyName))
	if err != nil {
		return nil, o.keep(dir, it, fmt.Errorf("submit: outbox: %w", err), false)
	}
	defer body.Close()
	if err := checkBody(body, it); err != nil {
		return nil, o.keep(dir, it, err, false)
	}
	if it.Level == LevelUnresolved {
		if err := o.resolve(ctx, dir, it, s); err != nil {
			return nil, o.keep(dir, it, err, false)
		}
	}
	policy := s.Retry.normalized()
	renewed, renew := false, false // one new login per run, when the service refuses the token
	for attempt := 1; ; attempt++ {
		app := Application{Procedure: it.Procedure, IdempotencyKey: it.IdempotencyKey, MediaType: it.MediaType, Body: body, Size: it.Size, Progress: s.Progress}
		if it.Level.NeedsLogin() || it.WithSession {
			if s.Session == nil {
				return nil, o.keep(dir, it, fmt.Errorf("%w: procedure %s needs a login and none can be made here", ErrNotStored, it.Procedure), false)
			}
			app.Token, err = s.Session(ctx, it.Account, renew)
			renew = false
			if err != nil {
				return nil, o.keep(dir, it, err, false)
			}
		}
		rc, _, err := s.Client.Submit(ctx, app)
		if err == nil {
			return o.deliver(dir, it, rc, s.Journal, release)
		}
		var pe *ProblemError
		isProblem := errors.As(err, &pe)
		if isProblem && pe.Status == http.StatusUnauthorized && (it.Level.NeedsLogin() || it.WithSession) && !renewed && ctx.Err() == nil {
			renewed, renew = true, true // the stored session expired: log in again, once
			attempt--
			continue
		}
		if isProblem && pe.Definite() {
			return nil, o.refuse(dir, it, pe)
		}
		it.Attempts++
		it.LastAttemptAt = o.now().UTC()
		kept := o.keep(dir, it, err, true)
		if ctx.Err() != nil || !Retryable(err) || attempt >= policy.Attempts {
			return nil, kept
		}
		t := time.NewTimer(policy.backoff(attempt, err))
		select {
		case <-ctx.Done():
			t.Stop()
			return nil, kept
		case <-t.C:
		}
	}
}

// resolve asks the level of an item queued with LevelUnresolved and
// records it in the item.
func (o *Outbox) resolve(ctx context.Context, dir string, it *Item, s Sender) error {
	if s.Resolve == nil {
		return fmt.Errorf("submit: outbox: the authentication level of procedure %s is not known yet", it.Procedure)
	}
	level, err := s.Resolve(ctx, it.Procedure)
	if err != nil {
		return err
	}
	if !validLevel(level) {
		return fmt.Errorf("submit: outbox: procedure %s: unknown authentication level %q", it.Procedure, level)
	}
	if level.NeedsSignature() != (it.MediaType == MediaASiCE) {
		return fmt.Errorf("submit: outbox: procedure %s (level %s) does not take a %s", it.Procedure, level, it.MediaType)
	}
	it.Level = level
	return writeItem(dir, it)
}

// checkBody makes sure the body on disk is what was queued.
func checkBody(body *os.File, it *Item) error {
	h := sha256.New()
	n, err := io.Copy(h, body)
	if err != nil {
		return fmt.Errorf("submit: outbox: read %s: %w", it.ID, err)
	}
	if n != it.Size || hex.EncodeToString(h.Sum(nil)) != it.SHA256 {
		return fmt.Errorf("submit: outbox: the stored copy of %s changed on disk (size or SHA-256 differ); it is not sent", it.ID)
	}
	return nil
}

// keep records the attempt's error in the item and returns the SendError.
func (o *Outbox) keep(dir string, it *Item, cause error, attempted bool) error {
	it.LastError = cause.Error()
	if !attempted {
		it.LastAttemptAt = o.now().UTC()
	}
	if werr := writeItem(dir, it); werr != nil {
		cause = errors.Join(cause, werr)
	}
	return &SendError{Item: *it, Err: cause, NotSent: !attempted}
}

// refuse moves the item to the refused area with the service's Problem.
func (o *Outbox) refuse(dir string, it *Item, pe *ProblemError) error {
	p := pe.Problem
	it.Problem, it.HTTPStatus, it.RefusedAt = &p, pe.Status, o.now().UTC()
	it.Attempts++
	it.LastAttemptAt, it.LastError = it.RefusedAt, pe.Error()
	if err := writeItem(dir, it); err != nil {
		return &SendError{Item: *it, Err: errors.Join(pe, err)}
	}
	if err := os.Rename(dir, filepath.Join(o.refused, it.ID)); err != nil {
		return &SendError{Item: *it, Err: errors.Join(pe, fmt.Errorf("submit: outbox: move to refused: %w", err))}
	}
	fsx.SyncDir(o.dir)
	fsx.SyncDir(o.refused)
	return &SendError{Item: *it, Refused: true, Err: pe}
}

// deliver journals the receipt, then removes the item.
func (o *Outbox) deliver(dir string, it *Item, rc *Receipt, j *Journal, release func()) (*Record, error) {
	if rc.PackageSHA256 != "" && !strings.EqualFold(rc.PackageSHA256, it.SHA256) {
		err := badReply("the receipt %s names another package (SHA-256 %s, sent %s)", rc.ArrivalNumber, rc.PackageSHA256, it.SHA256)
		return nil, o.keep(dir, it, err, true)
	}
	rec := &Record{Service: it.Service, Account: it.Account, Procedure: it.Procedure, ArrivalNumber: rc.ArrivalNumber,
		InquiryNumber: rc.InquiryNumber, ReceivedAt: rc.ReceivedAt, RecordedAt: o.now().UTC(), PackageSHA256: it.SHA256,
		ArchivedSHA256: rc.ArchivedSHA256, IdempotencyKey: it.IdempotencyKey, File: it.File, OutboxID: it.ID}
	if err := j.Append(*rec); err != nil {
		return rec, o.keep(dir, it, fmt.Errorf("submit: the receipt %s arrived but could not be recorded: %w", rc.ArrivalNumber, err), true)
	}
	done := filepath.Join(o.dir, donePrefix+it.ID)
	if runtime.GOOS == "windows" {
		release() // Windows cannot rename a directory with an open file inside
	}
	if err := os.Rename(dir, done); err != nil {
		// The receipt is safe in the journal; a later run gets it again
		// (the same key) and removes the item then.
		return rec, nil
	}
	fsx.SyncDir(o.dir)
	fsx.RemoveAll(done)
	return rec, nil
}

// Outcome is what Flush did with one item.
type Outcome struct {
	Item   Item
	Record *Record // the receipt, when delivered
	Err    error   // nil, ErrBusy, ErrNoItem or a *SendError
}

// Flush sends every pending item for s.Client's service, oldest first, and
// reports each outcome. Items another process is sending are skipped
// (ErrBusy). It stops early only when ctx ends.
func (o *Outbox) Flush(ctx context.Context, s Sender) ([]Outcome, error) {
	items, err := o.Pending()
	if err != nil {
		return nil, err
	}
	var out []Outcome
	for _, it := range items {
		if it.Service != s.Client.BaseURL() {
			continue
		}
		if err := ctx.Err(); err != nil {
			return out, err
		}
		rec, err := o.Send(ctx, it.ID, s)
		out = append(out, Outcome{Item: it, Record: rec, Err: err})
	}
	return out, nil
}
