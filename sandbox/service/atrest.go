package service

import (
	"bufio"
	"context"
	"crypto/aes"
	"crypto/cipher"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"database/sql"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"strings"

	"github.com/shinsei-app/shinsei/internal/fsx"
)

// Data at rest. A copy of the database alone reveals neither a resident's
// personal data nor an inquiry number: the accounts' four attributes,
// their substitute-character flags and the e-mail address are sealed
// with AES-256-GCM, the identity digest accounts are found by is keyed,
// and the inquiry numbers' HMAC key is not in the database. The keys live
// in a file of their own beside the database (dbPath+".keys", mode 0600),
// made at the first start. The database and its -wal and -shm files are
// 0600 too.

// keysSuffix names the key file: dbPath+keysSuffix.
const keysSuffix = ".keys"

// The keys of the key file, one "name base64" line each.
const (
	keyData     = "data"           // AES-256-GCM key of the sealed columns
	keyIdentity = "identity"       // HMAC key of the identity digest
	keyInquiry  = "inquiry-number" // HMAC key of the inquiry numbers
)

// sealedPrefix marks a sealed column value; hashedPrefix a keyed identity
// digest. Values without them are from before sealing and are sealed by
// sealAccounts at start.
const (
	sealedPrefix = "gcm1:"
	hashedPrefix = "h1:"
)

// keyCheckName is the service_keys row that tells a key file that does
// not belong to the database before any data is read with it.
const keyCheckName = "key-check"

// atRest holds the keys of the key file.
type atRest struct {
	aead     cipher.AEAD
	identity []byte
	inquiry  []byte
}

// errWrongKeys is the refusal to start with a key file that is not the
// database's.
var errWrongKeys = errors.New("service: the key file does not belong to the database")

// loadKeys reads the key file at path, making it when it does not exist
// (created then says so). legacyInquiry, when the database still holds
// the inquiry key from before, becomes the file's inquiry key so that
// numbers given out stay valid.
func loadKeys(path string, legacyInquiry []byte) (_ *atRest, created bool, _ error) {
	keys, err := readKeyFile(path)
	if errors.Is(err, os.ErrNotExist) {
		created = true
		keys = map[string][]byte{}
		for _, name := range []string{keyData, keyIdentity, keyInquiry} {
			keys[name] = make([]byte, 32)
			rand.Read(keys[name]) // never fails (crypto/rand)
		}
		if len(legacyInquiry) > 0 {
			keys[keyInquiry] = legacyInquiry
		}
		err = writeKeyFile(path, keys)
	}
	if err != nil {
		return nil, false, err
	}
	for _, name := range []string{keyData, keyIdentity, keyInquiry} {
		if len(keys[name]) != 32 {
			return nil, false, fmt.Errorf("service: key file %s: key %q missing or not 32 bytes", filepath.Base(path), name)
		}
	}
	block, err := aes.NewCipher(keys[keyData])
	if err != nil {
		return nil, false, fmt.Errorf("service: key file: %w", err)
	}
	aead, err := cipher.NewGCM(block)
	if err != nil {
		return nil, false, fmt.Errorf("service: key file: %w", err)
	}
	return &atRest{aead: aead, identity: keys[keyIdentity], inquiry: keys[keyInquiry]}, created, nil
}

func readKeyFile(path string) (map[string][]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err // os.ErrNotExist is the first start
	}
	defer f.Close()
	if fi, err := f.Stat(); err == nil && fi.Mode().Perm()&0o077 != 0 {
		if err := os.Chmod(path, 0o600); err != nil {
			return nil, fmt.Errorf("service: key file: %w", err)
		}
	}
	keys := map[string][]byte{}
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		name, value, ok := strings.Cut(line, " ")
		v, err := base64.StdEncoding.DecodeString(strings.TrimSpace(value))
		if !ok || err != nil {
			return nil, fmt.Errorf("service: key file %s: unreadable line", filepath.Base(path))
		}
		keys[name] = v
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("service: key file: %w", err)
	}
	return keys, nil
}

