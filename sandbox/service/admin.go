package service

import (
	"context"
	"crypto/sha256"
	"crypto/subtle"
	"crypto/tls"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"strings"
	"time"

	"github.com/shinsei-app/shinsei/submit"
)

// The sandbox back office (/sandbox/*: every application with its inquiry
// number, setting a status, issuing a notice signed with the mayor's 職責
// certificate) is never served on the API's listener. With
// Config.AdminAddr it is served on a listener of its own, on loopback
// only, over the same TLS, to requests carrying its random token as
// "Authorization: Bearer TOKEN".

// errAdminNotLoopback: Config.AdminAddr is not a loopback address.
var errAdminNotLoopback = errors.New("service: the sandbox administration listens on loopback only (127.0.0.1, ::1 or localhost)")

// adminLoopback checks that addr's host is a loopback address.
func adminLoopback(addr string) error {
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		return fmt.Errorf("service: sandbox administration address %q: %w", addr, err)
	}
	if ip := net.ParseIP(host); host != "localhost" && (ip == nil || !ip.IsLoopback()) {
		return fmt.Errorf("%w: %q", errAdminNotLoopback, addr)
	}
	return nil
}

// startAdmin serves the back office on cfg.AdminAddr with a fresh token.
func (s *Service) startAdmin(ctx context.Context, cert tls.Certificate) error {
	addr := s.cfg.AdminAddr
	if err := adminLoopback(addr); err != nil {
		return err
	}
	token, err := randomToken(32)
	if err != nil {
		return err
	}
	var lc net.ListenConfig
	if s.adminLn, err = lc.Listen(ctx, "tcp", addr); err != nil {
		return fmt.Errorf("service: sandbox administration: %w", err)
	}
	s.adminToken = token
	s.adminURL = "https://" + s.adminLn.Addr().String()
	s.adminSrv = &http.Server{
		Handler:           s.adminRoutes(),
		TLSConfig:         &tls.Config{MinVersion: tls.VersionTLS12, Certificates: []tls.Certificate{cert}},
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       time.Minute,
		WriteTimeout:      time.Minute,
		MaxHeaderBytes:    64 << 10,
		ErrorLog:          slog.NewLogLogger(s.log.Handler(), slog.LevelDebug),
	}
	s.adminServed = make(chan struct{})
	ln := tls.NewListener(s.adminLn, s.adminSrv.TLSConfig)
	go func() {
		defer close(s.adminServed)
		_ = s.adminSrv.Serve(ln)
	}()
	return nil
}

// adminRoutes is the back office's handler: its two endpoints behind the
// token, Problem answers for anything else.
func (s *Service) adminRoutes() http.Handler {
	mux := http.NewServeMux()
	for _, rt := range []routeSpec{
		{"/sandbox/applications", map[string]http.HandlerFunc{http.MethodGet: s.handleSandboxList}},
		{"/sandbox/applications/{arrival}/status", map[string]http.HandlerFunc{http.MethodPost: s.handleSandboxAdvance}},
		{"/sandbox/applications/{arrival}/correction", map[string]http.HandlerFunc{http.MethodPost: s.handleSandboxCorrection}},
	} {
		mux.HandleFunc(rt.pattern, s.dispatch(rt))
	}
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		writeProblem(w, fail(submit.ReasonNotFound, "no such endpoint"))
	})
	want := sha256.Sum256([]byte(s.adminToken))
	return s.middleware(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		// Compared as digests, in constant time: neither the token's
		// bytes nor its length show in the time taken.
		got, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
		sum := sha256.Sum256([]byte(got))
		if !ok || subtle.ConstantTimeCompare(sum[:], want[:]) != 1 {
			writeProblem(w, fail(submit.ReasonLoginRequired, "the sandbox administration token").
				withMessage("サンドボックスの管理用トークンが必要です。serve の起動時に書き出されたトークンを指定してください。",
					"The sandbox administration token is needed: give the one serve wrote at start."))
			return
		}
		mux.ServeHTTP(w, r)
	}))
}

// AdminURL is the back office's base URL ("https://127.0.0.1:PORT"; the
// endpoints are under /sandbox), "" without Config.AdminAddr.
func (s *Service) AdminURL() string { return s.adminURL }

// AdminToken is the back office's bearer token, made at start; "" without
// Config.AdminAddr.
func (s *Service) AdminToken() string { return s.adminToken }
