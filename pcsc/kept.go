package pcsc

import (
	"context"
	"errors"
	"sync"
)

// Kept keeps one PC/SC context for the calls made through it: established
// at the first and kept until Close, because SCardEstablishContext
// connects to pcscd anew each time (a socket and a version exchange, about
// a third of a millisecond, more than a card's answer) and
// SCardReleaseContext disconnects again. A context pcscd no longer knows
// (pcscd restarted) is established again once. The zero Kept is ready to
// use; it is safe for concurrent use.
type Kept struct {
	mu     sync.Mutex
	c      *Context
	closed bool
}

// codeInvalidHandle is SCARD_E_INVALID_HANDLE: the context is no longer
// pcscd's.
const codeInvalidHandle = 0x80100003

// do runs fn with the kept context, or with one of its own when k is nil.
// When the kept context fails as one pcscd no longer knows, fn runs again,
// once, with a new one.
func (k *Kept) do(ctx context.Context, fn func(*Context) error) error {
	if k == nil {
		pc, err := Establish(ctx)
		if err != nil {
			return err
		}
		defer pc.Close()
		return fn(pc)
	}
	for again := true; ; again = false {
		pc, err := k.context(ctx)
		if err != nil {
			return err
		}
		err = fn(pc)
		var e *Error
		if !again || !errors.As(err, &e) || e.Code != codeInvalidHandle && e.Code != codeNoService && e.Code != codeServiceStopped {
			return err
		}
		k.drop(pc)
	}
}

// context returns the kept context, establishing it when there is none.
func (k *Kept) context(ctx context.Context) (*Context, error) {
	k.mu.Lock()
	defer k.mu.Unlock()
	if k.closed {
		return nil, errors.New("pcsc: the kept context is closed")
	}
	if k.c == nil {
		pc, err := Establish(ctx)
		if err != nil {
			return nil, err
		}
		k.c = pc
	}
	return k.c, nil
}

// drop releases pc and forgets it, if it is still the kept one.
func (k *Kept) drop(pc *Context) {
	k.mu.Lock()
	defer k.mu.Unlock()
	if k.c == pc {
		k.c = nil
	}
	pc.Close()
}

// Close releases the kept context; later calls through k fail.
func (k *Kept) Close() error {
	k.mu.Lock()
	defer k.mu.Unlock()
	k.closed = true
	if k.c == nil {
		return nil
	}
	err := k.c.Close()
	k.c = nil
	return err
}
