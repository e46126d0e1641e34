package signer

import (
	"context"
	"crypto/x509"
	"encoding/pem"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"

	"github.com/shinsei-app/shinsei/internal/fsx/fsxtest"
)

func TestATSAThatFailsNeverFailsTheSignature(t *testing.T) {
	f := testFixtures(t)
	serve := func(h http.HandlerFunc) string {
		srv := httptest.NewServer(h)
		t.Cleanup(srv.Close)
		return srv.URL
	}
	// A port nobody listens on: listen, note the address, close.
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	closed := "http://" + ln.Addr().String() + "/tsa"
	ln.Close()
	hang := make(chan struct{})
	t.Cleanup(func() { close(hang) })
	tests := []struct {
		name string
		tsa  TSA
		want error
	}{
		{"a TSA that answers garbage", TSA{URL: serve(func(w http.ResponseWriter, _ *http.Request) {
			_, _ = w.Write([]byte("this is not DER \x00\xff\x30\x82"))
		})}, ErrTSABadReply},
		{"a TSA that answers nothing", TSA{URL: serve(func(w http.ResponseWriter, _ *http.Request) {})}, ErrTSABadReply},
		{"a TSA that refuses with an error status", TSA{URL: serve(func(w http.ResponseWriter, _ *http.Request) {
			http.Error(w, "down", http.StatusServiceUnavailable)
		})}, ErrTSAUnreachable},
		{"a TSA that nobody listens for", TSA{URL: closed}, ErrTSAUnreachable},
		{"a TSA that never answers, within its time limit", TSA{Timeout: 200 * time.Millisecond, URL: serve(func(w http.ResponseWriter, r *http.Request) {
			_, _ = io.Copy(io.Discard, r.Body) // so that the server notices the client leaving
			select {
			case <-hang:
			case <-r.Context().Done():
			case <-time.After(5 * time.Second):
			}
			panic(http.ErrAbortHandler) // silent to the end: no (empty) reply
		})}, ErrTSAUnreachable},
		{"a TSA whose reply is larger than the cap", TSA{URL: serve(func(w http.ResponseWriter, _ *http.Request) {
			_, _ = w.Write(make([]byte, MaxTSAReply+1))
		})}, ErrTSABadReply},
	}
	for _, tt := range tests {
		t.Run(tt.name+" leaves a signed package without a time-stamp", func(t *testing.T) {
			start := time.Now()
			pkg, res := buildWith(t, f.official, &tt.tsa)
			if res.Timestamped || !errors.Is(res.TimestampErr, tt.want) {
				t.Fatalf("want %v, got timestamped=%v %v", tt.want, res.Timestamped, res.TimestampErr)
			}
			if d := time.Since(start); d > 5*time.Second {
				t.Fatalf("took %v", d)
			}
			rep, err := Verify(context.Background(), pkg, f.opts())
			if err != nil {
				t.Fatal(err)
			}
			if rep.Outcome() != OutcomeValid || rep.Format != FormatCAdESBES || len(rep.Timestamps) != 0 {
				t.Fatalf("want a valid CAdES-BES package, got %s %s %+v", rep.Outcome(), rep.Format, rep.Timestamps)
			}
		})
	}
}

