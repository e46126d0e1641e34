package service

import "crypto/rand"

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
