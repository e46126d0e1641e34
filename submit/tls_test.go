package submit_test

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"net"
	"strings"
	"testing"
	"time"

	"github.com/shinsei-app/shinsei/submit"
	"github.com/shinsei-app/shinsei/submit/submittest"
)

func TestTheClientRefusesUntrustedServers(t *testing.T) {
	good := startServer(t, submittest.Options{})
	other := startServer(t, submittest.Options{})
	old := startServer(t, submittest.Options{MaxTLSVersion: tls.VersionTLS11})
	tests := []struct {
		name    string
		url     string
		anchors []*x509.Certificate
		failure submit.TLSFailure
		words   string
	}{
		{"a certificate from a CA that is not an anchor is refused", good.URL, []*x509.Certificate{other.CA}, submit.TLSUnknownAuthority, "not among the configured anchors"},
		{"a certificate for another host name is refused", strings.Replace(good.URL, "127.0.0.1", "localhost", 1), []*x509.Certificate{good.CA}, submit.TLSHostMismatch, "not valid for the host name localhost"},
		{"a server offering only TLS 1.1 is refused", old.URL, []*x509.Certificate{old.CA}, submit.TLSOldVersion, "older than 1.2"},
	}
	seen := map[string]bool{}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, err := submit.New(submit.Config{BaseURL: tt.url, Anchors: tt.anchors})
			if err != nil {
				t.Fatal(err)
			}
			_, err = c.Procedures(context.Background())
			var te *submit.TLSError
			if !errors.Is(err, submit.ErrUntrustedServer) || !errors.As(err, &te) {
				t.Fatalf("err = %v, want ErrUntrustedServer", err)
			}
			if te.Failure != tt.failure || !strings.Contains(err.Error(), tt.words) {
				t.Fatalf("failure %q, message %q; want %q saying %q", te.Failure, err, tt.failure, tt.words)
			}
			if errors.Is(err, submit.ErrUnreachable) || submit.Retryable(err) {
				t.Fatalf("an untrusted server must not look like a network failure to retry: %v", err)
			}
			if seen[err.Error()] {
				t.Fatalf("the message is the same as another failure's: %v", err)
			}
			seen[err.Error()] = true
		})
	}
	t.Run("the same server is accepted with its anchor", func(t *testing.T) {
		if _, err := newClient(t, good).Procedures(context.Background()); err != nil {
			t.Fatal(err)
		}
	})
}

// TestAnOldServerThatPicksTLS11ItselfIsRefused plays a server from before
// TLS 1.3 that ignores the client's supported_versions and answers with a
// TLS 1.1 ServerHello.
func TestAnOldServerThatPicksTLS11ItselfIsRefused(t *testing.T) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	go func() {
		conn, err := l.Accept()
		if err != nil {
			return
		}
		defer conn.Close()
		conn.SetDeadline(time.Now().Add(5 * time.Second))
		buf := make([]byte, 4096)
		conn.Read(buf)                                // the ClientHello
		hello := []byte{0x03, 0x02}                   // server_version TLS 1.1
		hello = append(hello, make([]byte, 32)...)    // random
		hello = append(hello, 0x00, 0xc0, 0x13, 0x00) // no session ID, ECDHE_RSA_WITH_AES_128_CBC_SHA, no compression
		msg := append([]byte{0x02, 0x00, 0x00, byte(len(hello))}, hello...)
		record := append([]byte{0x16, 0x03, 0x02, 0x00, byte(len(msg))}, msg...)
		conn.Write(record)
		conn.Read(buf) // the client's alert
	}()
	c, err := submit.New(submit.Config{BaseURL: "https://" + l.Addr().String(), Anchors: []*x509.Certificate{{}}, Timeout: 5 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	_, err = c.Procedures(context.Background())
	var te *submit.TLSError
	if !errors.As(err, &te) || te.Failure != submit.TLSOldVersion || !strings.Contains(err.Error(), "older than 1.2") {
		t.Fatalf("err = %v, want a TLS version failure", err)
	}
}
