//go:build linux

package vcard

import (
	"net"

	"golang.org/x/sys/unix"
)

// tuneLatency turns Nagle's algorithm off on c. Debian's vpcd writes an
// APDU's length and its bytes in two writes; with delayed ACKs on our side
// and Nagle's algorithm on its side, the second write waits for our ACK of
// the first, about 40 ms per APDU. quickAck removes that wait.
func tuneLatency(c net.Conn) {
	if tc, ok := c.(*net.TCPConn); ok {
		tc.SetNoDelay(true)
	}
}

// quickAck asks the kernel to acknowledge the next segment on c at once.
// TCP_QUICKACK does not stick, so it is armed again before every read.
func quickAck(c net.Conn) {
	tc, ok := c.(*net.TCPConn)
	if !ok {
		return
	}
	raw, err := tc.SyscallConn()
	if err != nil {
		return
	}
	raw.Control(func(fd uintptr) {
		unix.SetsockoptInt(int(fd), unix.IPPROTO_TCP, unix.TCP_QUICKACK, 1)
	})
}
