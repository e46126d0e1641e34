package service

import (
	"context"
	"database/sql"
	"embed"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"time"

	"modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"

	"github.com/shinsei-app/shinsei/internal/fsx"
	"github.com/shinsei-app/shinsei/submit"
)

// migrationFS are the versioned schema changes, applied in the order of
// the number their file name starts with, each once, each in its own
// transaction.
//
//go:embed migrations/*.sql
var migrationFS embed.FS

// sqlStore is the service's storage: SQLite for records, and a directory
// of package files named by their SHA-256. A package file is written,
// synced and renamed into place before the transaction that refers to it
// commits, so a committed row never refers to a missing file; a crash in
// between leaves at most an unreferenced file.
type sqlStore struct {
	db       *sql.DB
	packages string  // <packages>/<sha256[:2]>/<sha256>
	incoming string  // request bodies being received and checked
	archive  string  // <archive>/<arrival>.asice, the archived packages (archive.go)
	keys     *atRest // the keys of the sealed columns and digests
}

// errNoRow is what lookups return for a missing row.
var errNoRow = errors.New("service: no such row")

// openStore opens (creating if needed) the database at dbPath and
// migrates it. Package files go to dbPath+"-packages".
func openStore(ctx context.Context, dbPath string) (*sqlStore, error) {
	if err := os.MkdirAll(filepath.Dir(dbPath), 0o700); err != nil {
		return nil, fmt.Errorf("service: service database: %w", err)
	}
	s := &sqlStore{packages: dbPath + "-packages", incoming: filepath.Join(dbPath+"-packages", "incoming"), archive: ArchiveDir(dbPath)}
	if err := os.MkdirAll(s.incoming, 0o700); err != nil {
		return nil, fmt.Errorf("service: service packages: %w", err)
	}
	// Bodies that were being received when the service stopped are of no use.
	if old, err := os.ReadDir(s.incoming); err == nil {
		for _, e := range old {
			_ = os.Remove(filepath.Join(s.incoming, e.Name()))
		}
	}
	// The database is the service's user's only; SQLite gives its -wal
	// and -shm files the database file's mode.
	f, err := os.OpenFile(dbPath, os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		return nil, fmt.Errorf("service: service database: %w", err)
	}
	f.Close()
	if err := restrictFiles(dbPath); err != nil {
		return nil, err
	}
	// Writers start IMMEDIATE transactions, so that two writers queue on
	// the busy timeout instead of failing on a lock upgrade.
	dsn := dbPath + "?_pragma=journal_mode(WAL)&_pragma=synchronous(FULL)&_pragma=busy_timeout(20000)" +
		"&_pragma=foreign_keys(1)&_txlock=immediate"
	db, err := sql.Open("sqlite", dsn)
	if err != nil {
		return nil, fmt.Errorf("service: service database: %w", err)
	}
	db.SetMaxOpenConns(4)
	s.db = db
	if err := s.migrate(ctx); err != nil {
		db.Close()
		return nil, err
	}
	if err := s.secureStore(ctx, dbPath); err != nil {
		db.Close()
		return nil, err
	}
	return s, nil
}

// Close closes the database.
func (s *sqlStore) Close() error { return s.db.Close() }

// migrate applies the migrations the database has not seen.
func (s *sqlStore) migrate(ctx context.Context) error {
	if _, err := s.db.ExecContext(ctx, `CREATE TABLE IF NOT EXISTS schema_migrations (
		version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at INTEGER NOT NULL) STRICT`); err != nil {
		return fmt.Errorf("service: migrate: %w", err)
	}
	files, err := fs.Glob(migrationFS, "migrations/*.sql")
	if err != nil {
		return fmt.Errorf("service: migrate: %w", err)
	}
	type migration struct {
		version int
		name    string
	}
	var ms []migration
	for _, f := range files {
		base := filepath.Base(f)
		num, _, _ := strings.Cut(base, "_")
		v, err := strconv.Atoi(num)
		if err != nil {
			return fmt.Errorf("service: migrate: %s does not start with a version number", base)
		}
		ms = append(ms, migration{v, base})
	}
	sort.Slice(ms, func(i, j int) bool { return ms[i].version < ms[j].version })
	for i, m := range ms {
		if i > 0 && ms[i-1].version == m.version {
			// Two files of one number: the second would never run.
			return fmt.Errorf("service: migrate: %s and %s have the same version number", ms[i-1].name, m.name)
		}
		if err := s.apply(ctx, m.version, m.name); err != nil {
			return err
		}
	}
	return nil
}

