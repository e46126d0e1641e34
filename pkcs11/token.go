//go:build cgo

package pkcs11

import (
	"bytes"
	"context"
	"crypto/rsa"
	"crypto/x509"
	"errors"
	"fmt"
	"math/big"
	"slices"
	"sync"
	"unsafe"

	p11 "github.com/miekg/pkcs11"

	"github.com/shinsei-app/shinsei/internal/lockedmem"
)

// Option changes how OpenToken treats a token.
type Option func(*Token)

// WithPINPolicy sets the PIN policy instead of detecting it from the label
// (test tokens that stand in for a My Number card use PolicyJPKISignature).
// It also decides the default key: see Token.Signer.
func WithPINPolicy(p PINPolicy) Option {
	return func(t *Token) { t.info.Policy = p }
}

// WithTriesReader has the token read the exact number of PIN tries left
// through r each time it reads the PIN status, on top of the PKCS#11 flags
// (see TriesReader). OpenToken reads the status once more with it, so
// Info shows the exact count.
func WithTriesReader(r TriesReader) Option {
	return func(t *Token) { t.tries, t.triesAtOpen = r, true }
}

// WithTriesReaderAtLogin is WithTriesReader for a token logged in right
// after it is opened: OpenToken does not read the status once more, so
// Info shows the PKCS#11 flags read when the token was found, and the
// exact count is read by Status and by Login, just before its prompt (a
// locked PIN or an unconfirmed final try still ends Login before any PIN
// is presented). It spares one reading of the tries through PC/SC. When
// r reads the count, the first Login takes it with the flags read when
// the token was found instead of reading them again (C_GetTokenInfo,
// which OpenSC answers by asking the card too); when r fails, Login reads
// the flags again.
func WithTriesReaderAtLogin(r TriesReader) Option {
	return func(t *Token) { t.tries, t.triesAtOpen, t.flagsAtOpen = r, false, true }
}

var errClosed = errors.New("pkcs11: token is closed")

// Token is an open session on a token. Its methods are safe for concurrent
// use; PKCS#11 calls on one Token are serialized.
type Token struct {
	mod  Module
	slot uint
	sh   p11.SessionHandle

	mu       sync.Mutex
	info     TokenInfo
	tries    TriesReader // nil: the PKCS#11 flags alone
	loggedIn bool
	closed   bool

	// triesAtOpen: OpenToken reads the status with tries (WithTriesReader).
	triesAtOpen bool
	// flagsAtOpen: the first Login takes the flags read when the token
	// was found, with the count tries reads (WithTriesReaderAtLogin).
	flagsAtOpen bool
	// pin is the one copy of the PIN entered at Login, kept only when a key
	// needs a CKU_CONTEXT_SPECIFIC login, in locked memory of its own
	// (lockedmem: out of swap, out of the garbage collector's copies).
	// Close zeroes and releases it, and so does a context-specific login
	// the token refused, so a wrong PIN is never presented twice.
	pin *lockedmem.Buffer
}

// Info describes the token, with the PIN status last read.
func (t *Token) Info() TokenInfo {
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.info
}

// Status reads the PIN status from the token flags again, and the exact
// count from the TriesReader when one is set (WithTriesReader).
func (t *Token) Status(ctx context.Context) (PINStatus, error) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if err := t.usable(ctx); err != nil {
		return PINStatus{}, err
	}
	return t.status(ctx)
}

func (t *Token) usable(ctx context.Context) error {
	if t.closed {
		return errClosed
	}
	return ctx.Err()
}

func (t *Token) status(ctx context.Context) (PINStatus, error) {
	ti, err := t.mod.GetTokenInfo(t.slot)
	if err != nil {
		return PINStatus{}, wrap("C_GetTokenInfo", err)
	}
	t.info.PIN = pinStatus(ti.Flags)
	if t.tries != nil {
		if n, err := t.tries.TriesLeft(ctx, t.info); err == nil {
			t.info.PIN = withTries(t.info.PIN, n, t.info.Policy)
		}
	}
	return t.info.PIN, nil
}

