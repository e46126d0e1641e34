// Package jsonx holds the strict JSON pass the client and the reference
// service share: a document whose meaning depends on which of two equal
// keys a decoder keeps is refused, whoever reads it.
package jsonx

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"
)

// ErrDuplicateKey is CheckKeys's refusal: an object holds a key twice.
var ErrDuplicateKey = errors.New("jsonx: a JSON object holds the same key twice")

// maxDepth bounds the nesting CheckKeys follows, as encoding/json does.
const maxDepth = 10000

// CheckKeys reads data with encoding/json's tokens and refuses an object,
// at any depth, that holds the same key twice: equal after unescaping
// ("n\u0061me" is "name") or equal but for letter case, which
// encoding/json folds when it fills a struct ("Name" and "name"). The
// error gives the byte offset after the second key, never the key. Data
// that is not JSON is left to the decoder that follows: CheckKeys then
// returns nil.
func CheckKeys(data []byte) error {
	type frame struct {
		object, wantKey bool
		keys            map[string]bool
	}
	var stack []*frame
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	valueDone := func() {
		if n := len(stack); n > 0 && stack[n-1].object {
			stack[n-1].wantKey = true
		}
	}
	for {
		tok, err := dec.Token()
		if errors.Is(err, io.EOF) {
			return nil
		}
		if err != nil {
			return nil // not JSON: the decoder says why
		}
		top := (*frame)(nil)
		if n := len(stack); n > 0 {
			top = stack[n-1]
		}
		switch t := tok.(type) {
		case json.Delim:
			switch t {
			case '{', '[':
				if len(stack) >= maxDepth {
					return nil
				}
				stack = append(stack, &frame{object: t == '{', wantKey: t == '{', keys: map[string]bool{}})
			case '}', ']':
				stack = stack[:len(stack)-1]
				valueDone()
			}
		case string:
			if top != nil && top.object && top.wantKey {
				k := strings.ToLower(strings.ToUpper(t))
				if top.keys[k] {
					return fmt.Errorf("%w (at byte %d)", ErrDuplicateKey, dec.InputOffset())
				}
				top.keys[k], top.wantKey = true, false
				continue
			}
			valueDone()
		default:
			valueDone()
		}
	}
}
