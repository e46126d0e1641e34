package submit

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"net"
	"net/http"
	"strings"
	"time"
)

// Sentinel errors. Every error of this package that belongs to one of
// these kinds wraps the sentinel, so callers test with errors.Is.
var (
	// ErrUntrustedServer means the TLS connection to the service was
	// refused by this client: its certificate does not chain to a
	// configured anchor, is not valid for the host name, is expired, or
	// the server offers only TLS older than 1.2. The *TLSError in the
	// chain says which.
	ErrUntrustedServer = errors.New("submit: the service is not trusted")
	// ErrUnreachable means the service could not be reached or did not
	// answer in time: no route, refused connection, reset, DNS failure,
	// request timeout. Whether a request that was sent took effect is
	// unknown.
	ErrUnreachable = errors.New("submit: the service cannot be reached")
	// ErrBadReply means the service answered something this client cannot
	// read: not the JSON it should be, missing fields, a redirect, or a
	// reply larger than the configured cap.
	ErrBadReply = errors.New("submit: the service's reply cannot be read")
	// ErrNotAPI means the address answers over HTTPS, but not as the
	// service's API: a page that is not found without the API's Problem
	// (a web site, a wrong path) or a reply that is not JSON. Nothing was
	// taken.
	ErrNotAPI = errors.New("submit: the address answers, but not as the service's API")
	// ErrRefused is matched by every *ProblemError: the service answered
	// with an error status and (usually) a Problem.
	ErrRefused = errors.New("submit: refused by the service")
	// ErrNoKeyring means no OS keyring could be used: no D-Bus session or
	// Secret Service on Linux, an unsupported platform, a keyring that
	// stays locked, or one that did not answer.
	ErrNoKeyring = errors.New("submit: no OS keyring is available")
	// ErrNotStored means the keyring holds no such entry (no password for
	// the account, no session, no default account).
	ErrNotStored = errors.New("submit: nothing stored in the keyring")
	// ErrSecretTooLarge means a secret is larger than every platform's
	// keyring accepts (Windows: 2560 bytes).
	ErrSecretTooLarge = errors.New("submit: secret too large for the OS keyring")
	// ErrKept is matched by a *SendError whose application stays in the
	// outbox, to be sent again with the same idempotency key.
	ErrKept = errors.New("submit: the application is kept in the outbox")
)

// ProblemError is the service's refusal of a request: the HTTP status and
// the Problem it sent. When the reply carried no readable Problem, Problem
// has an empty Reason.
//
// errors.Is(err, ErrRefused) holds for every ProblemError, and
// errors.Is(err, &ProblemError{Problem: Problem{Reason: r}}) holds when
// the reason is r; IsReason is shorthand for the latter.
type ProblemError struct {
	Status  int
	Problem Problem
	// RetryAfter is the service's Retry-After (429, 503), zero if none.
	RetryAfter time.Duration
}

// Error says what was refused, with the reason and the service's English
// message (which, by the API contract, never holds personal data).
func (e *ProblemError) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "submit: refused by the service (HTTP %d", e.Status)
	if e.Problem.Reason != "" {
		fmt.Fprintf(&b, ", %s", e.Problem.Reason)
	}
	b.WriteString(")")
	if e.Problem.MessageEN != "" {
		b.WriteString(": ")
		b.WriteString(e.Problem.MessageEN)
	}
	if e.Problem.Detail != "" {
		fmt.Fprintf(&b, " [%s]", e.Problem.Detail)
	}
	if e.RetryAfter > 0 {
		fmt.Fprintf(&b, " (retry after %s)", e.RetryAfter)
	}
	return b.String()
}

// Is matches ErrRefused, and a *ProblemError target with the same
// non-empty reason.
func (e *ProblemError) Is(target error) bool {
	if target == ErrRefused {
		return true
	}
	t, ok := target.(*ProblemError)
	return ok && t.Problem.Reason != "" && t.Problem.Reason == e.Problem.Reason
}

// Definite reports whether the refusal is final for this request: a 4xx
// with a reason, other than those that may succeed later as they are
// (408 timeout, 429 rate limit) or after the user acts on credentials
// (401 login, 423 locked account, 407 proxy authentication).
func (e *ProblemError) Definite() bool {
	if e.Problem.Reason == "" || e.Status < 400 || e.Status >= 500 {
		return false
	}
	switch e.Status {
	case http.StatusRequestTimeout, http.StatusTooManyRequests, http.StatusUnauthorized,
		http.StatusLocked, http.StatusProxyAuthRequired:
		return false
	}
	switch e.Problem.Reason {
	case ReasonRateLimited, ReasonLoginRequired, ReasonInvalidCredentials, ReasonAccountLocked, ReasonInternal:
		return false
	}
	return true
}

// IsReason reports whether err is (or wraps) a refusal for reason r.
func IsReason(err error, r Reason) bool {
	return errors.Is(err, &ProblemError{Problem: Problem{Reason: r}})
}

// ReasonOf returns the service's reason for a refusal in err's chain.
func ReasonOf(err error) (Reason, bool) {
	var pe *ProblemError
	if errors.As(err, &pe) && pe.Problem.Reason != "" {
		return pe.Problem.Reason, true
	}
	return "", false
}

// TLSFailure names why a TLS connection was refused.
type TLSFailure string

