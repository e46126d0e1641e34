package service

import (
	"crypto/rand"
	"fmt"

	"github.com/shinsei-app/shinsei/submit"
)

// readableAlphabet is the characters of a generated password: upper-case
// letters and digits without the pairs residents misread when they copy
// a password by hand (O and 0, I and 1). Its 32 characters give 5 bits
// each.
const readableAlphabet = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"

// generatedPasswordLen is the length of a generated password: 26
// characters of 5 bits, 130 bits as rand.Text gives.
const generatedPasswordLen = 26

// readablePassword returns a fresh random password of readableAlphabet.
// Since the alphabet has 32 characters, a byte's low 5 bits pick one
// without bias.
func readablePassword() string {
	b := make([]byte, generatedPasswordLen)
	rand.Read(b) // never fails (crypto/rand)
	for i := range b {
		b[i] = readableAlphabet[b[i]&31]
	}
	return string(b)
}

// passwordRefusal is the refusal of a chosen password that breaks the
// policy (submit.CheckPassword), saying which rule; nil for PasswordOK.
func passwordRefusal(f submit.PasswordFault) *apiProblem {
	p := fail(submit.ReasonFormInvalid, "password")
	switch f {
	case submit.PasswordOK:
		return nil
	case submit.PasswordTooShort, submit.PasswordTooLong:
		p.Problem.Detail = fmt.Sprintf("password: %d to %d characters", submit.MinPasswordLen, submit.MaxPasswordLen)
		return p.withMessage(fmt.Sprintf("パスワードは%d文字以上、%d文字以内で設定してください。", submit.MinPasswordLen, submit.MaxPasswordLen),
			fmt.Sprintf("The password must have %d to %d characters.", submit.MinPasswordLen, submit.MaxPasswordLen))
	case submit.PasswordUnusableCharacters:
		p.Problem.Detail = "password: control, invisible or only blank characters"
		return p.withMessage("パスワードに、制御文字や目に見えない文字は使えません。また、空白だけのパスワードも使えません。文字・数字・記号を組み合わせて設定し直してください。",
			"The password must not contain control or invisible characters, nor consist only of spaces. Please choose one of letters, digits and symbols.")
	default:
		p.Problem.Detail = "password: too easy to guess"
		return p.withMessage("このパスワードは、よく使われているか、同じ文字や並びの繰り返しのため、推測されやすく使えません。いくつかの単語を組み合わせるなど、推測されにくいパスワードを設定し直してください。",
			"This password is too easy to guess: it is commonly used, or repeats characters or sequences. Please choose a harder one, for example several words together.")
	}
}
