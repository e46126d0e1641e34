package responder

import (
	"context"
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/base64"
	"errors"
	"fmt"
	"math/big"
	"net"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"

	"golang.org/x/crypto/ocsp"

	"github.com/shinsei-app/shinsei/internal/iox"
	"github.com/shinsei-app/shinsei/sandbox/pki"
)

// Style is how a sandbox OCSP answer is signed (RFC 6960 §2.2,
// §4.2.2.2).
type Style string

// Responder styles.
const (
	// StyleCA: the CA signs with its own key; the responder is named by
	// the CA's subject and no certificate is included.
	StyleCA Style = "ca"
	// StyleDelegated: a responder certificate issued by the CA, with
	// id-kp-OCSPSigning and id-pkix-ocsp-nocheck, signs and is included.
	StyleDelegated Style = "delegated"
	// StyleVA: one validation authority, trusted directly by clients that
	// are configured with its certificate, answers for every sandbox CA.
	// It is named by key hash and its certificate is not included.
	StyleVA Style = "va"
)

// Misbehaviour makes the responders answer wrongly, for tests. It applies
// to every OCSP answer, and those that make sense for a CRL (stale,
// forged, slow, garbage, HTTP 500, oversized, redirect loop) to CRLs too.
type Misbehaviour string

// Misbehaviours.
const (
	// Behave answers correctly.
	Behave Misbehaviour = ""
	// MisbehaveStale answers with a nextUpdate an hour past.
	MisbehaveStale Misbehaviour = "stale"
	// MisbehaveFuture answers with a thisUpdate an hour ahead.
	MisbehaveFuture Misbehaviour = "future"
	// MisbehaveWrongCertID answers with an issuer key hash that is not the CA's.
	MisbehaveWrongCertID Misbehaviour = "wrong-certid"
	// MisbehaveWrongSerial answers about the next serial number.
	MisbehaveWrongSerial Misbehaviour = "wrong-serial"
	// MisbehaveUnauthorised signs with a self-signed responder no CA authorised.
	MisbehaveUnauthorised Misbehaviour = "unauthorised"
	// MisbehaveNotOCSPSigning signs with a certificate the CA issued
	// without id-kp-OCSPSigning.
	MisbehaveNotOCSPSigning Misbehaviour = "not-ocsp-signing"
	// MisbehaveExpiredResponder signs with a delegated responder whose
	// certificate has expired.
	MisbehaveExpiredResponder Misbehaviour = "expired-responder"
	// MisbehaveForged corrupts the signature.
	MisbehaveForged Misbehaviour = "forged"
	// MisbehaveNoNonce does not echo the request's nonce.
	MisbehaveNoNonce Misbehaviour = "no-nonce"
	// MisbehaveWrongNonce echoes a nonce other than the request's.
	MisbehaveWrongNonce Misbehaviour = "wrong-nonce"
	// MisbehaveOversized sends OversizedBytes bytes.
	MisbehaveOversized Misbehaviour = "oversized"
	// MisbehaveSlow waits SlowDelay (or until the client gives up or the
	// server closes) before answering.
	MisbehaveSlow Misbehaviour = "slow"
	// MisbehaveGarbage sends bytes that are not DER.
	MisbehaveGarbage Misbehaviour = "garbage"
	// MisbehaveHTTP500 answers HTTP 500.
	MisbehaveHTTP500 Misbehaviour = "http-500"
	// MisbehaveTryLater answers the OCSP error status tryLater.
	MisbehaveTryLater Misbehaviour = "try-later"
	// MisbehaveRedirectLoop redirects every request to itself.
	MisbehaveRedirectLoop Misbehaviour = "redirect-loop"
)

// Tunables of the responders.
const (
	// OCSPValidity is how far after thisUpdate an answer's nextUpdate is.
	OCSPValidity = time.Hour
	// OversizedBytes is what MisbehaveOversized sends: 2 MiB, over any
	// sensible OCSP reply limit.
	OversizedBytes = 2 << 20
	// SlowDelay is how long MisbehaveSlow waits at most.
	SlowDelay = 30 * time.Second
	// maxRequestBytes caps a POSTed OCSP request.
	maxRequestBytes = 64 << 10
)

