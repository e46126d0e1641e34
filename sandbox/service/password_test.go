package service

import (
	"strings"
	"testing"

	"golang.org/x/text/unicode/norm"

	"github.com/shinsei-app/shinsei/submit"
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

func TestTheServiceRefusesPasswordsThePolicyForbidsAndSaysWhy(t *testing.T) {
	e := newSvcEnv(t)
	tests := []struct {
		name, password string
		status         int
		detail, ja     string
	}{
		{"12 spaces are refused", strings.Repeat(" ", 12), 422, "password: control, invisible or only blank characters", "空白だけ"},
		{"aaaaaaaaaaaa is refused", "aaaaaaaaaaaa", 422, "password: too easy to guess", "推測されやすく"},
		{"password1234 is refused", "password1234", 422, "password: too easy to guess", "推測されやすく"},
		{"a zero-width space inside is refused", "correct horse\u200bbattery staple", 422, "password: control, invisible or only blank characters", "目に見えない文字"},
		{"eleven characters are refused", "Kj8#mQ2$vL9", 422, "password: 12 to 128 characters", "12文字以上"},
		{"a generated one is accepted", readablePassword(), 201, "", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := e.register(e.creds.resident, submit.UserResident, tt.password)
			if r.status != tt.status {
				t.Fatalf("status %d, want %d: %s", r.status, tt.status, r.body)
			}
			if tt.status != 201 {
				p := r.problem(t)
				if p.Reason != submit.ReasonFormInvalid || p.Detail != tt.detail || !strings.Contains(p.MessageJA, tt.ja) {
					t.Errorf("refused as %s (%s): %s", p.Reason, p.Detail, p.MessageJA)
				}
			}
		})
	}
}

func TestAPasswordLogsInHoweverItsAccentsAreComposed(t *testing.T) {
	e := newSvcEnv(t)
	composed := "café crème brûlée à volonté"
	decomposed := norm.NFD.String(composed)
	r := e.register(e.creds.resident, submit.UserResident, decomposed)
	if r.status != 201 {
		t.Fatalf("register: %d %s", r.status, r.body)
	}
	var a submit.Account
	r.decode(t, &a)
	e.login(a.AccountID, composed)
}

func TestEveryGeneratedPasswordPassesThePolicy(t *testing.T) {
	for range 200 {
		if f := submit.CheckPassword(readablePassword()); f != submit.PasswordOK {
			t.Fatalf("a generated password breaks the policy (%d)", f)
		}
	}
}
