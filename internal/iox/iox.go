// Package iox reads input under a size cap: at most a given number of
// bytes, and an error — never a silent truncation — when there is more;
// and it makes a reader stop when its context ends.
// Callers wrap the error into their own sentinel (errors.Is(err,
// ErrTooLarge) tells them it was the cap).
package iox

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
)

// ErrTooLarge is what every *TooLargeError matches with errors.Is.
var ErrTooLarge = errors.New("larger than the size limit")

// TooLargeError reports input over the cap.
type TooLargeError struct {
	// Limit is the cap, in bytes.
	Limit int64
	// Size is the input's size when it was known before reading (a file's
	// size, an announced length); 0 when the input only turned out longer.
	Size int64
}

func (e *TooLargeError) Error() string {
	if e.Size > 0 {
		return fmt.Sprintf("%d bytes, more than the limit of %d", e.Size, e.Limit)
	}
	return fmt.Sprintf("more than %d bytes", e.Limit)
}

// Is makes errors.Is(err, ErrTooLarge) true.
func (e *TooLargeError) Is(target error) bool { return target == ErrTooLarge }

// ReadAll reads r to its end, at most max bytes. Input longer than max is a
// *TooLargeError; a read error is returned as it is. On either error the
// bytes read so far are zeroed before they are dropped, so a refused read
// of a secret leaves no copy behind.
func ReadAll(r io.Reader, max int64) ([]byte, error) {
	max = clampLimit(max)
	data, err := io.ReadAll(io.LimitReader(r, max+1))
	if err != nil {
		clear(data)
		return nil, err
	}
	if int64(len(data)) > max {
		clear(data)
		return nil, &TooLargeError{Limit: max}
	}
	return data, nil
}

// Copy copies src to dst until src ends, at most max bytes, and returns the
// number of bytes written. When src holds more than max bytes, the first
// max are written and the result is a *TooLargeError.
func Copy(dst io.Writer, src io.Reader, max int64) (int64, error) {
	max = clampLimit(max)
	n, err := io.Copy(dst, io.LimitReader(src, max))
	if err != nil {
		return n, err
	}
	var probe [1]byte
	switch k, err := io.ReadFull(src, probe[:]); {
	case k > 0:
		return n, &TooLargeError{Limit: max}
	case err == io.EOF:
		return n, nil
	default:
		return n, err
	}
}

// ReadFile reads the named file, at most max bytes. A file whose size is
// already over max is refused before reading; one that grows past it while
// read is refused too. Errors opening or reading it are the os package's.
func ReadFile(name string, max int64) ([]byte, error) {
	max = clampLimit(max)
	f, err := os.Open(name)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	if fi, err := f.Stat(); err == nil && fi.Mode().IsRegular() && fi.Size() > max {
		return nil, &TooLargeError{Limit: max, Size: fi.Size()}
	}
	return ReadAll(f, max)
}

func clampLimit(max int64) int64 {
	if max < 0 {
		return 0
	}
	if max == 1<<63-1 {
		return max - 1 // max+1 must not overflow
	}
	return max
}

// WithContext returns a reader that reads from r until ctx ends, then
// fails with ctx's error: a long copy or hash stops when it is cancelled.
func WithContext(ctx context.Context, r io.Reader) io.Reader { return ctxReader{ctx, r} }

type ctxReader struct {
	ctx context.Context
	r   io.Reader
}

func (c ctxReader) Read(p []byte) (int, error) {
	if err := c.ctx.Err(); err != nil {
		return 0, err
	}
	return c.r.Read(p)
}
