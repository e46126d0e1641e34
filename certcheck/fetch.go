package certcheck

// How the CRL and OCSP sources fetch: one options type, one defaulting
// rule, one HTTP client wrapper and one capped read of a reply.

import (
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"time"

	"github.com/shinsei-app/shinsei/internal/iox"
)

// FetchOptions are the transport limits of a fetch, shared by CRLOptions
// and OCSPOptions (embedded in both). A zero field takes the default of
// the source it configures (DefaultCRL… or DefaultOCSP…).
type FetchOptions struct {
	// HTTPClient sends the requests; nil means a client whose Timeout is
	// FetchTimeout. Its CheckRedirect is wrapped to apply MaxRedirects and
	// allow only http and https.
	HTTPClient *http.Client
	// FetchTimeout bounds one fetch, connection to last byte.
	FetchTimeout time.Duration
	// MaxSize is the largest reply accepted, in bytes; a bigger one is
	// rejected, never truncated.
	MaxSize int64
	// MaxRedirects is how many redirects a fetch follows; negative means none.
	MaxRedirects int
	// ClockSkew is tolerated around the dates of what is fetched
	// (thisUpdate, nextUpdate, a responder certificate's validity).
	ClockSkew time.Duration
}

// Defaults of the CRL source's FetchOptions.
const (
	DefaultCRLFetchTimeout = 30 * time.Second
	DefaultCRLMaxSize      = 64 << 20
	DefaultCRLMaxRedirects = 3
	DefaultCRLClockSkew    = 15 * time.Minute
)

// Defaults of the OCSP source's FetchOptions.
const (
	DefaultOCSPFetchTimeout = 10 * time.Second
	DefaultOCSPMaxSize      = 1 << 20
	DefaultOCSPMaxRedirects = 3
	DefaultOCSPClockSkew    = 15 * time.Minute
)

var (
	crlFetchDefaults = FetchOptions{FetchTimeout: DefaultCRLFetchTimeout, MaxSize: DefaultCRLMaxSize,
		MaxRedirects: DefaultCRLMaxRedirects, ClockSkew: DefaultCRLClockSkew}
	ocspFetchDefaults = FetchOptions{FetchTimeout: DefaultOCSPFetchTimeout, MaxSize: DefaultOCSPMaxSize,
		MaxRedirects: DefaultOCSPMaxRedirects, ClockSkew: DefaultOCSPClockSkew}
)

// withDefaults fills the zero fields of f from def; a negative
// MaxRedirects becomes 0 (no redirect).
func (f FetchOptions) withDefaults(def FetchOptions) FetchOptions {
	if f.FetchTimeout <= 0 {
		f.FetchTimeout = def.FetchTimeout
	}
	if f.MaxSize <= 0 {
		f.MaxSize = def.MaxSize
	}
	switch {
	case f.MaxRedirects == 0:
		f.MaxRedirects = def.MaxRedirects
	case f.MaxRedirects < 0:
		f.MaxRedirects = 0
	}
	if f.ClockSkew <= 0 {
		f.ClockSkew = def.ClockSkew
	}
	return f
}

// client returns a copy of f.HTTPClient (or a client with f.FetchTimeout)
// whose redirects are limited to f.MaxRedirects and to http and https URLs
// with a host.
func (f FetchOptions) client() *http.Client {
	var c http.Client
	if f.HTTPClient != nil {
		c = *f.HTTPClient
	} else {
		c.Timeout = f.FetchTimeout
	}
	prev, max := c.CheckRedirect, f.MaxRedirects
	c.CheckRedirect = func(req *http.Request, via []*http.Request) error {
		if len(via) > max {
			return fmt.Errorf("stopped after %d redirects", max)
		}
		if !fetchable(req.URL.String()) {
			return errors.New("redirected to a scheme other than http or https")
		}
		if prev != nil {
			return prev(req, via)
		}
		return nil
	}
	return &c
}

// readReply reads a reply body of at most f.MaxSize bytes. An announced or
// actual size over it is an error wrapping tooLarge; a read error is
// returned as it is.
func (f FetchOptions) readReply(resp *http.Response, tooLarge error) ([]byte, error) {
	limit := f.MaxSize
	if resp.ContentLength > limit {
		return nil, fmt.Errorf("%w (%d bytes announced, limit %d)", tooLarge, resp.ContentLength, limit)
	}
	body, err := iox.ReadAll(resp.Body, limit)
	if errors.Is(err, iox.ErrTooLarge) {
		return nil, fmt.Errorf("%w (more than %d bytes)", tooLarge, limit)
	}
	return body, err
}

// fetchable reports whether u is an http or https URL with a host.
func fetchable(u string) bool {
	p, err := url.Parse(u)
	return err == nil && (p.Scheme == "http" || p.Scheme == "https") && p.Host != ""
}
