//go:build cgo

package pkcs11

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"sync"

	p11 "github.com/miekg/pkcs11"
)

// Module is the part of a PKCS#11 module this package uses. *p11.Ctx
// implements it, and so does the fake in package pkcs11test.
//
// Implementations must not keep the pin strings they are given: Token
// passes strings that share memory with a PIN buffer it zeroes later.
type Module interface {
	Initialize(opts ...p11.InitializeOption) error
	Finalize() error
	GetInfo() (p11.Info, error)
	GetSlotList(tokenPresent bool) ([]uint, error)
	GetSlotInfo(slotID uint) (p11.SlotInfo, error)
	GetTokenInfo(slotID uint) (p11.TokenInfo, error)
	GetMechanismList(slotID uint) ([]*p11.Mechanism, error)
	OpenSession(slotID uint, flags uint) (p11.SessionHandle, error)
	CloseSession(sh p11.SessionHandle) error
	Login(sh p11.SessionHandle, userType uint, pin string) error
	Logout(sh p11.SessionHandle) error
	FindObjectsInit(sh p11.SessionHandle, temp []*p11.Attribute) error
	FindObjects(sh p11.SessionHandle, max int) ([]p11.ObjectHandle, bool, error)
	FindObjectsFinal(sh p11.SessionHandle) error
	GetAttributeValue(sh p11.SessionHandle, o p11.ObjectHandle, a []*p11.Attribute) ([]*p11.Attribute, error)
	SignInit(sh p11.SessionHandle, m []*p11.Mechanism, o p11.ObjectHandle) error
	Sign(sh p11.SessionHandle, message []byte) ([]byte, error)
}

// Provisioner is a Module that can also set tokens up: initialize a token,
// set its user PIN and create objects on it. Reading and signing never
// need it; only the sandbox's SoftHSM provisioning and tests that shape a
// token do. *p11.Ctx implements it, and so does pkcs11test.Module.
// Errors are the module's own (p11.Error codes), unwrapped.
//
// Like Module's, implementations must not keep the pin strings they are
// given.
type Provisioner interface {
	Module
	InitToken(slotID uint, soPIN string, label string) error
	InitPIN(sh p11.SessionHandle, pin string) error
	CreateObject(sh p11.SessionHandle, temp []*p11.Attribute) (p11.ObjectHandle, error)
}

var _ Provisioner = (*p11.Ctx)(nil)

// Library is an initialized PKCS#11 module. It is safe for concurrent use.
type Library struct {
	mod     Module
	release func() error
	once    sync.Once
	err     error
}

// loaded holds every module file loaded by Open: PKCS#11 allows one
// C_Initialize per module per process, so Libraries of the same file share
// it. A module stays loaded until the process exits (unloading modules is
// unreliable); it is finalized when its last Library is closed.
var loaded = struct {
	sync.Mutex
	files map[string]*loadedModule
}{files: make(map[string]*loadedModule)}

type loadedModule struct {
	ctx  *p11.Ctx
	refs int
}

// Open loads and initializes the PKCS#11 module at path, a file path (see
// FindModules). Libraries opened on the same file, even through different
// symbolic links, share one initialization. Close the Library when done.
// Failures wrap ErrModuleNotLoadable.
func Open(path string) (*Library, error) {
	file, err := filepath.Abs(path)
	if err == nil {
		file, err = filepath.EvalSymlinks(file)
	}
	if err != nil {
		return nil, notLoadable(path, err)
	}
	loaded.Lock()
	defer loaded.Unlock()
	lm := loaded.files[file]
	if lm == nil {
		ctx := p11.New(file)
		if ctx == nil {
			return nil, notLoadable(path, errors.New("not a PKCS#11 module for this system (loading it or finding C_GetFunctionList failed)"))
		}
		lm = &loadedModule{ctx: ctx}
		loaded.files[file] = lm
	}
	if lm.refs == 0 {
		if err := lm.ctx.Initialize(); err != nil {
			return nil, notLoadable(path, fmt.Errorf("C_Initialize: %w", err))
		}
	}
	lm.refs++
	return &Library{mod: lm.ctx, release: func() error { return unload(lm) }}, nil
}

