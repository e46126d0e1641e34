package submit

import (
	"bytes"
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptrace"
	"net/url"
	"strconv"
	"strings"
	"sync/atomic"
	"time"

	"github.com/shinsei-app/shinsei/internal/iox"
)

// Defaults of Config.
const (
	DefaultTimeout   = 30 * time.Second
	DefaultMaxReply  = 1 << 20  // JSON replies
	DefaultMaxNotice = 64 << 20 // notice packages
	// MaxProblem bounds an error reply; longer ones are cut, not refused.
	MaxProblem = 64 << 10
)

// Config configures a Client. The zero value of every optional field is
// a safe default; BaseURL and at least one trust source are required.
type Config struct {
	// BaseURL is the service, "https://host[:port][/path]"; the API prefix
	// /api/v1 is added unless the path already ends with it.
	BaseURL string
	// Anchors are the certificate authorities trusted for the service's
	// server certificate: LGPKI's application CA root, a private CA, …
	Anchors []*x509.Certificate
	// UseSystemRoots adds the operating system's trusted roots (a service
	// with a certificate from a public CA).
	UseSystemRoots bool
	// Proxy chooses a proxy per request; nil uses the HTTPS_PROXY and
	// NO_PROXY environment variables.
	Proxy func(*http.Request) (*url.URL, error)
	// Timeout bounds each request, from connecting to reading the whole
	// reply; zero means DefaultTimeout. Downloading a notice gets four
	// times as long.
	Timeout time.Duration
	// MaxReply caps a JSON reply (DefaultMaxReply); MaxNotice caps a
	// notice package (DefaultMaxNotice). Larger replies are refused with
	// ErrBadReply.
	MaxReply, MaxNotice int64
	// UserAgent is sent with every request; empty means "shinsei".
	UserAgent string
}

// Client talks to one service. It is safe for concurrent use. Each method
// makes one request and never retries: Outbox and Poll decide when to try
// again.
//
// Error contract: every method returns nil or an error that wraps exactly
// one of ErrUntrustedServer (*TLSError), ErrUnreachable (*NetError),
// ErrBadReply, ErrNotAPI, ErrRefused (*ProblemError), or the caller's
// context error.
// No error holds a password, a token or a reply body other than the
// service's Problem.
type Client struct {
	base      *url.URL
	host      string
	http      *http.Client
	timeout   time.Duration
	maxReply  int64
	maxNotice int64
	userAgent string
}

// New returns a client for cfg.BaseURL that trusts only cfg.Anchors (and
// the system roots when asked), with TLS 1.2 as the minimum version.
func New(cfg Config) (*Client, error) {
	base, err := parseBaseURL(cfg.BaseURL)
	if err != nil {
		return nil, err
	}
	if len(cfg.Anchors) == 0 && !cfg.UseSystemRoots {
		return nil, errors.New("submit: no trust anchors: give the service's CA certificate or use the system roots")
	}
	pool := x509.NewCertPool()
	if cfg.UseSystemRoots {
		if pool, err = x509.SystemCertPool(); err != nil {
			return nil, fmt.Errorf("submit: system roots: %w", err)
		}
	}
	for _, a := range cfg.Anchors {
		pool.AddCert(a)
	}
	c := &Client{
		base:      base,
		host:      base.Hostname(),
		timeout:   cfg.Timeout,
		maxReply:  cfg.MaxReply,
		maxNotice: cfg.MaxNotice,
		userAgent: cfg.UserAgent,
	}
	if c.timeout <= 0 {
		c.timeout = DefaultTimeout
	}
	if c.maxReply <= 0 {
		c.maxReply = DefaultMaxReply
	}
	if c.maxNotice <= 0 {
		c.maxNotice = DefaultMaxNotice
	}
	if c.userAgent == "" {
		c.userAgent = "shinsei"
	}
	proxy := cfg.Proxy
	if proxy == nil {
		proxy = http.ProxyFromEnvironment
	}
	transport := &http.Transport{
		Proxy:       proxy,
		DialContext: (&net.Dialer{Timeout: c.timeout, KeepAlive: 30 * time.Second}).DialContext,
		TLSClientConfig: &tls.Config{
			MinVersion: tls.VersionTLS12,
			RootCAs:    pool,
		},
		TLSHandshakeTimeout:   c.timeout,
		ResponseHeaderTimeout: c.timeout,
		ExpectContinueTimeout: time.Second,
		MaxIdleConnsPerHost:   4,
		IdleConnTimeout:       90 * time.Second,
		ForceAttemptHTTP2:     true,
	}
	c.http = &http.Client{
		Transport: transport,
		// An API never redirects; following one could carry a token or a
		// package somewhere else.
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}
	return c, nil
}

