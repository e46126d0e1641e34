// Package submittest is a small in-process stand-in for the joint
// service, for the client's tests: it follows the API contract of package
// submit over HTTPS on 127.0.0.1 with its own test CA, and lets a test
// inject faults (errors, garbage, delays) and hold a request at a given
// stage (to kill the client while it waits). It is not the reference
// service (sandbox): it checks signatures and idempotency but not the
// certificate's revocation or the applicant's identity.
package submittest

import (
	"bytes"
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/sha256"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/hex"
	"encoding/json"
	"encoding/pem"
	"fmt"
	"io"
	"log"
	"math/big"
	"mime"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"time"

	"github.com/shinsei-app/shinsei/internal/fsx"
	"github.com/shinsei-app/shinsei/signer"
	"github.com/shinsei-app/shinsei/submit"
)

// Procedure IDs of the catalogue, one per authentication level.
const (
	ProcNone         = "test-none"
	ProcIDPW         = "test-idpw"
	ProcSignature    = "test-signature"
	ProcIDPWSig      = "test-idpw-signature"
	MaxBody          = 8 << 20
	SessionLifetime  = 30 * time.Minute
	maxLoginFailures = 5
)

// Stages at which Hold is called for a submission.
const (
	StageReceived = "received" // the body was read, nothing stored yet
	StageStored   = "stored"   // the application is stored, the reply not sent
)

// Options configure Start.
type Options struct {
	// Roots, when set, are the anchors that signed packages' certificates
	// must chain to; without them only the signature's integrity counts.
	Roots []*x509.Certificate
	// MaxTLSVersion limits the server's TLS versions (e.g. tls.VersionTLS11
	// to play an outdated server); zero means Go's defaults.
	MaxTLSVersion uint16
	// DNSNames are the server certificate's host names besides the IP
	// address 127.0.0.1 (none by default, so "localhost" does not match).
	DNSNames []string
}

// Server is a running stand-in service.
type Server struct {
	// URL is "https://127.0.0.1:PORT".
	URL string
	// CA is the test CA that issued the server certificate: the anchor.
	CA *x509.Certificate
	// CAFile is CA in PEM, written to a temporary file.
	CAFile string

	srv  *httptest.Server
	opts Options
	// relisten is the listener Up opened after Down, nil before; the
	// httptest server's own Listener is never replaced, since its serving
	// goroutine reads it.
	relisten net.Listener
	dir      string
	mu       sync.Mutex
	fault    func(w http.ResponseWriter, r *http.Request) bool
	hold     func(stage string, r *http.Request)

	accounts   map[string]*account
	sessions   map[string]session
	challenges map[string]time.Time
	apps       map[string]*application // by idempotency key
	byArrival  map[string]*application
	notices    map[string][]byte
	seq        int
}

type account struct {
	id, password string
	userType     submit.UserType
	certSHA256   string
	failures     int
}

type session struct {
	account string
	expires time.Time
}

type application struct {
	key, sha, owner string
	receipt         submit.Receipt
	status          submit.Status
	notices         []submit.Notice
}

// Start starts a server; Close stops it.
func Start(opts Options) (*Server, error) {
	s := &Server{opts: opts, accounts: map[string]*account{}, sessions: map[string]session{}, challenges: map[string]time.Time{},
		apps: map[string]*application{}, byArrival: map[string]*application{}, notices: map[string][]byte{}}
	dir, err := os.MkdirTemp("", "submittest-")
	if err != nil {
		return nil, err
	}
	s.dir = dir
	caCert, leaf, err := issue(opts.DNSNames)
	if err != nil {
		return nil, err
	}
	s.CA = caCert
	s.CAFile = filepath.Join(dir, "ca.pem")
	if err := os.WriteFile(s.CAFile, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: caCert.Raw}), 0o644); err != nil {
		return nil, err
	}
	s.srv = httptest.NewUnstartedServer(http.HandlerFunc(s.serve))
	s.srv.TLS = &tls.Config{Certificates: []tls.Certificate{leaf}, MaxVersion: opts.MaxTLSVersion}
	if opts.MaxTLSVersion != 0 && opts.MaxTLSVersion < tls.VersionTLS12 {
		s.srv.TLS.MinVersion = tls.VersionTLS10
	}
	s.srv.Config.ErrorLog = log.New(io.Discard, "", 0) // handshake failures are what TLS tests provoke
	s.srv.StartTLS()
	s.URL = s.srv.URL
	return s, nil
}

