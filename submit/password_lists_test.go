package submit_test

import (
	"testing"
	"unsafe"

	"github.com/trustelem/zxcvbn/frequency"
)

// The password-strength estimator's frequency lists (≈ 90,000 words) are
// part of every program that checks passwords, the desktop app included,
// whose file is resident whole. Upstream wrote them as Go literals: 1.5 MB
// of string headers in the program besides the words themselves.
// third_party/zxcvbn embeds each list as one text, split on first use:
// its words then follow one another in memory, a newline apart.
func TestTheFrequencyListsAreHeldAsOneTextEachNotAsStringLiterals(t *testing.T) {
	lists := frequency.FrequencyLists()
	if len(lists) != 6 || len(lists["passwords"]) != 30000 || lists["passwords"][0] != "123456" {
		t.Fatalf("the lists are not upstream's: %d lists, %d passwords", len(lists), len(lists["passwords"]))
	}
	for name, words := range lists {
		for i := 1; i < len(words); i++ {
			prev := uintptr(unsafe.Pointer(unsafe.StringData(words[i-1])))
			if at := uintptr(unsafe.Pointer(unsafe.StringData(words[i]))); at != prev+uintptr(len(words[i-1]))+1 {
				t.Fatalf("%s: %q (rank %d) does not follow %q in one text", name, words[i], i+1, words[i-1])
			}
		}
	}
}
