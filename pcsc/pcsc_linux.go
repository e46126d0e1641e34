//go:build cgo && linux

package pcsc

/*
#cgo LDFLAGS: -ldl
#include <dlfcn.h>
#include <stdlib.h>

// pcsc-lite's types on Linux: LONG is long, DWORD unsigned long;
// SCARDCONTEXT and SCARDHANDLE are LONG. Declared here so that building
// needs no pcsc-lite headers: the library is loaded at run time.
typedef long sc_long;
typedef unsigned long sc_dword;
typedef struct { sc_dword protocol; sc_dword pci_length; } sc_io_request;
#define SC_SCOPE_SYSTEM 2
#define SC_SHARE_SHARED 2
#define SC_PROTOCOL_T0 1
#define SC_PROTOCOL_T1 2
#define SC_LEAVE_CARD 0
#define SC_STATE_PRESENT 0x20
typedef struct {
	const char *reader;
	void *user;
	sc_dword current;
	sc_dword event;
	sc_dword atrlen;
	unsigned char atr[33];
} sc_reader_state;

static void *sc_lib;
static sc_long (*sc_establish)(sc_dword, const void *, const void *, sc_long *);
static sc_long (*sc_release)(sc_long);
static sc_long (*sc_list_readers)(sc_long, const char *, char *, sc_dword *);
static sc_long (*sc_connect)(sc_long, const char *, sc_dword, sc_dword, sc_long *, sc_dword *);
static sc_long (*sc_disconnect)(sc_long, sc_dword);
static sc_long (*sc_begin)(sc_long);
static sc_long (*sc_end)(sc_long, sc_dword);
static sc_long (*sc_transmit)(sc_long, const sc_io_request *, const unsigned char *, sc_dword,
	sc_io_request *, unsigned char *, sc_dword *);
static sc_long (*sc_status)(sc_long, char *, sc_dword *, sc_dword *, sc_dword *, unsigned char *, sc_dword *);
static sc_long (*sc_get_status_change)(sc_long, sc_dword, sc_reader_state *, sc_dword);

// sc_load loads libpcsclite; it returns NULL or what went wrong.
static const char *sc_load(void) {
	if (sc_lib) return NULL;
	void *h = dlopen("libpcsclite.so.1", RTLD_NOW | RTLD_LOCAL);
	if (!h) return dlerror();
#define SYM(v, name) if (!(*(void **)(&v) = dlsym(h, name))) { dlclose(h); return "libpcsclite.so.1 lacks " name; }
	SYM(sc_establish, "SCardEstablishContext")
	SYM(sc_release, "SCardReleaseContext")
	SYM(sc_list_readers, "SCardListReaders")
	SYM(sc_connect, "SCardConnect")
	SYM(sc_disconnect, "SCardDisconnect")
	SYM(sc_begin, "SCardBeginTransaction")
	SYM(sc_end, "SCardEndTransaction")
	SYM(sc_transmit, "SCardTransmit")
	SYM(sc_status, "SCardStatus")
	SYM(sc_get_status_change, "SCardGetStatusChange")
#undef SYM
	sc_lib = h;
	return NULL;
}

static sc_long sc_do_establish(sc_long *ctx) { return sc_establish(SC_SCOPE_SYSTEM, NULL, NULL, ctx); }
static sc_long sc_do_release(sc_long ctx) { return sc_release(ctx); }
static sc_long sc_do_list(sc_long ctx, char *buf, sc_dword *n) { return sc_list_readers(ctx, NULL, buf, n); }
static sc_long sc_do_connect(sc_long ctx, const char *reader, sc_long *card, sc_dword *proto) {
	return sc_connect(ctx, reader, SC_SHARE_SHARED, SC_PROTOCOL_T0 | SC_PROTOCOL_T1, card, proto);
}
static sc_long sc_do_disconnect(sc_long card) { return sc_disconnect(card, SC_LEAVE_CARD); }
static sc_long sc_do_begin(sc_long card) { return sc_begin(card); }
static sc_long sc_do_end(sc_long card) { return sc_end(card, SC_LEAVE_CARD); }
static sc_long sc_do_transmit(sc_long card, sc_dword proto, const unsigned char *in, sc_dword inlen,
		unsigned char *out, sc_dword *outlen) {
	sc_io_request req = { proto, sizeof(sc_io_request) };
	return sc_transmit(card, &req, in, inlen, NULL, out, outlen);
}
static sc_long sc_do_status(sc_long card, unsigned char *atr, sc_dword *atrlen) {
	char name[256];
	sc_dword namelen = sizeof name, state, proto;
	return sc_status(card, name, &namelen, &state, &proto, atr, atrlen);
}
// sc_do_states reads the state of n readers at once, without waiting.
static sc_long sc_do_states(sc_long ctx, sc_reader_state *states, sc_dword n) {
	return sc_get_status_change(ctx, 0, states, n);
}
*/
import "C"

import (
	"bytes"
	"context"
	"fmt"
	"sync"
	"unsafe"
)

var load = sync.OnceValue(func() error {
	if msg := C.sc_load(); msg != nil {
		return fmt.Errorf("%w: loading libpcsclite: %s; install pcsc-lite (Debian: apt-get install libpcsclite1 pcscd)", ErrUnavailable, C.GoString(msg))
	}
	return nil
})

func check(op string, rv C.sc_long) error {
	if rv == 0 {
		return nil
	}
	return &Error{Op: op, Code: uint32(rv)}
}

