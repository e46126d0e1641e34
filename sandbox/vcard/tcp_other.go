//go:build !linux

package vcard

import "net"

// tuneLatency turns Nagle's algorithm off on c.
func tuneLatency(c net.Conn) {
	if tc, ok := c.(*net.TCPConn); ok {
		tc.SetNoDelay(true)
	}
}

// quickAck does nothing: TCP_QUICKACK is Linux's.
func quickAck(net.Conn) {}
