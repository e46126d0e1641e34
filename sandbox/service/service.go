// Package service is the reference implementation of the joint
// municipal e-application service's API (api/openapi.yaml): HTTPS on
// loopback with a server certificate from the sandbox LGPKI application
// CA, SQLite storage with embedded migrations, Argon2id passwords, login
// throttling, and the service's authentication functions performed with
// the same signer, certcheck and identity code as the client — signature,
// certificate validity and revocation (as a registered verifier, from the
// sandbox registry), the identity match against the form, the procedure's
// authentication level, and that the signer is the account holder.
//
// It imports only the sandbox's pki (its trust anchors and the registry it
// reads as a registered verifier) and responder (the VA that signs its
// OCSP answers); package sandbox's Start assembles it with the rest.
//
// Nothing here logs a password, a token, personal data or package
// contents.
package service

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"math/big"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"runtime"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/shinsei-app/shinsei/api"
	"github.com/shinsei-app/shinsei/certcheck"
	"github.com/shinsei-app/shinsei/internal/fsx"
	"github.com/shinsei-app/shinsei/sandbox/pki"
	"github.com/shinsei-app/shinsei/sandbox/responder"
	"github.com/shinsei-app/shinsei/submit"
)

// jst is Japan Standard Time, the zone arrival numbers and receipts
// are dated in (fixed, so no time zone database is needed).
var jst = time.FixedZone("JST", 9*60*60)

// Config configures the reference service.
type Config struct {
	// PKI is the sandbox PKI: its JPKI roots, registrar and LGPKI root are
	// the service's trust anchors, its LGPKI application CA issues the
	// server certificate. Required.
	PKI *pki.PKI
	// Registry is the revocation state the service reads directly, as
	// the registered verifier it is (JPKI included). Required.
	Registry *pki.Registry
	// DBPath is the SQLite database file; package files are kept in the
	// directory DBPath+"-packages", the archived packages (archive.go) in
	// ArchiveDir(DBPath), and the keys of the database's sealed
	// personal data and of the inquiry numbers in DBPath+".keys" (0600,
	// made at the first start; the data cannot be read without it). Empty
	// means a fresh database in a temporary directory that Close removes.
	DBPath string
	// Addr is the address to listen on; empty means "127.0.0.1:0", a free
	// loopback port.
	Addr string
	// Hosts are extra DNS names or IP addresses for the server
	// certificate, besides localhost, 127.0.0.1, ::1 and Addr's host.
	Hosts []string
	// Now is the service's clock; nil means time.Now.
	Now func() time.Time
	// Official signs the notices; nil means a 職責 certificate issued
	// from PKI.LGPKIOrg at start.
	Official *pki.Credential
	// VA signs the answers of the service's OCSP endpoint; nil means a
	// fresh self-signed responder. Pass the responder Server's VA to have
	// one VA certificate for both.
	VA *responder.Identity
	// TSAURL is the time-stamp authority (RFC 3161) the catalogue
	// announces beside the validation authority; empty announces none.
	TSAURL string
	// Limits are the service's limits; zero fields take the defaults.
	Limits Limits
	// AdminAddr, when set, serves the sandbox back office (/sandbox/*) on
	// a listener of its own at this loopback address, behind a random
	// token (AdminURL, AdminToken). Empty: not served at all. The API's
	// listener never serves it.
	AdminAddr string
	// Logger receives one line per request (method, route, status,
	// reason, duration) and nothing else: no bodies, tokens, passwords or
	// personal data. Nil discards.
	Logger *slog.Logger
}

// Limits are the service's size, time and throttling limits.
type Limits struct {
	// MaxPackageBytes caps a package body (default 64 MiB; a procedure
	// may set less); MaxJSONBytes a JSON body (default 1 MiB).
	MaxPackageBytes, MaxJSONBytes int64
	// LockoutFailures consecutive failed logins of one account ID from
	// one client address lock that pair for LockoutBase, doubling with
	// each further failure up to LockoutDuration; a pair quiet for
	// LockoutWindow is forgotten. AccountFailures consecutive failures
	// of one account ID from any address lock it until its holder
	// registers again (defaults 5, 1 min, 15 min, 15 min, 100). See
	// lockout.go.
	LockoutFailures int
	LockoutBase     time.Duration
	LockoutDuration time.Duration
	LockoutWindow   time.Duration
	AccountFailures int
	// IPFailures failed logins or inquiries from one client address
	// within IPFailureWindow make it wait for the window's end (429);
	// IPRequests requests to the login, registration, challenge and
	// validation endpoints within IPRequestWindow likewise (defaults 20
	// per 15 min, 120 per minute).
	IPFailures      int
	IPFailureWindow time.Duration
	IPRequests      int
	IPRequestWindow time.Duration
	// SessionTTL is how long a session lasts (default 1 h); ChallengeTTL
	// how long a challenge may be used (default 5 min).
	SessionTTL, ChallengeTTL time.Duration
}

