package submit

import (
	"strings"
	"testing"
)

func TestAChosenPasswordFollowsThePolicy(t *testing.T) {
	tests := []struct {
		name, password string
		want           PasswordFault
	}{
		{"12 spaces are refused", strings.Repeat(" ", 12), PasswordUnusableCharacters},
		{"ideographic spaces only are refused", strings.Repeat("\u3000", 12), PasswordUnusableCharacters},
		{"aaaaaaaaaaaa is refused as repetitive", "aaaaaaaaaaaa", PasswordGuessable},
		{"abcabcabcabc is refused as repetitive", "abcabcabcabc", PasswordGuessable},
		{"password1234 is refused as common", "password1234", PasswordGuessable},
		{"a keyboard walk is refused", "qwertyuiopas", PasswordGuessable},
		{"a digit run is refused", "123456789012", PasswordGuessable},
		{"eleven characters are too short", "Kj8#mQ2$vL9", PasswordTooShort},
		{"a combining accent does not count as a character", "Kj8#mQ2$vL9e\u0301", PasswordOK},
		{"an accent composed by NFC leaves eleven characters", "Kj8#mQ2$vLe\u0301", PasswordTooShort},
		{"a tab is a control character", "correct horse\tbattery staple", PasswordUnusableCharacters},
		{"a zero-width space is refused", "correct horse\u200bbattery staple", PasswordUnusableCharacters},
		{"a bidi override is refused", "correct horse\u202ebattery staple", PasswordUnusableCharacters},
		{"the Hangul filler is refused", "correct horse\u3164battery staple", PasswordUnusableCharacters},
		{"129 characters are too long", strings.Repeat("Kj8#mQ2$vL9x", 11)[:129], PasswordTooLong},
		{"an ordinary passphrase is accepted", "correct horse battery staple", PasswordOK},
		{"a Japanese passphrase is accepted", "髙橋花子の申請パスワード", PasswordOK},
		{"a service-generated password is accepted", "K7WQ3ZP9XHN2MRT4VB8CJ5LD6E", PasswordOK},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := CheckPassword(tt.password); got != tt.want {
				t.Errorf("CheckPassword = %d, want %d", got, tt.want)
			}
		})
	}
}
