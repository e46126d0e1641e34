package submit

import (
	"unicode"
	"unicode/utf8"

	"github.com/trustelem/zxcvbn"
	"golang.org/x/text/unicode/norm"
)

// The account password policy, after NIST SP 800-63B §5.1.1.2: the
// service and the client check a chosen password alike, the client
// before it sends one.
const (
	// MinPasswordLen and MaxPasswordLen bound a password's length in
	// characters after NFC normalisation.
	MinPasswordLen = 12
	MaxPasswordLen = 128
	// MinPasswordScore is the least strength estimate (zxcvbn's score,
	// 0 to 4) a chosen password needs: 3 is about 10^8 guesses, which
	// refuses common, repetitive and sequential passwords and keyboard
	// walks, and accepts ordinary passphrases.
	MinPasswordScore = 3
	// estimatedRunes is how much of a password the estimator reads; past
	// it, a password that was strong enough stays so.
	estimatedRunes = 64
)

// PasswordFault is why a chosen password is refused.
type PasswordFault int

const (
	// PasswordOK: the password may be used.
	PasswordOK PasswordFault = iota
	// PasswordTooShort: fewer than MinPasswordLen characters.
	PasswordTooShort
	// PasswordTooLong: more than MaxPasswordLen characters.
	PasswordTooLong
	// PasswordUnusableCharacters: a control character, an invisible
	// format character, or nothing but white space.
	PasswordUnusableCharacters
	// PasswordGuessable: common, repetitive or otherwise easy to guess.
	PasswordGuessable
)

// NormalizePassword is the form a password is checked and hashed in:
// Unicode NFC, so that the same characters typed on different systems
// are the same password.
func NormalizePassword(pw string) string { return norm.NFC.String(pw) }

// CheckPassword tells whether pw may be chosen as an account password.
func CheckPassword(pw string) PasswordFault {
	pw = NormalizePassword(pw)
	n := utf8.RuneCountInString(pw)
	switch {
	case n < MinPasswordLen:
		return PasswordTooShort
	case n > MaxPasswordLen:
		return PasswordTooLong
	}
	onlySpace := true
	for _, r := range pw {
		if r == utf8.RuneError || unicode.IsControl(r) || IsInvisible(r) {
			return PasswordUnusableCharacters
		}
		if !unicode.IsSpace(r) {
			onlySpace = false
		}
	}
	if onlySpace {
		return PasswordUnusableCharacters
	}
	head := pw
	if n > estimatedRunes {
		head = string([]rune(pw)[:estimatedRunes])
	}
	if zxcvbn.PasswordStrength(head, nil).Score < MinPasswordScore {
		return PasswordGuessable
	}
	return PasswordOK
}