// Close stops the server and removes its files.
func (s *Server) Close() {
	s.mu.Lock()
	if s.relisten != nil {
		s.relisten.Close()
	}
	s.mu.Unlock()
	s.srv.CloseClientConnections()
	s.srv.Close()
	fsx.RemoveAll(s.dir)
}

// Down closes the server's listener: connections are refused, as by a
// service that cannot be reached, until Up.
func (s *Server) Down() error {
	s.srv.CloseClientConnections()
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.relisten != nil {
		err := s.relisten.Close()
		s.relisten = nil
		return err
	}
	return s.srv.Listener.Close()
}

// Up listens again on the same address after Down.
func (s *Server) Up() error {
	l, err := net.Listen("tcp", s.srv.Listener.Addr().String())
	if err != nil {
		return err
	}
	tl := tls.NewListener(l, s.srv.TLS)
	s.mu.Lock()
	s.relisten = tl
	s.mu.Unlock()
	go s.srv.Config.Serve(tl)
	return nil
}

// Port returns the TCP port the server listens on.
func (s *Server) Port() string {
	_, port, _ := net.SplitHostPort(s.srv.Listener.Addr().String())
	return port
}

// SetFault installs f, called first for every request; when it returns
// true it has answered and the request goes no further. Nil removes it.
func (s *Server) SetFault(f func(w http.ResponseWriter, r *http.Request) bool) {
	s.mu.Lock()
	s.fault = f
	s.mu.Unlock()
}

// SetHold installs f, called (without the server's lock) at each stage of
// a submission; it may block to hold the request. Nil removes it.
func (s *Server) SetHold(f func(stage string, r *http.Request)) {
	s.mu.Lock()
	s.hold = f
	s.mu.Unlock()
}

// Applications returns how many applications are stored.
func (s *Server) Applications() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.apps)
}

// Arrivals returns the stored applications' arrival numbers.
func (s *Server) Arrivals() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []string
	for a := range s.byArrival {
		out = append(out, a)
	}
	return out
}

// AddAccount creates an account with a password, for login tests.
func (s *Server) AddAccount(id, password string) {
	s.mu.Lock()
	s.accounts[id] = &account{id: id, password: password, userType: submit.UserResident}
	s.mu.Unlock()
}

// SetStatus moves an application to status and optionally attaches a
// notice whose package is pkg.
func (s *Server) SetStatus(arrival string, st submit.Status, notice *submit.Notice, pkg []byte) {
	s.mu.Lock()
	defer s.mu.Unlock()
	a := s.byArrival[arrival]
	if a == nil {
		return
	}
	a.status = st
	if notice != nil {
		a.notices = append(a.notices, *notice)
		s.notices[notice.ID] = pkg
	}
}

// Catalogue is the server's procedures.
func Catalogue() []submit.Procedure {
	mk := func(id string, l submit.AuthLevel, who ...submit.UserType) submit.Procedure {
		return submit.Procedure{ID: id, TitleJA: "テスト手続 " + string(l), TitleEN: "Test procedure " + string(l), Level: l, For: who,
			Form: submit.Form{Applicant: []string{"name"}, Fields: []submit.Field{{Name: "purpose", LabelJA: "目的", LabelEN: "Purpose", Type: "string"}},
				MaxAttachments: 3, MaxPackageBytes: MaxBody}}
	}
	return []submit.Procedure{
		mk(ProcNone, submit.LevelNone, submit.UserResident),
		mk(ProcIDPW, submit.LevelIDPW, submit.UserResident),
		mk(ProcSignature, submit.LevelSignature, submit.UserResident, submit.UserCompany),
		mk(ProcIDPWSig, submit.LevelIDPWSignature, submit.UserResident, submit.UserCompany),
	}
}

func procedure(id string) *submit.Procedure {
	for _, p := range Catalogue() {
		if p.ID == id {
			return &p
		}
	}
	return nil
}

var (
	reProcedure    = regexp.MustCompile(`^/api/v1/procedures/([^/]+)$`)
	reApplications = regexp.MustCompile(`^/api/v1/procedures/([^/]+)/applications$`)
	reApplication  = regexp.MustCompile(`^/api/v1/applications/([^/]+)$`)
	reNotice       = regexp.MustCompile(`^/api/v1/notices/([^/]+)$`)
	reIdemKey      = regexp.MustCompile(`^[A-Za-z0-9_-]{16,64}$`)
)

