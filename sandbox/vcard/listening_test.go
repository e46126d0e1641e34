//go:build linux

package vcard

import (
	"net"
	"testing"
)

func TestListeningReadsTheKernelsTableWithoutTouchingThePort(t *testing.T) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	port := l.Addr().(*net.TCPAddr).Port
	if !listening(port) {
		t.Errorf("port %d is listened on, but listening says no", port)
	}
	l.Close()
	if listening(port) {
		t.Errorf("port %d is closed, but listening says yes", port)
	}
}