// The ways a server fails TLS verification.
const (
	// TLSUnknownAuthority: the certificate does not chain to a configured anchor.
	TLSUnknownAuthority TLSFailure = "unknown-authority"
	// TLSHostMismatch: the certificate is not valid for the host name in the URL.
	TLSHostMismatch TLSFailure = "host-name-mismatch"
	// TLSCertificateInvalid: expired, not yet valid, or otherwise invalid.
	TLSCertificateInvalid TLSFailure = "certificate-invalid"
	// TLSOldVersion: the server offers only TLS 1.1 or older.
	TLSOldVersion TLSFailure = "tls-version-too-old"
)

// TLSError is a refused TLS connection; it wraps ErrUntrustedServer and
// the underlying crypto/tls or crypto/x509 error.
type TLSError struct {
	Failure TLSFailure
	Host    string
	Err     error
}

// Error says which check failed, in words that differ per failure.
func (e *TLSError) Error() string {
	var what string
	switch e.Failure {
	case TLSUnknownAuthority:
		what = "its certificate is issued by an authority that is not among the configured anchors"
	case TLSHostMismatch:
		what = "its certificate is not valid for the host name " + e.Host
	case TLSCertificateInvalid:
		what = "its certificate is not valid (expired, not yet valid or unusable)"
	case TLSOldVersion:
		what = "it offers only TLS older than 1.2, which this client refuses"
	default:
		what = "the TLS handshake failed"
	}
	return fmt.Sprintf("%v: %s: %v", ErrUntrustedServer, what, e.Err)
}

// Unwrap gives ErrUntrustedServer and the cause.
func (e *TLSError) Unwrap() []error { return []error{ErrUntrustedServer, e.Err} }

// NetError is a failure to reach the service or to read its answer; it
// wraps ErrUnreachable and the cause.
type NetError struct {
	Op      string // "connect", "request", "read reply"
	Timeout bool
	// Sent is set when the whole request had gone out before the failure
	// (the reply was lost): the service may have acted on it. Unset, the
	// request never reached the service in full, so it cannot have.
	Sent bool
	Err  error
}

// Error says what failed.
func (e *NetError) Error() string {
	if e.Timeout {
		return fmt.Sprintf("%v: %s: no answer in time: %v", ErrUnreachable, e.Op, e.Err)
	}
	return fmt.Sprintf("%v: %s: %v", ErrUnreachable, e.Op, e.Err)
}

// Unwrap gives ErrUnreachable and the cause.
func (e *NetError) Unwrap() []error { return []error{ErrUnreachable, e.Err} }

// sent marks a *NetError as failing after the whole request went out.
func sent(err error, wrote bool) error {
	var ne *NetError
	if wrote && errors.As(err, &ne) {
		ne.Sent = true
	}
	return err
}

// MayHaveArrived reports whether a request that failed with err may
// nonetheless have taken effect at the service: the whole request went
// out and its reply was lost (*NetError.Sent), or the reply could not be
// read (ErrBadReply). A refusal, an untrusted server, or a failure before
// the request went out in full is a definite "not taken".
func MayHaveArrived(err error) bool {
	var ne *NetError
	if errors.As(err, &ne) {
		return ne.Sent
	}
	return errors.Is(err, ErrBadReply)
}

// classifyTransport turns an error of http.Client.Do (or of reading a
// body) into a *TLSError, a *NetError or the parent context's error.
func classifyTransport(parent context.Context, host, op string, err error) error {
	if perr := parent.Err(); perr != nil {
		return fmt.Errorf("submit: %s: %w", op, perr)
	}
	if te := tlsFailure(host, err); te != nil {
		return te
	}
	timeout := errors.Is(err, context.DeadlineExceeded)
	var ne net.Error
	if errors.As(err, &ne) && ne.Timeout() {
		timeout = true
	}
	return &NetError{Op: op, Timeout: timeout, Err: err}
}

func tlsFailure(host string, err error) *TLSError {
	var (
		unknown  x509.UnknownAuthorityError
		hostname x509.HostnameError
		invalid  x509.CertificateInvalidError
		cve      *tls.CertificateVerificationError
		op       *net.OpError
	)
	switch {
	case errors.As(err, &unknown):
		return &TLSError{Failure: TLSUnknownAuthority, Host: host, Err: err}
	case errors.As(err, &hostname):
		return &TLSError{Failure: TLSHostMismatch, Host: host, Err: err}
	case errors.As(err, &invalid):
		return &TLSError{Failure: TLSCertificateInvalid, Host: host, Err: err}
	case errors.As(err, &cve):
		return &TLSError{Failure: TLSCertificateInvalid, Host: host, Err: err}
	}
	msg := err.Error()
	// The server refused every version we offer (a modern server limited
	// to ≤ TLS 1.1 answers with a protocol_version alert), or an old server
	// ignored the supported_versions extension and picked TLS 1.0/1.1.
	if strings.Contains(msg, "server selected unsupported protocol version") ||
		(errors.As(err, &op) && op.Op == "remote error" && strings.Contains(op.Err.Error(), "protocol version")) {
		return &TLSError{Failure: TLSOldVersion, Host: host, Err: err}
	}
	return nil
}

// Retryable reports whether a request that failed with err may succeed if
// sent again unchanged: the service could not be reached, timed out,
// answered garbage or a 5xx, or asked to slow down (408, 429).
func Retryable(err error) bool {
	if errors.Is(err, ErrUnreachable) || errors.Is(err, ErrBadReply) {
		return true
	}
	var pe *ProblemError
	if errors.As(err, &pe) {
		return pe.Status >= 500 || pe.Status == http.StatusRequestTimeout || pe.Status == http.StatusTooManyRequests
	}
	return false
}

// badReply wraps ErrBadReply with what was wrong.
func badReply(format string, a ...any) error {
	return fmt.Errorf("%w: %s", ErrBadReply, fmt.Sprintf(format, a...))
}