// Identity is an OCSP signing identity: a certificate and its key.
type Identity struct {
	Cert *x509.Certificate
	Key  crypto.Signer
}

// Server is an HTTP server of the sandbox's revocation services: each
// CA's CRL, certificate, and OCSP responders in the three styles. Answers
// are dated by the real clock. Make it with Start; it is safe
// for concurrent use.
//
// Paths, where NAME is a CA's name (jpki-sign, jpki-sign-old, registrar,
// lgpki-root, lgpki-org, lgpki-app, private):
//
//	/crl/NAME.crl            the CA's current CRL (DER)
//	/ca/NAME.crt             the CA's certificate (DER)
//	/ocsp/NAME/ca[/REQ]      OCSP signed by the CA (POST, or GET with REQ)
//	/ocsp/NAME/delegated[/REQ] OCSP signed by the CA's delegated responder
//	/va[/REQ]                the validation authority, for every CA
//	/tsa                     the time-stamp authority (RFC 3161, POST)
type Server struct {
	// URL is the server's base URL, "http://127.0.0.1:PORT".
	URL      string
	PKI      *pki.PKI
	Registry *pki.Registry
	// VA is the validation authority: a self-signed ECDSA responder
	// certificate with id-kp-OCSPSigning, to be trusted directly.
	VA *Identity
	// TSA is the time-stamp authority (RFC 3161) at /tsa: a certificate
	// the private CA issued (ECDSA P-256) with the critical
	// id-kp-timeStamping.
	TSA *pki.TSA

	names  map[string]*pki.CA
	byCA   map[*pki.CA]string
	srv    *http.Server
	ln     net.Listener
	done   chan struct{}
	closed sync.Once
	served chan struct{}

	mu           sync.Mutex
	misbehaviour Misbehaviour
	delegates    map[*pki.CA]*Identity
	notSigning   map[*pki.CA]*Identity
	expired      map[*pki.CA]*Identity
	rogue        *Identity
}

// Start serves p's revocation services from registry on addr
// (host:port; empty means "127.0.0.1:0", a free loopback port) until ctx is
// done or Close is called.
func Start(ctx context.Context, p *pki.PKI, registry *pki.Registry, addr string) (*Server, error) {
	if addr == "" {
		addr = "127.0.0.1:0"
	}
	r := &Server{
		PKI: p, Registry: registry,
		names: map[string]*pki.CA{
			"jpki-sign": p.JPKISign, "jpki-sign-old": p.JPKISignOld, "registrar": p.Registrar,
			"lgpki-root": p.LGPKIRoot, "lgpki-org": p.LGPKIOrg, "lgpki-app": p.LGPKIApp, "private": p.Private,
		},
		byCA:       map[*pki.CA]string{},
		done:       make(chan struct{}),
		served:     make(chan struct{}),
		delegates:  map[*pki.CA]*Identity{},
		notSigning: map[*pki.CA]*Identity{},
		expired:    map[*pki.CA]*Identity{},
	}
	for name, ca := range r.names {
		r.byCA[ca] = name
	}
	var err error
	if r.VA, err = selfSignedResponder("Shinsei Sandbox Validation Authority", time.Now()); err != nil {
		return nil, err
	}
	if r.TSA, err = newTSA(p, time.Now()); err != nil {
		return nil, err
	}
	var lc net.ListenConfig
	r.ln, err = lc.Listen(ctx, "tcp", addr)
	if err != nil {
		return nil, fmt.Errorf("responder: responders: %w", err)
	}
	r.URL = "http://" + r.ln.Addr().String()
	r.srv = &http.Server{Handler: r, ReadHeaderTimeout: 10 * time.Second}
	go func() {
		defer close(r.served)
		_ = r.srv.Serve(r.ln) // ErrServerClosed after Close or Shutdown
	}()
	go func() {
		select {
		case <-ctx.Done():
			_ = r.Close()
		case <-r.done:
		}
	}()
	return r, nil
}

// Close stops the server at once, ending requests in progress.
func (r *Server) Close() error {
	var err error
	r.closed.Do(func() {
		close(r.done)
		err = r.srv.Close()
		<-r.served
	})
	return err
}

