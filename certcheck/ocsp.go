package certcheck

// OCSPSource: revocation by OCSP (RFC 6960). golang.org/x/crypto/ocsp
// builds the request and parses the answer; everything it leaves out is a
// small rule of its own in ocsp_verify.go (responder authorisation,
// responder validity, CertID match, freshness, nonce), each failing with
// its own sentinel error so that the Detail says what was wrong.

import (
	"bytes"
	"context"
	"crypto"
	"crypto/rand"
	"crypto/x509"
	"encoding/asn1"
	"encoding/base64"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"

	"golang.org/x/crypto/cryptobyte"
	cbasn1 "golang.org/x/crypto/cryptobyte/asn1"
	"golang.org/x/crypto/ocsp"
)

// More defaults for OCSPOptions fields left zero (the transport's are in
// fetch.go).
const (
	// DefaultOCSPMaxAge is how old (by thisUpdate) an answer without
	// nextUpdate may be.
	DefaultOCSPMaxAge = time.Hour

	// ocspMaxGetLength: a request whose URL-encoded base64 form is at most
	// this long goes by GET (RFC 6960 A.1.1), a longer one by POST.
	ocspMaxGetLength = 255
	ocspNonceLength  = 32
	ocspSourceName   = "ocsp"
)

// oidOCSPNonce is id-pkix-ocsp-nonce (RFC 8954).
var oidOCSPNonce = asn1.ObjectIdentifier{1, 3, 6, 1, 5, 5, 7, 48, 1, 2}

// Errors an OCSP answer is rejected with; Revocation.Detail carries the
// wrapped error's text. Each rejection has its own sentinel.
var (
	// ErrOCSPNotFetchable: no responder can be asked (no http or https
	// URL, offline without a cached answer, a request that cannot be built).
	ErrOCSPNotFetchable = errors.New("OCSP responder cannot be asked")
	// ErrOCSPUnreachable: the HTTP exchange failed (connection, timeout,
	// too many redirects, redirect to another scheme).
	ErrOCSPUnreachable = errors.New("OCSP responder could not be reached")
	// ErrOCSPHTTPStatus: the responder answered an HTTP status other than 200.
	ErrOCSPHTTPStatus = errors.New("OCSP responder answered with an HTTP error")
	// ErrOCSPTooLarge: the reply is over OCSPOptions.MaxSize.
	ErrOCSPTooLarge = errors.New("OCSP response is larger than the size limit")
	// ErrOCSPMalformed: the reply is not a well-formed basic OCSP response.
	ErrOCSPMalformed = errors.New("malformed OCSP response")
	// ErrOCSPResponseStatus: the responder answered an error status
	// (malformedRequest, internalError, tryLater, sigRequired, unauthorized).
	ErrOCSPResponseStatus = errors.New("OCSP responder gave no certificate status")
	// ErrOCSPSignature: the response's signature does not verify.
	ErrOCSPSignature = errors.New("OCSP response signature does not verify")
	// ErrOCSPUnauthorized: the signer is neither the CA, a responder the CA
	// certified, nor a locally trusted responder (RFC 6960 §4.2.2.2).
	ErrOCSPUnauthorized = errors.New("OCSP response is signed by a responder not authorised for the CA")
	// ErrOCSPNotOCSPSigning: a responder the CA certified lacks the
	// id-kp-OCSPSigning extended key usage.
	ErrOCSPNotOCSPSigning = errors.New("OCSP responder certificate lacks id-kp-OCSPSigning")
	// ErrOCSPResponderInvalid: the responder's certificate is expired or
	// not yet valid.
	ErrOCSPResponderInvalid = errors.New("OCSP responder certificate is not valid now")
	// ErrOCSPCertIDMismatch: the answer's CertID (hash algorithm, issuer
	// name hash, issuer key hash, serial) is not the request's.
	ErrOCSPCertIDMismatch = errors.New("OCSP response is about another certificate (CertID mismatch)")
	// ErrOCSPNotYetValid: thisUpdate or producedAt is in the future,
	// beyond the clock skew.
	ErrOCSPNotYetValid = errors.New("OCSP response is dated in the future")
	// ErrOCSPStale: nextUpdate has passed, or an answer without nextUpdate
	// is older than OCSPOptions.MaxAge.
	ErrOCSPStale = errors.New("OCSP response is stale")
	// ErrOCSPNonce: a nonce was sent and the answer does not echo it.
	ErrOCSPNonce = errors.New("OCSP response does not echo the request's nonce")
	// ErrOCSPCritical: the answer has a critical extension this package
	// does not understand.
	ErrOCSPCritical = errors.New("OCSP response has an unsupported critical extension")
)

