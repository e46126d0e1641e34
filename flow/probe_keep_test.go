package flow

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"io"
	"log"
	"math/big"
	"net"
	"net/http"
	"net/http/httptest"
	"sync/atomic"
	"testing"
	"time"
)

// The pre-check's look at the service keeps its connection, whose
// certificate was verified when it was made, for the next look: a batch
// or the next signature asks the service again without a new TLS
// handshake. A service that is not trusted is never kept: each look
// tries the handshake again and says so.
func TestThePrecheckLookAtTheServiceKeepsOnlyAVerifiedConnection(t *testing.T) {
	var conns atomic.Int32
	srv := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.Write([]byte(`{"procedures":[]}`))
	}))
	srv.Config.ConnState = func(_ net.Conn, s http.ConnState) {
		if s == http.StateNew {
			conns.Add(1)
		}
	}
	srv.Config.ErrorLog = log.New(io.Discard, "", 0) // the refused handshakes
	srv.StartTLS()
	defer srv.Close()
	ctx := context.Background()

	for _, tc := range []struct {
		name      string
		anchors   []*x509.Certificate
		reached   bool
		wantConns int32
	}{
		{"a trusted service is asked three times over one connection", []*x509.Certificate{srv.Certificate()}, true, 1},
		{"an untrusted service is refused at each look, each a new handshake", []*x509.Certificate{otherCA(t)}, false, 3},
	} {
		t.Run(tc.name, func(t *testing.T) {
			conns.Store(0)
			a, err := Open(ctx, Config{ServiceURL: srv.URL, ServiceAnchors: tc.anchors, Keyring: noKeyring{}})
			if err != nil {
				t.Fatal(err)
			}
			defer a.Close()
			for i := range 3 {
				pr := a.probeService(ctx)
				if pr.reached != tc.reached || pr.untrusted == tc.reached {
					t.Fatalf("look %d: reached %v, untrusted %v (%v); want reached %v", i+1, pr.reached, pr.untrusted, pr.err, tc.reached)
				}
				if tc.reached && pr.date.IsZero() {
					t.Errorf("look %d: the service's clock was not read", i+1)
				}
			}
			if n := conns.Load(); n != tc.wantConns {
				t.Errorf("%d connections made, want %d", n, tc.wantConns)
			}
		})
	}
}

// otherCA is a self-signed CA certificate that did not issue the test
// server's.
func otherCA(t *testing.T) *x509.Certificate {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "Another CA"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour), IsCA: true,
		BasicConstraintsValid: true, KeyUsage: x509.KeyUsageCertSign}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	cert, err := x509.ParseCertificate(der)
	if err != nil {
		t.Fatal(err)
	}
	return cert
}

// noKeyring is a keyring that keeps nothing.
type noKeyring struct{}

func (noKeyring) Get(service, user string) (string, error) { return "", nil }
func (noKeyring) Set(service, user, secret string) error   { return nil }
func (noKeyring) Delete(service, user string) error        { return nil }