// Shutdown stops the server gracefully: it stops accepting and lets
// requests in progress finish (slow ones are cut short); when ctx ends
// first it closes the server at once and returns ctx's error.
func (r *Server) Shutdown(ctx context.Context) error {
	var err error
	r.closed.Do(func() {
		close(r.done)
		if err = r.srv.Shutdown(ctx); err != nil {
			_ = r.srv.Close()
		}
		<-r.served
	})
	return err
}

// SetMisbehaviour makes every later answer misbehave as m (Behave to stop).
func (r *Server) SetMisbehaviour(m Misbehaviour) {
	r.mu.Lock()
	r.misbehaviour = m
	r.mu.Unlock()
}

func (r *Server) currentMisbehaviour() Misbehaviour {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.misbehaviour
}

// Name returns the path name of a sandbox CA ("lgpki-app", …), or "" for
// a CA that is not one of p's.
func (r *Server) Name(ca *pki.CA) string { return r.byCA[ca] }

// OCSPURL returns the URL of ca's responder in style (the VA's for StyleVA).
func (r *Server) OCSPURL(ca *pki.CA, style Style) string {
	if style == StyleVA {
		return r.VAURL()
	}
	return r.URL + "/ocsp/" + r.byCA[ca] + "/" + string(style)
}

// VAURL returns the URL of the validation authority.
func (r *Server) VAURL() string { return r.URL + "/va" }

// CRLURL returns the URL of ca's CRL.
func (r *Server) CRLURL(ca *pki.CA) string { return r.URL + "/crl/" + r.byCA[ca] + ".crl" }

// CAURL returns the URL of ca's certificate.
func (r *Server) CAURL(ca *pki.CA) string { return r.URL + "/ca/" + r.byCA[ca] + ".crt" }

// EndEntity is what IssueEndEntity puts in a certificate.
type EndEntity struct {
	CommonName string
	// Style picks the OCSP responder named in the certificate's AIA;
	// empty means StyleCA.
	Style Style
	// Key is certified when set, to spare key generation in tests; nil
	// makes a fresh RSA-2048 key.
	Key *rsa.PrivateKey
	// NotBefore and NotAfter default to 30 days ago and a year ahead of
	// the PKI's time.
	NotBefore, NotAfter time.Time
}

// IssueEndEntity issues a signing certificate from ca whose AIA names the
// running OCSP responder (and ca's certificate) and whose CRL distribution
// point is ca's CRL here, and records it in the registry.
func (r *Server) IssueEndEntity(ca *pki.CA, ee EndEntity) (*pki.Credential, error) {
	if r.byCA[ca] == "" {
		return nil, errors.New("responder: IssueEndEntity: not a CA of this PKI")
	}
	style := ee.Style
	if style == "" {
		style = StyleCA
	}
	notBefore, notAfter := ee.NotBefore, ee.NotAfter
	if notBefore.IsZero() {
		notBefore = r.PKI.Now.Add(-30 * 24 * time.Hour)
	}
	if notAfter.IsZero() {
		notAfter = r.PKI.Now.Add(365 * 24 * time.Hour)
	}
	tmpl := &x509.Certificate{
		Subject:               pkix.Name{Country: []string{"JP"}, Organization: []string{"Shinsei Sandbox"}, CommonName: ee.CommonName},
		NotBefore:             notBefore,
		NotAfter:              notAfter,
		KeyUsage:              x509.KeyUsageDigitalSignature | x509.KeyUsageContentCommitment,
		OCSPServer:            []string{r.OCSPURL(ca, style)},
		IssuingCertificateURL: []string{r.CAURL(ca)},
		CRLDistributionPoints: []string{r.CRLURL(ca)},
	}
	var cred *pki.Credential
	var err error
	if ee.Key != nil {
		cred, err = ca.IssueForKey(tmpl, ee.Key)
	} else {
		cred, err = ca.Issue(tmpl)
	}
	if err != nil {
		return nil, err
	}
	r.Registry.Record(ca, cred.Cert)
	return cred, nil
}

// Delegate returns ca's delegated OCSP responder, making it on first use:
// an ECDSA P-256 key certified by ca with id-kp-OCSPSigning and
// id-pkix-ocsp-nocheck, valid from a day ago for 30 days.
func (r *Server) Delegate(ca *pki.CA) (*Identity, error) {
	return r.issuedResponder(ca, r.delegates, "OCSP Responder", true, 0)
}

