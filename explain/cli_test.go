package explain

import (
	"errors"
	"fmt"
	"io/fs"
	"testing"
)

func TestTheCommandLinesOwnErrorsHaveRowsInBothLanguages(t *testing.T) {
	for _, r := range commandLine {
		e := Of(fmt.Errorf("%w: detail", r.err))
		checkEntry(t, r.err.Error(), e)
		if e.Class != Usage {
			t.Errorf("%v: class %d, want a usage error", r.err, e.Class)
		}
		if !Known(r.err) {
			t.Errorf("%v is not known", r.err)
		}
	}
}

func TestACoreErrorUnderAUsageErrorIsExplainedByTheCoreError(t *testing.T) {
	err := errors.Join(ErrUsage, fmt.Errorf("open x: %w", fs.ErrNotExist))
	if got, want := Of(err), sentinelEntry(fs.ErrNotExist); got != want {
		t.Errorf("explained as %+v, want the missing file's row", got.Message)
	}
}

func TestKnownTellsTheTablesErrorsFromOthers(t *testing.T) {
	for _, c := range []struct {
		name  string
		err   error
		known bool
	}{
		{"a sentinel of the core", fmt.Errorf("x: %w", fs.ErrNotExist), true},
		{"a typed error", typedSamples[0].err, true},
		{"the command line's own", ErrUnknownCommand, true},
		{"an error of no one's", errors.New("something else"), false},
	} {
		if got := Known(c.err); got != c.known {
			t.Errorf("%s: Known = %v, want %v", c.name, got, c.known)
		}
	}
}
