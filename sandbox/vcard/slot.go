package vcard

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"net"
	"sync"
	"time"
)

// vpcd's control messages: a message of one byte that is not an APDU.
const (
	vpcdPowerOff = 0x00
	vpcdPowerOn  = 0x01
	vpcdReset    = 0x02
	vpcdGetATR   = 0x04
)

// Slot is a card slot of vpcd, the virtual smart-card reader driver of
// vsmartcard for pcscd. vpcd listens on a TCP port per slot; inserting a
// card connects to it, removing the card closes the connection. On the
// connection vpcd speaks its protocol: each message is a 2-byte big-endian
// length and that many bytes; a 1-byte message is a control (00 power off,
// 01 power on, 02 reset, 04 get ATR, answered with the ATR), anything
// longer an APDU, answered with the response APDU.
//
// A Slot is safe for concurrent use.
type Slot struct {
	addr string

	mu      sync.Mutex
	card    *Card
	conn    net.Conn
	gen     int // insertion count; a connector whose gen is stale stops
	cancel  context.CancelFunc
	removed chan struct{} // closed when the card leaves; replaced on insert
	closed  bool
	wg      sync.WaitGroup
}

// NewSlot returns an empty slot for vpcd listening at addr, which must be
// a loopback address such as "127.0.0.1:35963".
func NewSlot(addr string) (*Slot, error) {
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		return nil, fmt.Errorf("vcard: slot address: %w", err)
	}
	if ip := net.ParseIP(host); ip == nil || !ip.IsLoopback() {
		return nil, fmt.Errorf("vcard: slot address %s: only loopback addresses are allowed", addr)
	}
	s := &Slot{addr: addr, removed: make(chan struct{})}
	close(s.removed)
	return s, nil
}

// Addr is vpcd's address.
func (s *Slot) Addr() string { return s.addr }

// Insert puts card in the slot, replacing any card there. It connects to
// vpcd in the background, again and again until vpcd is there; pcscd sees
// the card at its next poll of the reader (within half a second).
func (s *Slot) Insert(card *Card) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return
	}
	s.dropLocked()
	s.card = card
	s.removed = make(chan struct{})
	s.gen++
	ctx, cancel := context.WithCancel(context.Background())
	s.cancel = cancel
	s.wg.Add(1)
	go s.connect(ctx, s.gen, card)
}

// Remove takes the card out: the connection to vpcd is closed and the
// card's session state (selected application, verified PINs) is lost.
func (s *Slot) Remove() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.dropLocked()
}

func (s *Slot) dropLocked() {
	s.gen++
	if s.cancel != nil {
		s.cancel()
		s.cancel = nil
	}
	if s.conn != nil {
		s.conn.Close()
		s.conn = nil
	}
	if s.card != nil {
		s.card.PowerOff()
		s.card = nil
	}
	select {
	case <-s.removed:
	default:
		close(s.removed)
	}
}

// Card returns the card in the slot, nil when empty.
func (s *Slot) Card() *Card {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.card
}

// Removed returns a channel closed when the current card leaves the slot,
// by Remove, Insert of another card, Close, or the card pulling itself out
// (ScenarioRemovedDuringSigning).
func (s *Slot) Removed() <-chan struct{} {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.removed
}

// Close removes the card and waits for the connection to end.
func (s *Slot) Close() error {
	s.mu.Lock()
	s.closed = true
	s.dropLocked()
	s.mu.Unlock()
	s.wg.Wait()
	return nil
}

// current reports whether gen is still the slot's insertion.
func (s *Slot) current(gen int) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.gen == gen && !s.closed
}

// connect keeps card connected to vpcd while it is inserted: a connection
// that vpcd ends (it does on any error) is made again, as a card that is
// still in the reader comes back.
func (s *Slot) connect(ctx context.Context, gen int, card *Card) {
	defer s.wg.Done()
	var dialer net.Dialer
	wait := 10 * time.Millisecond
	pause := func() {
		select {
		case <-ctx.Done():
		case <-time.After(wait):
		}
	}
	for s.current(gen) {
		c, err := dialer.DialContext(ctx, "tcp", s.addr)
		if err != nil {
			pause()
			wait = min(2*wait, 200*time.Millisecond)
			continue
		}
		wait = 10 * time.Millisecond
		s.mu.Lock()
		if s.gen != gen || s.closed {
			s.mu.Unlock()
			c.Close()
			return
		}
		s.conn = c
		s.mu.Unlock()
		card.PowerOff()
		tuneLatency(c)
		pulled := serveVpcd(c, card)
		s.mu.Lock()
		if s.conn == c {
			s.conn = nil
		}
		if pulled && s.gen == gen {
			s.dropLocked()
		}
		s.mu.Unlock()
		c.Close()
		if pulled {
			return
		}
		pause()
	}
}

// serveVpcd answers vpcd on c for card until the connection ends; it
// reports whether the card pulled itself out.
func serveVpcd(c net.Conn, card *Card) (pulled bool) {
	var hdr [2]byte
	buf := make([]byte, 0, 512)
	out := make([]byte, 0, 512)
	for {
		quickAck(c)
		if _, err := io.ReadFull(c, hdr[:]); err != nil {
			return false
		}
		n := int(binary.BigEndian.Uint16(hdr[:]))
		buf = buf[:n]
		quickAck(c)
		if _, err := io.ReadFull(c, buf); err != nil {
			return false
		}
		var resp []byte
		switch {
		case n == 1 && buf[0] == vpcdGetATR:
			resp = JPKIATR
		case n == 1 && (buf[0] == vpcdPowerOff || buf[0] == vpcdPowerOn || buf[0] == vpcdReset):
			card.PowerOff() // vpcd expects no answer
			continue
		case n <= 1:
			continue // an unknown control message
		default:
			var err error
			resp, err = card.transmit(buf)
			if errors.Is(err, errPulledOut) {
				return true
			}
		}
		out = binary.BigEndian.AppendUint16(out[:0], uint16(len(resp)))
		out = append(out, resp...)
		if _, err := c.Write(out); err != nil {
			return false
		}
	}
}