// issuedResponder makes (once per CA and kind) a responder certificate
// issued by ca; shift moves its validity (negative: expired).
func (r *Server) issuedResponder(ca *pki.CA, cache map[*pki.CA]*Identity, label string, ocspSigning bool, shift time.Duration) (*Identity, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if d := cache[ca]; d != nil {
		return d, nil
	}
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return nil, fmt.Errorf("responder: responder key: %w", err)
	}
	now := time.Now().Add(shift)
	subject := ca.Cert.Subject
	subject.CommonName = strings.TrimSpace(subject.CommonName + " " + label + " (Sandbox)")
	tmpl := &x509.Certificate{
		Subject:   subject,
		NotBefore: now.Add(-24 * time.Hour),
		NotAfter:  now.Add(30 * 24 * time.Hour),
		KeyUsage:  x509.KeyUsageDigitalSignature,
	}
	if ocspSigning {
		tmpl.ExtKeyUsage = []x509.ExtKeyUsage{x509.ExtKeyUsageOCSPSigning}
		tmpl.ExtraExtensions = []pkix.Extension{{Id: OIDOCSPNoCheck, Value: []byte{0x05, 0x00}}}
	}
	cert, err := pki.CreateCertificate(tmpl, ca.Cert, &key.PublicKey, ca.Key)
	if err != nil {
		return nil, err
	}
	d := &Identity{Cert: cert, Key: key}
	cache[ca] = d
	return d, nil
}

func (r *Server) rogueResponder() (*Identity, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.rogue != nil {
		return r.rogue, nil
	}
	var err error
	r.rogue, err = selfSignedResponder("Sandbox Rogue OCSP Responder", time.Now())
	return r.rogue, err
}

// selfSignedResponder makes a self-signed ECDSA P-256 responder
// certificate with id-kp-OCSPSigning, valid from a day before now for a year.
func selfSignedResponder(commonName string, now time.Time) (*Identity, error) {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return nil, fmt.Errorf("responder: responder key: %w", err)
	}
	serial, err := rand.Int(rand.Reader, new(big.Int).Lsh(big.NewInt(1), 127))
	if err != nil {
		return nil, fmt.Errorf("responder: serial number: %w", err)
	}
	tmpl := &x509.Certificate{
		SerialNumber: serial,
		Subject:      pkix.Name{Country: []string{"JP"}, Organization: []string{"Shinsei Sandbox"}, CommonName: commonName},
		NotBefore:    now.Add(-24 * time.Hour),
		NotAfter:     now.Add(365 * 24 * time.Hour),
		KeyUsage:     x509.KeyUsageDigitalSignature,
		ExtKeyUsage:  []x509.ExtKeyUsage{x509.ExtKeyUsageOCSPSigning},
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		return nil, fmt.Errorf("responder: create responder certificate: %w", err)
	}
	cert, err := x509.ParseCertificate(der)
	if err != nil {
		return nil, fmt.Errorf("responder: parse responder certificate: %w", err)
	}
	return &Identity{Cert: cert, Key: key}, nil
}

// ServeHTTP routes a request to the CRL, certificate or OCSP handler.
func (r *Server) ServeHTTP(w http.ResponseWriter, req *http.Request) {
	path := req.URL.EscapedPath()
	switch {
	case strings.HasPrefix(path, "/crl/") && strings.HasSuffix(path, ".crl"):
		ca := r.names[strings.TrimSuffix(strings.TrimPrefix(path, "/crl/"), ".crl")]
		if ca == nil {
			http.NotFound(w, req)
			return
		}
		if r.misbehave(w, req, true) {
			r.serveCRL(w, ca)
		}
	case strings.HasPrefix(path, "/ca/") && strings.HasSuffix(path, ".crt"):
		ca := r.names[strings.TrimSuffix(strings.TrimPrefix(path, "/ca/"), ".crt")]
		if ca == nil {
			http.NotFound(w, req)
			return
		}
		w.Header().Set("Content-Type", "application/pkix-cert")
		_, _ = w.Write(ca.Cert.Raw)
	case path == "/tsa":
		if r.misbehave(w, req, false) {
			r.serveTSA(w, req)
		}
	case path == "/va" || strings.HasPrefix(path, "/va/"):
		if r.misbehave(w, req, false) {
			r.serveOCSP(w, req, nil, StyleVA, strings.TrimPrefix(strings.TrimPrefix(path, "/va"), "/"))
		}
	case strings.HasPrefix(path, "/ocsp/"):
		parts := strings.SplitN(strings.TrimPrefix(path, "/ocsp/"), "/", 3)
		if len(parts) < 2 || r.names[parts[0]] == nil ||
			(parts[1] != string(StyleCA) && parts[1] != string(StyleDelegated)) {
			http.NotFound(w, req)
			return
		}
		if r.misbehave(w, req, false) {
			rest := ""
			if len(parts) == 3 {
				rest = parts[2]
			}
			r.serveOCSP(w, req, r.names[parts[0]], Style(parts[1]), rest)
		}
	default:
		http.NotFound(w, req)
	}
}

