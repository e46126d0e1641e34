package flow

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"io"
	"net/http"
	"time"

	"github.com/shinsei-app/shinsei/submit"
)

// probeTimeout bounds the pre-check's look at the service.
const probeTimeout = 10 * time.Second

// serviceProbeResult is what one request to the service showed.
type serviceProbeResult struct {
	reached bool
	// untrusted is set when TLS verification refused the service's
	// certificate; err is the failure.
	untrusted bool
	err       error
	// date is the service's Date header; sent is when the request
	// started and received when the answer arrived.
	date, sent, received time.Time
}

// probeIdle is how long the pre-check keeps its connection to the
// service between two looks.
const probeIdle = 90 * time.Second

// probeClient is the client of the pre-check's look at the service: it
// trusts only the configured anchors (and the system's roots when asked)
// and follows no redirect. It is made once for the App, so that the
// connection of one look, whose TLS certificate was verified when it was
// made, serves the next ones (a batch's, the next signature's) without a
// new handshake; it is closed after probeIdle unused and by Close.
func (a *App) probeClient() *http.Client {
	a.probeMu.Lock()
	defer a.probeMu.Unlock()
	if a.probeHC != nil {
		return a.probeHC
	}
	pool := x509.NewCertPool()
	if a.cfg.ServiceSystemRoots {
		if sys, err := x509.SystemCertPool(); err == nil {
			pool = sys
		}
	}
	for _, c := range a.cfg.ServiceAnchors {
		pool.AddCert(c)
	}
	proxy := a.cfg.Proxy
	if proxy == nil {
		proxy = http.ProxyFromEnvironment
	}
	a.probeHC = &http.Client{
		Timeout: probeTimeout,
		Transport: &http.Transport{Proxy: proxy, TLSClientConfig: &tls.Config{RootCAs: pool, MinVersion: tls.VersionTLS12},
			TLSHandshakeTimeout: probeTimeout, MaxIdleConnsPerHost: 1, IdleConnTimeout: probeIdle},
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}
	return a.probeHC
}

// closeProbeClient closes the pre-check's kept connection.
func (a *App) closeProbeClient() {
	a.probeMu.Lock()
	defer a.probeMu.Unlock()
	if a.probeHC != nil {
		a.probeHC.CloseIdleConnections()
	}
}

// probeService asks the service's catalogue, trusting only the configured
// anchors, and notes its Date header.
func (a *App) probeService(ctx context.Context) serviceProbeResult {
	var res serviceProbeResult
	hc := a.probeClient()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, a.client.BaseURL()+submit.APIPrefix+"/procedures", nil)
	if err != nil {
		res.err = err
		return res
	}
	req.Header.Set("Accept", submit.MediaJSON)
	res.sent = time.Now()
	resp, err := hc.Do(req)
	res.received = time.Now()
	if err != nil {
		res.err = err
		var (
			unknown   x509.UnknownAuthorityError
			hostname  x509.HostnameError
			invalid   x509.CertificateInvalidError
			verifyErr *tls.CertificateVerificationError
		)
		res.untrusted = errors.As(err, &unknown) || errors.As(err, &hostname) || errors.As(err, &invalid) || errors.As(err, &verifyErr)
		return res
	}
	io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10))
	resp.Body.Close()
	res.reached = true
	if d, err := http.ParseTime(resp.Header.Get("Date")); err == nil {
		res.date = d
	}
	return res
}
