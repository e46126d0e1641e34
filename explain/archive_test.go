package explain

import (
	"testing"

	"github.com/shinsei-app/shinsei/signer"
)

func TestEveryArchiveTimestampReasonHasItsOwnRowAndClass(t *testing.T) {
	want := map[string]Class{
		signer.ReasonArchiveFileChanged: Negative, signer.ReasonArchiveFileMissing: Negative, signer.ReasonArchiveFileUncovered: Negative,
		signer.ReasonArchiveTimestampInvalid: Indeterminate, signer.ReasonArchiveImprintMismatch: Indeterminate, signer.ReasonArchiveNotTSA: Indeterminate,
		signer.ReasonArchiveUntrusted: Done,
	}
	if len(signer.ArchiveReasons) != len(want) {
		t.Fatalf("signer names %d archive reasons, this test %d", len(signer.ArchiveReasons), len(want))
	}
	seen := map[string]bool{}
	for _, reason := range signer.ArchiveReasons {
		e, ok := ArchiveReason(reason)
		if !ok {
			t.Errorf("%s has no row", reason)
			continue
		}
		if e.Class != want[reason] {
			t.Errorf("%s: class %d, want %d", reason, e.Class, want[reason])
		}
		if e.Class == Done {
			e.Class = Negative // the words are checked as every row's are
		}
		checkEntry(t, reason, e)
		if seen[e.Message.En] {
			t.Errorf("%s says what another reason says: each gets its own message", reason)
		}
		seen[e.Message.En] = true
	}
	if _, ok := ArchiveReason(signer.ReasonFileUnsigned); ok {
		t.Error("a reason that is not an archive time-stamp's has a row here")
	}
}
