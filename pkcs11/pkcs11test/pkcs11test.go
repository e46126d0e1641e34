//go:build cgo

// Package pkcs11test provides Module, an in-memory PKCS#11 module that
// behaves like a smart card under OpenSC, for tests of code built on
// package pkcs11 (it implements pkcs11.Module and pkcs11.Provisioner).
//
// Its tokens hold RSA keys and certificates and a user PIN with a tries
// counter that sets CKF_USER_PIN_COUNT_LOW, CKF_USER_PIN_FINAL_TRY and
// CKF_USER_PIN_LOCKED exactly as OpenSC does for a card. It enforces
// CKA_ALWAYS_AUTHENTICATE (a CKU_CONTEXT_SPECIFIC login between C_SignInit
// and C_Sign), offers only CKM_RSA_PKCS, counts C_Login calls, and can
// simulate the card being pulled out. Like SoftHSM it always offers one
// empty slot for C_InitToken, so provisioning code can run on it too.
package pkcs11test

import (
	"bytes"
	"cmp"
	"crypto/rsa"
	"crypto/x509"
	"encoding/asn1"
	"fmt"
	"math/big"
	"slices"
	"sync"

	p11 "github.com/miekg/pkcs11"
)

// Token configures a token of the fake.
type Token struct {
	// Label is the token label; Serial defaults to a distinct hex number.
	Label, Serial string
	// Manufacturer and Model default to "pkcs11test" and "fake".
	Manufacturer, Model string
	// PIN is the user PIN, SOPIN the security officer's.
	PIN, SOPIN string
	// MaxTries is the number of wrong PINs that lock the PIN (default 5,
	// as for the My Number card signature password).
	MaxTries int
	// FailedTries is the number of wrong PINs entered since the last
	// successful login: MaxTries-1 puts the token on its final try,
	// MaxTries locks it.
	FailedTries int
	// MinPINLen and MaxPINLen are the PIN length limits (default 4 and 16);
	// a login with a PIN outside them fails with CKR_PIN_LEN_RANGE without
	// spending a try.
	MinPINLen, MaxPINLen int
	Keys                 []Key
}

// Key configures a key pair and its certificate on a fake token; the
// private key, public key and certificate objects share ID.
type Key struct {
	ID                 []byte
	Label              string
	Key                *rsa.PrivateKey
	Cert               *x509.Certificate // optional
	AlwaysAuthenticate bool
}

// Module is the fake PKCS#11 module. It is safe for concurrent use.
type Module struct {
	mu          sync.Mutex
	initialized bool
	slots       []*slot
	sessions    map[p11.SessionHandle]*session
	handles     uint
	logins      int
	removed     bool
	removeAt    string
}

type slot struct {
	id                                 uint
	initialized                        bool
	label, serial, manufacturer, model string
	soPIN, pin                         string
	pinSet                             bool
	maxTries, failed                   int
	minLen, maxLen                     int
	objects                            []*object
	user, so                           bool // who is logged in
}

type object struct {
	handle  p11.ObjectHandle
	attrs   map[uint][]byte
	key     *rsa.PrivateKey // for RSA private keys
	private bool
}

type session struct {
	slot    *slot
	rw      bool
	finding bool
	found   []p11.ObjectHandle
	signKey *object
	// reauth is set between C_SignInit and C_Sign on a key with
	// CKA_ALWAYS_AUTHENTICATE until a CKU_CONTEXT_SPECIFIC login.
	reauth bool
}

