package service

import (
	"bytes"
	"context"
	"database/sql"
	"errors"
	"net/http"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"

	"github.com/shinsei-app/shinsei/internal/fsx/fsxtest"
	"github.com/shinsei-app/shinsei/sandbox/pki"
	"github.com/shinsei-app/shinsei/submit"
)

// rawDatabase is the bytes of the database and its -wal and -shm files,
// as a thief who copies them gets them, with each file's mode.
func rawDatabase(tb testing.TB, dbPath string) ([]byte, map[string]os.FileMode) {
	tb.Helper()
	var all []byte
	modes := map[string]os.FileMode{}
	for _, p := range []string{dbPath, dbPath + "-wal", dbPath + "-shm", dbPath + keysSuffix} {
		fi, err := os.Stat(p)
		if os.IsNotExist(err) {
			continue
		}
		if err != nil {
			tb.Fatal(err)
		}
		modes[filepath.Base(p)] = fi.Mode().Perm()
		if strings.HasSuffix(p, keysSuffix) {
			continue // the key file is what the thief must not have
		}
		b, err := os.ReadFile(p)
		if err != nil {
			tb.Fatal(err)
		}
		all = append(all, b...)
	}
	return all, modes
}

// assertNothingReadable fails when raw holds any of secrets (UTF-8), or a
// file is not 0600.
func assertNothingReadable(t *testing.T, raw []byte, modes map[string]os.FileMode, secrets map[string]string) {
	t.Helper()
	for what, s := range secrets {
		if bytes.Contains(raw, []byte(s)) {
			t.Errorf("the database files hold the %s in the clear", what)
		}
	}
	for name, m := range modes {
		// Windows has no mode bits: the ACL of the user's folder keeps
		// others out there.
		if m != 0o600 && runtime.GOOS != "windows" {
			t.Errorf("%s has mode %o, want 600", name, m)
		}
	}
}

func TestAStolenDatabaseRevealsNeitherPersonalDataNorInquiryNumbers(t *testing.T) {
	e := newSvcEnv(t)
	c := e.creds
	reg := func(cred *pki.Credential, email string) {
		r := submit.Registration{Type: "registration", Challenge: e.challenge(), UserType: submit.UserResident,
			Password: "a long enough passphrase for tests", Email: email}
		pkg := makePackage(t, cred, r)
		if resp := e.do(testRequest{method: http.MethodPost, path: "/accounts", contentType: submit.MediaASiCE, body: pkg}); resp.status != http.StatusCreated {
			t.Fatalf("register: %d %s", resp.status, resp.body)
		}
	}
	reg(c.resident, "hanako.takahashi@example.jp")
	reg(c.other, "jiro.sato@example.jp")
	secrets := map[string]string{
		"name":            "高橋　花子",
		"surname":         "高橋",
		"address":         "東京都千代田区霞が関二丁目１番２号",
		"address's town":  "霞が関",
		"birth date":      "1985-04-15",
		"other's name":    "佐藤　次郎",
		"other's address": "九段南",
		"other's birth":   "1990-01-01",
		"e-mail":          "hanako.takahashi@example.jp",
		"other's e-mail":  "jiro.sato@example.jp",
	}
	forms := [][]byte{
		mustJSON(t, sampleForm(ProcBulkyWaste, nil)),
		mustJSON(t, sampleForm(ProcBulkyWaste, otherApplicant())),
	}
	for i, form := range forms {
		r := e.submitApp(ProcBulkyWaste, newKey(), "", submit.MediaJSON, form)
		if r.status != http.StatusCreated {
			t.Fatalf("submit: %d %s", r.status, r.body)
		}
		var rec submit.Receipt
		r.decode(t, &rec)
		if rec.InquiryNumber == "" {
			t.Fatal("an anonymous application got no inquiry number")
		}
		secrets["inquiry number "+string(rune('1'+i))] = rec.InquiryNumber
		secrets["inquiry number without hyphens "+string(rune('1'+i))] = strings.ReplaceAll(rec.InquiryNumber, "-", "")
	}
	// The accounts still read back: a login and a reset by certificate
	// find them.
	if r := e.postJSON("/sessions", submit.Login{AccountID: "R0000000000", Password: "x"}, ""); r.status == http.StatusInternalServerError {
		t.Fatalf("login: %d %s", r.status, r.body)
	}
	if r := e.registerReset(c.resident, submit.UserResident, "another long passphrase here", false); r.problem(t).Reason != submit.ReasonAccountExists {
		t.Errorf("registering again was not recognised as the same identity: %s", r.body)
	}

	t.Run("while the service runs", func(t *testing.T) {
		raw, modes := rawDatabase(t, e.dbPath)
		if len(modes) < 3 {
			t.Fatalf("only %v of the database, its WAL and the key file exist", modes)
		}
		assertNothingReadable(t, raw, modes, secrets)
	})
	t.Run("after it stopped", func(t *testing.T) {
		if err := e.svc.Close(); err != nil {
			t.Fatal(err)
		}
		raw, modes := rawDatabase(t, e.dbPath)
		assertNothingReadable(t, raw, modes, secrets)
	})
	t.Run("inquiry numbers still answer after a restart", func(t *testing.T) {
		cfg := e.svc.cfg
		e.start(cfg)
		r := e.submitApp(ProcBulkyWaste, newKey(), "", submit.MediaJSON, forms[0])
		var rec submit.Receipt
		r.decode(t, &rec)
		got := e.do(testRequest{method: http.MethodGet, path: "/applications/" + rec.ArrivalNumber,
			header: map[string]string{submit.HeaderInquiry: rec.InquiryNumber}})
		if got.status != http.StatusOK {
			t.Errorf("the inquiry number was refused after a restart: %d %s", got.status, got.body)
		}
	})
}

