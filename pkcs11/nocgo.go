//go:build !cgo

package pkcs11

import (
	"context"
	"crypto"
	"errors"
	"fmt"
	"io"
)

// This file stands in for library.go, token.go and key.go when the program
// is built without cgo: PKCS#11 modules are C libraries, so nothing here
// can load one.

var errNoCgo = errors.New("this program was built without cgo; PKCS#11 modules need a cgo build (CGO_ENABLED=1 and a C compiler)")

// Library is an initialized PKCS#11 module; without cgo none can be opened.
type Library struct{}

// Open fails with ErrModuleNotLoadable: this build has no cgo.
func Open(path string) (*Library, error) {
	return nil, fmt.Errorf("%w: %s: %w", ErrModuleNotLoadable, path, errNoCgo)
}

// Close does nothing.
func (l *Library) Close() error { return nil }

// Info fails: this build has no cgo.
func (l *Library) Info(context.Context) (ModuleInfo, error) { return ModuleInfo{}, errNoCgo }

// Tokens fails: this build has no cgo.
func (l *Library) Tokens(context.Context) ([]TokenInfo, error) { return nil, errNoCgo }

// OpenToken fails: this build has no cgo.
func (l *Library) OpenToken(context.Context, Selector, ...Option) (*Token, error) {
	return nil, errNoCgo
}

// Found is where a token was opened; without cgo none is.
type Found struct{}

// Token is the token as it was found.
func (f Found) Token() TokenInfo { return TokenInfo{} }

// Found is where t was opened.
func (t *Token) Found() Found { return Found{} }

// OpenTokenAt fails: this build has no cgo.
func (l *Library) OpenTokenAt(context.Context, Found, Selector, ...Option) (*Token, error) {
	return nil, errNoCgo
}

// Option changes how OpenToken treats a token.
type Option func(*Token)

// WithPINPolicy sets the PIN policy instead of detecting it from the label.
func WithPINPolicy(PINPolicy) Option { return func(*Token) {} }

// WithTriesReader sets a TriesReader; without cgo no token is opened.
func WithTriesReader(TriesReader) Option { return func(*Token) {} }

// WithTriesReaderAtLogin sets a TriesReader read at Login; without cgo no
// token is opened.
func WithTriesReaderAtLogin(TriesReader) Option { return func(*Token) {} }

// Token is an open session on a token; without cgo none can be opened.
type Token struct{}

// Info returns an empty TokenInfo.
func (t *Token) Info() TokenInfo { return TokenInfo{} }

// Status fails: this build has no cgo.
func (t *Token) Status(context.Context) (PINStatus, error) { return PINStatus{}, errNoCgo }

// Login fails: this build has no cgo.
func (t *Token) Login(context.Context, PINPrompt) error { return errNoCgo }

// Close does nothing.
func (t *Token) Close() error { return nil }

// Keys fails: this build has no cgo.
func (t *Token) Keys(context.Context) ([]KeyInfo, error) { return nil, errNoCgo }

// Certificates fails: this build has no cgo.
func (t *Token) Certificates(context.Context) ([]Certificate, error) { return nil, errNoCgo }

// Signer fails: this build has no cgo.
func (t *Token) Signer(context.Context, []byte) (*Key, error) { return nil, errNoCgo }

// Key is a private key on a token; without cgo there is none.
type Key struct{}

// Info returns an empty KeyInfo.
func (k *Key) Info() KeyInfo { return KeyInfo{} }

// Public returns nil.
func (k *Key) Public() crypto.PublicKey { return nil }

// Sign fails: this build has no cgo.
func (k *Key) Sign(io.Reader, []byte, crypto.SignerOpts) ([]byte, error) { return nil, errNoCgo }

// SignContext fails: this build has no cgo.
func (k *Key) SignContext(context.Context, []byte, crypto.SignerOpts) ([]byte, error) {
	return nil, errNoCgo
}
