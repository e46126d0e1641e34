package pades

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"io"
	"slices"
	"strconv"

	"github.com/shinsei-app/shinsei/internal/iox"
)

// Limits of the reader. The PDF library trusts the numbers a file states
// (object counts, table widths, nesting) and allocates by them; a file
// stating more than these is refused before the library reads it.
const (
	// MaxObjects bounds the object numbers of the cross-reference
	// sections (/Size, /Index and the tables' subsections).
	MaxObjects = 1 << 20
	// MaxNesting bounds the nesting of arrays and dictionaries.
	MaxNesting = 50000
	// MaxObjectStream bounds the decoded size of one object stream.
	MaxObjectStream = 16 << 20
	// MaxContents bounds a signature's /Contents (decoded).
	MaxContents = 4 << 20
	// MaxSignatures bounds the signature fields read.
	MaxSignatures = 64
	// maxFields bounds the form fields walked to find them.
	maxFields = 10000
	// maxWidth bounds a cross-reference stream's field width (/W) and a
	// predictor's /Columns.
	maxWidth = 64
)

// findings is what the scan of the raw bytes (and of the decoded object
// streams) saw.
type findings struct {
	encrypt bool    // an /Encrypt key
	active  string  // the first of /JavaScript, /JS, /Launch
	xrefs   []int64 // offsets of the keyword xref (tables)
	streams []int64 // offsets of the name /XRef (cross-reference streams)
}

// scanner walks bytes once, keeping the nesting of arrays and
// dictionaries and looking at the few names whose values the PDF library
// allocates by, or that make a file active content. It is no parser: it
// over-approximates (brackets inside strings and streams count too), and
// MaxNesting leaves room for that.
type scanner struct {
	f     findings
	depth int
	base  int64 // offset of buf[0] in the input
	// arr is the nesting of arrays since the last endobj: the PDF
	// library loops for ever on an endobj (or the end of an object
	// stream) inside an array.
	arr int
	// objstm marks the decoded data of an object stream, which has no
	// streams of its own.
	objstm bool
	// inStream is set between a stream keyword and the next endstream,
	// whose data is skipped; streams are those regions of the input.
	inStream    bool
	streamStart int64
	streams     [][2]int64
	// The library's own reading of strings and comments, so that a
	// bracket or endobj inside them is not counted: str is the nesting
	// of parentheses in a literal string (escaped after a backslash),
	// comment is set from % to the end of the line.
	str     int
	escaped bool
	comment bool
}

// maxStreams bounds the stream regions remembered.
const maxStreams = 1 << 20

// interesting marks the bytes the scan stops at.
var interesting = func() (t [256]bool) {
	for _, c := range []byte("[]<>/xes()%\\\r\n") {
		t[c] = true
	}
	return
}()

const scanChunk = 1 << 20

// scan reads r to its end (at most max bytes when max > 0).
func (s *scanner) scan(ctx context.Context, r io.Reader, max int64) error {
	buf := make([]byte, scanChunk+256)
	keep := 0
	eof := false
	read := int64(0)
	for !eof {
		if err := ctx.Err(); err != nil {
			return err
		}
		n, err := io.ReadFull(r, buf[keep:scanChunk])
		read += int64(n)
		if max > 0 && read > max {
			return fmt.Errorf("%w: an object stream decodes to over %d MiB", ErrTooLarge, max>>20)
		}
		switch err {
		case nil:
		case io.EOF, io.ErrUnexpectedEOF:
			eof = true
		default:
			return fmt.Errorf("pades: read: %w", err)
		}
		end := keep + n
		stop := end
		if !eof {
			stop = end - 128 // tokens crossing the end are seen in the next chunk
		}
		i, err := s.chunk(buf[:end], stop)
		if err != nil {
			return err
		}
		keep = copy(buf, buf[i:end])
		s.base += int64(i)
	}
	if s.objstm && (s.arr > 0 || s.str > 0) {
		return fmt.Errorf("%w: an array or a string not closed at the end of an object stream", ErrMalformed)
	}
	if s.inStream && len(s.streams) < maxStreams {
		s.streams = append(s.streams, [2]int64{s.streamStart, s.base})
	}
	return nil
}

// inStreamData reports whether off falls inside the data of a stream the
// scan skipped: an object there is one the scan did not look at.
func (s *scanner) inStreamData(off int64) bool {
	i, _ := slices.BinarySearchFunc(s.streams, off, func(r [2]int64, off int64) int {
		switch {
		case r[1] <= off:
			return -1
		case r[0] > off:
			return 1
		}
		return 0
	})
	return i < len(s.streams) && s.streams[i][0] <= off && off < s.streams[i][1]
}

