package service

import (
	"context"
	"database/sql"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/shinsei-app/shinsei/internal/fsx/fsxtest"
	"github.com/shinsei-app/shinsei/submit"
)

func TestTheLifecycleMigrationKeepsTheApplicationsAndNoticesOfAnOlderDatabase(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(fsxtest.TempDir(t), "service.db")
	db, err := sql.Open("sqlite", path+"?_pragma=foreign_keys(1)")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.Exec(`CREATE TABLE schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at INTEGER NOT NULL) STRICT`); err != nil {
		t.Fatal(err)
	}
	files, _ := migrationFS.ReadDir("migrations")
	for _, f := range files {
		v, _ := strconv.Atoi(strings.SplitN(f.Name(), "_", 2)[0])
		if v >= 4 {
			continue // the database as an earlier version left it
		}
		script, _ := migrationFS.ReadFile("migrations/" + f.Name())
		if _, err := db.Exec(string(script)); err != nil {
			t.Fatalf("%s: %v", f.Name(), err)
		}
		if _, err := db.Exec(`INSERT INTO schema_migrations VALUES (?, ?, 0)`, v, f.Name()); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := db.Exec(`INSERT INTO applications (arrival_number, procedure_id, owner, idempotency_key, package_sha256,
		media_type, size, status, received_at, updated_at) VALUES ('2026-000001', 'bulky-waste-collection', '', 'k', 'aa', 'application/json', 1, 'completed', 1, 2)`); err != nil {
		t.Fatal(err)
	}
	if _, err := db.Exec(`INSERT INTO notices VALUES ('N1', '2026-000001', '完了', 'Done', 'bb', 3)`); err != nil {
		t.Fatal(err)
	}
	db.Close()

	st, err := openStore(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	a, err := st.application(ctx, "2026-000001")
	if err != nil || a.Status != submit.StatusCompleted || a.Procedure != "bulky-waste-collection" {
		t.Fatalf("after the migration: %+v, %v", a, err)
	}
	if ns, err := st.notices(ctx, "2026-000001"); err != nil || len(ns) != 1 {
		t.Fatalf("notices after the migration: %v, %v", ns, err)
	}
	if _, err := st.changeStatus(ctx, eventRow{StatusEvent: submit.StatusEvent{Kind: submit.EventWithdrawn, Status: submit.StatusWithdrawn}, Arrival: "2026-000001"}, nil); err != nil {
		t.Fatalf("the new status cannot be stored: %v", err)
	}
	if _, err := st.db.Exec(`UPDATE applications SET status = 'lost' WHERE arrival_number = '2026-000001'`); err == nil {
		t.Error("the status column takes any text after the migration")
	}
}