func (s *Server) serve(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	fault := s.fault
	s.mu.Unlock()
	if fault != nil && fault(w, r) {
		return
	}
	p := r.URL.Path
	switch {
	case r.Method == http.MethodGet && p == "/api/v1/procedures":
		writeJSON(w, http.StatusOK, Catalogue())
	case r.Method == http.MethodGet && reProcedure.MatchString(p):
		if pr := procedure(reProcedure.FindStringSubmatch(p)[1]); pr != nil {
			writeJSON(w, http.StatusOK, pr)
		} else {
			problem(w, http.StatusNotFound, submit.ReasonUnknownProcedure, "その手続はありません。", "There is no such procedure.")
		}
	case r.Method == http.MethodPost && p == "/api/v1/challenges":
		s.challenge(w)
	case r.Method == http.MethodPost && p == "/api/v1/accounts":
		s.register(w, r)
	case r.Method == http.MethodPost && p == "/api/v1/sessions":
		s.login(w, r)
	case r.Method == http.MethodPost && p == "/api/v1/sessions/certificate":
		s.certificateLogin(w, r)
	case r.Method == http.MethodDelete && p == "/api/v1/sessions/current":
		s.logout(w, r)
	case r.Method == http.MethodPost && reApplications.MatchString(p):
		s.submit(w, r, reApplications.FindStringSubmatch(p)[1])
	case r.Method == http.MethodGet && reApplication.MatchString(p):
		s.status(w, r, reApplication.FindStringSubmatch(p)[1])
	case r.Method == http.MethodGet && reNotice.MatchString(p):
		s.notice(w, r, reNotice.FindStringSubmatch(p)[1])
	case r.Method == http.MethodPost && p == "/api/v1/validation":
		writeJSON(w, http.StatusOK, submit.Validation{Status: "good", CheckedAt: time.Now().UTC()})
	default:
		problem(w, http.StatusNotFound, submit.ReasonNotFound, "見つかりません。", "Not found.")
	}
}

func (s *Server) challenge(w http.ResponseWriter) {
	ch := submit.Challenge{Challenge: randomHex(16), ExpiresAt: time.Now().Add(5 * time.Minute).UTC()}
	s.mu.Lock()
	s.challenges[ch.Challenge] = ch.ExpiresAt
	s.mu.Unlock()
	writeJSON(w, http.StatusCreated, ch)
}

// readPackage reads an ASiC-E body, verifies it and returns its form and
// the signer certificate's SHA-256; it answers the problem itself.
func (s *Server) readPackage(w http.ResponseWriter, body []byte) (form []byte, certSHA string, ok bool) {
	f, err := os.CreateTemp(s.dir, "pkg-*.asice")
	if err != nil {
		problem(w, http.StatusInternalServerError, submit.ReasonInternal, "内部エラー", "Internal error.")
		return nil, "", false
	}
	defer os.Remove(f.Name())
	f.Write(body)
	f.Close()
	form, rep, err := submit.ReadPackageForm(context.Background(), f.Name())
	if err != nil || rep == nil || !rep.Integrity.OK {
		problem(w, http.StatusUnprocessableEntity, submit.ReasonSignatureInvalid, "署名を検証できません。", "The signature does not verify.")
		return nil, "", false
	}
	if len(s.opts.Roots) > 0 {
		rep, err := signer.Verify(context.Background(), f.Name(), signer.VerifyOptions{Roots: s.opts.Roots})
		if err != nil || !rep.Certificate.OK {
			problem(w, http.StatusForbidden, submit.ReasonCertificateUntrusted, "証明書を信頼できません。", "The certificate is not trusted.")
			return nil, "", false
		}
	}
	sum := sha256.Sum256(rep.Signer.Raw)
	return form, hex.EncodeToString(sum[:]), true
}