// chunk scans b up to stop (a token starting before stop may be read to
// the end of b) and returns where the next chunk starts.
func (s *scanner) chunk(b []byte, stop int) (int, error) {
	i := 0
	for i < stop {
		if s.inStream {
			j := bytes.Index(b[i:], []byte("endstream"))
			if j < 0 {
				i = stop
				break
			}
			if len(s.streams) >= maxStreams {
				return 0, fmt.Errorf("%w: over %d streams", ErrTooLarge, maxStreams)
			}
			s.streams = append(s.streams, [2]int64{s.streamStart, s.base + int64(i+j)})
			s.inStream = false
			i += j + len("endstream")
			continue
		}
		c := b[i]
		if !interesting[c] {
			s.escaped = false
			i++
			continue
		}
		if s.comment {
			s.comment = c != '\r' && c != '\n'
			i++
			continue
		}
		if s.str > 0 {
			switch {
			case s.escaped:
				s.escaped = false
			case c == '\\':
				s.escaped = true
			case c == '(':
				s.str++
			case c == ')':
				s.str--
			}
			i++
			continue
		}
		switch c {
		case '%':
			s.comment = true
		case '(':
			s.str = 1
		case '[', '<':
			s.depth++
			if c == '[' {
				s.arr++
			}
			if s.depth > MaxNesting {
				return 0, fmt.Errorf("%w: arrays or dictionaries nested over %d deep", ErrTooLarge, MaxNesting)
			}
		case ']', '>':
			if s.depth > 0 {
				s.depth--
			}
			if c == ']' && s.arr > 0 {
				s.arr--
			}
		case 'e':
			if bytes.HasPrefix(b[i:], []byte("endobj")) && (i == 0 || !isRegular(b[i-1])) {
				if s.arr > 0 {
					return 0, fmt.Errorf("%w: an array not closed before endobj (at %d)", ErrMalformed, s.base+int64(i))
				}
				i += len("endobj")
				continue
			}
		case 's':
			if !s.objstm && bytes.HasPrefix(b[i:], []byte("stream")) && (i == 0 || isSpace(b[i-1]) || b[i-1] == '>') &&
				i+6 < len(b) && (b[i+6] == '\r' || b[i+6] == '\n') {
				if s.arr > 0 {
					return 0, fmt.Errorf("%w: a stream inside an array (at %d)", ErrMalformed, s.base+int64(i))
				}
				s.inStream, s.streamStart = true, s.base+int64(i+6)
				i += 6
				continue
			}
		case 'x':
			if bytes.HasPrefix(b[i:], []byte("xref")) && (i == 0 || isSpace(b[i-1])) && i+4 < len(b) && isSpace(b[i+4]) {
				s.f.xrefs = append(s.f.xrefs, s.base+int64(i))
			}
		case '/':
			j := i + 1
			for j < len(b) && j-i < 16 && isRegular(b[j]) {
				j++
			}
			s.base += int64(i)
			err := s.name(string(b[i+1:j]), b[j:])
			s.base -= int64(i)
			if err != nil {
				return 0, err
			}
			i = j
			continue
		}
		i++
	}
	return i, nil
}

// name looks at a name and the bytes after it.
func (s *scanner) name(n string, rest []byte) error {
	switch n {
	case "Encrypt":
		s.f.encrypt = true
	case "JavaScript", "JS", "Launch":
		if s.f.active == "" {
			s.f.active = n
		}
	case "Size":
		if v, ok := firstInt(rest); ok && v > MaxObjects {
			return fmt.Errorf("%w: /Size %d over %d objects", ErrTooLarge, v, MaxObjects)
		}
	case "Columns":
		if v, ok := firstInt(rest); ok && v > 1<<16 {
			return fmt.Errorf("%w: /Columns %d", ErrTooLarge, v)
		}
	case "XRef":
		s.f.streams = append(s.f.streams, s.base)
	case "Index":
		rest = bytes.TrimLeft(rest, " \t\r\n\f\x00")
		if len(rest) == 0 || rest[0] != '[' {
			return nil
		}
		end := bytes.IndexByte(rest, ']')
		if end < 0 {
			end = len(rest)
		}
		for _, f := range bytes.Fields(rest[1:end]) {
			if v, err := strconv.ParseInt(string(f), 10, 64); err == nil && (v < 0 || v > MaxObjects) {
				return fmt.Errorf("%w: cross-reference stream /Index %d over %d objects", ErrTooLarge, v, MaxObjects)
			}
		}
	}
	return nil
}

