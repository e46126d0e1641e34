package submit_test

import (
	"errors"
	"os"
	"path/filepath"
	"testing"

	"github.com/shinsei-app/shinsei/submit"
)

func TestAWithdrawnItemLeavesNothingInTheOutboxAndASecondWithdrawFindsNone(t *testing.T) {
	fx := newFixture(t)
	it := fx.add(t, "bulky-waste-collection", submit.LevelNone, "")
	if err := fx.outbox.Withdraw(it.ID); err != nil {
		t.Fatalf("Withdraw: %v", err)
	}
	if items := fx.pending(t); len(items) != 0 {
		t.Errorf("the outbox still lists %v", items)
	}
	entries, err := os.ReadDir(fx.outbox.Dir())
	if err != nil {
		t.Fatal(err)
	}
	if len(entries) != 0 {
		t.Errorf("the outbox folder holds %v after Withdraw", entries)
	}
	if err := fx.outbox.Withdraw(it.ID); !errors.Is(err, submit.ErrNoItem) {
		t.Errorf("a second Withdraw gives %v, want ErrNoItem", err)
	}
	if err := fx.outbox.Withdraw("../" + filepath.Base(fx.dir)); !errors.Is(err, submit.ErrNoItem) {
		t.Errorf("Withdraw of a path outside the outbox gives %v, want ErrNoItem", err)
	}
}
