package flow_test

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/shinsei-app/shinsei/flow"
	"github.com/shinsei-app/shinsei/internal/fsx/fsxtest"
	"github.com/shinsei-app/shinsei/submit"
)

func TestBatchPackagesListsAFoldersPackagesByNameWithTheReceiptsOfThoseReceived(t *testing.T) {
	ctx := context.Background()
	data := fsxtest.TempDir(t)
	const svc = "https://service.example"
	a, err := flow.Open(ctx, flow.Config{ServiceURL: svc, ServiceSystemRoots: true, DataDir: data, Keyring: &submit.MemoryKeyring{}})
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close()
	dir := fsxtest.TempDir(t)
	write := func(name, content string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(content), 0o600); err != nil {
			t.Fatal(err)
		}
		return p
	}
	received := write("b-受付済み.asice", "package b")
	fresh := write("a.ASICE", "package a")
	write("c.json", "{}")
	write("メモ.txt", "not a package")
	if err := os.Mkdir(filepath.Join(dir, "d.asice"), 0o700); err != nil {
		t.Fatal(err)
	}
	sum := sha256.Sum256([]byte("package b"))
	j, err := submit.OpenJournal(filepath.Join(data, flow.JournalName))
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range []submit.Record{
		{Service: "https://another.example", ArrivalNumber: "2026-000009", PackageSHA256: hex.EncodeToString(sum[:]), ReceivedAt: time.Now()},
		{Service: svc, ArrivalNumber: "2026-000001", PackageSHA256: hex.EncodeToString(sum[:]), ReceivedAt: time.Now()},
	} {
		if err := j.Append(r); err != nil {
			t.Fatal(err)
		}
	}

	pkgs, err := a.BatchPackages(ctx, dir)
	if err != nil {
		t.Fatal(err)
	}
	if len(pkgs) != 2 || pkgs[0].Path != fresh || pkgs[1].Path != received {
		t.Fatalf("listed %+v, want a.ASICE then b-受付済み.asice and nothing else", pkgs)
	}
	if pkgs[0].Received != nil || pkgs[0].Err != nil || len(pkgs[0].SHA256) != 64 {
		t.Errorf("the new package: %+v", pkgs[0])
	}
	if r := pkgs[1].Received; r == nil || r.ArrivalNumber != "2026-000001" {
		t.Errorf("the received package's receipt is %+v, want this service's 2026-000001", r)
	}
	if _, err := a.BatchPackages(ctx, filepath.Join(dir, "none")); !errors.Is(err, flow.ErrInputMissing) {
		t.Errorf("a missing folder: %v, want ErrInputMissing", err)
	}
	if p := a.BatchPackageOf(ctx, filepath.Join(dir, "gone.asice")); !errors.Is(p.Err, flow.ErrInputMissing) {
		t.Errorf("a missing file: %+v, want ErrInputMissing", p)
	}
}