func (s *Server) register(w http.ResponseWriter, r *http.Request) {
	body, ok := readBody(w, r, submit.MediaASiCE)
	if !ok {
		return
	}
	form, certSHA, ok := s.readPackage(w, body)
	if !ok {
		return
	}
	var reg submit.Registration
	if err := json.Unmarshal(form, &reg); err != nil || reg.Type != "registration" {
		problem(w, http.StatusBadRequest, submit.ReasonFormInvalid, "登録申請の様式が正しくありません。", "The registration form is invalid.")
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	exp, known := s.challenges[reg.Challenge]
	delete(s.challenges, reg.Challenge)
	if !known || time.Now().After(exp) {
		problem(w, http.StatusBadRequest, submit.ReasonChallengeInvalid, "チャレンジが無効です。", "The challenge is unknown, used or expired.")
		return
	}
	if reg.Password != "" && submit.CheckPassword(reg.Password) != submit.PasswordOK {
		problem(w, http.StatusBadRequest, submit.ReasonFormInvalid, "このパスワードは使えません。", "The password breaks the password policy.", "password")
		return
	}
	status := http.StatusCreated
	var a *account
	for _, old := range s.accounts {
		if old.certSHA256 == certSHA {
			a = old
		}
	}
	switch {
	case a != nil && !reg.ResetPassword:
		problem(w, http.StatusConflict, submit.ReasonAccountExists, "この証明書の利用者IDはすでに登録されています。", "An account is already registered for this certificate.", a.id)
		return
	case a != nil:
		status, a.password, a.failures = http.StatusOK, reg.Password, 0
		for tok, ses := range s.sessions {
			if ses.account == a.id {
				delete(s.sessions, tok)
			}
		}
	default:
		s.seq++
		a = &account{id: fmt.Sprintf("A%07d", s.seq), password: reg.Password, userType: reg.UserType, certSHA256: certSHA}
	}
	out := submit.Account{AccountID: a.id, UserType: reg.UserType}
	if a.password == "" {
		a.password = randomHex(10)
		out.InitialPassword = a.password
	}
	s.accounts[a.id] = a
	writeJSON(w, status, out)
}

func (s *Server) login(w http.ResponseWriter, r *http.Request) {
	body, ok := readBody(w, r, submit.MediaJSON)
	if !ok {
		return
	}
	var l submit.Login
	if err := json.Unmarshal(body, &l); err != nil || l.AccountID == "" {
		problem(w, http.StatusBadRequest, submit.ReasonBadRequest, "要求が正しくありません。", "Malformed request.")
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	a := s.accounts[l.AccountID]
	if a != nil && a.failures >= maxLoginFailures {
		problem(w, http.StatusLocked, submit.ReasonAccountLocked, "アカウントがロックされています。", "The account is locked.")
		return
	}
	if a == nil || a.password != l.Password {
		if a != nil {
			a.failures++
		}
		problem(w, http.StatusUnauthorized, submit.ReasonInvalidCredentials, "IDまたはパスワードが違います。", "Wrong ID or password.")
		return
	}
	a.failures = 0
	writeJSON(w, http.StatusCreated, s.newSession(a.id))
}

func (s *Server) newSession(id string) submit.Session {
	tok := randomHex(24)
	exp := time.Now().Add(SessionLifetime).UTC()
	s.sessions[tok] = session{account: id, expires: exp}
	return submit.Session{Token: tok, AccountID: id, ExpiresAt: exp}
}

func (s *Server) certificateLogin(w http.ResponseWriter, r *http.Request) {
	body, ok := readBody(w, r, submit.MediaJSON)
	if !ok {
		return
	}
	var cl submit.CertificateLogin
	if err := json.Unmarshal(body, &cl); err != nil {
		problem(w, http.StatusBadRequest, submit.ReasonBadRequest, "要求が正しくありません。", "Malformed request.")
		return
	}
	rep, err := signer.VerifyDetached(r.Context(), cl.Signature, strings.NewReader(cl.Challenge), signer.VerifyOptions{Roots: s.opts.Roots})
	if err != nil || !rep.Integrity.OK || (len(s.opts.Roots) > 0 && !rep.Certificate.OK) {
		problem(w, http.StatusUnauthorized, submit.ReasonSignatureInvalid, "署名を検証できません。", "The signature does not verify.")
		return
	}
	sum := sha256.Sum256(rep.Signer.Raw)
	s.mu.Lock()
	defer s.mu.Unlock()
	exp, known := s.challenges[cl.Challenge]
	delete(s.challenges, cl.Challenge)
	if !known || time.Now().After(exp) {
		problem(w, http.StatusBadRequest, submit.ReasonChallengeInvalid, "チャレンジが無効です。", "The challenge is unknown, used or expired.")
		return
	}
	for _, a := range s.accounts {
		if a.certSHA256 == hex.EncodeToString(sum[:]) {
			writeJSON(w, http.StatusCreated, s.newSession(a.id))
			return
		}
	}
	problem(w, http.StatusUnauthorized, submit.ReasonInvalidCredentials, "登録された証明書ではありません。", "No account is registered for this certificate.")
}

// bearer returns the account of the request's session, or "".
func (s *Server) bearer(r *http.Request) string {
	tok, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
	if !ok {
		return ""
	}
	se, ok := s.sessions[tok]
	if !ok || time.Now().After(se.expires) {
		return ""
	}
	return se.account
}

// ExpireSessions ends every session, as if they had all timed out.
func (s *Server) ExpireSessions() {
	s.mu.Lock()
	s.sessions = map[string]session{}
	s.mu.Unlock()
}

func (s *Server) logout(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.bearer(r) == "" {
		problem(w, http.StatusUnauthorized, submit.ReasonLoginRequired, "ログインしてください。", "Log in first.")
		return
	}
	tok, _ := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
	delete(s.sessions, tok)
	w.WriteHeader(http.StatusNoContent)
}

func (s *Server) submit(w http.ResponseWriter, r *http.Request, id string) {
	pr := procedure(id)
	if pr == nil {
		problem(w, http.StatusNotFound, submit.ReasonUnknownProcedure, "その手続はありません。", "There is no such procedure.")
		return
	}
	key := r.Header.Get(submit.HeaderIdemKey)
	if !reIdemKey.MatchString(key) {
		problem(w, http.StatusBadRequest, submit.ReasonBadRequest, "Idempotency-Key が必要です。", "An Idempotency-Key is needed.", submit.HeaderIdemKey)
		return
	}
	s.mu.Lock()
	owner := s.bearer(r)
	s.mu.Unlock()
	if pr.Level.NeedsLogin() && owner == "" {
		problem(w, http.StatusUnauthorized, submit.ReasonLoginRequired, "ログインしてください。", "This procedure needs a login.")
		return
	}
	media := submit.MediaJSON
	if pr.Level.NeedsSignature() {
		media = submit.MediaASiCE
	}
	if ct, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type")); pr.Level.NeedsSignature() && ct == submit.MediaJSON {
		problem(w, http.StatusForbidden, submit.ReasonSignatureRequired, "電子署名が必要です。", "This procedure needs a signed package.")
		return
	}
	body, ok := readBody(w, r, media)
	if !ok {
		return
	}
	s.stage(StageReceived, r)
	if r.Context().Err() != nil {
		return // the client is gone before anything was stored
	}
	var form submit.FormDocument
	var certSHA string
	if pr.Level.NeedsSignature() {
		raw, sha, ok := s.readPackage(w, body)
		if !ok {
			return
		}
		certSHA = sha
		if json.Unmarshal(raw, &form) != nil {
			problem(w, http.StatusUnprocessableEntity, submit.ReasonFormInvalid, "様式が正しくありません。", "The form is invalid.")
			return
		}
	} else if err := json.Unmarshal(body, &form); err != nil {
		problem(w, http.StatusBadRequest, submit.ReasonBadRequest, "様式を読めません。", "The form is not JSON.")
		return
	}
	if form.Procedure != id {
		problem(w, http.StatusUnprocessableEntity, submit.ReasonFormInvalid, "様式の手続が違います。", "The form is for another procedure.", "procedure")
		return
	}
	sum := sha256.Sum256(body)
	sha := hex.EncodeToString(sum[:])
	s.mu.Lock()
	if a := s.apps[key]; a != nil {
		s.mu.Unlock()
		if a.sha != sha || a.owner != owner {
			problem(w, http.StatusConflict, submit.ReasonIdempotencyConflict, "同じキーで別の内容が送られました。", "The idempotency key was used for other content.")
			return
		}
		writeJSON(w, http.StatusOK, a.receipt)
		return
	}
	if pr.Level == submit.LevelIDPWSignature && !pr.ProxyAllowed {
		if acc := s.accounts[owner]; acc == nil || acc.certSHA256 != certSHA {
			s.mu.Unlock()
			problem(w, http.StatusForbidden, submit.ReasonSignerNotHolder, "署名者がアカウントの名義人と異なります。", "The signer is not the account holder.")
			return
		}
	}
	s.seq++
	now := time.Now().UTC().Truncate(time.Second)
	a := &application{key: key, sha: sha, owner: owner, status: submit.StatusReceived}
	a.receipt = submit.Receipt{ArrivalNumber: fmt.Sprintf("%s%08d", now.Format("20060102"), s.seq), Procedure: id,
		ReceivedAt: now, Status: submit.StatusReceived, PackageSHA256: sha}
	if pr.Level == submit.LevelNone {
		a.receipt.InquiryNumber = randomDigits(10)
	}
	s.apps[key] = a
	s.byArrival[a.receipt.ArrivalNumber] = a
	s.mu.Unlock()
	s.stage(StageStored, r)
	writeJSON(w, http.StatusCreated, a.receipt)
}

func (s *Server) stage(name string, r *http.Request) {
	s.mu.Lock()
	hold := s.hold
	s.mu.Unlock()
	if hold != nil {
		hold(name, r)
	}
}

func (s *Server) status(w http.ResponseWriter, r *http.Request, arrival string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	a := s.byArrival[arrival]
	owner := s.bearer(r)
	inq := r.Header.Get(submit.HeaderInquiry)
	if owner == "" && inq == "" {
		problem(w, http.StatusUnauthorized, submit.ReasonLoginRequired, "ログインするか問合せ番号を入力してください。", "Log in or give the inquiry number.")
		return
	}
	if a == nil || !((owner != "" && a.owner == owner) || (inq != "" && a.receipt.InquiryNumber == inq)) {
		problem(w, http.StatusNotFound, submit.ReasonNotFound, "該当する申請はありません。", "No such application.")
		return
	}
	st := submit.ApplicationStatus{Receipt: a.receipt, UpdatedAt: time.Now().UTC().Truncate(time.Second), Notices: a.notices}
	st.Status = a.status
	writeJSON(w, http.StatusOK, st)
}

func (s *Server) notice(w http.ResponseWriter, r *http.Request, id string) {
	s.mu.Lock()
	pkg, ok := s.notices[id]
	s.mu.Unlock()
	if !ok {
		problem(w, http.StatusNotFound, submit.ReasonNotFound, "該当する通知はありません。", "No such notice.")
		return
	}
	w.Header().Set("Content-Type", submit.MediaASiCE)
	w.Write(pkg)
}

// readBody checks the content type and reads at most MaxBody bytes.
func readBody(w http.ResponseWriter, r *http.Request, media string) ([]byte, bool) {
	if ct, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type")); ct != media {
		problem(w, http.StatusUnsupportedMediaType, submit.ReasonUnsupportedMedia, "この形式は受け付けません。", "Wrong content type: want "+media+".")
		return nil, false
	}
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, MaxBody))
	if err != nil {
		problem(w, http.StatusRequestEntityTooLarge, submit.ReasonTooLarge, "大きすぎます。", "The body is too large.")
		return nil, false
	}
	return body, true
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", submit.MediaJSON)
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(v)
}