// Login logs the user in, asking for the PIN through prompt at most once.
// It returns ErrPINLocked without calling prompt when the PIN is locked.
// Before any C_Login it checks the answer's format (ErrPINFormat) and, on
// the final try, that the answer confirms it (ErrFinalTryNotConfirmed). A
// refused PIN gives a *PINError with the status read after the failure.
// Login never retries; calling it when already logged in does nothing.
// The answer's PIN buffer is zeroed before Login returns.
func (t *Token) Login(ctx context.Context, prompt PINPrompt) error {
	t.mu.Lock()
	defer t.mu.Unlock()
	if err := t.usable(ctx); err != nil || t.loggedIn {
		return err
	}
	st, err := t.loginStatus(ctx)
	if err != nil {
		return err
	}
	if st.Locked {
		return fmt.Errorf("%w: token %q", ErrPINLocked, t.info.Label)
	}
	req := PINRequest{Token: t.info.Label, Policy: t.info.Policy, Status: st, MinLen: t.info.MinPINLen, MaxLen: t.info.MaxPINLen}
	ans, err := prompt(ctx, req)
	defer clear(ans.PIN)
	if err != nil {
		return err
	}
	if err := req.Check(ans.PIN); err != nil {
		return err
	}
	if st.FinalTry && !ans.ConfirmFinalTry {
		return ErrFinalTryNotConfirmed
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	pin := bytes.Clone(ans.PIN)
	if req.Policy == PolicyJPKISignature {
		for i, c := range pin {
			pin[i] = upper(c)
		}
	}
	if err := t.mod.Login(t.sh, p11.CKU_USER, pinString(pin)); err != nil && !errors.Is(err, p11.Error(p11.CKR_USER_ALREADY_LOGGED_IN)) {
		clear(pin)
		return t.loginError(ctx, "C_Login", err)
	}
	t.loggedIn = true
	keep, err := t.hasObject(class(p11.CKO_PRIVATE_KEY), p11.NewAttribute(p11.CKA_ALWAYS_AUTHENTICATE, true))
	if err != nil || !keep {
		clear(pin)
		return err
	}
	t.pin = lockedmem.From(pin) // zeroes pin
	return nil
}

// loginStatus is the status Login decides on: the flags read when the
// token was found with the exact count read now, the first time when
// WithTriesReaderAtLogin asked for it, and otherwise status.
func (t *Token) loginStatus(ctx context.Context) (PINStatus, error) {
	if !t.flagsAtOpen || t.tries == nil {
		return t.status(ctx)
	}
	t.flagsAtOpen = false
	if n, err := t.tries.TriesLeft(ctx, t.info); err == nil {
		t.info.PIN = withTries(t.info.PIN, n, t.info.Policy)
		return t.info.PIN, nil
	}
	// No count: the flags alone, read again.
	ti, err := t.mod.GetTokenInfo(t.slot)
	if err != nil {
		return PINStatus{}, wrap("C_GetTokenInfo", err)
	}
	t.info.PIN = pinStatus(ti.Flags)
	return t.info.PIN, nil
}

// dropPIN zeroes and releases the PIN kept for context-specific logins.
func (t *Token) dropPIN() {
	t.pin.Wipe()
	t.pin = nil
}

// pinString gives the module the PIN without making a copy the garbage
// collector would keep unwiped. Module implementations must not keep it.
func pinString(pin []byte) string {
	return unsafe.String(unsafe.SliceData(pin), len(pin))
}

// loginError turns a failed login into a *PINError carrying the status
// read after the failure, or into this package's other errors.
func (t *Token) loginError(ctx context.Context, op string, err error) error {
	if !errors.Is(err, p11.Error(p11.CKR_PIN_INCORRECT)) {
		return t.failed(ctx, op, err)
	}
	st, serr := t.status(context.WithoutCancel(ctx))
	if serr != nil {
		st = PINStatus{TriesLeft: -1}
	}
	return &PINError{Status: st, Err: err}
}

// Close logs out, closes the session and zeroes the PIN kept for
// context-specific logins. Close is idempotent.
func (t *Token) Close() error {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.dropPIN()
	if t.closed {
		return nil
	}
	t.closed = true
	if t.loggedIn {
		t.mod.Logout(t.sh) // closing the session logs out as well
	}
	if err := wrap("C_CloseSession", t.mod.CloseSession(t.sh)); err != nil && !errors.Is(err, ErrCardRemoved) {
		return err
	}
	return nil
}

// Keys lists the private keys visible in the session (on most tokens, all
// of them only after Login) with their certificates.
func (t *Token) Keys(ctx context.Context) ([]KeyInfo, error) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if err := t.usable(ctx); err != nil {
		return nil, err
	}
	certs, err := t.certificates()
	if err != nil {
		return nil, err
	}
	hs, err := t.find(class(p11.CKO_PRIVATE_KEY))
	if err != nil {
		return nil, err
	}
	keys := make([]KeyInfo, len(hs))
	for i, h := range hs {
		if keys[i], err = t.keyInfo(h, certs); err != nil {
			return nil, err
		}
	}
	return keys, nil
}