// BaseURL returns the service's URL in canonical form (CanonicalURL): the
// form outbox items and journal records name their service by.
func (c *Client) BaseURL() string { return canonical(c.base) }

// CanonicalURL returns a service URL in the form BaseURL gives: lower-case
// host, no trailing slash, no API prefix.
func CanonicalURL(raw string) (string, error) {
	u, err := parseBaseURL(raw)
	if err != nil {
		return "", err
	}
	return canonical(u), nil
}

func canonical(base *url.URL) string {
	u := *base
	u.Path = strings.TrimSuffix(u.Path, APIPrefix)
	return strings.TrimSuffix(u.String(), "/")
}

// ServiceKey returns the name under which this service's credentials are
// kept in the keyring: see ServiceKey.
func (c *Client) ServiceKey() string { return serviceKey(c.base) }

// CloseIdleConnections closes the client's idle connections.
func (c *Client) CloseIdleConnections() { c.http.CloseIdleConnections() }

func parseBaseURL(raw string) (*url.URL, error) {
	if raw == "" {
		return nil, errors.New("submit: no service URL")
	}
	u, err := url.Parse(raw)
	if err != nil {
		return nil, fmt.Errorf("submit: service URL: %w", err)
	}
	if u.Scheme != "https" {
		return nil, fmt.Errorf("submit: service URL %q: only https is allowed", u.Redacted())
	}
	if u.Host == "" || u.User != nil || u.RawQuery != "" || u.Fragment != "" {
		return nil, fmt.Errorf("submit: service URL %q: want https://host[:port][/path] without credentials, query or fragment", u.Redacted())
	}
	u.Host = strings.ToLower(u.Host)
	u.Path = strings.TrimSuffix(u.Path, "/")
	if !strings.HasSuffix(u.Path, APIPrefix) {
		u.Path += APIPrefix
	}
	u.RawPath = ""
	return u, nil
}

// ServiceKey returns the keyring service name for a service URL:
// "shinsei:" followed by its lower-case host and port, so that one
// computer can hold accounts of several services.
func ServiceKey(baseURL string) (string, error) {
	u, err := parseBaseURL(baseURL)
	if err != nil {
		return "", err
	}
	return serviceKey(u), nil
}

func serviceKey(u *url.URL) string { return "shinsei:" + strings.ToLower(u.Host) }

// call is one request.
type call struct {
	method string
	path   string // below the API prefix, already escaped
	// origin: path is on the service's origin, not below the API prefix.
	origin bool
	header http.Header
	// body is re-read from the start on every call; nil for none.
	body        io.ReaderAt
	size        int64
	progress    func(sent, total int64) // nil: not reported
	contentType string
	accept      string // empty: JSON
	token       string
	timeout     time.Duration // zero: the client's
	// ok lists the statuses that mean success.
	ok []int
}

// bodyReader reads the body from its start, reporting the bytes read
// when the call has a progress callback.
func (r call) bodyReader() io.Reader {
	sr := io.NewSectionReader(r.body, 0, r.size)
	if r.progress == nil {
		return sr
	}
	r.progress(0, r.size)
	return &progressReader{r: sr, total: r.size, report: r.progress}
}

// progressReader reports the bytes read through it.
type progressReader struct {
	r      io.Reader
	n      int64
	total  int64
	report func(sent, total int64)
}

func (p *progressReader) Read(b []byte) (int, error) {
	n, err := p.r.Read(b)
	if n > 0 {
		p.n += int64(n)
		p.report(p.n, p.total)
	}
	return n, err
}