// New returns a fake module with the given tokens in slots 0, 1, ... and an
// empty slot after them. It panics on a key it cannot store.
func New(tokens ...Token) *Module {
	m := &Module{sessions: make(map[p11.SessionHandle]*session)}
	for _, t := range tokens {
		s := m.addSlot()
		s.initialized, s.label, s.serial, s.soPIN = true, t.Label, cmp.Or(t.Serial, s.serial), t.SOPIN
		s.pin, s.pinSet, s.failed = t.PIN, true, t.FailedTries
		s.manufacturer, s.model = cmp.Or(t.Manufacturer, s.manufacturer), cmp.Or(t.Model, s.model)
		s.maxTries = cmp.Or(t.MaxTries, s.maxTries)
		s.minLen, s.maxLen = cmp.Or(t.MinPINLen, s.minLen), cmp.Or(t.MaxPINLen, s.maxLen)
		for _, k := range t.Keys {
			for _, tmpl := range keyObjects(k) {
				o, err := m.newObject(tmpl)
				if err != nil {
					panic(fmt.Sprintf("pkcs11test: key %x: %v", k.ID, err))
				}
				s.objects = append(s.objects, o)
			}
		}
	}
	m.addSlot()
	return m
}

func (m *Module) addSlot() *slot {
	id := uint(len(m.slots))
	s := &slot{
		id: id, serial: fmt.Sprintf("%016x", 0xfa4e0000+id), manufacturer: "pkcs11test", model: "fake",
		maxTries: 5, minLen: 4, maxLen: 16,
	}
	m.slots = append(m.slots, s)
	return s
}

func keyObjects(k Key) [][]*p11.Attribute {
	common := func(class uint) []*p11.Attribute {
		return []*p11.Attribute{
			p11.NewAttribute(p11.CKA_CLASS, class),
			p11.NewAttribute(p11.CKA_TOKEN, true),
			p11.NewAttribute(p11.CKA_ID, k.ID),
			p11.NewAttribute(p11.CKA_LABEL, k.Label),
		}
	}
	e := big.NewInt(int64(k.Key.E)).Bytes()
	objs := [][]*p11.Attribute{
		append(common(p11.CKO_PRIVATE_KEY),
			p11.NewAttribute(p11.CKA_KEY_TYPE, p11.CKK_RSA),
			p11.NewAttribute(p11.CKA_PRIVATE, true),
			p11.NewAttribute(p11.CKA_SENSITIVE, true),
			p11.NewAttribute(p11.CKA_SIGN, true),
			p11.NewAttribute(p11.CKA_ALWAYS_AUTHENTICATE, k.AlwaysAuthenticate),
			p11.NewAttribute(p11.CKA_MODULUS, k.Key.N.Bytes()),
			p11.NewAttribute(p11.CKA_PUBLIC_EXPONENT, e),
			p11.NewAttribute(p11.CKA_PRIVATE_EXPONENT, k.Key.D.Bytes()),
			p11.NewAttribute(p11.CKA_PRIME_1, k.Key.Primes[0].Bytes()),
			p11.NewAttribute(p11.CKA_PRIME_2, k.Key.Primes[1].Bytes())),
		append(common(p11.CKO_PUBLIC_KEY),
			p11.NewAttribute(p11.CKA_KEY_TYPE, p11.CKK_RSA),
			p11.NewAttribute(p11.CKA_VERIFY, true),
			p11.NewAttribute(p11.CKA_MODULUS, k.Key.N.Bytes()),
			p11.NewAttribute(p11.CKA_PUBLIC_EXPONENT, e)),
	}
	if k.Cert != nil {
		serial, _ := asn1.Marshal(k.Cert.SerialNumber)
		objs = append(objs, append(common(p11.CKO_CERTIFICATE),
			p11.NewAttribute(p11.CKA_CERTIFICATE_TYPE, p11.CKC_X_509),
			p11.NewAttribute(p11.CKA_SUBJECT, k.Cert.RawSubject),
			p11.NewAttribute(p11.CKA_ISSUER, k.Cert.RawIssuer),
			p11.NewAttribute(p11.CKA_SERIAL_NUMBER, serial),
			p11.NewAttribute(p11.CKA_VALUE, k.Cert.Raw)))
	}
	return objs
}

// LoginCalls returns the number of C_Login calls so far, whatever their
// user type or outcome.
func (m *Module) LoginCalls() int {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.logins
}

