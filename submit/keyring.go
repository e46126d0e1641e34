package submit

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"sync"
	"time"

	"github.com/zalando/go-keyring"
)

// MaxSecret is the largest secret the keyring takes: Windows' Credential
// Manager stores at most 2560 bytes, so every platform is held to it.
const MaxSecret = 2560

// KeyringTimeout bounds one keyring operation where someone can answer
// an unlock prompt (a desktop session): a prompt nobody answers, or a
// Secret Service that hangs, becomes ErrNoKeyring instead of a command
// that never returns.
const KeyringTimeout = 60 * time.Second

// HeadlessKeyringTimeout bounds one keyring operation where no unlock
// prompt can be shown (cron, ssh, CI: no display): a locked keyring
// stays locked, so the command fails within seconds. After one operation
// timed out, the Credentials fail at once.
const HeadlessKeyringTimeout = 3 * time.Second

// Store is the part of an OS keyring that Credentials uses; its methods
// match github.com/zalando/go-keyring's package functions.
type Store interface {
	Set(service, user, secret string) error
	Get(service, user string) (string, error)
	Delete(service, user string) error
}

// OSKeyring is the operating system's keyring through go-keyring: the
// Secret Service over D-Bus (GNOME Keyring, KWallet) on Linux and BSD,
// the Keychain on macOS, the Credential Manager on Windows.
type OSKeyring struct{}

// Without a D-Bus session bus it fails at once with ErrNoKeyring: it never
// lets the D-Bus library autolaunch a bus (dbus-launch), whose daemon
// would outlive the command.

// Set stores a secret.
func (OSKeyring) Set(service, user, secret string) error {
	if err := sessionBus(); err != nil {
		return err
	}
	return keyring.Set(service, user, secret)
}

// Get returns a secret or keyring.ErrNotFound.
func (OSKeyring) Get(service, user string) (string, error) {
	if err := sessionBus(); err != nil {
		return "", err
	}
	return keyring.Get(service, user)
}

// Delete removes a secret or returns keyring.ErrNotFound.
func (OSKeyring) Delete(service, user string) error {
	if err := sessionBus(); err != nil {
		return err
	}
	return keyring.Delete(service, user)
}

// MemoryKeyring is a Store in memory, for what must never reach the OS
// keyring: the sandbox's practice accounts, and tests. Its zero value is
// empty and ready; it is safe for concurrent use.
type MemoryKeyring struct {
	mu sync.Mutex
	m  map[[2]string]string
}

// Set stores a secret.
func (k *MemoryKeyring) Set(service, user, secret string) error {
	k.mu.Lock()
	defer k.mu.Unlock()
	if k.m == nil {
		k.m = map[[2]string]string{}
	}
	k.m[[2]string{service, user}] = secret
	return nil
}

// Get returns a secret or keyring.ErrNotFound.
func (k *MemoryKeyring) Get(service, user string) (string, error) {
	k.mu.Lock()
	defer k.mu.Unlock()
	s, ok := k.m[[2]string{service, user}]
	if !ok {
		return "", keyring.ErrNotFound
	}
	return s, nil
}

// Len is the number of secrets kept.
func (k *MemoryKeyring) Len() int {
	k.mu.Lock()
	defer k.mu.Unlock()
	return len(k.m)
}

// Delete removes a secret or returns keyring.ErrNotFound.
func (k *MemoryKeyring) Delete(service, user string) error {
	k.mu.Lock()
	defer k.mu.Unlock()
	if _, ok := k.m[[2]string{service, user}]; !ok {
		return keyring.ErrNotFound
	}
	delete(k.m, [2]string{service, user})
	return nil
}

// Keyring entry names ("username" attribute) besides account IDs, which
// name the password entries. They contain characters no account ID has.
const (
	entryDefault       = "@default-account"
	entrySessionPrefix = "@session:"
	entryProbe         = "@probe"
)

