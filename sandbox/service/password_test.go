package service

import (
	"strings"
	"testing"
)

func TestAGeneratedPasswordHasNoCharacterResidentsMisread(t *testing.T) {
	seen := map[rune]bool{}
	for range 2000 {
		pw := readablePassword()
		if len(pw) != generatedPasswordLen {
			t.Fatalf("a generated password has %d characters, want %d", len(pw), generatedPasswordLen)
		}
		if i := strings.IndexAny(pw, "O0I1lo"); i >= 0 {
			t.Fatalf("a generated password holds the look-alike %q", pw[i])
		}
		for _, r := range pw {
			seen[r] = true
		}
	}
	if len(seen) != len(readableAlphabet) {
		t.Errorf("2000 passwords used %d characters, want all %d of the alphabet", len(seen), len(readableAlphabet))
	}
}
