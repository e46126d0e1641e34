//go:build !cgo || !linux

package pcsc

import (
	"context"
	"fmt"
)

// errPlatform explains why PC/SC is unavailable in this build.
var errPlatform = fmt.Errorf("%w: this build reads PC/SC on Linux with cgo only", ErrUnavailable)

// Context is a connection to the PC/SC service; this build has none.
type Context struct{}

// Establish fails with ErrUnavailable.
func Establish(context.Context) (*Context, error) { return nil, errPlatform }

// Close does nothing.
func (c *Context) Close() error { return nil }

// Readers fails with ErrUnavailable.
func (c *Context) Readers(context.Context) ([]string, error) { return nil, errPlatform }

// States fails with ErrUnavailable.
func (c *Context) States(context.Context, []string) ([]ReaderState, error) { return nil, errPlatform }

// Connect fails with ErrUnavailable.
func (c *Context) Connect(context.Context, string) (*Card, error) { return nil, errPlatform }

// Card is a shared connection to a card; this build has none.
type Card struct{}

// ATR returns nil.
func (c *Card) ATR() []byte { return nil }

// Transaction fails with ErrUnavailable.
func (c *Card) Transaction(context.Context, func() error) error { return errPlatform }

// Transmit fails with ErrUnavailable.
func (c *Card) Transmit(context.Context, []byte) ([]byte, error) { return nil, errPlatform }

// Close does nothing.
func (c *Card) Close() error { return nil }