// Certificates lists the X.509 certificates readable in the session. A My
// Number card shows its signature certificate only after Login.
func (t *Token) Certificates(ctx context.Context) ([]Certificate, error) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if err := t.usable(ctx); err != nil {
		return nil, err
	}
	return t.certificates()
}

func (t *Token) certificates() ([]Certificate, error) {
	hs, err := t.find(class(p11.CKO_CERTIFICATE), p11.NewAttribute(p11.CKA_CERTIFICATE_TYPE, p11.CKC_X_509))
	if err != nil {
		return nil, err
	}
	certs := make([]Certificate, 0, len(hs))
	for _, h := range hs {
		v, err := t.attributes(h, p11.CKA_ID, p11.CKA_LABEL, p11.CKA_VALUE)
		if err != nil {
			return nil, err
		}
		if len(v[2]) == 0 {
			// OpenSC lists a certificate it could not read with an empty
			// value: the signature certificate of a My Number card that
			// has none.
			continue
		}
		cert, err := x509.ParseCertificate(v[2])
		if err != nil {
			return nil, fmt.Errorf("pkcs11: certificate %q (CKA_ID %x): %w", v[1], v[0], err)
		}
		certs = append(certs, Certificate{ID: v[0], Label: string(v[1]), Cert: cert})
	}
	return certs, nil
}

func (t *Token) keyInfo(h p11.ObjectHandle, certs []Certificate) (KeyInfo, error) {
	v, err := t.attributes(h, p11.CKA_ID, p11.CKA_LABEL, p11.CKA_KEY_TYPE, p11.CKA_ALWAYS_AUTHENTICATE)
	if err != nil {
		return KeyInfo{}, err
	}
	k := KeyInfo{ID: v[0], Label: string(v[1]), Algorithm: x509.UnknownPublicKeyAlgorithm, AlwaysAuthenticate: isTrue(v[3])}
	switch {
	case bytes.Equal(v[2], ulong(p11.CKK_RSA)):
		k.Algorithm = x509.RSA
	case bytes.Equal(v[2], ulong(p11.CKK_EC)):
		k.Algorithm = x509.ECDSA
	}
	if i := slices.IndexFunc(certs, func(c Certificate) bool { return len(c.ID) > 0 && bytes.Equal(c.ID, k.ID) }); i >= 0 {
		k.Certificate = certs[i].Cert
	}
	return k, nil
}

