package certcheck

// Fetching CRLs from http(s) distribution points, with a timeout, a size
// cap and a redirect limit, and the disk cache: one file per URL, named by
// the URL's SHA-256, kept until the CRL's nextUpdate, written atomically,
// and trusted no more than a fresh download (every use re-verifies it).

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"time"

	"github.com/shinsei-app/shinsei/certcheck/internal/crl"
	"github.com/shinsei-app/shinsei/internal/fsx"
)

// crlURLState is the memory of one distribution point URL. lock is a
// one-slot semaphore held during a fetch so that concurrent checks share it.
type crlURLState struct {
	lock       chan struct{}
	rec        *crlRecord
	err        error
	retryAfter time.Time
}

func (s *CRLSource) urlStateFor(u string) *crlURLState {
	s.mu.Lock()
	defer s.mu.Unlock()
	st := s.urls[u]
	if st == nil {
		st = &crlURLState{lock: make(chan struct{}, 1)}
		s.urls[u] = st
	}
	return st
}

// fromURL returns the CRL of a URL: the copy in memory while its
// nextUpdate has not passed, else the disk cache's, else a download.
func (s *CRLSource) fromURL(ctx context.Context, u string) (*crlRecord, error) {
	st := s.urlStateFor(u)
	select {
	case st.lock <- struct{}{}:
	case <-ctx.Done():
		return nil, fmt.Errorf("fetch %s: %w", u, ctx.Err())
	}
	defer func() { <-st.lock }()
	now := s.opts.Now()
	if st.rec != nil && crlCurrent(st.rec.crl, now) {
		return st.rec, nil
	}
	if st.err != nil && now.Before(st.retryAfter) {
		return nil, st.err
	}
	if rec := s.loadCached(u, now); rec != nil {
		st.rec, st.err = rec, nil
		return rec, nil
	}
	if s.opts.Offline {
		return nil, fmt.Errorf("%w: offline, and %s is not in the CRL cache", ErrCRLNotFetchable, u)
	}
	rec, err := s.fetch(ctx, u)
	if err != nil {
		if ctx.Err() == nil { // the caller's cancellation is not the server's fault
			st.err, st.retryAfter = err, now.Add(crlFetchFailureBackoff)
		}
		return nil, err
	}
	st.rec, st.err = rec, nil
	return rec, nil
}

// crlCurrent reports whether a CRL is worth keeping at wall-clock time now.
func crlCurrent(c *CRL, now time.Time) bool {
	return !c.NextUpdate.IsZero() && now.Before(c.NextUpdate)
}

// forget drops a URL's CRL that failed its checks, and its disk copy, so
// that the next check downloads it again (after the failure back-off, for
// a download; at once, for a cached copy).
func (s *CRLSource) forget(u string, rec *crlRecord, err error) {
	st := s.urlStateFor(u)
	st.lock <- struct{}{}
	if st.rec == rec {
		st.rec = nil
		if !rec.fromDisk {
			st.err, st.retryAfter = err, s.opts.Now().Add(crlFetchFailureBackoff)
		}
	}
	<-st.lock
	if rec.fromDisk && s.opts.CacheDir != "" {
		_ = os.Remove(s.cachePath(u))
	}
}

func (s *CRLSource) cachePath(u string) string {
	sum := sha256.Sum256([]byte(u))
	return filepath.Join(s.opts.CacheDir, hex.EncodeToString(sum[:])+".crl")
}

// loadCached returns the disk cache's copy of a URL's CRL when it parses
// and its nextUpdate has not passed; a corrupt or stale file is ignored
// (the next download replaces it).
func (s *CRLSource) loadCached(u string, now time.Time) *crlRecord {
	if s.opts.CacheDir == "" {
		return nil
	}
	data, err := crl.ReadFile(s.cachePath(u), s.opts.MaxSize)
	if err != nil {
		return nil
	}
	c, err := crl.Parse(data)
	if err != nil || !crlCurrent(c, now) {
		return nil
	}
	return &crlRecord{crl: c, location: u + " (cached)", url: u, fromDisk: true}
}

// persist writes a downloaded CRL that passed its checks to the disk cache,
// atomically. The cache is an
// optimization, so a failure to write it is not an error of the check.
func (s *CRLSource) persist(rec *crlRecord) {
	rec.mu.Lock()
	pending := rec.persist
	rec.persist = false
	rec.mu.Unlock()
	if !pending || s.opts.CacheDir == "" {
		return
	}
	if err := os.MkdirAll(s.opts.CacheDir, 0o700); err != nil {
		return
	}
	_ = fsx.WriteFile(s.cachePath(rec.url), rec.crl.Raw, 0o600)
}

// fetch downloads and parses one CRL.
func (s *CRLSource) fetch(ctx context.Context, u string) (*crlRecord, error) {
	ctx, cancel := context.WithTimeout(ctx, s.opts.FetchTimeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return nil, fmt.Errorf("fetch %s: %w", u, err)
	}
	req.Header.Set("Accept", "application/pkix-crl, application/x-pkcs7-crl;q=0.5, */*;q=0.1")
	resp, err := s.client.Do(req)
	if err != nil {
		return nil, fmt.Errorf("fetch %s: %w", u, err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("fetch %s: HTTP %s", u, resp.Status)
	}
	body, err := s.opts.readReply(resp, ErrCRLTooLarge)
	if err != nil {
		return nil, fmt.Errorf("fetch %s: %w", u, err)
	}
	ders, err := crl.DecodeBytes(body)
	if err != nil {
		return nil, fmt.Errorf("CRL from %s: %w", u, err)
	}
	c, err := crl.Parse(ders[0])
	if err != nil {
		return nil, fmt.Errorf("CRL from %s: %w", u, err)
	}
	return &crlRecord{crl: c, location: u, url: u, persist: true}, nil
}