func TestADatabaseFromBeforeSealingIsSealedAtStart(t *testing.T) {
	ctx := context.Background()
	dbPath := filepath.Join(fsxtest.TempDir(t), "service.db")
	// The first schema with a plain account and the inquiry key inside,
	// as the service kept them before.
	db, err := sql.Open("sqlite", dbPath)
	if err != nil {
		t.Fatal(err)
	}
	script, err := migrationFS.ReadFile("migrations/0001_init.sql")
	if err != nil {
		t.Fatal(err)
	}
	legacyKey := bytes.Repeat([]byte{7}, 32)
	for _, q := range []string{
		`CREATE TABLE schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at INTEGER NOT NULL) STRICT`,
		string(script),
		`INSERT INTO schema_migrations VALUES (1, '0001_init.sql', 0)`,
	} {
		if _, err := db.ExecContext(ctx, q); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := db.ExecContext(ctx, `INSERT INTO service_keys VALUES ('inquiry-number', ?)`, legacyKey); err != nil {
		t.Fatal(err)
	}
	digest := identityKey("resident", "高橋　花子", "1985-04-15", "2", "東京都千代田区霞が関二丁目１番２号")
	if _, err := db.ExecContext(ctx, `INSERT INTO accounts (id, user_type, identity_key, person_name, person_name_flags,
		person_birth_date, person_sex, person_address, certificate_sha256, email, password_hash, created_at, updated_at)
		VALUES ('R0123456789', 'resident', ?, '高橋　花子', '10000', '1985-04-15', '2', '東京都千代田区霞が関二丁目１番２号',
		'00', 'hanako.takahashi@example.jp', 'x', 0, 0)`, digest); err != nil {
		t.Fatal(err)
	}
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}

	s, err := openStore(ctx, dbPath)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	a, err := s.account(ctx, "R0123456789")
	if err != nil {
		t.Fatal(err)
	}
	if a.Person.Name != "高橋　花子" || a.Person.BirthDate != "1985-04-15" || a.Email != "hanako.takahashi@example.jp" ||
		a.Person.NameFlags != "10000" || a.IdentityKey != s.keys.lookupKey(digest) {
		t.Error("the sealed account does not read back as it was")
	}
	if !bytes.Equal(s.keys.inquiry, legacyKey) {
		t.Error("the inquiry key changed, so inquiry numbers given out no longer answer")
	}
	raw, modes := rawDatabase(t, dbPath)
	assertNothingReadable(t, raw, modes, map[string]string{"name": "高橋　花子", "address": "霞が関",
		"birth date": "1985-04-15", "e-mail": "hanako.takahashi@example.jp", "identity digest": digest,
		"inquiry key": string(legacyKey)})
}

func TestTheServiceRefusesAKeyFileThatIsNotItsDatabases(t *testing.T) {
	ctx := context.Background()
	dbPath := filepath.Join(fsxtest.TempDir(t), "service.db")
	s, err := openStore(ctx, dbPath)
	if err != nil {
		t.Fatal(err)
	}
	s.Close()
	if err := os.Remove(dbPath + keysSuffix); err != nil {
		t.Fatal(err)
	}
	s, err = openStore(ctx, dbPath)
	if err == nil {
		s.Close()
		t.Fatal("the service started with a fresh key file on a database sealed with another")
	}
	if !errors.Is(err, errWrongKeys) {
		t.Errorf("refused with %v, want errWrongKeys", err)
	}
	if _, err := os.Stat(dbPath + keysSuffix); !os.IsNotExist(err) {
		t.Error("the key file made for the refused start was left behind")
	}
}
