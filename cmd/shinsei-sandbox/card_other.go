//go:build !linux || !cgo

package main

import (
	"context"
	"errors"
)

// runCard is "shinsei-sandbox card"; the virtual card's stack (pcscd with
// vpcd) is built for Linux with cgo only.
func runCard(context.Context, []string) error {
	return errors.New("card: the virtual card runs on Linux with cgo only (pcscd and vsmartcard-vpcd)")
}