// misbehave handles the misbehaviours that replace the answer as a whole
// and reports whether the normal handler should go on.
func (r *Server) misbehave(w http.ResponseWriter, req *http.Request, crl bool) bool {
	switch r.currentMisbehaviour() {
	case MisbehaveHTTP500:
		http.Error(w, "responder: told to fail", http.StatusInternalServerError)
	case MisbehaveGarbage:
		w.Header().Set("Content-Type", "application/ocsp-response")
		_, _ = w.Write([]byte("this is not DER \x00\xff\x30\x82"))
	case MisbehaveOversized:
		w.Header().Set("Content-Type", "application/ocsp-response")
		chunk := make([]byte, 64<<10)
		for i := 0; i < OversizedBytes/len(chunk); i++ {
			if _, err := w.Write(chunk); err != nil {
				return false
			}
		}
	case MisbehaveSlow:
		t := time.NewTimer(SlowDelay)
		defer t.Stop()
		select {
		case <-t.C:
		case <-req.Context().Done():
			return false
		case <-r.done:
			return false
		}
		return true
	case MisbehaveRedirectLoop:
		http.Redirect(w, req, req.URL.RequestURI(), http.StatusFound)
	case MisbehaveTryLater:
		if crl {
			return true
		}
		w.Header().Set("Content-Type", "application/ocsp-response")
		_, _ = w.Write(ocsp.TryLaterErrorResponse)
	default:
		return true
	}
	return false
}

func (r *Server) serveCRL(w http.ResponseWriter, ca *pki.CA) {
	now := time.Now()
	m := r.currentMisbehaviour()
	if m == MisbehaveStale {
		now = now.Add(-2 * pki.CRLValidity)
	}
	der, err := r.Registry.CRL(ca, now, pki.CRLValidity)
	if err != nil {
		http.Error(w, "responder: cannot make the CRL", http.StatusInternalServerError)
		return
	}
	if m == MisbehaveForged {
		der[len(der)-10] ^= 0x01
	}
	w.Header().Set("Content-Type", "application/pkix-crl")
	_, _ = w.Write(der)
}

// readOCSPRequest gets the DER request from a POST body or, for GET, from
// the last path segment (URL-encoded base64, RFC 6960 A.1).
func readOCSPRequest(req *http.Request, rest string) ([]byte, error) {
	switch req.Method {
	case http.MethodPost:
		body, err := iox.ReadAll(req.Body, maxRequestBytes)
		if errors.Is(err, iox.ErrTooLarge) {
			return nil, errors.New("request too large")
		}
		return body, err
	case http.MethodGet:
		unescaped, err := url.PathUnescape(rest)
		if err != nil {
			return nil, err
		}
		return base64.StdEncoding.DecodeString(unescaped)
	}
	return nil, errors.New("method not allowed")
}

func writeOCSP(w http.ResponseWriter, der []byte) {
	w.Header().Set("Content-Type", "application/ocsp-response")
	_, _ = w.Write(der)
}

func (r *Server) serveOCSP(w http.ResponseWriter, req *http.Request, ca *pki.CA, style Style, rest string) {
	if req.Method != http.MethodGet && req.Method != http.MethodPost {
		w.Header().Set("Allow", "GET, POST")
		http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
		return
	}
	reqDER, err := readOCSPRequest(req, rest)
	if err != nil {
		writeOCSP(w, ocsp.MalformedRequestErrorResponse)
		return
	}
	der, err := r.Respond(reqDER, ca, style)
	if err != nil {
		writeOCSP(w, ocsp.InternalErrorErrorResponse)
		return
	}
	writeOCSP(w, der)
}