func (s *sqlStore) apply(ctx context.Context, version int, name string) error {
	script, err := migrationFS.ReadFile("migrations/" + name)
	if err != nil {
		return fmt.Errorf("service: migrate %s: %w", name, err)
	}
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("service: migrate %s: %w", name, err)
	}
	defer tx.Rollback()
	var n int
	if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM schema_migrations WHERE version = ?`, version).Scan(&n); err != nil {
		return fmt.Errorf("service: migrate %s: %w", name, err)
	}
	if n > 0 {
		return nil
	}
	if _, err := tx.ExecContext(ctx, string(script)); err != nil {
		return fmt.Errorf("service: migrate %s: %w", name, err)
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)`,
		version, name, time.Now().UnixNano()); err != nil {
		return fmt.Errorf("service: migrate %s: %w", name, err)
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("service: migrate %s: %w", name, err)
	}
	return nil
}

// isConstraint reports whether err is an SQLite constraint violation.
func isConstraint(err error) bool {
	var se *sqlite.Error
	return errors.As(err, &se) && se.Code()&0xff == sqlite3.SQLITE_CONSTRAINT
}

// ---- package files ----

// packagePath is where the package with hex SHA-256 sum is kept.
func (s *sqlStore) packagePath(sum string) string {
	return filepath.Join(s.packages, sum[:2], sum)
}

// putPackage makes the received file at tmp the durable copy of the
// package sum: synced, renamed into place and the directory synced. When
// the package is already stored, tmp is only removed.
func (s *sqlStore) putPackage(tmp, sum string) error {
	dest := s.packagePath(sum)
	if _, err := os.Stat(dest); err == nil {
		return os.Remove(tmp)
	}
	if err := os.MkdirAll(filepath.Dir(dest), 0o700); err != nil {
		return fmt.Errorf("service: store package: %w", err)
	}
	if err := fsx.Install(tmp, dest); err != nil && !errors.Is(err, fsx.ErrDirNotSynced) {
		// A parallel request stored the same bytes first: on Windows a
		// rename onto a file being renamed into place is refused. The
		// name is the content's hash, so the copy in place is this one.
		if _, statErr := os.Stat(dest); statErr == nil {
			return os.Remove(tmp)
		}
		return fmt.Errorf("service: store package: %w", err)
	}
	_ = fsx.SyncDir(s.packages)
	return nil
}

// openPackage opens a stored package.
func (s *sqlStore) openPackage(sum string) (*os.File, error) {
	f, err := os.Open(s.packagePath(sum))
	if err != nil {
		return nil, fmt.Errorf("service: open package: %w", err)
	}
	return f, nil
}

// ---- accounts ----

// accountRow is an account as stored. The identity fields are the
// certificate's, personal data: they are compared, never logged.
type accountRow struct {
	ID           string
	UserType     submit.UserType
	IdentityKey  string
	Person       personRecord
	CorpNumber   string
	CorpName     string
	CertSHA256   string
	Email        string
	PasswordHash string
	Failed       int
	FailedSince  time.Time
	LockedUntil  time.Time
}

// personRecord holds a resident's four attributes as the certificate
// encodes them.
type personRecord struct {
	Name, NameFlags, BirthDate, Sex, Address, AddressFlags string
}

// Format keeps accounts out of logs.
func (a accountRow) Format(f fmt.State, _ rune) {
	_, _ = io.WriteString(f, "service.account{redacted}")
}

const accountColumns = `id, user_type, identity_key, coalesce(person_name, ''), coalesce(person_name_flags, ''),
	coalesce(person_birth_date, ''), coalesce(person_sex, ''), coalesce(person_address, ''), coalesce(person_address_flags, ''),
	coalesce(corporate_number, ''), coalesce(corporate_name, ''), certificate_sha256, coalesce(email, ''), password_hash,
	failed_logins, failed_since, locked_until`