// checkStreams reads the dictionaries of the cross-reference streams the
// scan found (from the "obj" before /XRef to the "stream" after it, 4 KiB
// either side at most) and holds their /W to three or four widths of at
// most maxWidth bytes: the library allocates a row by their sum. (/W of
// a CID font, a list of glyph widths, is another thing.)
func checkStreams(f io.ReaderAt, size int64, at []int64) error {
	for _, off := range at {
		from := max(0, off-4096)
		win := make([]byte, min(size, off+4096)-from)
		n, _ := f.ReadAt(win, from)
		win = win[:n]
		mid := int(off - from)
		if mid > len(win) {
			continue
		}
		start := bytes.LastIndex(win[:mid], []byte("obj"))
		end := bytes.Index(win[mid:], []byte("stream"))
		if start < 0 {
			start = 0
		}
		if end < 0 {
			end = len(win)
		} else {
			end += mid
		}
		dict := win[start:end]
		for {
			i := bytes.Index(dict, []byte("/W"))
			if i < 0 {
				break
			}
			dict = dict[i+2:]
			if len(dict) > 0 && isRegular(dict[0]) {
				continue // a longer name
			}
			rest := bytes.TrimLeft(dict, " \t\r\n\f\x00")
			if len(rest) == 0 || rest[0] != '[' {
				continue
			}
			close := bytes.IndexByte(rest, ']')
			if close < 0 {
				close = len(rest)
			}
			ws := bytes.Fields(rest[1:close])
			if len(ws) < 3 || len(ws) > 4 {
				return fmt.Errorf("%w: cross-reference stream with %d field widths", ErrMalformed, len(ws))
			}
			for _, w := range ws {
				if v, err := strconv.ParseInt(string(w), 10, 64); err != nil || v < 0 || v > maxWidth {
					return fmt.Errorf("%w: cross-reference stream field width %s", ErrTooLarge, w)
				}
			}
		}
	}
	return nil
}

// checkTables reads the subsection headers of the cross-reference tables
// the scan found ("xref", then "first count" lines and their entries).
func checkTables(ctx context.Context, f io.ReaderAt, size int64, at []int64) error {
	for _, off := range at {
		if err := ctx.Err(); err != nil {
			return err
		}
		br := bufio.NewReaderSize(io.NewSectionReader(f, off+4, size-off-4), 4096)
		for {
			line, err := readLine(br)
			if err != nil {
				break
			}
			fields := bytes.Fields(line)
			if len(fields) == 0 {
				continue
			}
			if len(fields) != 2 {
				break // trailer, or not a table
			}
			first, err1 := strconv.ParseInt(string(fields[0]), 10, 64)
			count, err2 := strconv.ParseInt(string(fields[1]), 10, 64)
			if err1 != nil || err2 != nil {
				break
			}
			if first < 0 || count < 0 || first > MaxObjects || count > MaxObjects || first+count > MaxObjects {
				return fmt.Errorf("%w: cross-reference subsection %d+%d over %d objects", ErrTooLarge, first, count, MaxObjects)
			}
			// Skip its entries (20 bytes each as written; read as lines).
			for i := int64(0); i < count; i++ {
				if _, err := readLine(br); err != nil {
					break
				}
			}
		}
	}
	return nil
}

// readLine reads one line (ended by CR, LF or CR LF) of at most 256 bytes.
func readLine(br *bufio.Reader) ([]byte, error) {
	var out []byte
	for len(out) < 256 {
		c, err := br.ReadByte()
		if err != nil {
			return out, err
		}
		if c == '\n' {
			return out, nil
		}
		if c == '\r' {
			if next, err := br.Peek(1); err == nil && next[0] == '\n' {
				br.ReadByte()
			}
			return out, nil
		}
		out = append(out, c)
	}
	return out, nil
}

// firstInt reads the integer that follows, after white space.
func firstInt(b []byte) (int64, bool) {
	b = bytes.TrimLeft(b, " \t\r\n\f\x00")
	j := 0
	for j < len(b) && j < 19 && b[j] >= '0' && b[j] <= '9' {
		j++
	}
	if j == 0 {
		return 0, false
	}
	if j == 19 {
		return 1 << 62, true
	}
	v, err := strconv.ParseInt(string(b[:j]), 10, 64)
	return v, err == nil
}

func isSpace(c byte) bool {
	return c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '\f' || c == 0
}

// isRegular reports whether c may be part of a name (not white space, not
// a delimiter).
func isRegular(c byte) bool {
	return !isSpace(c) && !bytes.ContainsRune([]byte("()<>[]{}/%"), rune(c))
}

// capRead is iox's cap for a whole read of small parts of the file.
func capRead(r io.Reader, max int64) ([]byte, error) {
	b, err := iox.ReadAll(r, max)
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrTooLarge, err)
	}
	return b, nil
}