// ChangePIN changes the user PIN of every token, as if it were changed
// elsewhere while a session is open: the PIN entered earlier is refused
// from now on (a context-specific login with it fails with
// CKR_PIN_INCORRECT and spends a try).
func (m *Module) ChangePIN(pin string) {
	m.mu.Lock()
	defer m.mu.Unlock()
	for _, s := range m.slots {
		if s.pinSet {
			s.pin = pin
		}
	}
}

// RemoveCard pulls the card out: its tokens disappear, calls on its
// sessions fail with CKR_DEVICE_REMOVED and C_GetTokenInfo with
// CKR_TOKEN_NOT_PRESENT.
func (m *Module) RemoveCard() {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.removed = true
}

// RemoveCardAt pulls the card out during the next call of the named Module
// method (for example "Sign"), which fails with CKR_DEVICE_REMOVED.
func (m *Module) RemoveCardAt(method string) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.removeAt = method
}

// begin starts the PKCS#11 call named method; m.mu must be held.
func (m *Module) begin(method string) error {
	if !m.initialized {
		return p11.Error(p11.CKR_CRYPTOKI_NOT_INITIALIZED)
	}
	if method == m.removeAt {
		m.removeAt, m.removed = "", true
		return p11.Error(p11.CKR_DEVICE_REMOVED)
	}
	return nil
}

func (m *Module) slot(method string, id uint) (*slot, error) {
	if err := m.begin(method); err != nil {
		return nil, err
	}
	if id >= uint(len(m.slots)) {
		return nil, p11.Error(p11.CKR_SLOT_ID_INVALID)
	}
	if m.removed {
		return nil, p11.Error(p11.CKR_TOKEN_NOT_PRESENT)
	}
	return m.slots[id], nil
}

func (m *Module) session(method string, sh p11.SessionHandle) (*session, error) {
	if err := m.begin(method); err != nil {
		return nil, err
	}
	if m.removed {
		return nil, p11.Error(p11.CKR_DEVICE_REMOVED)
	}
	s := m.sessions[sh]
	if s == nil {
		return nil, p11.Error(p11.CKR_SESSION_HANDLE_INVALID)
	}
	return s, nil
}

func (m *Module) handle() uint {
	m.handles++
	return m.handles
}

// Initialize implements C_Initialize.
func (m *Module) Initialize(...p11.InitializeOption) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.initialized {
		return p11.Error(p11.CKR_CRYPTOKI_ALREADY_INITIALIZED)
	}
	m.initialized = true
	return nil
}

// Finalize implements C_Finalize.
func (m *Module) Finalize() error {
	m.mu.Lock()
	defer m.mu.Unlock()
	if err := m.begin("Finalize"); err != nil {
		return err
	}
	m.initialized = false
	clear(m.sessions)
	for _, s := range m.slots {
		s.user, s.so = false, false
	}
	return nil
}

// GetInfo implements C_GetInfo.
func (m *Module) GetInfo() (p11.Info, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if err := m.begin("GetInfo"); err != nil {
		return p11.Info{}, err
	}
	return p11.Info{
		CryptokiVersion:    p11.Version{Major: 2, Minor: 40},
		ManufacturerID:     "pkcs11test",
		LibraryDescription: "in-memory fake card",
		LibraryVersion:     p11.Version{Major: 1},
	}, nil
}

// GetSlotList implements C_GetSlotList.
func (m *Module) GetSlotList(tokenPresent bool) ([]uint, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if err := m.begin("GetSlotList"); err != nil {
		return nil, err
	}
	var ids []uint
	for _, s := range m.slots {
		if !tokenPresent || !m.removed {
			ids = append(ids, s.id)
		}
	}
	return ids, nil
}

// GetSlotInfo implements C_GetSlotInfo.
func (m *Module) GetSlotInfo(id uint) (p11.SlotInfo, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if err := m.begin("GetSlotInfo"); err != nil {
		return p11.SlotInfo{}, err
	}
	if id >= uint(len(m.slots)) {
		return p11.SlotInfo{}, p11.Error(p11.CKR_SLOT_ID_INVALID)
	}
	info := p11.SlotInfo{SlotDescription: fmt.Sprintf("Fake reader %d", id), ManufacturerID: "pkcs11test", Flags: p11.CKF_REMOVABLE_DEVICE | p11.CKF_HW_SLOT}
	if !m.removed {
		info.Flags |= p11.CKF_TOKEN_PRESENT
	}
	return info, nil
}