// Context is a connection to pcscd. It is safe for concurrent use.
type Context struct {
	mu     sync.Mutex
	h      C.sc_long
	closed bool
}

// Establish connects to pcscd. It fails with ErrUnavailable when
// libpcsclite cannot be loaded or pcscd does not answer.
func Establish(ctx context.Context) (*Context, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	if err := load(); err != nil {
		return nil, err
	}
	c := &Context{}
	if err := check("SCardEstablishContext", C.sc_do_establish(&c.h)); err != nil {
		return nil, err
	}
	return c, nil
}

// Close releases the context. It is idempotent.
func (c *Context) Close() error {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.closed {
		return nil
	}
	c.closed = true
	return check("SCardReleaseContext", C.sc_do_release(c.h))
}

// Readers lists the readers' names; none is not an error.
func (c *Context) Readers(ctx context.Context) ([]string, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	var n C.sc_dword
	rv := C.sc_do_list(c.h, nil, &n)
	if uint32(rv) == codeNoReaders {
		return nil, nil
	}
	if err := check("SCardListReaders", rv); err != nil {
		return nil, err
	}
	buf := make([]byte, n)
	rv = C.sc_do_list(c.h, (*C.char)(unsafe.Pointer(&buf[0])), &n)
	if uint32(rv) == codeNoReaders {
		return nil, nil
	}
	if err := check("SCardListReaders", rv); err != nil {
		return nil, err
	}
	var names []string
	for _, name := range bytes.Split(buf[:n], []byte{0}) {
		if len(name) > 0 {
			names = append(names, string(name))
		}
	}
	return names, nil
}

// States reads the state of each reader named, at once and without
// waiting: whether a card is in it and how many times a card was put in
// or taken out since pcscd saw the reader (pcsc-lite counts them in the
// upper half of the event state). A reader that is not there fails with
// an error wrapping ErrNoReader.
func (c *Context) States(ctx context.Context, readers []string) ([]ReaderState, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	if len(readers) == 0 {
		return nil, nil
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	states := (*[1 << 16]C.sc_reader_state)(C.calloc(C.size_t(len(readers)), C.size_t(unsafe.Sizeof(C.sc_reader_state{}))))[:len(readers):len(readers)]
	defer C.free(unsafe.Pointer(&states[0]))
	for i, r := range readers {
		states[i].reader = C.CString(r)
		defer C.free(unsafe.Pointer(states[i].reader))
	}
	if err := check("SCardGetStatusChange", C.sc_do_states(c.h, &states[0], C.sc_dword(len(readers)))); err != nil {
		return nil, err
	}
	out := make([]ReaderState, len(readers))
	for i, r := range readers {
		ev := uint64(states[i].event)
		out[i] = ReaderState{Reader: r, Present: ev&C.SC_STATE_PRESENT != 0, Events: uint16(ev >> 16)}
	}
	return out, nil
}

// Connect connects to the card in reader, shared with other programs.
func (c *Context) Connect(ctx context.Context, reader string) (*Card, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	name := C.CString(reader)
	defer C.free(unsafe.Pointer(name))
	card := &Card{}
	if err := check("SCardConnect", C.sc_do_connect(c.h, name, &card.h, &card.proto)); err != nil {
		return nil, err
	}
	atr := make([]byte, 33)
	n := C.sc_dword(len(atr))
	if err := check("SCardStatus", C.sc_do_status(card.h, (*C.uchar)(unsafe.Pointer(&atr[0])), &n)); err != nil {
		C.sc_do_disconnect(card.h)
		return nil, err
	}
	card.atr = atr[:n]
	return card, nil
}

// Card is a shared connection to a card. It is safe for concurrent use.
type Card struct {
	mu     sync.Mutex
	h      C.sc_long
	proto  C.sc_dword
	atr    []byte
	closed bool
}

// ATR is the card's answer to reset.
func (c *Card) ATR() []byte { return bytes.Clone(c.atr) }

// Transaction runs fn with the card to itself: other programs' commands
// (OpenSC's among them) wait until fn returns.
func (c *Card) Transaction(ctx context.Context, fn func() error) (err error) {
	if err := ctx.Err(); err != nil {
		return err
	}
	if err := check("SCardBeginTransaction", C.sc_do_begin(c.h)); err != nil {
		return err
	}
	defer func() {
		if endErr := check("SCardEndTransaction", C.sc_do_end(c.h)); err == nil {
			err = endErr
		}
	}()
	return fn()
}

// Transmit sends a command APDU and returns the response APDU, status
// word included.
func (c *Card) Transmit(ctx context.Context, apdu []byte) ([]byte, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	if len(apdu) == 0 {
		return nil, fmt.Errorf("pcsc: empty command")
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	resp := make([]byte, 258)
	n := C.sc_dword(len(resp))
	rv := C.sc_do_transmit(c.h, c.proto, (*C.uchar)(unsafe.Pointer(&apdu[0])), C.sc_dword(len(apdu)),
		(*C.uchar)(unsafe.Pointer(&resp[0])), &n)
	if err := check("SCardTransmit", rv); err != nil {
		return nil, err
	}
	return resp[:n], nil
}

// Close disconnects, leaving the card as it is. It is idempotent.
func (c *Card) Close() error {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.closed {
		return nil
	}
	c.closed = true
	return check("SCardDisconnect", C.sc_do_disconnect(c.h))
}