func problem(w http.ResponseWriter, status int, reason submit.Reason, ja, en string, detail ...string) {
	p := submit.Problem{Reason: reason, MessageJA: ja, MessageEN: en}
	if len(detail) > 0 {
		p.Detail = detail[0]
	}
	w.Header().Set("Content-Type", "application/problem+json")
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(p)
}

func randomHex(n int) string {
	b := make([]byte, n)
	rand.Read(b)
	return hex.EncodeToString(b)
}

func randomDigits(n int) string {
	var b bytes.Buffer
	for b.Len() < n {
		v, _ := rand.Int(rand.Reader, big.NewInt(10))
		b.WriteByte(byte('0' + v.Int64()))
	}
	return b.String()
}

// issue makes a test CA and a server certificate for 127.0.0.1 (and
// dnsNames) signed by it.
func issue(dnsNames []string) (*x509.Certificate, tls.Certificate, error) {
	caKey, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return nil, tls.Certificate{}, err
	}
	now := time.Now()
	caTmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "submittest CA"},
		NotBefore: now.Add(-time.Hour), NotAfter: now.Add(24 * time.Hour), IsCA: true, BasicConstraintsValid: true,
		KeyUsage: x509.KeyUsageCertSign}
	caDER, err := x509.CreateCertificate(rand.Reader, caTmpl, caTmpl, &caKey.PublicKey, caKey)
	if err != nil {
		return nil, tls.Certificate{}, err
	}
	caCert, err := x509.ParseCertificate(caDER)
	if err != nil {
		return nil, tls.Certificate{}, err
	}
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return nil, tls.Certificate{}, err
	}
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(2), Subject: pkix.Name{CommonName: "127.0.0.1"},
		NotBefore: now.Add(-time.Hour), NotAfter: now.Add(24 * time.Hour), KeyUsage: x509.KeyUsageDigitalSignature,
		ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth}, IPAddresses: []net.IP{net.IPv4(127, 0, 0, 1)}, DNSNames: dnsNames}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, caCert, &key.PublicKey, caKey)
	if err != nil {
		return nil, tls.Certificate{}, err
	}
	return caCert, tls.Certificate{Certificate: [][]byte{der}, PrivateKey: key}, nil
}