// OCSPOptions configure an OCSPSource, a VASource's transport, and
// VerifyOCSPResponse. The zero value asks the responder named in each
// certificate's AIA with a SHA-1 CertID and no nonce, with the
// DefaultOCSP… limits.
type OCSPOptions struct {
	// URL, when set, is asked instead of the responder named in each
	// certificate's AIA, and for certificates that name none.
	URL string
	// TrustedResponders are responder certificates trusted directly for
	// every CA (RFC 6960 §2.2 "trusted responder", §4.2.2.2 local
	// configuration): a validation authority. Only their validity period
	// is checked; they need no path to a root.
	TrustedResponders []*x509.Certificate
	// Hash is the CertID hash algorithm: zero means crypto.SHA1, which
	// responders widely require; crypto.SHA256, SHA384 and SHA512 are allowed.
	Hash crypto.Hash
	// Nonce sends an RFC 8954 nonce (32 random bytes) with every request
	// and rejects an answer that does not echo it.
	Nonce bool
	// FetchOptions bound the requests; MaxSize also bounds the disk
	// cache's files, and ClockSkew is tolerated around thisUpdate,
	// nextUpdate and the responder certificate's validity.
	FetchOptions
	// MaxAge is how old an answer without nextUpdate may be.
	MaxAge time.Duration
	// CacheDir keeps verified answers on disk until their nextUpdate,
	// across runs; they are verified again when read. Empty means memory only.
	CacheDir string
	// Offline forbids the network: only cached answers are used.
	Offline bool
	// Now is the clock freshness is judged by; nil means time.Now. An OCSP
	// answer states the status now, so Query.At does not enter into it.
	Now func() time.Time
}

