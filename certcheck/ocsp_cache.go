package certcheck

import (
	"crypto/sha256"
	"encoding/hex"
	"os"
	"path/filepath"
	"time"

	"github.com/shinsei-app/shinsei/internal/fsx"
	"github.com/shinsei-app/shinsei/internal/iox"
)

// ocspCacheEntry is a verified answer kept until until (its nextUpdate,
// or thisUpdate plus MaxAge).
type ocspCacheEntry struct {
	rev   Revocation
	until time.Time
}

// ocspCacheKey names an answer by responder URL and the request without
// nonce (which is deterministic for a certificate, issuer and hash). It is
// a hash, so that file names do not show serial numbers.
func ocspCacheKey(u string, req []byte) string {
	h := sha256.New()
	h.Write([]byte(u))
	h.Write([]byte{0})
	h.Write(req)
	return hex.EncodeToString(h.Sum(nil)[:20])
}

func ocspCacheable(rev Revocation) bool {
	switch rev.Status {
	case StatusGood, StatusRevoked, StatusOnHold:
		return true
	}
	return false
}

func (s *OCSPSource) cacheUntil(rev Revocation) time.Time {
	if !rev.NextUpdate.IsZero() {
		return rev.NextUpdate
	}
	return rev.ThisUpdate.Add(s.opts.MaxAge)
}

func (s *OCSPSource) cacheFile(key string) string {
	return filepath.Join(s.opts.CacheDir, "ocsp-"+key+".der")
}

// fromCache returns a fresh cached answer for q: from memory, or from the
// disk cache, where the file is verified again like a fetched answer (a
// corrupt, stale or foreign file is ignored).
func (s *OCSPSource) fromCache(key string, q Query, now time.Time) (Revocation, bool) {
	s.mu.Lock()
	e, ok := s.cache[key]
	if ok && !now.Before(e.until) {
		delete(s.cache, key)
		ok = false
	}
	s.mu.Unlock()
	if ok {
		return e.rev, true
	}
	if s.opts.CacheDir == "" {
		return Revocation{}, false
	}
	der, err := iox.ReadFile(s.cacheFile(key), s.opts.MaxSize)
	if err != nil {
		return Revocation{}, false
	}
	rev, err := verifyOCSP(der, q.Cert, q.Issuer, nil, s.opts, now)
	if err != nil || !ocspCacheable(rev) || !now.Before(s.cacheUntil(rev)) {
		return Revocation{}, false
	}
	rev.OCSPResponse = der
	s.mu.Lock()
	s.cache[key] = ocspCacheEntry{rev: rev, until: s.cacheUntil(rev)}
	s.mu.Unlock()
	return rev, true
}

// store keeps a verified answer in memory and, with CacheDir, on disk.
// Writing the disk cache is best effort: a failure only costs a fetch.
func (s *OCSPSource) store(key string, der []byte, rev Revocation) {
	if !ocspCacheable(rev) {
		return
	}
	until := s.cacheUntil(rev)
	if !s.opts.Now().Before(until) {
		return
	}
	s.mu.Lock()
	s.cache[key] = ocspCacheEntry{rev: rev, until: until}
	s.mu.Unlock()
	if s.opts.CacheDir != "" && os.MkdirAll(s.opts.CacheDir, 0o700) == nil {
		_ = fsx.WriteFile(s.cacheFile(key), der, 0o600)
	}
}