func (s *sqlStore) scanAccount(row interface{ Scan(...any) error }) (*accountRow, error) {
	var a accountRow
	var ut string
	var since, locked int64
	err := row.Scan(&a.ID, &ut, &a.IdentityKey, &a.Person.Name, &a.Person.NameFlags, &a.Person.BirthDate, &a.Person.Sex,
		&a.Person.Address, &a.Person.AddressFlags, &a.CorpNumber, &a.CorpName, &a.CertSHA256, &a.Email, &a.PasswordHash,
		&a.Failed, &since, &locked)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, errNoRow
	}
	if err != nil {
		return nil, fmt.Errorf("service: read account: %w", err)
	}
	a.UserType = submit.UserType(ut)
	a.FailedSince, a.LockedUntil = time.Unix(0, since), time.Unix(0, locked)
	if err := s.keys.openPerson(&a); err != nil {
		return nil, err
	}
	return &a, nil
}

// account returns the account id, or errNoRow.
func (s *sqlStore) account(ctx context.Context, id string) (*accountRow, error) {
	return s.scanAccount(s.db.QueryRowContext(ctx, `SELECT `+accountColumns+` FROM accounts WHERE id = ?`, id))
}

// accountsByCorporateNumber returns the company accounts with number.
func (s *sqlStore) accountsByCorporateNumber(ctx context.Context, number string) ([]*accountRow, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT `+accountColumns+` FROM accounts
		WHERE user_type = 'company' AND corporate_number = ? ORDER BY updated_at DESC`, number)
	if err != nil {
		return nil, fmt.Errorf("service: find account: %w", err)
	}
	defer rows.Close()
	var out []*accountRow
	for rows.Next() {
		a, err := s.scanAccount(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, a)
	}
	return out, rows.Err()
}

// errAccountExists is upsertAccount's refusal to reset an account it was
// not asked to reset.
var errAccountExists = errors.New("service: an account exists for this identity")

// upsertAccount stores a registration: a new account with newID, or,
// when an account with the same identity key exists and reset is set,
// that account with the new password and certificate, its failures and
// sessions cleared (the certificate proved who is asking). Without reset
// an existing account is left as it is: errAccountExists, with its ID.
// It returns the account's ID and whether it was created.
func (s *sqlStore) upsertAccount(ctx context.Context, a accountRow, reset bool, newID func() (string, error), now time.Time) (string, bool, error) {
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return "", false, fmt.Errorf("service: register: %w", err)
	}
	defer tx.Rollback()
	a.IdentityKey = s.keys.lookupKey(a.IdentityKey)
	var id string
	err = tx.QueryRowContext(ctx, `SELECT id FROM accounts WHERE identity_key = ?`, a.IdentityKey).Scan(&id)
	switch {
	case err == nil && !reset:
		return id, false, errAccountExists
	case err == nil:
		if _, err := tx.ExecContext(ctx, `UPDATE accounts SET password_hash = ?, certificate_sha256 = ?, email = ?,
			failed_logins = 0, failed_since = 0, locked_until = 0, updated_at = ? WHERE id = ?`,
			a.PasswordHash, a.CertSHA256, nullable(s.keys.seal("email", id, a.Email)), now.UnixNano(), id); err != nil {
			return "", false, fmt.Errorf("service: register: %w", err)
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM sessions WHERE account_id = ?`, id); err != nil {
			return "", false, fmt.Errorf("service: register: %w", err)
		}
		if err := tx.Commit(); err != nil {
			return "", false, fmt.Errorf("service: register: %w", err)
		}
		return id, false, nil
	case !errors.Is(err, sql.ErrNoRows):
		return "", false, fmt.Errorf("service: register: %w", err)
	}
	for range 5 {
		if id, err = newID(); err != nil {
			return "", false, err
		}
		args := append([]any{id, string(a.UserType), a.IdentityKey}, s.keys.sealPerson(id, a)...)
		args = append(args, nullable(a.CorpNumber), nullable(a.CorpName), a.CertSHA256, a.PasswordHash,
			now.UnixNano(), now.UnixNano())
		_, err = tx.ExecContext(ctx, `INSERT INTO accounts (id, user_type, identity_key, person_name, person_name_flags,
			person_birth_date, person_sex, person_address, person_address_flags, email, corporate_number, corporate_name,
			certificate_sha256, password_hash, created_at, updated_at)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`, args...)
		if !isConstraint(err) {
			break // a taken ID is tried again; anything else is final
		}
	}
	if err != nil {
		return "", false, fmt.Errorf("service: register: %w", err)
	}
	if err := tx.Commit(); err != nil {
		return "", false, fmt.Errorf("service: register: %w", err)
	}
	return id, true, nil
}

