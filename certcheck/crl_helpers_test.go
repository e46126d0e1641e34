package certcheck_test

import (
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"crypto/x509/pkix"
	"math/big"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/shinsei-app/shinsei/certcheck"
	"github.com/shinsei-app/shinsei/sandbox/pki"
)

var (
	crlKeyOnce sync.Once
	crlKey     *rsa.PrivateKey
)

// crlLeafKey is one RSA key shared by the CRL tests' end-entity
// certificates, so that issuing one costs a signature, not a key.
func crlLeafKey(t testing.TB) *rsa.PrivateKey {
	t.Helper()
	crlKeyOnce.Do(func() {
		var err error
		if crlKey, err = rsa.GenerateKey(rand.Reader, 2048); err != nil {
			panic(err)
		}
	})
	return crlKey
}

// crlIssue issues an end-entity certificate from ca with the given CRL
// distribution point URLs.
func crlIssue(t testing.TB, ca *pki.CA, name string, dps ...string) *x509.Certificate {
	t.Helper()
	now := time.Now()
	cred, err := ca.IssueForKey(&x509.Certificate{
		Subject:               pkix.Name{Country: []string{"JP"}, Organization: []string{"Shinsei CRL test"}, CommonName: name},
		NotBefore:             now.Add(-time.Hour),
		NotAfter:              now.Add(30 * 24 * time.Hour),
		KeyUsage:              x509.KeyUsageDigitalSignature | x509.KeyUsageContentCommitment,
		CRLDistributionPoints: dps,
	}, crlLeafKey(t))
	if err != nil {
		t.Fatal(err)
	}
	return cred.Cert
}

// crlMake signs a CRL by ca with the given entries.
func crlMake(t testing.TB, ca *pki.CA, thisUpdate, nextUpdate time.Time, entries ...x509.RevocationListEntry) []byte {
	t.Helper()
	der, err := x509.CreateRevocationList(rand.Reader, &x509.RevocationList{
		Number: big.NewInt(time.Now().UnixNano()), ThisUpdate: thisUpdate, NextUpdate: nextUpdate,
		RevokedCertificateEntries: entries,
	}, ca.Cert, ca.Key)
	if err != nil {
		t.Fatal(err)
	}
	return der
}

// crlEntry revokes cert for reason at an hour ago.
func crlEntry(cert *x509.Certificate, reason certcheck.CRLReason) x509.RevocationListEntry {
	return x509.RevocationListEntry{SerialNumber: cert.SerialNumber, RevocationTime: time.Now().Add(-time.Hour).UTC().Truncate(time.Second), ReasonCode: int(reason)}
}

// crlQuery asks about cert issued directly by the root ca.
func crlQuery(cert *x509.Certificate, ca *pki.CA) certcheck.Query {
	return certcheck.Query{Cert: cert, Issuer: ca.Cert, Path: []*x509.Certificate{cert, ca.Cert},
		Roots: []*x509.Certificate{ca.Cert}, At: time.Now()}
}

// crlServer is an HTTP server on 127.0.0.1 whose handlers tests set per
// path, counting requests.
type crlServer struct {
	*httptest.Server
	mu       sync.Mutex
	handlers map[string]http.HandlerFunc
	hits     atomic.Int64
}

func newCRLServer(t testing.TB) *crlServer {
	s := &crlServer{handlers: map[string]http.HandlerFunc{}}
	s.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s.hits.Add(1)
		s.mu.Lock()
		h := s.handlers[r.URL.Path]
		s.mu.Unlock()
		if h == nil {
			http.NotFound(w, r)
			return
		}
		h(w, r)
	}))
	t.Cleanup(s.Close)
	return s
}

// serve makes path answer with body (a CRL's DER).
func (s *crlServer) serve(path string, body []byte) string {
	return s.handle(path, func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/pkix-crl")
		w.Header().Set("Content-Length", strconv.Itoa(len(body)))
		w.Write(body)
	})
}

func (s *crlServer) handle(path string, h http.HandlerFunc) string {
	s.mu.Lock()
	s.handlers[path] = h
	s.mu.Unlock()
	return s.URL + path
}

// crlMentionsSerial reports whether a detail shows a certificate's serial
// number, which it must not (serials are personal-data-adjacent).
func crlMentionsSerial(detail string, cert *x509.Certificate) bool {
	d := strings.ToLower(detail)
	return strings.Contains(d, cert.SerialNumber.String()) || strings.Contains(d, cert.SerialNumber.Text(16))
}

// crlMakeN signs a CRL by ca with n entries of made-up serials.
func crlMakeN(t testing.TB, ca *pki.CA, n int) []byte {
	t.Helper()
	now := time.Now()
	entries := make([]x509.RevocationListEntry, n)
	for i := range entries {
		entries[i] = x509.RevocationListEntry{SerialNumber: big.NewInt(int64(1_000_000 + i)), RevocationTime: now.Add(-time.Hour).UTC().Truncate(time.Second), ReasonCode: int(certcheck.CRLReasonSuperseded)}
	}
	return crlMake(t, ca, now.Add(-time.Hour), now.Add(24*time.Hour), entries...)
}
