package iox_test

import (
	"bytes"
	"context"
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"testing/iotest"

	"github.com/shinsei-app/shinsei/internal/iox"
)

var errBoom = errors.New("boom")

func TestReadAll(t *testing.T) {
	tests := []struct {
		name    string
		in      io.Reader
		max     int64
		want    string
		tooBig  bool
		wantErr error
	}{
		{name: "a reader shorter than the cap is read whole", in: strings.NewReader("abc"), max: 10, want: "abc"},
		{name: "a reader exactly as long as the cap is read whole", in: strings.NewReader("abcd"), max: 4, want: "abcd"},
		{name: "a reader longer than the cap is refused", in: strings.NewReader("abcde"), max: 4, tooBig: true},
		{name: "an empty reader gives no bytes and no error", in: strings.NewReader(""), max: 4, want: ""},
		{name: "a zero cap refuses any byte", in: strings.NewReader("a"), max: 0, tooBig: true},
		{name: "a read error is returned as it is", in: iotest.ErrReader(errBoom), max: 4, wantErr: errBoom},
		{name: "a reader that returns one byte at a time is read whole", in: iotest.OneByteReader(strings.NewReader("abcd")), max: 4, want: "abcd"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := iox.ReadAll(tt.in, tt.max)
			checkErr(t, err, tt.tooBig, tt.wantErr, tt.max)
			if err == nil && string(got) != tt.want {
				t.Fatalf("got %q, want %q", got, tt.want)
			}
		})
	}
}

func TestCopy(t *testing.T) {
	tests := []struct {
		name    string
		in      io.Reader
		max     int64
		want    string
		tooBig  bool
		wantErr error
	}{
		{name: "a source shorter than the cap is copied whole", in: strings.NewReader("abc"), max: 10, want: "abc"},
		{name: "a source exactly as long as the cap is copied whole", in: strings.NewReader("abcd"), max: 4, want: "abcd"},
		{name: "a source longer than the cap is refused after the cap's worth is written", in: strings.NewReader("abcdef"), max: 4, want: "abcd", tooBig: true},
		{name: "a read error is returned as it is", in: io.MultiReader(strings.NewReader("ab"), iotest.ErrReader(errBoom)), max: 4, want: "ab", wantErr: errBoom},
		{name: "a read error right at the cap is returned as it is", in: io.MultiReader(strings.NewReader("abcd"), iotest.ErrReader(errBoom)), max: 4, want: "abcd", wantErr: errBoom},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var buf bytes.Buffer
			n, err := iox.Copy(&buf, tt.in, tt.max)
			checkErr(t, err, tt.tooBig, tt.wantErr, tt.max)
			if buf.String() != tt.want || n != int64(len(tt.want)) {
				t.Fatalf("wrote %q (n=%d), want %q", buf.String(), n, tt.want)
			}
		})
	}
}

func TestReadFile(t *testing.T) {
	dir := t.TempDir()
	write := func(name, content string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(content), 0o600); err != nil {
			t.Fatal(err)
		}
		return p
	}
	small, big := write("small", "abc"), write("big", "abcdef")
	tests := []struct {
		name     string
		path     string
		max      int64
		want     string
		tooBig   bool
		size     int64
		notExist bool
	}{
		{name: "a file within the cap is read whole", path: small, max: 3, want: "abc"},
		{name: "a file over the cap is refused with its size", path: big, max: 4, tooBig: true, size: 6},
		{name: "a missing file is the os package's not-exist error", path: filepath.Join(dir, "none"), max: 4, notExist: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := iox.ReadFile(tt.path, tt.max)
			if tt.notExist {
				if !errors.Is(err, os.ErrNotExist) {
					t.Fatalf("err = %v, want fs.ErrNotExist", err)
				}
				return
			}
			checkErr(t, err, tt.tooBig, nil, tt.max)
			var te *iox.TooLargeError
			if tt.tooBig && errors.As(err, &te) && te.Size != tt.size {
				t.Fatalf("Size = %d, want %d", te.Size, tt.size)
			}
			if err == nil && string(got) != tt.want {
				t.Fatalf("got %q, want %q", got, tt.want)
			}
		})
	}
}

func checkErr(t *testing.T, err error, tooBig bool, wantErr error, max int64) {
	t.Helper()
	switch {
	case tooBig:
		var te *iox.TooLargeError
		if !errors.Is(err, iox.ErrTooLarge) || !errors.As(err, &te) || te.Limit != max {
			t.Fatalf("err = %v, want a *TooLargeError with limit %d", err, max)
		}
	case wantErr != nil:
		if !errors.Is(err, wantErr) || errors.Is(err, iox.ErrTooLarge) {
			t.Fatalf("err = %v, want %v", err, wantErr)
		}
	case err != nil:
		t.Fatalf("unexpected error %v", err)
	}
}

func TestAReaderWithAContextStopsWhenTheContextEnds(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	r := iox.WithContext(ctx, strings.NewReader("abcdef"))
	buf := make([]byte, 3)
	if n, err := r.Read(buf); n != 3 || err != nil {
		t.Fatalf("before the end: %d, %v", n, err)
	}
	cancel()
	if n, err := r.Read(buf); n != 0 || !errors.Is(err, context.Canceled) {
		t.Fatalf("after the end: %d, %v; want 0 and context.Canceled", n, err)
	}
}