func TestTimestampPackageAddsTheTokenLater(t *testing.T) {
	f := testFixtures(t)
	good, _ := testTSAs(t)
	pkg, res := buildWith(t, f.official, &TSA{URL: "http://127.0.0.1:1/tsa", Timeout: time.Second})
	if res.Timestamped {
		t.Fatal("no TSA should have answered")
	}
	n, err := TimestampPackage(context.Background(), pkg, TSA{URL: tsaServer(t, good, nil).URL})
	if err != nil || n != 1 {
		t.Fatalf("want one token added, got %d %v", n, err)
	}
	rep, err := Verify(context.Background(), pkg, f.opts())
	if err != nil {
		t.Fatal(err)
	}
	if rep.Outcome() != OutcomeValid || len(rep.Timestamps) != 1 || !rep.Timestamps[0].Check.OK || rep.ProvenTime == nil {
		t.Fatalf("got %s %+v", rep.Outcome(), rep.Timestamps)
	}
	before, _ := os.ReadFile(pkg)
	if n, err := TimestampPackage(context.Background(), pkg, TSA{URL: "http://127.0.0.1:1/tsa"}); err != nil || n != 0 {
		t.Fatalf("a time-stamped package needs nothing and asks no TSA: %d %v", n, err)
	}
	after, _ := os.ReadFile(pkg)
	if string(before) != string(after) {
		t.Fatal("a package with its time-stamp must be left as it was")
	}
	t.Run("a file without a signature is refused, not rewritten", func(t *testing.T) {
		notPkg := writeFile(t, fsxtest.TempDir(t), "plain.zip", zipBytes(t, []entry{{Name: "form.json", Data: []byte("{}")}}))
		if _, err := TimestampPackage(context.Background(), notPkg, TSA{URL: "http://127.0.0.1:1/tsa"}); !errors.Is(err, ErrMalformed) {
			t.Fatalf("want ErrMalformed, got %v", err)
		}
	})
	t.Run("openssl accepts the token added later", func(t *testing.T) {
		opensslAccepts(t, pkg, f.official.Root, good.Cert)
	})
}

// opensslTSA serves 'openssl ts -reply' behind a loopback HTTP handler.
func opensslTSA(t *testing.T) string {
	t.Helper()
	requireOpenSSL(t)
	good, _ := testTSAs(t)
	dir := fsxtest.TempDir(t)
	key, err := x509.MarshalPKCS8PrivateKey(good.Key)
	if err != nil {
		t.Fatal(err)
	}
	keyFile := writeFile(t, dir, "tsa.key", pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: key}))
	certFile := writePEM(t, dir, "tsa.pem", good.Cert)
	writeFile(t, dir, "serial", []byte("01\n"))
	cfg := writeFile(t, dir, "tsa.cnf", []byte(fmt.Sprintf(`[ tsa ]
default_tsa = tsa_config
[ tsa_config ]
serial = %s
crypto_device = builtin
signer_digest = sha256
default_policy = 1.2.3.4.1
digests = sha256, sha384, sha512
accuracy = secs:1
ess_cert_id_alg = sha256
`, filepath.Join(dir, "serial"))))
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		q, _ := io.ReadAll(r.Body)
		qf, err := os.CreateTemp(dir, "q*.tsq")
		if err != nil {
			http.Error(w, err.Error(), 500)
			return
		}
		qf.Write(q)
		qf.Close()
		resp := qf.Name() + ".tsr"
		out, err := exec.Command("openssl", "ts", "-reply", "-config", cfg, "-queryfile", qf.Name(),
			"-signer", certFile, "-inkey", keyFile, "-out", resp).CombinedOutput()
		if err != nil {
			t.Errorf("openssl ts -reply: %v\n%s", err, out)
			http.Error(w, "openssl failed", 500)
			return
		}
		data, _ := os.ReadFile(resp)
		w.Header().Set("Content-Type", "application/timestamp-reply")
		_, _ = w.Write(data)
	}))
	t.Cleanup(srv.Close)
	return srv.URL
}

func TestATokenIssuedByOpenSSLIsAccepted(t *testing.T) {
	f := testFixtures(t)
	pkg, res := buildWith(t, f.official, &TSA{URL: opensslTSA(t)})
	if !res.Timestamped {
		t.Fatalf("openssl's token refused: %v", res.TimestampErr)
	}
	rep, err := Verify(context.Background(), pkg, f.opts())
	if err != nil {
		t.Fatal(err)
	}
	if rep.Outcome() != OutcomeValid || len(rep.Timestamps) != 1 || !rep.Timestamps[0].Check.OK || rep.ProvenTime == nil {
		t.Fatalf("got %s %+v %+v", rep.Outcome(), rep.Timestamps, rep.Undecided)
	}
}