// do sends the request and calls read with the successful response while
// the request's time limit still runs; other statuses become a
// *ProblemError.
func (c *Client) do(ctx context.Context, r call, read func(*http.Response) error) error {
	timeout := r.timeout
	if timeout <= 0 {
		timeout = c.timeout
	}
	rctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	var body io.Reader
	if r.body != nil {
		body = r.bodyReader()
	}
	target := c.base.String() + r.path
	if r.origin {
		target = c.OriginURL(r.path)
	}
	req, err := http.NewRequestWithContext(rctx, r.method, target, body)
	if err != nil {
		return fmt.Errorf("submit: %s %s: %w", r.method, r.path, err)
	}
	if r.body != nil {
		req.ContentLength = r.size
		req.GetBody = func() (io.ReadCloser, error) { return io.NopCloser(r.bodyReader()), nil }
		req.Header.Set("Content-Type", r.contentType)
	}
	for k, v := range r.header {
		req.Header[k] = v
	}
	req.Header.Set("User-Agent", c.userAgent)
	if r.accept != "" {
		req.Header.Set("Accept", r.accept+", "+MediaJSON)
	} else {
		req.Header.Set("Accept", MediaJSON)
	}
	if r.token != "" {
		req.Header.Set("Authorization", "Bearer "+r.token)
	}
	// wrote is set once the whole request went out: from then on the
	// service may have acted on it, whatever happens to the reply.
	var wrote atomic.Bool
	req = req.WithContext(httptrace.WithClientTrace(req.Context(), &httptrace.ClientTrace{
		WroteRequest: func(i httptrace.WroteRequestInfo) {
			if i.Err == nil {
				wrote.Store(true)
			}
		},
	}))
	resp, err := c.http.Do(req)
	if err != nil {
		return sent(classifyTransport(ctx, c.host, "request", err), wrote.Load())
	}
	defer resp.Body.Close()
	for _, s := range r.ok {
		if resp.StatusCode == s {
			if err := read(resp); err != nil {
				if errors.Is(err, ErrBadReply) || errors.Is(err, ErrNotAPI) {
					return err
				}
				return sent(classifyTransport(ctx, c.host, "read reply", err), true)
			}
			return nil
		}
	}
	if resp.StatusCode >= 300 && resp.StatusCode < 400 {
		return badReply("unexpected redirect (HTTP %d) from %s %s", resp.StatusCode, r.method, r.path)
	}
	if resp.StatusCode < 400 {
		return badReply("unexpected HTTP %d from %s %s", resp.StatusCode, r.method, r.path)
	}
	return c.problem(ctx, resp)
}

// problem reads an error reply into a *ProblemError.
func (c *Client) problem(ctx context.Context, resp *http.Response) error {
	pe := &ProblemError{Status: resp.StatusCode, RetryAfter: retryAfter(resp.Header.Get(HeaderRetryAft), time.Now())}
	data, err := io.ReadAll(io.LimitReader(resp.Body, MaxProblem))
	if err != nil && ctx.Err() != nil {
		return classifyTransport(ctx, c.host, "read reply", err)
	}
	var p Problem
	if json.Unmarshal(data, &p) == nil && p.Reason != "" {
		pe.Problem = p
	} else if resp.StatusCode == http.StatusNotFound || resp.StatusCode == http.StatusMethodNotAllowed {
		// The API answers every path it does not have with a Problem.
		return fmt.Errorf("%w (HTTP %d for %s without the API's problem reply)", ErrNotAPI, resp.StatusCode, resp.Request.URL.Path)
	}
	return pe
}

// retryAfter reads a Retry-After header: seconds or an HTTP date.
func retryAfter(v string, now time.Time) time.Duration {
	if v == "" {
		return 0
	}
	if s, err := strconv.Atoi(strings.TrimSpace(v)); err == nil && s >= 0 {
		return time.Duration(s) * time.Second
	}
	if t, err := http.ParseTime(v); err == nil && t.After(now) {
		return t.Sub(now)
	}
	return 0
}

// readLimited reads at most limit bytes; more is ErrBadReply.
func readLimited(r io.Reader, limit int64) ([]byte, error) {
	data, err := iox.ReadAll(r, limit)
	if errors.Is(err, iox.ErrTooLarge) {
		return nil, badReply("reply larger than %d bytes", limit)
	}
	return data, err
}

// readJSON returns a reader of a JSON reply into v, capped at maxReply.
func (c *Client) readJSON(v any) func(*http.Response) error {
	return func(resp *http.Response) error {
		if ct := resp.Header.Get("Content-Type"); ct != "" && !isJSON(ct) {
			return fmt.Errorf("%w (content type %q, want JSON)", ErrNotAPI, ct)
		}
		data, err := readLimited(resp.Body, c.maxReply)
		if err != nil {
			return err
		}
		if err := json.Unmarshal(data, v); err != nil {
			return badReply("not the expected JSON: %v", err)
		}
		return nil
	}
}

func isJSON(ct string) bool {
	ct, _, _ = strings.Cut(strings.ToLower(ct), ";")
	ct = strings.TrimSpace(ct)
	return ct == MediaJSON || strings.HasSuffix(ct, "+json")
}

// postJSON marshals v as a request body.
func postJSON(v any) (io.ReaderAt, int64, error) {
	data, err := json.Marshal(v)
	if err != nil {
		return nil, 0, fmt.Errorf("submit: encode request: %w", err)
	}
	return bytes.NewReader(data), int64(len(data)), nil
}
