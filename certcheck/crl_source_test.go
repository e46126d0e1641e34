package certcheck_test

import (
	"crypto/sha256"
	"crypto/x509"
	"encoding/hex"
	"encoding/pem"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/shinsei-app/shinsei/certcheck"
	"github.com/shinsei-app/shinsei/internal/fsx/fsxtest"
	"github.com/shinsei-app/shinsei/sandbox/pki"
)

func crlCacheFile(dir, url string) string {
	sum := sha256.Sum256([]byte(url))
	return filepath.Join(dir, hex.EncodeToString(sum[:])+".crl")
}

func crlMustSource(t testing.TB, opts certcheck.CRLOptions) *certcheck.CRLSource {
	t.Helper()
	s, err := certcheck.NewCRLSource(t.Context(), opts)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func crlWantStatus(t testing.TB, s *certcheck.CRLSource, q certcheck.Query, want certcheck.Status) certcheck.Revocation {
	t.Helper()
	r, ok := s.Check(t.Context(), q)
	if !ok || r.Status != want {
		t.Fatalf("got ok=%v %s (%s), want %s", ok, r.Status, r.Detail, want)
	}
	return r
}

// TestCRLDiskCache: a fetched CRL is kept until its nextUpdate, survives a
// new source on the same directory, and a bad cached copy is replaced.
func TestCRLDiskCache(t *testing.T) {
	p := testPKI(t)
	ca := p.Private
	srv := newCRLServer(t)
	now := time.Now()
	good := crlMake(t, ca, now.Add(-time.Hour), now.Add(24*time.Hour))

	t.Run("a fetched CRL is answered from memory and then from the disk by a new source", func(t *testing.T) {
		dir := fsxtest.TempDir(t)
		url := srv.serve("/cache-1.crl", good)
		cert := crlIssue(t, ca, "cache", url)
		before := srv.hits.Load()
		s := crlMustSource(t, certcheck.CRLOptions{CacheDir: dir})
		crlWantStatus(t, s, crlQuery(cert, ca), certcheck.StatusGood)
		crlWantStatus(t, s, crlQuery(cert, ca), certcheck.StatusGood)
		if n := srv.hits.Load() - before; n != 1 {
			t.Fatalf("%d requests for two checks, want 1", n)
		}
		data, err := os.ReadFile(crlCacheFile(dir, url))
		if err != nil || string(data) != string(good) {
			t.Fatalf("cache file: %v (same bytes: %v)", err, string(data) == string(good))
		}
		if tmp, _ := filepath.Glob(filepath.Join(dir, ".crl-*")); len(tmp) != 0 {
			t.Fatalf("temporary files left: %v", tmp)
		}
		again := crlMustSource(t, certcheck.CRLOptions{CacheDir: dir})
		r := crlWantStatus(t, again, crlQuery(cert, ca), certcheck.StatusGood)
		if n := srv.hits.Load() - before; n != 1 {
			t.Fatalf("the new source fetched again (%d requests)", n)
		}
		if !strings.Contains(r.Location, "cached") {
			t.Errorf("location %q does not say the answer came from the cache", r.Location)
		}
		offline := crlMustSource(t, certcheck.CRLOptions{CacheDir: dir, Offline: true})
		crlWantStatus(t, offline, crlQuery(cert, ca), certcheck.StatusGood)
	})

	for _, tt := range []struct {
		name   string
		cached []byte
	}{
		{"a corrupt cache file is ignored and replaced by the next fetch", []byte("corrupt")},
		{"a cached CRL signed by another key is dropped and fetched again", crlMake(t, p.Registrar, now.Add(-time.Hour), now.Add(24*time.Hour))},
		{"a cached CRL with a forged signature is dropped and fetched again", func() []byte {
			b := append([]byte(nil), good...)
			b[len(b)-1] ^= 1
			return b
		}()},
		{"a cached CRL past its nextUpdate is fetched again", crlMake(t, ca, now.Add(-48*time.Hour), now.Add(-24*time.Hour))},
	} {
		t.Run(tt.name, func(t *testing.T) {
			dir := fsxtest.TempDir(t)
			url := srv.serve("/cache-"+hex.EncodeToString([]byte(tt.name))[:16]+".crl", good)
			cert := crlIssue(t, ca, "cache", url)
			if err := os.WriteFile(crlCacheFile(dir, url), tt.cached, 0o600); err != nil {
				t.Fatal(err)
			}
			before := srv.hits.Load()
			s := crlMustSource(t, certcheck.CRLOptions{CacheDir: dir})
			crlWantStatus(t, s, crlQuery(cert, ca), certcheck.StatusGood)
			if n := srv.hits.Load() - before; n != 1 {
				t.Fatalf("%d requests, want 1", n)
			}
			data, err := os.ReadFile(crlCacheFile(dir, url))
			if err != nil || string(data) != string(good) {
				t.Fatalf("the cache file was not replaced by the fetched CRL (%v)", err)
			}
		})
	}

	t.Run("a CRL that fails its checks is not written to the cache", func(t *testing.T) {
		dir := fsxtest.TempDir(t)
		url := srv.serve("/cache-forged.crl", crlMake(t, p.Registrar, now.Add(-time.Hour), now.Add(time.Hour)))
		cert := crlIssue(t, ca, "cache", url)
		crlWantStatus(t, crlMustSource(t, certcheck.CRLOptions{CacheDir: dir}), crlQuery(cert, ca), certcheck.StatusUnknown)
		if _, err := os.Stat(crlCacheFile(dir, url)); !os.IsNotExist(err) {
			t.Fatalf("a rejected CRL was cached (%v)", err)
		}
	})
}

// TestCRLSourceAnswers covers what the source says outside the network
// cases: coverage, distribution points it cannot fetch, clock skew, PEM.
func TestCRLSourceAnswers(t *testing.T) {
	p := testPKI(t)
	ca := p.Private
	now := time.Now()
	plain := crlIssue(t, ca, "no distribution point")
	revoked := crlIssue(t, ca, "revoked, no distribution point")
	ldap := crlIssue(t, ca, "ldap", "ldap://ldap.example.jp/cn=CRL?certificateRevocationList")
	crl := crlMake(t, ca, now.Add(-time.Hour), now.Add(time.Hour), crlEntry(revoked, certcheck.CRLReasonKeyCompromise))
	pemCRL := pem.EncodeToMemory(&pem.Block{Type: "X509 CRL", Bytes: crl})
	resident, err := p.IssueResident(pki.SampleResident(), pki.ResidentOptions{})
	if err != nil {
		t.Fatal(err)
	}
	withCRL := func(der []byte) *certcheck.CRLSource {
		s := crlMustSource(t, certcheck.CRLOptions{Offline: true})
		if der == nil {
			return s
		}
		if err := s.AddCRL(der, "test.crl"); err != nil {
			t.Fatal(err)
		}
		return s
	}
	residentQuery := certcheck.Query{Cert: resident.Cert, Issuer: p.JPKISign.Cert,
		Path: []*x509.Certificate{resident.Cert, p.JPKISign.Cert}, Roots: p.Roots(), At: now}

	tests := []struct {
		name   string
		src    *certcheck.CRLSource
		q      certcheck.Query
		ok     bool
		status certcheck.Status
		detail string
	}{
		{"a certificate its issuer's CRL does not list is good", withCRL(crl), crlQuery(plain, ca), true, certcheck.StatusGood, ""},
		{"a certificate its issuer's CRL lists is revoked", withCRL(crl), crlQuery(revoked, ca), true, certcheck.StatusRevoked, ""},
		{"a PEM CRL is read like a DER one", withCRL(pemCRL), crlQuery(revoked, ca), true, certcheck.StatusRevoked, ""},
		{"a source without a CRL of the issuer has nothing to say", withCRL(crlMake(t, p.Registrar, now.Add(-time.Hour), now.Add(time.Hour))),
			crlQuery(plain, ca), false, "", ""},
		{"an ldap distribution point is not fetchable", withCRL(nil), crlQuery(ldap, ca), true, certcheck.StatusUnknown, "CRL is not fetchable"},
		{"a JPKI certificate's directory-name distribution point is not fetchable", withCRL(nil), residentQuery, true, certcheck.StatusUnknown, "names only a directory entry"},
		{"a CRL ten minutes past nextUpdate is still within the clock skew", withCRL(crlMake(t, ca, now.Add(-time.Hour), now.Add(-10*time.Minute))),
			crlQuery(plain, ca), true, certcheck.StatusGood, ""},
		{"a CRL twenty minutes past nextUpdate is stale", withCRL(crlMake(t, ca, now.Add(-time.Hour), now.Add(-20*time.Minute))),
			crlQuery(plain, ca), true, certcheck.StatusUnknown, "has passed"},
		{"a CRL issued ten minutes ahead of the clock is within the clock skew", withCRL(crlMake(t, ca, now.Add(10*time.Minute), now.Add(time.Hour))),
			crlQuery(plain, ca), true, certcheck.StatusGood, ""},
		{"a CRL issued an hour ahead of the clock is not current", withCRL(crlMake(t, ca, now.Add(time.Hour), now.Add(2*time.Hour))),
			crlQuery(plain, ca), true, certcheck.StatusUnknown, "in the future"},
		{"a CRL issued after a past check time still speaks for it", withCRL(crlMake(t, ca, now.Add(-time.Hour), now.Add(time.Hour))),
			crlAt(crlQuery(plain, ca), now.Add(-3*time.Hour)), true, certcheck.StatusGood, ""},
		{"a CRL that expired before the check time is stale", withCRL(crlMake(t, ca, now.Add(-3*time.Hour), now.Add(-2*time.Hour))),
			crlAt(crlQuery(plain, ca), now.Add(-time.Hour)), true, certcheck.StatusUnknown, "has passed"},
		{"an archived CRL current at a past check time speaks for it", withCRL(crlMake(t, ca, now.Add(-5*time.Hour), now.Add(-2*time.Hour))),
			crlAt(crlQuery(plain, ca), now.Add(-3*time.Hour)), true, certcheck.StatusGood, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r, ok := tt.src.Check(t.Context(), tt.q)
			if ok != tt.ok || r.Status != tt.status || !strings.Contains(r.Detail, tt.detail) {
				t.Fatalf("got ok=%v %s (%s), want ok=%v %s with %q", ok, r.Status, r.Detail, tt.ok, tt.status, tt.detail)
			}
			if crlMentionsSerial(r.Detail, tt.q.Cert) {
				t.Errorf("detail shows the serial number: %q", r.Detail)
			}
		})
	}
}

func TestNewCRLSourceRejectsFilesThatAreNotCRLs(t *testing.T) {
	dir := fsxtest.TempDir(t)
	for name, content := range map[string]string{
		"garbage.crl": "garbage",
		"cert.pem":    "-----BEGIN CERTIFICATE-----\nMAA=\n-----END CERTIFICATE-----\n",
	} {
		path := filepath.Join(dir, name)
		if err := os.WriteFile(path, []byte(content), 0o600); err != nil {
			t.Fatal(err)
		}
		if _, err := certcheck.NewCRLSource(t.Context(), certcheck.CRLOptions{Files: []string{path}}); err == nil {
			t.Errorf("%s: accepted", name)
		}
	}
	if _, err := certcheck.NewCRLSource(t.Context(), certcheck.CRLOptions{Files: []string{filepath.Join(dir, "missing.crl")}}); err == nil {
		t.Error("a missing file was accepted")
	}
}

func crlAt(q certcheck.Query, at time.Time) certcheck.Query {
	q.At = at
	return q
}
