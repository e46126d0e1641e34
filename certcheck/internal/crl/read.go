package crl

import (
	"encoding/pem"
	"errors"
	"fmt"
	"os"
	"strings"

	"github.com/shinsei-app/shinsei/internal/iox"
)

// ErrTooLarge: a CRL is over the size limit it is read with.
var ErrTooLarge = errors.New("CRL is larger than the size limit")

// DecodeBytes returns the DER CRLs in data: data itself, or each
// "X509 CRL" PEM block.
func DecodeBytes(data []byte) ([][]byte, error) {
	trimmed := strings.TrimLeft(string(data[:min(len(data), 64)]), " \t\r\n")
	if !strings.HasPrefix(trimmed, "-----BEGIN") {
		return [][]byte{data}, nil
	}
	var out [][]byte
	rest := data
	for {
		var b *pem.Block
		b, rest = pem.Decode(rest)
		if b == nil {
			break
		}
		if b.Type == "X509 CRL" {
			out = append(out, b.Bytes)
		}
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("%w: PEM without an X509 CRL block", ErrMalformed)
	}
	return out, nil
}

// ReadFile reads a CRL file of at most max bytes; a larger one is an error
// wrapping ErrTooLarge.
func ReadFile(name string, max int64) ([]byte, error) {
	data, err := iox.ReadFile(name, max)
	var tooLarge *iox.TooLargeError
	switch {
	case errors.As(err, &tooLarge) && tooLarge.Size > 0:
		return nil, fmt.Errorf("%s: %w (%d bytes, limit %d)", name, ErrTooLarge, tooLarge.Size, max)
	case errors.As(err, &tooLarge):
		return nil, fmt.Errorf("%s: %w (limit %d bytes)", name, ErrTooLarge, max)
	case err != nil:
		var pe *os.PathError
		if errors.As(err, &pe) {
			return nil, err
		}
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	return data, nil
}