// GetTokenInfo implements C_GetTokenInfo. The PIN flags follow OpenSC:
// LOCKED with no try left, FINAL_TRY with one, COUNT_LOW with fewer than
// MaxTries.
func (m *Module) GetTokenInfo(id uint) (p11.TokenInfo, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	s, err := m.slot("GetTokenInfo", id)
	if err != nil {
		return p11.TokenInfo{}, err
	}
	flags := uint(p11.CKF_LOGIN_REQUIRED)
	if s.initialized {
		flags |= p11.CKF_TOKEN_INITIALIZED
	}
	if s.pinSet {
		flags |= p11.CKF_USER_PIN_INITIALIZED
		switch left := s.maxTries - s.failed; {
		case left <= 0:
			flags |= p11.CKF_USER_PIN_LOCKED
		case left == 1:
			flags |= p11.CKF_USER_PIN_FINAL_TRY
		case left < s.maxTries:
			flags |= p11.CKF_USER_PIN_COUNT_LOW
		}
	}
	return p11.TokenInfo{
		Label: s.label, ManufacturerID: s.manufacturer, Model: s.model, SerialNumber: s.serial,
		Flags: flags, MinPinLen: uint(s.minLen), MaxPinLen: uint(s.maxLen),
	}, nil
}

// GetMechanismList implements C_GetMechanismList: only CKM_RSA_PKCS, like
// the card.
func (m *Module) GetMechanismList(id uint) ([]*p11.Mechanism, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if _, err := m.slot("GetMechanismList", id); err != nil {
		return nil, err
	}
	return []*p11.Mechanism{p11.NewMechanism(p11.CKM_RSA_PKCS, nil)}, nil
}

// InitToken implements C_InitToken. Like SoftHSM, the token keeps its slot
// and a new empty slot appears.
func (m *Module) InitToken(id uint, soPIN, label string) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	s, err := m.slot("InitToken", id)
	if err != nil {
		return err
	}
	for _, ss := range m.sessions {
		if ss.slot == s {
			return p11.Error(p11.CKR_SESSION_EXISTS)
		}
	}
	if s.initialized && soPIN != s.soPIN {
		return p11.Error(p11.CKR_PIN_INCORRECT)
	}
	if !s.initialized && s == m.slots[len(m.slots)-1] {
		m.addSlot()
	}
	s.initialized, s.label, s.soPIN = true, label, soPIN
	s.pin, s.pinSet, s.failed, s.objects = "", false, 0, nil
	return nil
}

// InitPIN implements C_InitPIN: a security officer sets the user PIN.
func (m *Module) InitPIN(sh p11.SessionHandle, pin string) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	s, err := m.session("InitPIN", sh)
	if err != nil {
		return err
	}
	if !s.slot.so {
		return p11.Error(p11.CKR_USER_NOT_LOGGED_IN)
	}
	s.slot.pin, s.slot.pinSet, s.slot.failed = pin, true, 0
	return nil
}

// OpenSession implements C_OpenSession.
func (m *Module) OpenSession(id uint, flags uint) (p11.SessionHandle, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	s, err := m.slot("OpenSession", id)
	if err != nil {
		return 0, err
	}
	if flags&p11.CKF_SERIAL_SESSION == 0 {
		return 0, p11.Error(p11.CKR_SESSION_PARALLEL_NOT_SUPPORTED)
	}
	sh := p11.SessionHandle(m.handle())
	m.sessions[sh] = &session{slot: s, rw: flags&p11.CKF_RW_SESSION != 0}
	return sh, nil
}