// Credentials keeps one service's ID/password and session tokens in a
// keyring. Entries are named by the service key (ServiceKey: "shinsei:"
// and the host) and the account ID: on Linux, the Secret Service item has
// the attributes service=<key> and username=<account ID>, as go-keyring
// writes them. Nothing is written to plain files.
//
// Error contract: a keyring that cannot be used is ErrNoKeyring; an entry
// that is not there is ErrNotStored; a secret over MaxSecret is
// ErrSecretTooLarge. Errors never contain a secret.
type Credentials struct {
	store   Store
	service string

	mu sync.Mutex
	// stuck is the error of an operation that timed out: the keyring is
	// not answering, and every later operation fails with it at once.
	stuck error
}

// NewCredentials returns the credentials of the service at baseURL in
// store (nil: OSKeyring).
func NewCredentials(store Store, baseURL string) (*Credentials, error) {
	key, err := ServiceKey(baseURL)
	if err != nil {
		return nil, err
	}
	if store == nil {
		store = OSKeyring{}
	}
	return &Credentials{store: store, service: key}, nil
}

// Service returns the keyring service name the entries are kept under.
func (c *Credentials) Service() string { return c.service }

// Probe checks that the keyring can store, read and delete an entry, so
// that a registration does not issue a password the client cannot keep.
func (c *Credentials) Probe(ctx context.Context) error {
	if err := c.set(ctx, entryProbe, "probe"); err != nil {
		return err
	}
	if _, err := c.get(ctx, entryProbe); err != nil {
		return err
	}
	return c.del(ctx, entryProbe)
}

// SavePassword stores account's password and makes account the default
// for the service.
func (c *Credentials) SavePassword(ctx context.Context, account, password string) error {
	if err := checkAccountID(account); err != nil {
		return err
	}
	if password == "" {
		return errors.New("submit: keyring: empty password")
	}
	if err := c.set(ctx, account, password); err != nil {
		return err
	}
	return c.set(ctx, entryDefault, account)
}

// Password returns account's password, or ErrNotStored.
func (c *Credentials) Password(ctx context.Context, account string) (string, error) {
	if err := checkAccountID(account); err != nil {
		return "", err
	}
	return c.get(ctx, account)
}

// DefaultAccount returns the account last registered or logged in with,
// or ErrNotStored.
func (c *Credentials) DefaultAccount(ctx context.Context) (string, error) {
	return c.get(ctx, entryDefault)
}

// storedSession is the keyring form of a session.
type storedSession struct {
	Token     string    `json:"token"`
	ExpiresAt time.Time `json:"expires_at"`
}

// SaveSession keeps a session's token until it expires, and makes its
// account the default.
func (c *Credentials) SaveSession(ctx context.Context, s Session) error {
	if err := checkAccountID(s.AccountID); err != nil {
		return err
	}
	data, err := json.Marshal(storedSession{Token: s.Token, ExpiresAt: s.ExpiresAt})
	if err != nil {
		return fmt.Errorf("submit: keyring: %w", err)
	}
	if err := c.set(ctx, entrySessionPrefix+s.AccountID, string(data)); err != nil {
		return err
	}
	return c.set(ctx, entryDefault, s.AccountID)
}

// Session returns account's stored session if it is still valid at now
// for at least another minute; an expired one is deleted and reported as
// ErrNotStored.
func (c *Credentials) Session(ctx context.Context, account string, now time.Time) (*Session, error) {
	if err := checkAccountID(account); err != nil {
		return nil, err
	}
	v, err := c.get(ctx, entrySessionPrefix+account)
	if err != nil {
		return nil, err
	}
	var s storedSession
	if json.Unmarshal([]byte(v), &s) != nil || s.Token == "" {
		_ = c.del(ctx, entrySessionPrefix+account)
		return nil, fmt.Errorf("%w: the stored session is unreadable", ErrNotStored)
	}
	if !s.ExpiresAt.IsZero() && !now.Add(time.Minute).Before(s.ExpiresAt) {
		_ = c.del(ctx, entrySessionPrefix+account)
		return nil, fmt.Errorf("%w: the session has expired", ErrNotStored)
	}
	return &Session{Token: s.Token, AccountID: account, ExpiresAt: s.ExpiresAt}, nil
}

// DeleteSession removes account's session token; none stored is not an
// error.
func (c *Credentials) DeleteSession(ctx context.Context, account string) error {
	if err := checkAccountID(account); err != nil {
		return err
	}
	return ignoreNotStored(c.del(ctx, entrySessionPrefix+account))
}