func (o OCSPOptions) withDefaults() OCSPOptions {
	if o.Hash == 0 {
		o.Hash = crypto.SHA1
	}
	o.FetchOptions = o.FetchOptions.withDefaults(ocspFetchDefaults)
	if o.MaxAge <= 0 {
		o.MaxAge = DefaultOCSPMaxAge
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	return o
}

// OCSPSource answers revocation queries by asking OCSP responders. Verified
// answers are kept in memory (and in CacheDir) until their nextUpdate. It
// is safe for concurrent use.
type OCSPSource struct {
	opts   OCSPOptions
	name   string
	client *http.Client
	// exchange sends a DER request to the responder at u and returns
	// the DER reply: s.fetch, or a VA's own transport.
	exchange func(ctx context.Context, u string, req []byte) ([]byte, error)

	mu    sync.Mutex
	cache map[string]ocspCacheEntry
}

// ErrInvalidOptions: a source's options cannot work (an unsupported hash,
// a URL that is not http or https, a missing required field).
var ErrInvalidOptions = errors.New("certcheck: invalid options")

// NewOCSPSource checks opts and returns a source. An unsupported Hash or a
// URL that is not http or https is an error wrapping ErrInvalidOptions.
func NewOCSPSource(opts OCSPOptions) (*OCSPSource, error) {
	return newOCSPSource(opts, ocspSourceName)
}

func newOCSPSource(opts OCSPOptions, name string) (*OCSPSource, error) {
	opts = opts.withDefaults()
	switch opts.Hash {
	case crypto.SHA1, crypto.SHA256, crypto.SHA384, crypto.SHA512:
	default:
		return nil, fmt.Errorf("%w: OCSP CertID hash %v is not supported", ErrInvalidOptions, opts.Hash)
	}
	if opts.URL != "" && !fetchable(opts.URL) {
		return nil, fmt.Errorf("%w: OCSP responder URL %q is not http or https", ErrInvalidOptions, opts.URL)
	}
	for _, c := range opts.TrustedResponders {
		if c == nil {
			return nil, fmt.Errorf("%w: nil trusted OCSP responder certificate", ErrInvalidOptions)
		}
	}
	s := &OCSPSource{opts: opts, name: name, cache: map[string]ocspCacheEntry{}}
	s.client = opts.client()
	s.exchange = s.fetch
	return s, nil
}

// Check asks the responder for q.Cert's status. It reports ok=false when
// there is no responder to ask (no AIA OCSP URL and no URL configured) or
// no issuer; any failure is StatusUnknown with a Detail.
func (s *OCSPSource) Check(ctx context.Context, q Query) (Revocation, bool) {
	if q.Cert == nil || q.Issuer == nil {
		return Revocation{}, false
	}
	u := s.opts.URL
	if u == "" {
		if len(q.Cert.OCSPServer) == 0 {
			return Revocation{}, false
		}
		for _, candidate := range q.Cert.OCSPServer {
			if fetchable(candidate) {
				u = candidate
				break
			}
		}
		if u == "" {
			return s.unknown(q.Cert.OCSPServer[0], fmt.Errorf("%w: the certificate names no http or https responder", ErrOCSPNotFetchable)), true
		}
	}
	rev, err := s.status(ctx, q, u)
	if errors.Is(err, ErrVANotServing) {
		return Revocation{}, false
	}
	if err != nil {
		return s.unknown(u, err), true
	}
	return rev, true
}

func (s *OCSPSource) unknown(location string, err error) Revocation {
	return Revocation{Status: StatusUnknown, Source: s.name, Location: location, Detail: err.Error()}
}

func (s *OCSPSource) status(ctx context.Context, q Query, u string) (Revocation, error) {
	reqDER, err := ocsp.CreateRequest(q.Cert, q.Issuer, &ocsp.RequestOptions{Hash: s.opts.Hash})
	if err != nil {
		return Revocation{}, fmt.Errorf("%w: build request: %w", ErrOCSPNotFetchable, err)
	}
	key := ocspCacheKey(u, reqDER)
	if rev, ok := s.fromCache(key, q, s.opts.Now()); ok {
		rev.Source, rev.Location = s.name, u
		return rev, nil
	}
	if s.opts.Offline {
		return Revocation{}, fmt.Errorf("%w: offline, and no fresh answer is cached", ErrOCSPNotFetchable)
	}
	wire, nonce := reqDER, []byte(nil)
	if s.opts.Nonce {
		nonce = make([]byte, ocspNonceLength)
		if _, err := rand.Read(nonce); err != nil {
			return Revocation{}, fmt.Errorf("%w: nonce: %w", ErrOCSPNotFetchable, err)
		}
		if wire, err = ocspWithNonce(reqDER, nonce); err != nil {
			return Revocation{}, fmt.Errorf("%w: build request: %w", ErrOCSPNotFetchable, err)
		}
	}
	der, err := s.exchange(ctx, u, wire)
	if err != nil {
		return Revocation{}, err
	}
	rev, err := verifyOCSP(der, q.Cert, q.Issuer, nonce, s.opts, s.opts.Now())
	if err != nil {
		return Revocation{}, err
	}
	rev.Source, rev.Location, rev.OCSPResponse = s.name, u, der
	s.store(key, der, rev)
	return rev, nil
}

// fetch sends req to the responder at u — GET when the encoded request is
// short enough, POST otherwise — and reads the reply through the size cap.
func (s *OCSPSource) fetch(ctx context.Context, u string, req []byte) ([]byte, error) {
	ctx, cancel := context.WithTimeout(ctx, s.opts.FetchTimeout)
	defer cancel()
	method := http.MethodGet
	encoded := url.QueryEscape(base64.StdEncoding.EncodeToString(req))
	var hreq *http.Request
	var err error
	if len(encoded) <= ocspMaxGetLength {
		hreq, err = http.NewRequestWithContext(ctx, method, strings.TrimSuffix(u, "/")+"/"+encoded, nil)
	} else {
		method = http.MethodPost
		hreq, err = http.NewRequestWithContext(ctx, method, u, bytes.NewReader(req))
		if err == nil {
			hreq.Header.Set("Content-Type", "application/ocsp-request")
		}
	}
	if err != nil {
		return nil, fmt.Errorf("%w: %s: %w", ErrOCSPNotFetchable, u, err)
	}
	hreq.Header.Set("Accept", "application/ocsp-response")
	resp, err := s.client.Do(hreq)
	if err != nil {
		return nil, fmt.Errorf("%w: %s %s: %w", ErrOCSPUnreachable, method, u, ocspTransportError(err, s.opts.FetchTimeout))
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("%w: %s %s: HTTP %s", ErrOCSPHTTPStatus, method, u, resp.Status)
	}
	body, err := s.opts.readReply(resp, ErrOCSPTooLarge)
	if errors.Is(err, ErrOCSPTooLarge) {
		return nil, err
	}
	if err != nil {
		return nil, fmt.Errorf("%w: %s %s: reading the reply: %w", ErrOCSPUnreachable, method, u, ocspTransportError(err, s.opts.FetchTimeout))
	}
	return body, nil
}

// ocspTransportError strips the request URL from a client error (a GET URL
// carries the request, and so the serial number) and names a timeout.
func ocspTransportError(err error, timeout time.Duration) error {
	var ue *url.Error
	if errors.As(err, &ue) {
		err = ue.Err
	}
	if errors.Is(err, context.DeadlineExceeded) || (ue != nil && ue.Timeout()) {
		return fmt.Errorf("no answer within %v: %w", timeout, err)
	}
	return err
}

// ocspWithNonce adds an RFC 8954 nonce extension to a request made by
// ocsp.CreateRequest, which cannot carry extensions: requestExtensions
// [2] EXPLICIT is appended to the TBSRequest.
func ocspWithNonce(req, nonce []byte) ([]byte, error) {
	in := cryptobyte.String(req)
	var outer, tbs cryptobyte.String
	if !in.ReadASN1(&outer, cbasn1.SEQUENCE) || !in.Empty() || !outer.ReadASN1(&tbs, cbasn1.SEQUENCE) || !outer.Empty() {
		return nil, errors.New("unexpected OCSP request encoding")
	}
	var b cryptobyte.Builder
	b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
		b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
			b.AddBytes(tbs)
			b.AddASN1(cbasn1.Tag(2).Constructed().ContextSpecific(), func(b *cryptobyte.Builder) {
				b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
					b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
						b.AddASN1ObjectIdentifier(oidOCSPNonce)
						b.AddASN1(cbasn1.OCTET_STRING, func(b *cryptobyte.Builder) {
							b.AddASN1OctetString(nonce)
						})
					})
				})
			})
		})
	})
	return b.Bytes()
}
