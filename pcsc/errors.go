package pcsc

import (
	"errors"
	"fmt"
)

// Errors of this package; see the package documentation.
var (
	ErrUnavailable = errors.New("pcsc: PC/SC is not available")
	ErrNoReader    = errors.New("pcsc: no such reader")
	ErrNoCard      = errors.New("pcsc: no card in the reader")
	ErrNotJPKI     = errors.New("pcsc: not a My Number card PIN")
)

// Error is a PC/SC failure: the function and its SCARD_ return code.
type Error struct {
	Op   string
	Code uint32
}

// PC/SC return codes this package tells apart.
const (
	codeNoService         = 0x8010001D // SCARD_E_NO_SERVICE
	codeServiceStopped    = 0x8010001E // SCARD_E_SERVICE_STOPPED
	codeNoReaders         = 0x8010002E // SCARD_E_NO_READERS_AVAILABLE
	codeUnknownReader     = 0x80100009 // SCARD_E_UNKNOWN_READER
	codeReaderUnavailable = 0x80100017 // SCARD_E_READER_UNAVAILABLE
	codeNoSmartcard       = 0x8010000C // SCARD_E_NO_SMARTCARD
	codeRemovedCard       = 0x80100069 // SCARD_W_REMOVED_CARD
	codeUnpoweredCard     = 0x80100067 // SCARD_W_UNPOWERED_CARD
	codeUnresponsiveCard  = 0x80100066 // SCARD_W_UNRESPONSIVE_CARD
	codeResetCard         = 0x80100068 // SCARD_W_RESET_CARD
	codeNotTransacted     = 0x80100016 // SCARD_E_NOT_TRANSACTED
)

// Error names the function and the code, e.g.
// "pcsc: SCardConnect: 0x8010000C".
func (e *Error) Error() string { return fmt.Sprintf("pcsc: %s: 0x%08X", e.Op, e.Code) }

// Unwrap returns the sentinel error the code falls under, if any.
func (e *Error) Unwrap() error {
	switch e.Code {
	case codeNoService, codeServiceStopped:
		return ErrUnavailable
	case codeUnknownReader, codeReaderUnavailable, codeNoReaders:
		return ErrNoReader
	case codeNoSmartcard, codeRemovedCard, codeUnpoweredCard, codeUnresponsiveCard, codeNotTransacted:
		return ErrNoCard
	}
	return nil
}
