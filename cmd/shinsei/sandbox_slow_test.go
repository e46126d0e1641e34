package main

import (
	"bytes"
	"crypto/sha256"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"testing"
	"time"
)

func TestTheSlowProxyPassesUploadsIntactAtItsRateAndOnlyToLoopback(t *testing.T) {
	srv := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := sha256.New()
		io.Copy(h, r.Body)
		fmt.Fprintf(w, "%x", h.Sum(nil))
	}))
	defer srv.Close()
	p, err := startSlowProxy(1 << 20)
	if err != nil {
		t.Fatal(err)
	}
	defer p.close()
	tr := srv.Client().Transport.(*http.Transport).Clone()
	tr.Proxy = p.Proxy
	client := &http.Client{Transport: tr}

	body := bytes.Repeat([]byte("0123456789abcdef"), 1<<15) // 512 KiB: half a second at 1 MiB/s
	start := time.Now()
	res, err := client.Post(srv.URL, "application/octet-stream", bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	got, _ := io.ReadAll(res.Body)
	res.Body.Close()
	took := time.Since(start)
	if want := fmt.Sprintf("%x", sha256.Sum256(body)); string(got) != want {
		t.Errorf("the service read a body of digest %s, want %s", got, want)
	}
	if took < 400*time.Millisecond {
		t.Errorf("512 KiB went through in %v, faster than 1 MiB/s", took)
	}

	tr2 := tr.Clone()
	tr2.Proxy = func(*http.Request) (*url.URL, error) { return p.Proxy(nil) }
	if _, err := (&http.Client{Transport: tr2}).Get("https://192.0.2.1:443/"); err == nil {
		t.Error("the proxy opened a tunnel to an address off this machine")
	}
}