func nullable(s string) any {
	if s == "" {
		return nil
	}
	return s
}

// ---- sessions and challenges ----

// createSession stores a session by its token's hash.
func (s *sqlStore) createSession(ctx context.Context, tokenHash []byte, accountID string, now, expires time.Time) error {
	if _, err := s.db.ExecContext(ctx, `DELETE FROM sessions WHERE expires_at <= ?`, now.UnixNano()); err != nil {
		return fmt.Errorf("service: session: %w", err)
	}
	if _, err := s.db.ExecContext(ctx, `INSERT INTO sessions (token_sha256, account_id, created_at, expires_at) VALUES (?, ?, ?, ?)`,
		tokenHash, accountID, now.UnixNano(), expires.UnixNano()); err != nil {
		return fmt.Errorf("service: session: %w", err)
	}
	return nil
}

// sessionAccount returns the account of a live session, or errNoRow.
func (s *sqlStore) sessionAccount(ctx context.Context, tokenHash []byte, now time.Time) (*accountRow, error) {
	return s.scanAccount(s.db.QueryRowContext(ctx, `SELECT `+accountColumns+` FROM accounts
		WHERE id = (SELECT account_id FROM sessions WHERE token_sha256 = ? AND expires_at > ?)`, tokenHash, now.UnixNano()))
}

// deleteSession ends a session.
func (s *sqlStore) deleteSession(ctx context.Context, tokenHash []byte) error {
	if _, err := s.db.ExecContext(ctx, `DELETE FROM sessions WHERE token_sha256 = ?`, tokenHash); err != nil {
		return fmt.Errorf("service: logout: %w", err)
	}
	return nil
}

// createChallenge stores a challenge by its hash, dropping expired ones.
func (s *sqlStore) createChallenge(ctx context.Context, hash []byte, now, expires time.Time) error {
	if _, err := s.db.ExecContext(ctx, `DELETE FROM challenges WHERE expires_at <= ?`, now.UnixNano()); err != nil {
		return fmt.Errorf("service: challenge: %w", err)
	}
	if _, err := s.db.ExecContext(ctx, `INSERT INTO challenges (challenge_sha256, expires_at) VALUES (?, ?)`,
		hash, expires.UnixNano()); err != nil {
		return fmt.Errorf("service: challenge: %w", err)
	}
	return nil
}

// consumeChallenge uses up a live challenge; false when it is unknown,
// used or expired.
func (s *sqlStore) consumeChallenge(ctx context.Context, hash []byte, now time.Time) (bool, error) {
	res, err := s.db.ExecContext(ctx, `DELETE FROM challenges WHERE challenge_sha256 = ? AND expires_at > ?`, hash, now.UnixNano())
	if err != nil {
		return false, fmt.Errorf("service: challenge: %w", err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return false, fmt.Errorf("service: challenge: %w", err)
	}
	return n == 1, nil
}

// ---- applications ----

// applicationRow is an application as stored.
type applicationRow struct {
	Arrival, Procedure, Owner, IdemKey string
	PackageSHA256, MediaType           string
	Size                               int64
	SignerCertSHA256                   string
	Status                             submit.Status
	ReceivedAt, UpdatedAt              time.Time
	// SignatureSHA256 is signatureKey of a signed package, "" for a
	// JSON form; it is written, and looked up by applicationBySignature.
	SignatureSHA256 string
	// ArchivedSHA256 is the SHA-256 of the package as archived on
	// receipt, "" without an archive time-stamp (archive.go).
	ArchivedSHA256 string
	// verified is what checkApplication found about a package, for the
	// archive; not stored.
	verified *verifiedPackage
}

const applicationColumns = `arrival_number, procedure_id, owner, idempotency_key, package_sha256, media_type, size,
	coalesce(signer_cert_sha256, ''), status, received_at, updated_at, coalesce(archived_sha256, '')`

func scanApplication(row interface{ Scan(...any) error }) (*applicationRow, error) {
	var a applicationRow
	var status string
	var received, updated int64
	err := row.Scan(&a.Arrival, &a.Procedure, &a.Owner, &a.IdemKey, &a.PackageSHA256, &a.MediaType, &a.Size,
		&a.SignerCertSHA256, &status, &received, &updated, &a.ArchivedSHA256)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, errNoRow
	}
	if err != nil {
		return nil, fmt.Errorf("service: read application: %w", err)
	}
	a.Status = submit.Status(status)
	a.ReceivedAt, a.UpdatedAt = time.Unix(0, received), time.Unix(0, updated)
	return &a, nil
}