// CloseSession implements C_CloseSession; closing a token's last session
// logs it out.
func (m *Module) CloseSession(sh p11.SessionHandle) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	s, err := m.session("CloseSession", sh)
	if err != nil {
		return err
	}
	delete(m.sessions, sh)
	for _, o := range m.sessions {
		if o.slot == s.slot {
			return nil
		}
	}
	s.slot.user, s.slot.so = false, false
	return nil
}

// Login implements C_Login for CKU_SO, CKU_USER and CKU_CONTEXT_SPECIFIC,
// counting every call.
func (m *Module) Login(sh p11.SessionHandle, userType uint, pin string) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.logins++
	s, err := m.session("Login", sh)
	if err != nil {
		return err
	}
	t := s.slot
	switch userType {
	case p11.CKU_SO:
		switch {
		case t.so:
			return p11.Error(p11.CKR_USER_ALREADY_LOGGED_IN)
		case t.user:
			return p11.Error(p11.CKR_USER_ANOTHER_ALREADY_LOGGED_IN)
		case !s.rw:
			return p11.Error(p11.CKR_SESSION_READ_ONLY_EXISTS)
		case pin != t.soPIN:
			return p11.Error(p11.CKR_PIN_INCORRECT)
		}
		t.so = true
	case p11.CKU_USER:
		switch {
		case !t.pinSet:
			return p11.Error(p11.CKR_USER_PIN_NOT_INITIALIZED)
		case t.user:
			return p11.Error(p11.CKR_USER_ALREADY_LOGGED_IN)
		case t.so:
			return p11.Error(p11.CKR_USER_ANOTHER_ALREADY_LOGGED_IN)
		}
		if err := t.verify(pin); err != nil {
			return err
		}
		t.user = true
	case p11.CKU_CONTEXT_SPECIFIC:
		if !s.reauth {
			return p11.Error(p11.CKR_OPERATION_NOT_INITIALIZED)
		}
		if err := t.verify(pin); err != nil {
			return err
		}
		s.reauth = false
	default:
		return p11.Error(p11.CKR_USER_TYPE_INVALID)
	}
	return nil
}

// verify checks the user PIN as a card does: the length first, without
// spending a try, then the tries counter.
func (t *slot) verify(pin string) error {
	switch {
	case len(pin) < t.minLen || len(pin) > t.maxLen:
		return p11.Error(p11.CKR_PIN_LEN_RANGE)
	case t.failed >= t.maxTries:
		return p11.Error(p11.CKR_PIN_LOCKED)
	case pin != t.pin:
		t.failed++
		return p11.Error(p11.CKR_PIN_INCORRECT)
	}
	t.failed = 0
	return nil
}

// Logout implements C_Logout.
func (m *Module) Logout(sh p11.SessionHandle) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	s, err := m.session("Logout", sh)
	if err != nil {
		return err
	}
	if !s.slot.user && !s.slot.so {
		return p11.Error(p11.CKR_USER_NOT_LOGGED_IN)
	}
	s.slot.user, s.slot.so = false, false
	return nil
}

// CreateObject implements C_CreateObject. RSA private keys need
// CKA_MODULUS, CKA_PUBLIC_EXPONENT, CKA_PRIVATE_EXPONENT, CKA_PRIME_1 and
// CKA_PRIME_2; other private keys are stored but cannot sign.
func (m *Module) CreateObject(sh p11.SessionHandle, tmpl []*p11.Attribute) (p11.ObjectHandle, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	s, err := m.session("CreateObject", sh)
	if err != nil {
		return 0, err
	}
	if !s.rw {
		return 0, p11.Error(p11.CKR_SESSION_READ_ONLY)
	}
	o, err := m.newObject(tmpl)
	if err != nil {
		return 0, err
	}
	if o.private && !s.slot.user {
		return 0, p11.Error(p11.CKR_USER_NOT_LOGGED_IN)
	}
	s.slot.objects = append(s.slot.objects, o)
	return o.handle, nil
}

// sensitive lists the RSA private key attributes that are never returned.
var sensitive = []uint{p11.CKA_PRIVATE_EXPONENT, p11.CKA_PRIME_1, p11.CKA_PRIME_2, p11.CKA_EXPONENT_1, p11.CKA_EXPONENT_2, p11.CKA_COEFFICIENT}

