//go:build cgo

package pkcs11

import (
	"context"
	"crypto"
	"crypto/rsa"
	"errors"
	"io"

	p11 "github.com/miekg/pkcs11"
)

// Key is an RSA private key on a token. It implements crypto.Signer and
// makes PKCS#1 v1.5 signatures with CKM_RSA_PKCS over a DigestInfo it
// builds (SHA-1, SHA-224, SHA-256, SHA-384 or SHA-512).
type Key struct {
	tok    *Token
	handle p11.ObjectHandle
	info   KeyInfo
	pub    *rsa.PublicKey
}

// Info describes the key.
func (k *Key) Info() KeyInfo { return k.info }

// Public returns the *rsa.PublicKey.
func (k *Key) Public() crypto.PublicKey { return k.pub }

// Sign signs digest, the hash of the message made with opts.HashFunc().
// rand is not used: the token makes the signature. Sign is SignContext
// with context.Background().
func (k *Key) Sign(_ io.Reader, digest []byte, opts crypto.SignerOpts) ([]byte, error) {
	return k.SignContext(context.Background(), digest, opts)
}

// SignContext signs digest, the hash of the message made with
// opts.HashFunc(). *rsa.PSSOptions, crypto.Hash(0) and hashes other than
// SHA-1 and SHA-2 are refused with an error wrapping errors.ErrUnsupported.
// For a key with CKA_ALWAYS_AUTHENTICATE it answers the card's
// context-specific login with the PIN entered at Login, never prompting
// again. The PIN is kept in locked memory for the token's session (a
// batch of signatures) and zeroed at Close; when the card refuses it at
// a context-specific login it is zeroed at once, so the wrong PIN is
// never presented a second time.
func (k *Key) SignContext(ctx context.Context, digest []byte, opts crypto.SignerOpts) ([]byte, error) {
	di, err := digestInfo(digest, opts)
	if err != nil {
		return nil, err
	}
	t := k.tok
	t.mu.Lock()
	defer t.mu.Unlock()
	if err := t.usable(ctx); err != nil {
		return nil, err
	}
	if k.info.AlwaysAuthenticate && t.pin == nil {
		return nil, ErrNotLoggedIn
	}
	if err := t.mod.SignInit(t.sh, []*p11.Mechanism{p11.NewMechanism(p11.CKM_RSA_PKCS, nil)}, k.handle); err != nil {
		return nil, t.failed(ctx, "C_SignInit", err)
	}
	if k.info.AlwaysAuthenticate {
		if err := t.mod.Login(t.sh, p11.CKU_CONTEXT_SPECIFIC, pinString(t.pin.Bytes())); err != nil {
			if errors.Is(err, p11.Error(p11.CKR_PIN_INCORRECT)) || errors.Is(err, p11.Error(p11.CKR_PIN_LOCKED)) {
				// Never presented again: a later signature of this
				// session fails with ErrNotLoggedIn instead.
				t.dropPIN()
			}
			return nil, t.loginError(ctx, "C_Login(CKU_CONTEXT_SPECIFIC)", err)
		}
	}
	sig, err := t.mod.Sign(t.sh, di)
	if err != nil {
		return nil, t.failed(ctx, "C_Sign", err)
	}
	return sig, nil
}
