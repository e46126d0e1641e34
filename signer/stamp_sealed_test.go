package signer

import (
	"bytes"
	"context"
	"errors"
	"os"
	"sync/atomic"
	"testing"
	"time"
)

func TestAPackageSealedByAnArchiveTimestampIsNotTimestampedLater(t *testing.T) {
	f := testFixtures(t)
	now := time.Now()
	_, arc := archiveTSA(t, "Archive TSA", now.Add(-time.Hour), now.Add(365*24*time.Hour), nil)
	good, _ := testTSAs(t)
	var asked atomic.Int32
	sigTSA := TSA{URL: tsaServer(t, good, nil).URL}
	tests := []struct {
		name    string
		sig     *TSA
		want    error
		wantAdd int
	}{
		{"a sealed signature without a time-stamp is refused with ErrArchiveSealed, the package untouched", nil, ErrArchiveSealed, 0},
		{"a sealed signature that has its time-stamp needs nothing and is left as it was", &sigTSA, nil, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			pkg, _ := archived(t, f.official, tt.sig, arc)
			before, err := os.ReadFile(pkg)
			if err != nil {
				t.Fatal(err)
			}
			// An authority that counts what it is asked: a refusal asks
			// nothing.
			counting := TSA{URL: tsaServer(t, good, func() time.Time { asked.Add(1); return time.Now() }).URL}
			n, err := TimestampPackage(context.Background(), pkg, counting)
			if !errors.Is(err, tt.want) || n != tt.wantAdd {
				t.Fatalf("want %v and %d added, got %d %v", tt.want, tt.wantAdd, n, err)
			}
			if n := asked.Load(); n != 0 {
				t.Fatalf("the authority was asked %d times", n)
			}
			after, _ := os.ReadFile(pkg)
			if !bytes.Equal(before, after) {
				t.Fatal("the sealed package was changed")
			}
			rep, err := Verify(context.Background(), pkg, f.opts())
			if err != nil {
				t.Fatal(err)
			}
			if rep.Outcome() != OutcomeValid {
				t.Fatalf("the seal must still hold: %s %+v", rep.Outcome(), rep.Undecided)
			}
		})
	}
}