func unload(lm *loadedModule) error {
	loaded.Lock()
	defer loaded.Unlock()
	if lm.refs--; lm.refs > 0 {
		return nil
	}
	if err := lm.ctx.Finalize(); err != nil {
		return fmt.Errorf("pkcs11: C_Finalize: %w", err)
	}
	return nil
}

func notLoadable(path string, cause error) error {
	return fmt.Errorf("%w: %s: %w", ErrModuleNotLoadable, path, cause)
}

// OpenModule initializes m and returns it as a Library; Close finalizes it.
// It is meant for fakes such as pkcs11test.Module: real modules are loaded
// with Open.
func OpenModule(m Module) (*Library, error) {
	if err := m.Initialize(); err != nil {
		return nil, fmt.Errorf("%w: C_Initialize: %w", ErrModuleNotLoadable, err)
	}
	return &Library{mod: m, release: m.Finalize}, nil
}

// Close releases the library; the module is finalized when the last Library
// sharing it is closed. Tokens opened from it must be closed first. Close
// is idempotent.
func (l *Library) Close() error {
	l.once.Do(func() { l.err = l.release() })
	return l.err
}

// Module returns the underlying module, for diagnostics and benchmarks.
// Do not Initialize or Finalize it.
func (l *Library) Module() Module { return l.mod }

// Provisioner returns the underlying module for setting tokens up; it
// fails with ErrNotProvisionable when the module cannot. Do not Initialize
// or Finalize it.
func (l *Library) Provisioner() (Provisioner, error) {
	p, ok := l.mod.(Provisioner)
	if !ok {
		return nil, ErrNotProvisionable
	}
	return p, nil
}

// Info describes the module.
func (l *Library) Info(ctx context.Context) (ModuleInfo, error) {
	if err := ctx.Err(); err != nil {
		return ModuleInfo{}, err
	}
	i, err := l.mod.GetInfo()
	if err != nil {
		return ModuleInfo{}, wrap("C_GetInfo", err)
	}
	return ModuleInfo{
		Manufacturer: i.ManufacturerID,
		Description:  i.LibraryDescription,
		Version:      fmt.Sprintf("%d.%d", i.LibraryVersion.Major, i.LibraryVersion.Minor),
	}, nil
}

// Tokens lists the initialized tokens present, with their PIN status.
func (l *Library) Tokens(ctx context.Context) ([]TokenInfo, error) {
	found, err := l.tokens(ctx, true)
	return infos(found), err
}

type slotToken struct {
	slot uint
	info TokenInfo
}

func infos(ts []slotToken) []TokenInfo {
	out := make([]TokenInfo, len(ts))
	for i, t := range ts {
		out[i] = t.info
	}
	return out
}

// tokens lists the initialized tokens present; with slots, each with its
// slot's description (the reader) as well. OpenSC's C_GetSlotInfo looks
// for cards in every reader again, so OpenToken reads it only for the
// token it opens.
func (l *Library) tokens(ctx context.Context, slots bool) ([]slotToken, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	ids, err := l.mod.GetSlotList(true)
	if err != nil {
		return nil, wrap("C_GetSlotList", err)
	}
	var found []slotToken
	for _, s := range ids {
		info, ok, err := l.token(s, slots)
		switch {
		case errors.Is(err, ErrCardRemoved): // removed while listing
		case err != nil:
			return nil, err
		case ok:
			found = append(found, slotToken{s, info})
		}
	}
	return found, nil
}

// token describes the token in slot, with the slot's description when
// withSlot is set (see readSlot); ok is false for an uninitialized token
// (SoftHSM always offers an empty slot waiting for C_InitToken).
func (l *Library) token(slot uint, withSlot bool) (info TokenInfo, ok bool, err error) {
	ti, err := l.mod.GetTokenInfo(slot)
	if err != nil {
		return TokenInfo{}, false, wrap("C_GetTokenInfo", err)
	}
	if ti.Flags&p11.CKF_TOKEN_INITIALIZED == 0 {
		return TokenInfo{}, false, nil
	}
	info = TokenInfo{
		Label:        ti.Label,
		Serial:       ti.SerialNumber,
		Manufacturer: ti.ManufacturerID,
		Model:        ti.Model,
		Policy:       policyForLabel(ti.Label),
		PIN:          pinStatus(ti.Flags),
		MinPINLen:    int(ti.MinPinLen),
		MaxPINLen:    int(ti.MaxPinLen),
	}
	if withSlot {
		if err := l.readSlot(slot, &info); err != nil {
			return TokenInfo{}, false, err
		}
	}
	return info, true, nil
}