func (m *Module) newObject(tmpl []*p11.Attribute) (*object, error) {
	o := &object{attrs: map[uint][]byte{
		p11.CKA_ID:    nil,
		p11.CKA_LABEL: nil,
	}}
	for _, a := range tmpl {
		o.attrs[a.Type] = bytes.Clone(a.Value)
	}
	class, ok := o.attrs[p11.CKA_CLASS]
	if !ok {
		return nil, p11.Error(p11.CKR_TEMPLATE_INCOMPLETE)
	}
	if bytes.Equal(class, ulong(p11.CKO_PRIVATE_KEY)) {
		for a, def := range map[uint]bool{p11.CKA_PRIVATE: true, p11.CKA_ALWAYS_AUTHENTICATE: false} {
			if _, ok := o.attrs[a]; !ok {
				o.attrs[a] = p11.NewAttribute(a, def).Value
			}
		}
	}
	if bytes.Equal(class, ulong(p11.CKO_PRIVATE_KEY)) && bytes.Equal(o.attrs[p11.CKA_KEY_TYPE], ulong(p11.CKK_RSA)) {
		key, err := rsaKey(o.attrs)
		if err != nil {
			return nil, err
		}
		o.key = key
		for _, a := range sensitive {
			delete(o.attrs, a)
		}
	}
	o.private = isTrue(o.attrs[p11.CKA_PRIVATE])
	o.handle = p11.ObjectHandle(m.handle())
	return o, nil
}

func rsaKey(attrs map[uint][]byte) (*rsa.PrivateKey, error) {
	n := func(a uint) *big.Int { return new(big.Int).SetBytes(attrs[a]) }
	k := &rsa.PrivateKey{
		PublicKey: rsa.PublicKey{N: n(p11.CKA_MODULUS), E: int(n(p11.CKA_PUBLIC_EXPONENT).Int64())},
		D:         n(p11.CKA_PRIVATE_EXPONENT),
		Primes:    []*big.Int{n(p11.CKA_PRIME_1), n(p11.CKA_PRIME_2)},
	}
	if err := k.Validate(); err != nil {
		return nil, p11.Error(p11.CKR_TEMPLATE_INCONSISTENT)
	}
	k.Precompute()
	return k, nil
}

// visible returns the object with handle h if the session can see it:
// private objects only while the user is logged in.
func (s *session) visible(h p11.ObjectHandle) *object {
	for _, o := range s.slot.objects {
		if o.handle == h && (!o.private || s.slot.user) {
			return o
		}
	}
	return nil
}

// FindObjectsInit implements C_FindObjectsInit.
func (m *Module) FindObjectsInit(sh p11.SessionHandle, tmpl []*p11.Attribute) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	s, err := m.session("FindObjectsInit", sh)
	if err != nil {
		return err
	}
	if s.finding {
		return p11.Error(p11.CKR_OPERATION_ACTIVE)
	}
	s.finding, s.found = true, nil
	for _, o := range s.slot.objects {
		if s.visible(o.handle) != nil && o.matches(tmpl) {
			s.found = append(s.found, o.handle)
		}
	}
	return nil
}

func (o *object) matches(tmpl []*p11.Attribute) bool {
	for _, a := range tmpl {
		if v, ok := o.attrs[a.Type]; !ok || !bytes.Equal(v, a.Value) {
			return false
		}
	}
	return true
}

// FindObjects implements C_FindObjects.
func (m *Module) FindObjects(sh p11.SessionHandle, max int) ([]p11.ObjectHandle, bool, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	s, err := m.session("FindObjects", sh)
	if err != nil {
		return nil, false, err
	}
	if !s.finding {
		return nil, false, p11.Error(p11.CKR_OPERATION_NOT_INITIALIZED)
	}
	n := min(max, len(s.found))
	hs := slices.Clone(s.found[:n])
	s.found = s.found[n:]
	return hs, false, nil
}

