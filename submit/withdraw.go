package submit

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"

	"github.com/shinsei-app/shinsei/internal/fsx"
)

// Withdraw removes an item from the outbox at the user's word: the user
// cancelled before the item went out in full, so the service cannot hold
// it, and nothing the user did not confirm stays queued. The caller
// decides that it cannot have arrived (it never went out in full); an
// item that may have arrived must stay, to be asked about with its
// idempotency key. It returns ErrNoItem when the item is gone and ErrBusy
// when a process is sending it.
func (o *Outbox) Withdraw(id string) error {
	if !itemIDRE.MatchString(id) {
		return fmt.Errorf("%w: %q", ErrNoItem, id)
	}
	dir := filepath.Join(o.dir, id)
	lf, err := os.OpenFile(filepath.Join(dir, lockName), os.O_RDWR|os.O_CREATE, 0o600)
	if errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("%w: %s", ErrNoItem, id)
	}
	if err != nil {
		return fmt.Errorf("submit: outbox: %w", err)
	}
	ok, err := tryLock(lf)
	if err != nil || !ok {
		lf.Close()
		if err != nil {
			return fmt.Errorf("submit: outbox: lock: %w", err)
		}
		return fmt.Errorf("%w: %s", ErrBusy, id)
	}
	release := func() { unlock(lf); lf.Close() }
	if _, err := os.Stat(filepath.Join(dir, metaName)); err != nil {
		release()
		return fmt.Errorf("%w: %s", ErrNoItem, id)
	}
	// As deliver does: renamed out of the outbox first, so that a removal
	// cut short leaves a hidden leftover OpenOutbox clears, never half an
	// item that looks queued.
	done := filepath.Join(o.dir, donePrefix+id)
	if runtime.GOOS == "windows" {
		release()
		release = func() {}
	}
	err = os.Rename(dir, done)
	release()
	if err != nil {
		return fmt.Errorf("submit: outbox: withdraw %s: %w", id, err)
	}
	fsx.SyncDir(o.dir)
	return removeTree(done)
}

// removeTree removes a directory and what it holds, falling back to one
// entry at a time where RemoveAll fails (Wine's unlinkat).
func removeTree(dir string) error {
	if err := fsx.RemoveAll(dir); err == nil {
		return nil
	}
	entries, err := os.ReadDir(dir)
	if err != nil {
		return fmt.Errorf("submit: outbox: %w", err)
	}
	for _, e := range entries {
		p := filepath.Join(dir, e.Name())
		if e.IsDir() {
			if err := removeTree(p); err != nil {
				return err
			}
			continue
		}
		if err := os.Remove(p); err != nil {
			return fmt.Errorf("submit: outbox: %w", err)
		}
	}
	if err := os.Remove(dir); err != nil {
		return fmt.Errorf("submit: outbox: %w", err)
	}
	return nil
}
