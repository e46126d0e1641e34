//go:build unix

package submit_test

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/shinsei-app/shinsei/internal/fsx/fsxtest"
	"github.com/shinsei-app/shinsei/submit"
)

// partialCopies lists the copies being added in the outbox of data.
func partialCopies(t *testing.T, data string) []string {
	t.Helper()
	entries, err := os.ReadDir(filepath.Join(data, "outbox"))
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, e := range entries {
		if strings.HasPrefix(e.Name(), ".new-") {
			out = append(out, e.Name())
		}
	}
	return out
}

func TestAPartialCopyLeftByAKilledClientIsRemovedAtTheNextRunAndCounted(t *testing.T) {
	data := filepath.Join(fsxtest.TempDir(t), "data")
	fifo := filepath.Join(fsxtest.TempDir(t), "form.json")
	if err := syscall.Mkfifo(fifo, 0o600); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), partialChildEnv+"=1", "CHILD_DATA="+data, "CHILD_FORM="+fifo)
	cmd.Stderr = os.Stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer cmd.Process.Kill()
	w, err := os.OpenFile(fifo, os.O_WRONLY, 0) // until the child opens it to copy
	if err != nil {
		t.Fatal(err)
	}
	defer w.Close()
	if _, err := w.Write([]byte(`{"procedure": "test-none", "applicant": {"name": "高橋`)); err != nil {
		t.Fatal(err)
	}
	// Wait until the child has copied what it got: a partial body.
	deadline := time.Now().Add(30 * time.Second)
	for {
		if c := partialCopies(t, data); len(c) == 1 {
			if fi, err := os.Stat(filepath.Join(data, "outbox", c[0], "body")); err == nil && fi.Size() > 0 {
				break
			}
		}
		if time.Now().After(deadline) {
			t.Fatal("the child never started its copy")
		}
		time.Sleep(20 * time.Millisecond)
	}

	t.Run("a copy its process is still making is left alone", func(t *testing.T) {
		ob, err := submit.OpenOutbox(data)
		if err != nil {
			t.Fatal(err)
		}
		if n := ob.PartialRemoved(); n != 0 || len(partialCopies(t, data)) != 1 {
			t.Fatalf("removed %d, left %v", n, partialCopies(t, data))
		}
	})

	if err := cmd.Process.Kill(); err != nil { // SIGKILL: no cleanup of any kind
		t.Fatal(err)
	}
	cmd.Wait()
	if len(partialCopies(t, data)) != 1 {
		t.Fatal("the partial copy is not there after the kill")
	}
	ob, err := submit.OpenOutbox(data)
	if err != nil {
		t.Fatal(err)
	}
	if n := ob.PartialRemoved(); n != 1 {
		t.Errorf("PartialRemoved %d, want 1", n)
	}
	if c := partialCopies(t, data); len(c) != 0 {
		t.Errorf("still there at the next run: %v", c)
	}
	if p, err := ob.Pending(); err != nil || len(p) != 0 {
		t.Errorf("pending %+v, %v: a partial copy became an item", p, err)
	}
}

func TestALeftoverCopyWithoutItsLockIsRemovedOnlyAfterAMoment(t *testing.T) {
	data := filepath.Join(fsxtest.TempDir(t), "data")
	if _, err := submit.OpenOutbox(data); err != nil {
		t.Fatal(err)
	}
	dir := filepath.Join(data, "outbox", ".new-20261204T000000Z-0123456789ab")
	if err := os.Mkdir(dir, 0o700); err != nil {
		t.Fatal(err)
	}
	ob, err := submit.OpenOutbox(data)
	if err != nil || ob.PartialRemoved() != 0 || len(partialCopies(t, data)) != 1 {
		t.Fatalf("a copy just begun was removed: %v", err)
	}
	old := time.Now().Add(-2 * time.Minute)
	if err := os.Chtimes(dir, old, old); err != nil {
		t.Fatal(err)
	}
	ob, err = submit.OpenOutbox(data)
	if err != nil || ob.PartialRemoved() != 1 || len(partialCopies(t, data)) != 0 {
		t.Fatalf("a lockless leftover minutes old: removed %d, left %v, %v", ob.PartialRemoved(), partialCopies(t, data), err)
	}
}