// applicationByKey returns the application owner sent with key, or errNoRow.
func (s *sqlStore) applicationByKey(ctx context.Context, owner, key string) (*applicationRow, error) {
	return scanApplication(s.db.QueryRowContext(ctx, `SELECT `+applicationColumns+` FROM applications
		WHERE owner = ? AND idempotency_key = ?`, owner, key))
}

// application returns the application with an arrival number, or errNoRow.
func (s *sqlStore) application(ctx context.Context, arrival string) (*applicationRow, error) {
	return scanApplication(s.db.QueryRowContext(ctx, `SELECT `+applicationColumns+` FROM applications
		WHERE arrival_number = ?`, arrival))
}

// applications returns every application, oldest first.
func (s *sqlStore) applications(ctx context.Context) ([]*applicationRow, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT `+applicationColumns+` FROM applications ORDER BY received_at, arrival_number`)
	if err != nil {
		return nil, fmt.Errorf("service: list applications: %w", err)
	}
	defer rows.Close()
	var out []*applicationRow
	for rows.Next() {
		a, err := scanApplication(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, a)
	}
	return out, rows.Err()
}

// applicationBySignature returns the application of procedure that holds
// the signature sig (signatureKey), or errNoRow.
func (s *sqlStore) applicationBySignature(ctx context.Context, procedure, sig string) (*applicationRow, error) {
	return scanApplication(s.db.QueryRowContext(ctx, `SELECT `+applicationColumns+` FROM applications
		WHERE procedure_id = ? AND signature_sha256 = ?`, procedure, sig))
}

// duplicateError is insertApplication's refusal of a signature that an
// application of the procedure already holds: prev.
type duplicateError struct{ prev *applicationRow }

func (e *duplicateError) Error() string {
	return "service: the signature is already held by " + e.prev.Arrival
}

// dropUnreferenced removes the package file sum when no application
// refers to it (a replay whose container bytes differ from the original).
func (s *sqlStore) dropUnreferenced(ctx context.Context, sum string) {
	var n int
	if err := s.db.QueryRowContext(ctx, `SELECT count(*) FROM applications WHERE package_sha256 = ?`, sum).Scan(&n); err == nil && n == 0 {
		_ = os.Remove(s.packagePath(sum))
	}
}

// insertApplication stores a, numbering it in the year of a.ReceivedAt
// (in Japan), unless its owner already sent its idempotency key: then it
// returns the stored one and created=false; or unless an application of
// the procedure already holds its signature: then a *duplicateError. The
// package file must be stored before.
func (s *sqlStore) insertApplication(ctx context.Context, a applicationRow) (*applicationRow, bool, error) {
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return nil, false, fmt.Errorf("service: store application: %w", err)
	}
	defer tx.Rollback()
	prev, err := scanApplication(tx.QueryRowContext(ctx, `SELECT `+applicationColumns+` FROM applications
		WHERE owner = ? AND idempotency_key = ?`, a.Owner, a.IdemKey))
	switch {
	case err == nil:
		return prev, false, nil
	case !errors.Is(err, errNoRow):
		return nil, false, err
	}
	if a.SignatureSHA256 != "" {
		// The transaction is IMMEDIATE: no other writer runs between this
		// look-up and the insert, so of parallel replays one is stored.
		prev, err := scanApplication(tx.QueryRowContext(ctx, `SELECT `+applicationColumns+` FROM applications
			WHERE procedure_id = ? AND signature_sha256 = ?`, a.Procedure, a.SignatureSHA256))
		switch {
		case err == nil:
			return nil, false, &duplicateError{prev: prev}
		case !errors.Is(err, errNoRow):
			return nil, false, err
		}
	}
	year := a.ReceivedAt.In(jst).Year()
	var last int64
	if err := tx.QueryRowContext(ctx, `INSERT INTO arrival_counters (year, last) VALUES (?, 1)
		ON CONFLICT (year) DO UPDATE SET last = last + 1 RETURNING last`, year).Scan(&last); err != nil {
		return nil, false, fmt.Errorf("service: arrival number: %w", err)
	}
	a.Arrival = fmt.Sprintf("%d-%06d", year, last)
	_, err = tx.ExecContext(ctx, `INSERT INTO applications (arrival_number, procedure_id, owner, idempotency_key,
		package_sha256, media_type, size, signer_cert_sha256, signature_sha256, status, received_at, updated_at, archived_sha256)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		a.Arrival, a.Procedure, a.Owner, a.IdemKey, a.PackageSHA256, a.MediaType, a.Size, nullable(a.SignerCertSHA256),
		nullable(a.SignatureSHA256), string(a.Status), a.ReceivedAt.UnixNano(), a.UpdatedAt.UnixNano(), nullable(a.ArchivedSHA256))
	if err != nil {
		return nil, false, fmt.Errorf("service: store application: %w", err)
	}
	if err := tx.Commit(); err != nil {
		return nil, false, fmt.Errorf("service: store application: %w", err)
	}
	return &a, true, nil
}