func (l Limits) withDefaults() Limits {
	def := func(v *time.Duration, d time.Duration) {
		if *v <= 0 {
			*v = d
		}
	}
	defInt := func(v *int, d int) {
		if *v <= 0 {
			*v = d
		}
	}
	if l.MaxPackageBytes <= 0 {
		l.MaxPackageBytes = maxPackage
	}
	if l.MaxJSONBytes <= 0 {
		l.MaxJSONBytes = maxJSON
	}
	defInt(&l.LockoutFailures, 5)
	def(&l.LockoutWindow, 15*time.Minute)
	def(&l.LockoutDuration, 15*time.Minute)
	def(&l.LockoutBase, time.Minute)
	defInt(&l.AccountFailures, 100)
	defInt(&l.IPFailures, 20)
	def(&l.IPFailureWindow, 15*time.Minute)
	defInt(&l.IPRequests, 120)
	def(&l.IPRequestWindow, time.Minute)
	def(&l.SessionTTL, time.Hour)
	def(&l.ChallengeTTL, 5*time.Minute)
	return l
}

// Service is the reference implementation of the joint service's API
// (api/openapi.yaml), served over HTTPS. It performs the service's
// authentication functions for real, with the same signer, certcheck and
// identity code as the client. Make it with Start; it is safe for
// concurrent use.
type Service struct {
	cfg       Config
	limits    Limits
	store     *sqlStore
	catalogue []submit.Procedure
	procs     map[string]*submit.Procedure
	anchors   []*x509.Certificate
	inter     []*x509.Certificate
	tsaRoots  []*x509.Certificate // anchors of time-stamp authorities alone
	source    certcheck.Source
	va        *responder.Identity
	official  *pki.Credential
	inquiry   []byte // key the inquiry numbers are derived with
	dummyHash string // compared against for unknown accounts
	hashes    *hashBudget
	gate      *loginGate
	failures  *limiter
	requests  *limiter
	log       *slog.Logger
	handler   http.Handler

	// passwordChecks and dummyChecks count the Argon2 comparisons of
	// logins for a known and an unknown account ID.
	passwordChecks, dummyChecks atomic.Int64

	leaf   *x509.Certificate
	url    string
	srv    *http.Server
	ln     net.Listener
	tmpDir string

	adminSrv    *http.Server
	adminLn     net.Listener
	adminURL    string
	adminToken  string
	adminServed chan struct{}

	closeOnce sync.Once
	closeErr  error
	done      chan struct{}
	served    chan struct{}
}