// Forget removes everything kept for account: password, session, and the
// default-account entry when it names account. Missing entries are not an
// error.
func (c *Credentials) Forget(ctx context.Context, account string) error {
	if err := checkAccountID(account); err != nil {
		return err
	}
	if err := ignoreNotStored(c.del(ctx, entrySessionPrefix+account)); err != nil {
		return err
	}
	if err := ignoreNotStored(c.del(ctx, account)); err != nil {
		return err
	}
	def, err := c.get(ctx, entryDefault)
	if err == nil && def == account {
		return ignoreNotStored(c.del(ctx, entryDefault))
	}
	return ignoreNotStored(err)
}

func ignoreNotStored(err error) error {
	if errors.Is(err, ErrNotStored) {
		return nil
	}
	return err
}

// ErrInvalidAccountID: an account ID that is empty, too long, has control
// characters or starts with "@" (the keyring's own entries) is refused.
var ErrInvalidAccountID = errors.New("submit: keyring: invalid account ID")

func checkAccountID(id string) error {
	if id == "" || strings.HasPrefix(id, "@") || len(id) > 256 || strings.ContainsFunc(id, func(r rune) bool { return r < 0x20 || r == 0x7f }) {
		return ErrInvalidAccountID
	}
	return nil
}

func (c *Credentials) set(ctx context.Context, user, secret string) error {
	if len(secret) > MaxSecret {
		return fmt.Errorf("%w: %d bytes, at most %d", ErrSecretTooLarge, len(secret), MaxSecret)
	}
	_, err := c.withTimeout(ctx, func() (string, error) { return "", c.store.Set(c.service, user, secret) })
	return err
}

func (c *Credentials) get(ctx context.Context, user string) (string, error) {
	return c.withTimeout(ctx, func() (string, error) { return c.store.Get(c.service, user) })
}

func (c *Credentials) del(ctx context.Context, user string) error {
	_, err := c.withTimeout(ctx, func() (string, error) { return "", c.store.Delete(c.service, user) })
	return err
}

// withTimeout runs a keyring call, which cannot be cancelled, for at most
// keyringTimeout() or until ctx ends, and maps its errors. Once a call
// timed out, the next ones fail at once.
func (c *Credentials) withTimeout(ctx context.Context, fn func() (string, error)) (string, error) {
	c.mu.Lock()
	stuck := c.stuck
	c.mu.Unlock()
	if stuck != nil {
		return "", stuck
	}
	v, err := withTimeout(ctx, keyringTimeout(), fn)
	if errors.Is(err, errNoAnswer) {
		c.mu.Lock()
		c.stuck = err
		c.mu.Unlock()
	}
	return v, err
}

// errNoAnswer marks a keyring call that timed out.
var errNoAnswer = errors.New("the keyring did not answer")

func withTimeout(ctx context.Context, limit time.Duration, fn func() (string, error)) (string, error) {
	type result struct {
		v   string
		err error
	}
	done := make(chan result, 1)
	go func() {
		v, err := fn()
		done <- result{v, err}
	}()
	t := time.NewTimer(limit)
	defer t.Stop()
	select {
	case r := <-done:
		return r.v, keyringError(r.err)
	case <-ctx.Done():
		return "", fmt.Errorf("submit: keyring: %w", ctx.Err())
	case <-t.C:
		return "", fmt.Errorf("%w: %w within %s (is it locked, or waiting for an unlock prompt?)", ErrNoKeyring, errNoAnswer, limit)
	}
}

// keyringError maps go-keyring's errors to this package's.
func keyringError(err error) error {
	switch {
	case err == nil:
		return nil
	case errors.Is(err, keyring.ErrNotFound):
		return ErrNotStored
	case errors.Is(err, keyring.ErrSetDataTooBig):
		return fmt.Errorf("%w: %v", ErrSecretTooLarge, err)
	case errors.Is(err, ErrNoKeyring):
		return err
	}
	// Everything else is the keyring itself failing: no D-Bus session bus,
	// no Secret Service on it, an unsupported platform, a locked
	// collection, a dismissed prompt. The messages of those errors come
	// from the keyring and carry no secret.
	return fmt.Errorf("%w: %v", ErrNoKeyring, err)
}