func writeKeyFile(path string, keys map[string][]byte) error {
	var b strings.Builder
	b.WriteString("# Keys of the reference service's database. Without this file the sealed data cannot be read.\n")
	for _, name := range []string{keyData, keyIdentity, keyInquiry} {
		fmt.Fprintf(&b, "%s %s\n", name, base64.StdEncoding.EncodeToString(keys[name]))
	}
	tmp, err := os.CreateTemp(filepath.Dir(path), ".keys-*")
	if err != nil {
		return fmt.Errorf("service: key file: %w", err)
	}
	defer os.Remove(tmp.Name())
	if err := tmp.Chmod(0o600); err != nil {
		tmp.Close()
		return fmt.Errorf("service: key file: %w", err)
	}
	if _, err := tmp.WriteString(b.String()); err != nil {
		tmp.Close()
		return fmt.Errorf("service: key file: %w", err)
	}
	if err := tmp.Close(); err != nil {
		return fmt.Errorf("service: key file: %w", err)
	}
	// Link, not rename: two services starting on one directory keep the
	// first file, and the second reads it.
	if err := os.Link(tmp.Name(), path); err != nil && !errors.Is(err, os.ErrExist) {
		return fmt.Errorf("service: key file: %w", err)
	}
	_ = fsx.SyncDir(filepath.Dir(path))
	return nil
}

// seal encrypts a column value of account id; "" stays "" (NULL).
// The column and the account are the additional data, so that a value
// moved to another row or column does not open.
func (k *atRest) seal(column, id, plain string) string {
	if plain == "" {
		return ""
	}
	nonce := make([]byte, k.aead.NonceSize())
	rand.Read(nonce) // never fails (crypto/rand)
	out := k.aead.Seal(nonce, nonce, []byte(plain), []byte(column+"\x00"+id))
	return sealedPrefix + base64.RawStdEncoding.EncodeToString(out)
}

// open decrypts what seal made.
func (k *atRest) open(column, id, sealed string) (string, error) {
	if sealed == "" {
		return "", nil
	}
	raw, err := base64.RawStdEncoding.DecodeString(strings.TrimPrefix(sealed, sealedPrefix))
	if !strings.HasPrefix(sealed, sealedPrefix) || err != nil || len(raw) < k.aead.NonceSize() {
		return "", fmt.Errorf("service: account %s: the stored value is not sealed", column)
	}
	n := k.aead.NonceSize()
	plain, err := k.aead.Open(nil, raw[:n], raw[n:], []byte(column+"\x00"+id))
	if err != nil {
		return "", fmt.Errorf("service: account %s: %w", column, errWrongKeys)
	}
	return string(plain), nil
}

// lookupKey is the stored form of an identity digest: keyed, so that the
// database does not let anyone test guessed attributes against it.
func (k *atRest) lookupKey(digest string) string {
	mac := hmac.New(sha256.New, k.identity)
	mac.Write([]byte(digest))
	return hashedPrefix + hex.EncodeToString(mac.Sum(nil))
}

// keyCheck is what service_keys holds to recognise the key file.
func (k *atRest) keyCheck() []byte {
	mac := hmac.New(sha256.New, k.identity)
	mac.Write([]byte("shinsei service key check"))
	return mac.Sum(nil)
}

// sealedColumns are the account columns kept sealed.
var sealedColumns = []string{"person_name", "person_name_flags", "person_birth_date", "person_sex",
	"person_address", "person_address_flags", "email"}

// sealPerson seals a's personal columns for account id, in the order of
// sealedColumns.
func (k *atRest) sealPerson(id string, a accountRow) []any {
	p := a.Person
	plain := []string{p.Name, p.NameFlags, p.BirthDate, p.Sex, p.Address, p.AddressFlags, a.Email}
	out := make([]any, len(plain))
	for i, v := range plain {
		out[i] = nullable(k.seal(sealedColumns[i], id, v))
	}
	return out
}

// openPerson opens a's sealed columns in place.
func (k *atRest) openPerson(a *accountRow) error {
	p := &a.Person
	for i, f := range []*string{&p.Name, &p.NameFlags, &p.BirthDate, &p.Sex, &p.Address, &p.AddressFlags, &a.Email} {
		v, err := k.open(sealedColumns[i], a.ID, *f)
		if err != nil {
			return err
		}
		*f = v
	}
	return nil
}