// readSlot fills in info's reader from the slot's description.
func (l *Library) readSlot(slot uint, info *TokenInfo) error {
	si, err := l.mod.GetSlotInfo(slot)
	if err != nil {
		return wrap("C_GetSlotInfo", err)
	}
	info.Reader = si.SlotDescription
	return nil
}

// OpenToken opens a session on the one token sel matches. With an empty
// Selector and a My Number card present, the card's signature token is
// chosen. It fails with ErrNoToken or an *AmbiguousTokenError listing the
// candidates. Close the Token when done.
func (l *Library) OpenToken(ctx context.Context, sel Selector, opts ...Option) (*Token, error) {
	all, err := l.tokens(ctx, false)
	if err != nil {
		return nil, err
	}
	var match, sig []slotToken
	for _, t := range all {
		if sel.matches(t.info) {
			match = append(match, t)
			if t.info.Policy == PolicyJPKISignature {
				sig = append(sig, t)
			}
		}
	}
	if len(match) > 1 && sel == (Selector{}) && len(sig) == 1 {
		match = sig
	}
	// The reader of the tokens that matter only: each C_GetSlotInfo
	// costs OpenSC a search of every reader.
	for i := range match {
		if err := l.readSlot(match[i].slot, &match[i].info); err != nil && len(match) == 1 {
			return nil, err
		}
		// Several: ambiguous anyway, each listed with its reader if known.
	}
	switch len(match) {
	case 0:
		return nil, fmt.Errorf("%w: %s", ErrNoToken, sel)
	case 1:
	default:
		return nil, &AmbiguousTokenError{Candidates: infos(match)}
	}
	return l.openSession(ctx, match[0], opts)
}

// openSession opens a session on the token found in st and applies opts.
func (l *Library) openSession(ctx context.Context, st slotToken, opts []Option) (*Token, error) {
	sh, err := l.mod.OpenSession(st.slot, p11.CKF_SERIAL_SESSION)
	if err != nil {
		return nil, wrap("C_OpenSession", err)
	}
	t := &Token{mod: l.mod, slot: st.slot, sh: sh, info: st.info}
	for _, o := range opts {
		o(t)
	}
	if t.tries != nil && t.triesAtOpen {
		if _, err := t.status(ctx); err != nil {
			t.Close()
			return nil, err
		}
	}
	return t, nil
}

// wrap turns a PKCS#11 failure of op into this package's errors.
func wrap(op string, err error) error {
	var code p11.Error
	if err == nil || !errors.As(err, &code) {
		return err
	}
	switch code {
	case p11.CKR_DEVICE_REMOVED, p11.CKR_TOKEN_NOT_PRESENT, p11.CKR_TOKEN_NOT_RECOGNIZED,
		p11.CKR_SESSION_HANDLE_INVALID, p11.CKR_SESSION_CLOSED, p11.CKR_DEVICE_ERROR,
		p11.CKR_SLOT_ID_INVALID:
		return fmt.Errorf("%w: %s: %w", ErrCardRemoved, op, err)
	case p11.CKR_PIN_LOCKED:
		return fmt.Errorf("%w: %s: %w", ErrPINLocked, op, err)
	case p11.CKR_PIN_LEN_RANGE, p11.CKR_PIN_INVALID:
		return fmt.Errorf("%w: %s: %w", ErrPINFormat, op, err)
	case p11.CKR_USER_NOT_LOGGED_IN:
		return fmt.Errorf("%w: %s: %w", ErrNotLoggedIn, op, err)
	}
	return fmt.Errorf("pkcs11: %s: %w", op, err)
}
