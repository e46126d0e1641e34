package certcheck

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"time"
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
	der, err := ocspReadCapped(s.cacheFile(key), s.opts.MaxSize)
	if err != nil {
		return Revocation{}, false
	}
	rev, err := verifyOCSP(der, q.Cert, q.Issuer, nil, s.opts, now)
	if err != nil || !ocspCacheable(rev) || !now.Before(s.cacheUntil(rev)) {
		return Revocation{}, false
	}
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
	if s.opts.CacheDir != "" {
		_ = ocspWriteAtomic(s.cacheFile(key), der)
	}
}

// ocspWriteAtomic writes data to name through a temporary file in the same
// directory and a rename, so that a reader never sees a partial file.
func ocspWriteAtomic(name string, data []byte) error {
	dir := filepath.Dir(name)
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return fmt.Errorf("certcheck: OCSP cache: %w", err)
	}
	f, err := os.CreateTemp(dir, ".ocsp-*.tmp")
	if err != nil {
		return fmt.Errorf("certcheck: OCSP cache: %w", err)
	}
	tmp := f.Name()
	_, err = f.Write(data)
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(tmp, name)
	}
	if err != nil {
		_ = os.Remove(tmp)
		return fmt.Errorf("certcheck: OCSP cache: %w", err)
	}
	return nil
}

func ocspReadCapped(name string, limit int64) ([]byte, error) {
	f, err := os.Open(name)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, limit+1))
	if err != nil {
		return nil, err
	}
	if int64(len(data)) > limit {
		return nil, ErrOCSPTooLarge
	}
	return data, nil
}