// FindObjectsFinal implements C_FindObjectsFinal.
func (m *Module) FindObjectsFinal(sh p11.SessionHandle) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	s, err := m.session("FindObjectsFinal", sh)
	if err != nil {
		return err
	}
	if !s.finding {
		return p11.Error(p11.CKR_OPERATION_NOT_INITIALIZED)
	}
	s.finding, s.found = false, nil
	return nil
}

// GetAttributeValue implements C_GetAttributeValue. Private key material
// is sensitive (CKR_ATTRIBUTE_SENSITIVE) and attributes the object lacks
// give CKR_ATTRIBUTE_TYPE_INVALID.
func (m *Module) GetAttributeValue(sh p11.SessionHandle, h p11.ObjectHandle, tmpl []*p11.Attribute) ([]*p11.Attribute, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	s, err := m.session("GetAttributeValue", sh)
	if err != nil {
		return nil, err
	}
	o := s.visible(h)
	if o == nil {
		return nil, p11.Error(p11.CKR_OBJECT_HANDLE_INVALID)
	}
	out := make([]*p11.Attribute, len(tmpl))
	for i, a := range tmpl {
		v, ok := o.attrs[a.Type]
		switch {
		case o.key != nil && slices.Contains(sensitive, a.Type):
			return nil, p11.Error(p11.CKR_ATTRIBUTE_SENSITIVE)
		case !ok:
			return nil, p11.Error(p11.CKR_ATTRIBUTE_TYPE_INVALID)
		}
		out[i] = &p11.Attribute{Type: a.Type, Value: bytes.Clone(v)}
	}
	return out, nil
}

// SignInit implements C_SignInit for CKM_RSA_PKCS only.
func (m *Module) SignInit(sh p11.SessionHandle, mechs []*p11.Mechanism, h p11.ObjectHandle) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	s, err := m.session("SignInit", sh)
	if err != nil {
		return err
	}
	switch o := s.visible(h); {
	case s.signKey != nil:
		return p11.Error(p11.CKR_OPERATION_ACTIVE)
	case len(mechs) != 1 || mechs[0].Mechanism != p11.CKM_RSA_PKCS:
		return p11.Error(p11.CKR_MECHANISM_INVALID)
	case o == nil:
		return p11.Error(p11.CKR_KEY_HANDLE_INVALID)
	case o.key == nil || !isTrue(o.attrs[p11.CKA_SIGN]):
		return p11.Error(p11.CKR_KEY_FUNCTION_NOT_PERMITTED)
	case !s.slot.user:
		return p11.Error(p11.CKR_USER_NOT_LOGGED_IN)
	default:
		s.signKey, s.reauth = o, isTrue(o.attrs[p11.CKA_ALWAYS_AUTHENTICATE])
	}
	return nil
}

// Sign implements C_Sign: a PKCS#1 v1.5 signature of message as given. A
// key with CKA_ALWAYS_AUTHENTICATE needs a CKU_CONTEXT_SPECIFIC login after
// C_SignInit, else CKR_USER_NOT_LOGGED_IN. Either way the operation ends.
func (m *Module) Sign(sh p11.SessionHandle, message []byte) ([]byte, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	s, err := m.session("Sign", sh)
	if err != nil {
		return nil, err
	}
	key, reauth := s.signKey, s.reauth
	s.signKey, s.reauth = nil, false
	switch {
	case key == nil:
		return nil, p11.Error(p11.CKR_OPERATION_NOT_INITIALIZED)
	case reauth:
		return nil, p11.Error(p11.CKR_USER_NOT_LOGGED_IN)
	}
	sig, err := rsa.SignPKCS1v15(nil, key.key, 0, message)
	if err != nil {
		return nil, p11.Error(p11.CKR_DATA_LEN_RANGE)
	}
	return sig, nil
}

func ulong(x uint) []byte { return p11.NewAttribute(0, x).Value }

func isTrue(v []byte) bool { return len(v) == 1 && v[0] != 0 }