// secureStore is what openStore does beyond the schema: the key file,
// the check that it belongs to the database, the inquiry key moved out
// of the database, rows from before sealing sealed, and the files' modes.
func (s *sqlStore) secureStore(ctx context.Context, dbPath string) error {
	var legacy []byte
	err := s.db.QueryRowContext(ctx, `SELECT value FROM service_keys WHERE name = ?`, keyInquiry).Scan(&legacy)
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return fmt.Errorf("service: key file: %w", err)
	}
	k, created, err := loadKeys(dbPath+keysSuffix, legacy)
	if err != nil {
		return err
	}
	wrongKeys := func(err error) error {
		if created {
			// Made just now for a database sealed with another: not
			// left behind to be mistaken for the right one.
			_ = os.Remove(dbPath + keysSuffix)
		}
		return err
	}
	s.keys = k
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("service: seal: %w", err)
	}
	defer tx.Rollback()
	var check []byte
	err = tx.QueryRowContext(ctx, `SELECT value FROM service_keys WHERE name = ?`, keyCheckName).Scan(&check)
	switch {
	case errors.Is(err, sql.ErrNoRows):
		if _, err := tx.ExecContext(ctx, `INSERT INTO service_keys (name, value) VALUES (?, ?)`, keyCheckName, k.keyCheck()); err != nil {
			return fmt.Errorf("service: seal: %w", err)
		}
	case err != nil:
		return fmt.Errorf("service: seal: %w", err)
	case !hmac.Equal(check, k.keyCheck()):
		return wrongKeys(fmt.Errorf("%w (%s)", errWrongKeys, filepath.Base(dbPath+keysSuffix)))
	}
	if legacy != nil && !hmac.Equal(legacy, k.inquiry) {
		return wrongKeys(fmt.Errorf("%w: its inquiry key differs", errWrongKeys))
	}
	if _, err := tx.ExecContext(ctx, `DELETE FROM service_keys WHERE name = ?`, keyInquiry); err != nil {
		return fmt.Errorf("service: seal: %w", err)
	}
	n, err := s.sealOldAccounts(ctx, tx)
	if err != nil {
		return err
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("service: seal: %w", err)
	}
	if n > 0 || legacy != nil {
		// The plain values are in freed pages and in the WAL: rewrite
		// the file and empty the WAL.
		if _, err := s.db.ExecContext(ctx, `VACUUM`); err != nil {
			return fmt.Errorf("service: seal: %w", err)
		}
		if _, err := s.db.ExecContext(ctx, `PRAGMA wal_checkpoint(TRUNCATE)`); err != nil {
			return fmt.Errorf("service: seal: %w", err)
		}
	}
	return restrictFiles(dbPath)
}

// sealOldAccounts seals the accounts stored before sealing and keys
// their identity digests; it returns how many it changed.
func (s *sqlStore) sealOldAccounts(ctx context.Context, tx *sql.Tx) (int, error) {
	rows, err := tx.QueryContext(ctx, `SELECT id, identity_key, coalesce(person_name, ''), coalesce(person_name_flags, ''),
		coalesce(person_birth_date, ''), coalesce(person_sex, ''), coalesce(person_address, ''),
		coalesce(person_address_flags, ''), coalesce(email, '') FROM accounts WHERE identity_key NOT LIKE ?`, hashedPrefix+"%")
	if err != nil {
		return 0, fmt.Errorf("service: seal: %w", err)
	}
	var old []accountRow
	for rows.Next() {
		var a accountRow
		p := &a.Person
		if err := rows.Scan(&a.ID, &a.IdentityKey, &p.Name, &p.NameFlags, &p.BirthDate, &p.Sex, &p.Address,
			&p.AddressFlags, &a.Email); err != nil {
			rows.Close()
			return 0, fmt.Errorf("service: seal: %w", err)
		}
		old = append(old, a)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return 0, fmt.Errorf("service: seal: %w", err)
	}
	for _, a := range old {
		args := append([]any{s.keys.lookupKey(a.IdentityKey)}, s.keys.sealPerson(a.ID, a)...)
		args = append(args, a.ID)
		if _, err := tx.ExecContext(ctx, `UPDATE accounts SET identity_key = ?, person_name = ?, person_name_flags = ?,
			person_birth_date = ?, person_sex = ?, person_address = ?, person_address_flags = ?, email = ?
			WHERE id = ?`, args...); err != nil {
			return 0, fmt.Errorf("service: seal: %w", err)
		}
	}
	return len(old), nil
}

// restrictFiles makes the database, its -wal and -shm files and the key
// file readable by the service's user only. Windows has no mode bits
// (os.Chmod only sets the read-only attribute, and fails on the files
// SQLite holds open): there the ACL of the user's folder keeps others out.
func restrictFiles(dbPath string) error {
	if runtime.GOOS == "windows" {
		return nil
	}
	for _, p := range []string{dbPath, dbPath + "-wal", dbPath + "-shm", dbPath + keysSuffix} {
		if err := os.Chmod(p, 0o600); err != nil && !errors.Is(err, os.ErrNotExist) {
			return fmt.Errorf("service: file mode: %w", err)
		}
	}
	return nil
}