// Start opens the database, issues the server certificate and
// serves the API on cfg.Addr until ctx is done or Close is called.
func Start(ctx context.Context, cfg Config) (_ *Service, err error) {
	if cfg.PKI == nil || cfg.Registry == nil {
		return nil, errors.New("service: PKI and Registry are required")
	}
	s := &Service{cfg: cfg, limits: cfg.Limits.withDefaults(), done: make(chan struct{}), served: make(chan struct{})}
	s.log = cfg.Logger
	if s.log == nil {
		s.log = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	defer func() {
		if err != nil {
			s.release()
		}
	}()
	dbPath := cfg.DBPath
	if dbPath == "" {
		if s.tmpDir, err = os.MkdirTemp("", "shinsei-service-"); err != nil {
			return nil, fmt.Errorf("service: service: %w", err)
		}
		dbPath = filepath.Join(s.tmpDir, "service.db")
	}
	if s.store, err = openStore(ctx, dbPath); err != nil {
		return nil, err
	}
	s.inquiry = s.store.keys.inquiry
	if err := s.setupPKI(); err != nil {
		return nil, err
	}
	s.gate = newLoginGate(s.limits)
	if s.dummyHash, err = s.hashPassword(ctx, "not a password of anyone"); err != nil {
		return nil, err
	}
	s.catalogue = Catalogue()
	s.procs = map[string]*submit.Procedure{}
	for i := range s.catalogue {
		s.procs[s.catalogue[i].ID] = &s.catalogue[i]
	}
	s.failures = newSvcLimiter(s.limits.IPFailures, s.limits.IPFailureWindow)
	s.requests = newSvcLimiter(s.limits.IPRequests, s.limits.IPRequestWindow)
	s.handler = s.routes()

	var lc net.ListenConfig
	addr := cfg.Addr
	if addr == "" {
		addr = "127.0.0.1:0"
	}
	if s.ln, err = lc.Listen(ctx, "tcp", addr); err != nil {
		return nil, fmt.Errorf("service: service: %w", err)
	}
	cert, err := s.serverCertificate(addr)
	if err != nil {
		return nil, err
	}
	s.url = "https://" + s.ln.Addr().String()
	if cfg.AdminAddr != "" {
		if err := s.startAdmin(ctx, cert); err != nil {
			return nil, err
		}
	}
	s.srv = &http.Server{
		Handler: s.handler,
		TLSConfig: &tls.Config{
			MinVersion:   tls.VersionTLS12,
			Certificates: []tls.Certificate{cert},
		},
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       10 * time.Minute,
		WriteTimeout:      10 * time.Minute,
		IdleTimeout:       2 * time.Minute,
		MaxHeaderBytes:    64 << 10,
		ErrorLog:          slog.NewLogLogger(s.log.Handler(), slog.LevelDebug),
	}
	tlsLn := tls.NewListener(s.ln, s.srv.TLSConfig)
	go func() {
		defer close(s.served)
		_ = s.srv.Serve(tlsLn) // ErrServerClosed after Close
	}()
	go func() {
		select {
		case <-ctx.Done():
			_ = s.Close()
		case <-s.done:
		}
	}()
	return s, nil
}

// setupPKI sets the anchors, the revocation source, the VA and the
// notice signer.
func (s *Service) setupPKI() error {
	p := s.cfg.PKI
	s.anchors = []*x509.Certificate{p.JPKISign.Cert, p.JPKISignOld.Cert, p.Registrar.Cert, p.LGPKIRoot.Cert}
	s.inter = []*x509.Certificate{p.LGPKIOrg.Cert, p.LGPKIApp.Cert}
	// The sandbox time-stamp authority is issued by the private CA, which
	// the service trusts for time-stamps only, never for signers.
	s.tsaRoots = []*x509.Certificate{p.Private.Cert}
	s.source = &registrySource{cas: anchorCAs(p), reg: s.cfg.Registry}
	s.va = s.cfg.VA
	if s.va == nil {
		var err error
		if s.va, err = responder.NewVA("Shinsei Sandbox Service Validation Authority", s.now()); err != nil {
			return err
		}
	}
	s.official = s.cfg.Official
	if s.official == nil {
		var err error
		if s.official, err = p.IssueOfficial("千代田区長"); err != nil {
			return err
		}
	}
	s.hashes = newHashBudget(runtime.NumCPU())
	return nil
}

// anchorCAs lists every CA of p.
func anchorCAs(p *pki.PKI) []*pki.CA {
	return []*pki.CA{p.JPKISign, p.JPKISignOld, p.Registrar, p.LGPKIRoot, p.LGPKIOrg, p.LGPKIApp, p.Private}
}

// serverCertificate issues the service's TLS certificate from the LGPKI
// application CA, for loopback, localhost, addr's host and cfg.Hosts.
func (s *Service) serverCertificate(addr string) (tls.Certificate, error) {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return tls.Certificate{}, fmt.Errorf("service: service key: %w", err)
	}
	now := s.now()
	app := s.cfg.PKI.LGPKIApp
	tmpl := &x509.Certificate{
		Subject: pkix.Name{Country: []string{"JP"}, Organization: []string{"LGPKI Sandbox"},
			OrganizationalUnit: []string{"Joint e-Application Service"}, CommonName: "Shinsei Sandbox Service"},
		NotBefore:   now.Add(-time.Hour),
		NotAfter:    earliest(now.Add(365*24*time.Hour), app.Cert.NotAfter),
		KeyUsage:    x509.KeyUsageDigitalSignature,
		ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
		DNSNames:    []string{"localhost"},
		IPAddresses: []net.IP{net.IPv4(127, 0, 0, 1), net.IPv6loopback},
	}
	hosts := append([]string{}, s.cfg.Hosts...)
	if h, _, err := net.SplitHostPort(addr); err == nil && h != "" {
		hosts = append(hosts, h)
	}
	for _, h := range hosts {
		if ip := net.ParseIP(h); ip != nil {
			if !ip.IsUnspecified() {
				tmpl.IPAddresses = append(tmpl.IPAddresses, ip)
			}
		} else if h != "localhost" {
			tmpl.DNSNames = append(tmpl.DNSNames, h)
		}
	}
	serial, err := rand.Int(rand.Reader, new(big.Int).Lsh(big.NewInt(1), 127))
	if err != nil {
		return tls.Certificate{}, fmt.Errorf("service: service certificate: %w", err)
	}
	tmpl.SerialNumber = serial
	der, err := x509.CreateCertificate(rand.Reader, tmpl, app.Cert, &key.PublicKey, app.Key)
	if err != nil {
		return tls.Certificate{}, fmt.Errorf("service: service certificate: %w", err)
	}
	leaf, err := x509.ParseCertificate(der)
	if err != nil {
		return tls.Certificate{}, fmt.Errorf("service: service certificate: %w", err)
	}
	s.leaf = leaf
	return tls.Certificate{Certificate: [][]byte{leaf.Raw, app.Cert.Raw}, PrivateKey: key, Leaf: leaf}, nil
}