// Respond answers the DER OCSP request reqDER as the responder of ca in
// style (ca is ignored for StyleVA, which answers for every CA of the
// PKI), with the current misbehaviour. A request it cannot read gets the
// malformedRequest error status, one about a CA the responder does not
// serve gets unauthorized; both are answers, not errors.
func (r *Server) Respond(reqDER []byte, ca *pki.CA, style Style) ([]byte, error) {
	parsed, err := parseOCSPRequest(reqDER)
	if err != nil {
		return ocsp.MalformedRequestErrorResponse, nil
	}
	candidates := []*pki.CA{ca}
	if style == StyleVA {
		candidates = nil
		for _, c := range r.names {
			candidates = append(candidates, c)
		}
	}
	var issuer *pki.CA
	for _, c := range candidates {
		if c == nil {
			continue
		}
		id, err := certIDFor(c.Cert, parsed.id.serial, parsed.id.hashOID)
		if err == nil && id.matches(parsed.id) {
			issuer = c
			break
		}
	}
	if issuer == nil {
		return ocsp.UnauthorizedErrorResponse, nil
	}
	m := r.currentMisbehaviour()
	now := time.Now().UTC().Truncate(time.Second)
	a := &ocspAnswer{
		id:         parsed.id,
		thisUpdate: now,
		nextUpdate: now.Add(OCSPValidity),
		producedAt: now,
		nonce:      parsed.nonce,
	}
	var rev pki.Revoked
	a.status, rev = r.Registry.Status(issuer, parsed.id.serial)
	a.revokedAt, a.reason = rev.At, rev.Reason
	switch style {
	case StyleCA:
		a.signer = &Identity{Cert: issuer.Cert, Key: issuer.Key}
	case StyleDelegated:
		if a.signer, err = r.Delegate(issuer); err != nil {
			return nil, err
		}
		a.withCert = true
	case StyleVA:
		a.signer, a.byKey = r.VA, true
	default:
		return nil, fmt.Errorf("responder: unknown responder style %q", style)
	}
	if err := r.applyMisbehaviour(a, issuer, m); err != nil {
		return nil, err
	}
	return a.encode()
}

func (r *Server) applyMisbehaviour(a *ocspAnswer, issuer *pki.CA, m Misbehaviour) error {
	var err error
	switch m {
	case MisbehaveStale:
		a.thisUpdate = a.thisUpdate.Add(-2 * OCSPValidity)
		a.nextUpdate = a.thisUpdate.Add(OCSPValidity)
	case MisbehaveFuture:
		a.thisUpdate = a.thisUpdate.Add(OCSPValidity)
		a.nextUpdate = a.thisUpdate.Add(OCSPValidity)
		a.producedAt = a.thisUpdate
	case MisbehaveWrongCertID:
		a.id.keyHash = append([]byte(nil), a.id.keyHash...)
		a.id.keyHash[0] ^= 0xff
	case MisbehaveWrongSerial:
		a.id.serial = new(big.Int).Add(a.id.serial, big.NewInt(1))
		a.status = pki.CertGood
	case MisbehaveUnauthorised:
		a.signer, err = r.rogueResponder()
		a.withCert, a.byKey = true, false
	case MisbehaveNotOCSPSigning:
		a.signer, err = r.issuedResponder(issuer, r.notSigning, "Not An OCSP Responder", false, 0)
		a.withCert, a.byKey = true, false
	case MisbehaveExpiredResponder:
		a.signer, err = r.issuedResponder(issuer, r.expired, "Expired OCSP Responder", true, -60*24*time.Hour)
		a.withCert, a.byKey = true, false
	case MisbehaveForged:
		a.corrupt = true
	case MisbehaveNoNonce:
		a.nonce = nil
	case MisbehaveWrongNonce:
		if a.nonce != nil {
			a.nonce = append([]byte(nil), a.nonce...)
			a.nonce[len(a.nonce)-1] ^= 0xff
		}
	}
	return err
}
