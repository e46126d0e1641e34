package main

import (
	"bufio"
	"context"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"sync"
	"time"
)

// slowEnv, set to 1, has the app reach the embedded sandbox through a
// proxy in this process that passes what the app sends at slowRate, so
// that a large upload lasts long enough to be cancelled half-way. It is
// for scripts/screenshots, which cancels such an upload; the sandbox is
// reached directly without it.
const slowEnv = "SHINSEI_SANDBOX_SLOW_UPLOADS"

// slowRate is the bytes per second the slow proxy passes towards the
// service (answers come back at full speed).
const slowRate = 2 << 20

// slowProxy is an HTTP CONNECT proxy on loopback that throttles the
// client's side of each tunnel.
type slowProxy struct {
	ln    net.Listener
	rate  int
	wg    sync.WaitGroup
	mu    sync.Mutex
	conns map[net.Conn]bool
}

// startSlowProxy starts a slowProxy passing rate bytes per second.
func startSlowProxy(rate int) (*slowProxy, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	p := &slowProxy{ln: ln, rate: rate, conns: map[net.Conn]bool{}}
	p.wg.Add(1)
	go p.serve()
	return p, nil
}

// Proxy is the flow.Config.Proxy that sends every request through p.
func (p *slowProxy) Proxy(*http.Request) (*url.URL, error) {
	return &url.URL{Scheme: "http", Host: p.ln.Addr().String()}, nil
}

// close stops the proxy and ends its tunnels.
func (p *slowProxy) close() {
	p.ln.Close()
	p.mu.Lock()
	for c := range p.conns {
		c.Close()
	}
	p.mu.Unlock()
	p.wg.Wait()
}

func (p *slowProxy) track(c net.Conn, on bool) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if on {
		p.conns[c] = true
	} else {
		delete(p.conns, c)
	}
}

func (p *slowProxy) serve() {
	defer p.wg.Done()
	for {
		c, err := p.ln.Accept()
		if err != nil {
			return
		}
		p.wg.Add(1)
		go func() {
			defer p.wg.Done()
			p.tunnel(c)
		}()
	}
}

// tunnel answers one CONNECT to a loopback address and copies both ways.
func (p *slowProxy) tunnel(c net.Conn) {
	p.track(c, true)
	defer p.track(c, false)
	defer c.Close()
	br := bufio.NewReader(c)
	req, err := http.ReadRequest(br)
	if err != nil || req.Method != http.MethodConnect {
		io.WriteString(c, "HTTP/1.1 405 Method Not Allowed\r\nContent-Length: 0\r\n\r\n")
		return
	}
	if host, _, err := net.SplitHostPort(req.Host); err != nil || !net.ParseIP(host).IsLoopback() {
		io.WriteString(c, "HTTP/1.1 403 Forbidden\r\nContent-Length: 0\r\n\r\n")
		return
	}
	up, err := (&net.Dialer{Timeout: 5 * time.Second}).DialContext(context.Background(), "tcp", req.Host)
	if err != nil {
		io.WriteString(c, "HTTP/1.1 502 Bad Gateway\r\nContent-Length: 0\r\n\r\n")
		return
	}
	p.track(up, true)
	defer p.track(up, false)
	defer up.Close()
	if _, err := io.WriteString(c, "HTTP/1.1 200 Connection established\r\n\r\n"); err != nil {
		return
	}
	done := make(chan struct{})
	go func() {
		io.Copy(c, up)
		c.Close()
		close(done)
	}()
	p.throttled(up, br)
	up.Close()
	<-done
}

// throttled copies src to dst at p.rate bytes per second, in slices of
// a tenth of a second.
func (p *slowProxy) throttled(dst io.Writer, src io.Reader) {
	buf := make([]byte, max(1, p.rate/10))
	for {
		start := time.Now()
		n, err := src.Read(buf)
		if n > 0 {
			if _, werr := dst.Write(buf[:n]); werr != nil {
				return
			}
			time.Sleep(time.Until(start.Add(time.Duration(n) * time.Second / time.Duration(p.rate))))
		}
		if err != nil {
			return
		}
	}
}

// startSlowUploads starts a slowProxy when slowEnv asks for it and
// returns the flow.Config.Proxy to use (nil: none) and what stops it.
func startSlowUploads() (func(*http.Request) (*url.URL, error), func(), error) {
	if os.Getenv(slowEnv) != "1" {
		return nil, func() {}, nil
	}
	p, err := startSlowProxy(slowRate)
	if err != nil {
		return nil, nil, err
	}
	return p.Proxy, p.close, nil
}