// URL returns the service's base URL, "https://127.0.0.1:PORT"; the API
// is under URL()+submit.APIPrefix.
func (s *Service) URL() string { return s.url }

// CACert returns the anchor a client must trust for the service's TLS
// certificate: the sandbox LGPKI root (the server sends the application
// CA's certificate along with its own).
func (s *Service) CACert() *x509.Certificate { return s.cfg.PKI.LGPKIRoot.Cert }

// ServerCert returns the service's TLS certificate.
func (s *Service) ServerCert() *x509.Certificate { return s.leaf }

// VACert returns the certificate that signs the answers of the service's
// OCSP endpoint, to be trusted directly (certcheck.VAOptions.Responder).
func (s *Service) VACert() *x509.Certificate { return s.va.Cert }

// Handler returns the service's HTTP handler, for use in process.
func (s *Service) Handler() http.Handler { return s.handler }

// Close stops the server at once, closes the database and, when the
// service made its own temporary directory, removes it.
func (s *Service) Close() error {
	s.closeOnce.Do(func() {
		close(s.done)
		if s.srv != nil {
			s.closeErr = s.srv.Close()
			<-s.served
		}
		if s.adminSrv != nil {
			_ = s.adminSrv.Close()
			<-s.adminServed
		}
		if err := s.release(); s.closeErr == nil {
			s.closeErr = err
		}
	})
	return s.closeErr
}

// release closes the store and removes the temporary directory.
func (s *Service) release() error {
	var err error
	if s.store != nil {
		err = s.store.Close()
	}
	if s.ln != nil && s.srv == nil {
		s.ln.Close()
	}
	if s.adminLn != nil && s.adminServed == nil {
		s.adminLn.Close()
	}
	if s.tmpDir != "" {
		if rerr := fsx.RemoveAll(s.tmpDir); err == nil {
			err = rerr
		}
	}
	return err
}

func earliest(a, b time.Time) time.Time {
	if a.Before(b) {
		return a
	}
	return b
}

func (s *Service) now() time.Time {
	if s.cfg.Now != nil {
		return s.cfg.Now()
	}
	return time.Now()
}

// ---- routing ----

// routeSpec is one path of the API and its handlers by method.
type routeSpec struct {
	pattern string
	methods map[string]http.HandlerFunc
}