// setStatus changes an application's status.
func (s *sqlStore) setStatus(ctx context.Context, arrival string, status submit.Status, now time.Time) error {
	res, err := s.db.ExecContext(ctx, `UPDATE applications SET status = ?, updated_at = ? WHERE arrival_number = ?`,
		string(status), now.UnixNano(), arrival)
	if err != nil {
		return fmt.Errorf("service: set status: %w", err)
	}
	if n, err := res.RowsAffected(); err != nil || n != 1 {
		return errNoRow
	}
	return nil
}

// ---- notices ----

// noticeRow is a notice as stored.
type noticeRow struct {
	submit.Notice
	Arrival       string
	PackageSHA256 string
	// PDFSHA256 names the signed PDF of the notice; empty for a notice
	// issued before notices had one.
	PDFSHA256 string
}

// insertNotice stores a notice whose package file is stored.
func (s *sqlStore) insertNotice(ctx context.Context, n noticeRow) error {
	var pdf sql.NullString
	if n.PDFSHA256 != "" {
		pdf = sql.NullString{String: n.PDFSHA256, Valid: true}
	}
	if _, err := s.db.ExecContext(ctx, `INSERT INTO notices (id, arrival_number, title_ja, title_en, package_sha256, issued_at, pdf_sha256)
		VALUES (?, ?, ?, ?, ?, ?, ?)`, n.ID, n.Arrival, n.TitleJA, n.TitleEN, n.PackageSHA256, n.IssuedAt.UnixNano(), pdf); err != nil {
		return fmt.Errorf("service: store notice: %w", err)
	}
	return nil
}

// notices returns an application's notices, oldest first.
func (s *sqlStore) notices(ctx context.Context, arrival string) ([]noticeRow, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT id, arrival_number, title_ja, title_en, package_sha256, issued_at, pdf_sha256
		FROM notices WHERE arrival_number = ? ORDER BY issued_at, id`, arrival)
	if err != nil {
		return nil, fmt.Errorf("service: list notices: %w", err)
	}
	defer rows.Close()
	var out []noticeRow
	for rows.Next() {
		n, err := scanNotice(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, *n)
	}
	return out, rows.Err()
}

// notice returns the notice id, or errNoRow.
func (s *sqlStore) notice(ctx context.Context, id string) (*noticeRow, error) {
	return scanNotice(s.db.QueryRowContext(ctx, `SELECT id, arrival_number, title_ja, title_en, package_sha256, issued_at, pdf_sha256
		FROM notices WHERE id = ?`, id))
}

func scanNotice(row interface{ Scan(...any) error }) (*noticeRow, error) {
	var n noticeRow
	var issued int64
	var pdf sql.NullString
	err := row.Scan(&n.ID, &n.Arrival, &n.TitleJA, &n.TitleEN, &n.PackageSHA256, &issued, &pdf)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, errNoRow
	}
	if err != nil {
		return nil, fmt.Errorf("service: read notice: %w", err)
	}
	n.IssuedAt = time.Unix(0, issued).In(jst)
	n.PDFSHA256 = pdf.String
	n.PDF = pdf.Valid
	return &n, nil
}