// Signer returns the private key with CKA_ID keyID. With a nil keyID it
// chooses the "Digital Signature Key" (CKA_ID 02) on a token with
// PolicyJPKISignature, and otherwise the token's only key. It needs Login
// first (ErrNotLoggedIn); keys that are not RSA are refused with an error
// wrapping errors.ErrUnsupported.
func (t *Token) Signer(ctx context.Context, keyID []byte) (*Key, error) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if err := t.usable(ctx); err != nil {
		return nil, err
	}
	if !t.loggedIn {
		return nil, ErrNotLoggedIn
	}
	if keyID == nil && t.info.Policy == PolicyJPKISignature {
		keyID = jpkiSignatureKeyID
	}
	tmpl := []*p11.Attribute{class(p11.CKO_PRIVATE_KEY)}
	if keyID != nil {
		tmpl = append(tmpl, p11.NewAttribute(p11.CKA_ID, keyID))
	}
	hs, err := t.find(tmpl...)
	if err != nil {
		return nil, err
	}
	switch {
	case len(hs) == 0 && keyID == nil:
		return nil, fmt.Errorf("%w: token %q holds no private key", ErrKeyNotFound, t.info.Label)
	case len(hs) == 0:
		return nil, fmt.Errorf("%w: no key with ID %x on token %q", ErrKeyNotFound, keyID, t.info.Label)
	case len(hs) > 1:
		return nil, fmt.Errorf("%w: %d keys match on token %q, choose one by key ID", ErrKeyNotFound, len(hs), t.info.Label)
	}
	certs, err := t.certificates()
	if err != nil {
		return nil, err
	}
	info, err := t.keyInfo(hs[0], certs)
	if err != nil {
		return nil, err
	}
	if info.Algorithm != x509.RSA {
		return nil, fmt.Errorf("pkcs11: key %x is %v, only RSA keys can sign: %w", info.ID, info.Algorithm, errors.ErrUnsupported)
	}
	mechs, err := t.mod.GetMechanismList(t.slot)
	if err != nil {
		return nil, wrap("C_GetMechanismList", err)
	}
	if !slices.ContainsFunc(mechs, func(m *p11.Mechanism) bool { return m.Mechanism == p11.CKM_RSA_PKCS }) {
		return nil, fmt.Errorf("pkcs11: token %q does not offer CKM_RSA_PKCS: %w", t.info.Label, errors.ErrUnsupported)
	}
	if info.Certificate == nil && t.info.Policy == PolicyJPKISignature {
		return nil, fmt.Errorf("%w: token %q holds no certificate for key %x; a My Number card issued to a child under 15 has no signature certificate",
			ErrNoCertificate, t.info.Label, info.ID)
	}
	pub, err := t.rsaPublicKey(hs[0], info)
	if err != nil {
		return nil, err
	}
	return &Key{tok: t, handle: hs[0], info: info, pub: pub}, nil
}

// rsaPublicKey takes the public key from the key's certificate, or else
// from the private key object.
func (t *Token) rsaPublicKey(h p11.ObjectHandle, info KeyInfo) (*rsa.PublicKey, error) {
	if info.Certificate != nil {
		if pub, ok := info.Certificate.PublicKey.(*rsa.PublicKey); ok {
			return pub, nil
		}
		return nil, fmt.Errorf("pkcs11: the certificate of RSA key %x holds a %v key", info.ID, info.Certificate.PublicKeyAlgorithm)
	}
	v, err := t.attributes(h, p11.CKA_MODULUS, p11.CKA_PUBLIC_EXPONENT)
	if err != nil {
		return nil, err
	}
	e := new(big.Int).SetBytes(v[1])
	if len(v[0]) == 0 || !e.IsInt64() || e.Int64() > 1<<31-1 {
		return nil, fmt.Errorf("pkcs11: key %x has no usable public key", info.ID)
	}
	return &rsa.PublicKey{N: new(big.Int).SetBytes(v[0]), E: int(e.Int64())}, nil
}

func (t *Token) find(tmpl ...*p11.Attribute) ([]p11.ObjectHandle, error) {
	if err := t.mod.FindObjectsInit(t.sh, tmpl); err != nil {
		return nil, wrap("C_FindObjectsInit", err)
	}
	var all []p11.ObjectHandle
	for {
		hs, _, err := t.mod.FindObjects(t.sh, 64)
		if err != nil {
			t.mod.FindObjectsFinal(t.sh)
			return nil, wrap("C_FindObjects", err)
		}
		if len(hs) == 0 {
			break
		}
		all = append(all, hs...)
	}
	return all, wrap("C_FindObjectsFinal", t.mod.FindObjectsFinal(t.sh))
}

func (t *Token) hasObject(tmpl ...*p11.Attribute) (bool, error) {
	hs, err := t.find(tmpl...)
	return len(hs) > 0, err
}

func (t *Token) attributes(h p11.ObjectHandle, types ...uint) ([][]byte, error) {
	tmpl := make([]*p11.Attribute, len(types))
	for i, typ := range types {
		tmpl[i] = p11.NewAttribute(typ, nil)
	}
	got, err := t.mod.GetAttributeValue(t.sh, h, tmpl)
	if err != nil {
		return nil, wrap("C_GetAttributeValue", err)
	}
	v := make([][]byte, len(got))
	for i, a := range got {
		v[i] = a.Value
	}
	return v, nil
}

func class(c uint) *p11.Attribute { return p11.NewAttribute(p11.CKA_CLASS, c) }

// ulong encodes x as a CK_ULONG attribute value.
func ulong(x uint) []byte { return p11.NewAttribute(0, x).Value }

func isTrue(v []byte) bool { return len(v) == 1 && v[0] != 0 }