// routes builds the handler: the API under /api/v1, Problem answers for
// unknown paths (/sandbox/* included: the back office is served only on
// its own listener, admin.go) and methods, and the request log.
func (s *Service) routes() http.Handler {
	v1 := submit.APIPrefix
	routes := []routeSpec{
		{v1 + "/openapi.yaml", map[string]http.HandlerFunc{http.MethodGet: s.handleOpenAPI}},
		{v1 + "/procedures", map[string]http.HandlerFunc{http.MethodGet: s.handleProcedures}},
		{v1 + "/procedures/{id}", map[string]http.HandlerFunc{http.MethodGet: s.handleProcedure}},
		{v1 + "/trust", map[string]http.HandlerFunc{http.MethodGet: s.handleTrust}},
		{v1 + "/procedures/{id}/applications", map[string]http.HandlerFunc{http.MethodPost: s.handleSubmit}},
		{v1 + "/challenges", map[string]http.HandlerFunc{http.MethodPost: s.handleChallenge}},
		{v1 + "/accounts", map[string]http.HandlerFunc{http.MethodPost: s.handleRegister}},
		{v1 + "/sessions", map[string]http.HandlerFunc{http.MethodPost: s.handleLogin}},
		{v1 + "/sessions/certificate", map[string]http.HandlerFunc{http.MethodPost: s.handleCertificateLogin}},
		{v1 + "/sessions/current", map[string]http.HandlerFunc{http.MethodDelete: s.handleLogout}},
		{v1 + "/applications/{arrival}", map[string]http.HandlerFunc{http.MethodGet: s.handleStatus}},
		{v1 + "/applications/{arrival}/archive", map[string]http.HandlerFunc{http.MethodGet: s.handleArchive}},
		{v1 + "/applications/{arrival}/withdrawal", map[string]http.HandlerFunc{http.MethodPost: s.handleWithdraw}},
		{v1 + "/applications/{arrival}/amendments", map[string]http.HandlerFunc{http.MethodPost: s.handleAmend}},
		{v1 + "/notices/{id}", map[string]http.HandlerFunc{http.MethodGet: s.handleNotice}},
		{v1 + "/notices/{id}/pdf", map[string]http.HandlerFunc{http.MethodGet: s.handleNoticePDF}},
		{v1 + "/validation", map[string]http.HandlerFunc{http.MethodPost: s.handleValidation}},
		{v1 + "/ocsp", map[string]http.HandlerFunc{http.MethodPost: s.handleOCSP}},
		{v1 + "/ocsp/{request...}", map[string]http.HandlerFunc{http.MethodGet: s.handleOCSP}},
	}
	mux := http.NewServeMux()
	for _, rt := range routes {
		mux.HandleFunc(rt.pattern, s.dispatch(rt))
	}
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		writeProblem(w, fail(submit.ReasonNotFound, "no such endpoint"))
	})
	return s.middleware(mux)
}

// dispatch picks the handler by method; another method is 405 with Allow.
func (s *Service) dispatch(rt routeSpec) http.HandlerFunc {
	var allow []string
	for m := range rt.methods {
		allow = append(allow, m)
	}
	sort.Strings(allow)
	return func(w http.ResponseWriter, r *http.Request) {
		if sw, ok := w.(*statusWriter); ok {
			sw.route = rt.pattern
		}
		h := rt.methods[r.Method]
		if h == nil && r.Method == http.MethodHead {
			h = rt.methods[http.MethodGet]
		}
		if h == nil {
			w.Header().Set("Allow", strings.Join(allow, ", "))
			writeProblem(w, fail(submit.ReasonBadRequest, "method not allowed; use "+strings.Join(allow, " or ")).
				withStatus(http.StatusMethodNotAllowed))
			return
		}
		h(w, r)
	}
}

// statusWriter remembers what was answered, for the request log.
type statusWriter struct {
	http.ResponseWriter
	status  int
	reason  submit.Reason
	route   string
	aborted bool // the client went away before the answer
}

func (w *statusWriter) WriteHeader(status int) {
	if w.status == 0 {
		w.status = status
	}
	w.ResponseWriter.WriteHeader(status)
}

func (w *statusWriter) Write(b []byte) (int, error) {
	if w.status == 0 {
		w.status = http.StatusOK
	}
	return w.ResponseWriter.Write(b)
}

func (w *statusWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }

// middleware adds the common headers, turns a panic into an internal
// error and logs one line per request: no bodies, headers or personal data.
func (s *Service) middleware(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		sw := &statusWriter{ResponseWriter: w}
		h := w.Header()
		h.Set("Cache-Control", "no-store")
		h.Set("X-Content-Type-Options", "nosniff")
		defer func() {
			if v := recover(); v != nil {
				if v == http.ErrAbortHandler {
					panic(v)
				}
				s.log.Error("panic while serving a request", "route", sw.route, "panic", fmt.Sprint(v))
				if sw.status == 0 {
					writeProblem(sw, fail(submit.ReasonInternal, ""))
				}
			}
			if sw.aborted {
				s.log.Info("request aborted by the client", "method", r.Method, "route", sw.route,
					"ms", time.Since(start).Milliseconds())
				return
			}
			s.log.Info("request", "method", r.Method, "route", sw.route, "status", sw.status,
				"reason", string(sw.reason), "ms", time.Since(start).Milliseconds())
		}()
		next.ServeHTTP(sw, r)
	})
}

// handleOpenAPI serves the API's description.
func (s *Service) handleOpenAPI(w http.ResponseWriter, _ *http.Request) {
	w.Header().Set("Content-Type", "application/yaml; charset=utf-8")
	_, _ = w.Write(api.OpenAPI)
}

// handleProcedures lists the catalogue.
func (s *Service) handleProcedures(w http.ResponseWriter, _ *http.Request) {
	writeJSON(w, http.StatusOK, s.catalogue)
}

// handleProcedure returns one procedure.
func (s *Service) handleProcedure(w http.ResponseWriter, r *http.Request) {
	p := s.procs[r.PathValue("id")]
	if p == nil {
		writeProblem(w, fail(submit.ReasonUnknownProcedure, "procedure"))
		return
	}
	writeJSON(w, http.StatusOK, p)
}

// clientIP is the address throttling counts by: the TCP peer, never a
// header the client sets.
func clientIP(r *http.Request) string {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return r.RemoteAddr
	}
	return host
}

// limitBody caps the body at limit, refusing at once a declared length
// over it.
func limitBody(w http.ResponseWriter, r *http.Request, limit int64) *apiProblem {
	if r.ContentLength > limit {
		return fail(submit.ReasonTooLarge, fmt.Sprintf("body over %d bytes", limit))
	}
	r.Body = http.MaxBytesReader(w, r.Body, limit)
	return nil
}

// ---- throttling ----

// limiter counts events per client address in fixed windows.
type limiter struct {
	mu      sync.Mutex
	n       int
	per     time.Duration
	windows map[string]*rateWindow
}

type rateWindow struct {
	start time.Time
	count int
}

func newSvcLimiter(n int, per time.Duration) *limiter {
	return &limiter{n: n, per: per, windows: map[string]*rateWindow{}}
}

// window returns key's current window; the caller holds mu.
func (l *limiter) window(key string, now time.Time) *rateWindow {
	if len(l.windows) > 10000 {
		for k, w := range l.windows {
			if now.Sub(w.start) >= l.per {
				delete(l.windows, k)
			}
		}
	}
	w := l.windows[key]
	if w == nil || now.Sub(w.start) >= l.per || now.Before(w.start) {
		w = &rateWindow{start: now}
		l.windows[key] = w
	}
	return w
}

// blocked reports whether key used up its window, and how long until it ends.
func (l *limiter) blocked(key string, now time.Time) (bool, time.Duration) {
	l.mu.Lock()
	defer l.mu.Unlock()
	w := l.window(key, now)
	if w.count >= l.n {
		return true, w.start.Add(l.per).Sub(now)
	}
	return false, 0
}

// add counts one event of key.
func (l *limiter) add(key string, now time.Time) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.window(key, now).count++
}

// take counts one event of key unless its window is used up.
func (l *limiter) take(key string, now time.Time) (bool, time.Duration) {
	l.mu.Lock()
	defer l.mu.Unlock()
	w := l.window(key, now)
	if w.count >= l.n {
		return false, w.start.Add(l.per).Sub(now)
	}
	w.count++
	return true, 0
}

// throttle counts a request to a throttled endpoint and refuses it when
// the client address sent too many requests or failed too often.
func (s *Service) throttle(r *http.Request) *apiProblem {
	ip, now := clientIP(r), s.now()
	if blocked, wait := s.failures.blocked(ip, now); blocked {
		return fail(submit.ReasonRateLimited, "too many failures from this address").retryAfter(wait)
	}
	if ok, wait := s.requests.take(ip, now); !ok {
		return fail(submit.ReasonRateLimited, "too many requests from this address").retryAfter(wait)
	}
	return nil
}
