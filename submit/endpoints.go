package submit

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"time"

	"github.com/shinsei-app/shinsei/internal/iox"
)

// Auth is how a status inquiry or a notice download proves its right: the
// owner's session token, or the inquiry number of an anonymous submission.
type Auth struct {
	Token         string
	InquiryNumber string
}

func (a Auth) header() http.Header {
	h := http.Header{}
	if a.InquiryNumber != "" {
		h.Set(HeaderInquiry, a.InquiryNumber)
	}
	return h
}

// Procedures returns the service's catalogue (GET /procedures). It accepts
// a JSON array or an object with a "procedures" array.
func (c *Client) Procedures(ctx context.Context) ([]Procedure, error) {
	var raw json.RawMessage
	if err := c.do(ctx, call{method: http.MethodGet, path: "/procedures", ok: []int{http.StatusOK}}, c.readJSON(&raw)); err != nil {
		return nil, err
	}
	var list []Procedure
	if err := json.Unmarshal(raw, &list); err != nil {
		var wrapped struct {
			Procedures []Procedure `json:"procedures"`
		}
		if err := json.Unmarshal(raw, &wrapped); err != nil {
			return nil, badReply("procedures: not a list of procedures")
		}
		list = wrapped.Procedures
	}
	for _, p := range list {
		if p.ID == "" || !validLevel(p.Level) {
			return nil, badReply("procedures: an entry without an ID or with an unknown authentication level")
		}
	}
	return list, nil
}

// Procedure returns one procedure (GET /procedures/{id}); an unknown one
// is a *ProblemError with ReasonUnknownProcedure (or ReasonNotFound).
func (c *Client) Procedure(ctx context.Context, id string) (*Procedure, error) {
	if id == "" {
		return nil, errors.New("submit: no procedure ID")
	}
	var p Procedure
	err := c.do(ctx, call{method: http.MethodGet, path: "/procedures/" + url.PathEscape(id), ok: []int{http.StatusOK}}, c.readJSON(&p))
	if err != nil {
		return nil, err
	}
	if p.ID != id || !validLevel(p.Level) {
		return nil, badReply("procedure %q: the reply names another procedure or an unknown authentication level", id)
	}
	return &p, nil
}

func validLevel(l AuthLevel) bool {
	switch l {
	case LevelNone, LevelIDPW, LevelSignature, LevelIDPWSignature:
		return true
	}
	return false
}

// NewChallenge asks for a single-use challenge (POST /challenges) to sign
// in a registration or a certificate login.
func (c *Client) NewChallenge(ctx context.Context) (*Challenge, error) {
	var ch Challenge
	err := c.do(ctx, call{method: http.MethodPost, path: "/challenges", ok: []int{http.StatusOK, http.StatusCreated}}, c.readJSON(&ch))
	if err != nil {
		return nil, err
	}
	if ch.Challenge == "" {
		return nil, badReply("challenge: empty")
	}
	return &ch, nil
}

// Register posts a signed registration package (POST /accounts): an
// ASiC-E package whose form is a Registration signed by the applicant's
// certificate. The Account's InitialPassword is set only when the service
// generated the password.
func (c *Client) Register(ctx context.Context, pkg []byte) (*Account, error) {
	var a Account
	err := c.do(ctx, call{method: http.MethodPost, path: "/accounts", body: bytes.NewReader(pkg), size: int64(len(pkg)),
		contentType: MediaASiCE, ok: []int{http.StatusCreated, http.StatusOK}}, c.readJSON(&a))
	if err != nil {
		return nil, err
	}
	if a.AccountID == "" {
		return nil, badReply("account: no account ID")
	}
	return &a, nil
}

// Login opens a session with an ID and password (POST /sessions). Wrong
// credentials are ReasonInvalidCredentials (401), a locked account
// ReasonAccountLocked (423), throttling ReasonRateLimited (429, with
// ProblemError.RetryAfter).
func (c *Client) Login(ctx context.Context, accountID, password string) (*Session, error) {
	body, size, err := postJSON(Login{AccountID: accountID, Password: password})
	if err != nil {
		return nil, err
	}
	return c.session(ctx, "/sessions", body, size)
}

// CertificateLogin opens a session with a signed challenge (POST
// /sessions/certificate); see SignChallenge.
func (c *Client) CertificateLogin(ctx context.Context, l CertificateLogin) (*Session, error) {
	body, size, err := postJSON(l)
	if err != nil {
		return nil, err
	}
	return c.session(ctx, "/sessions/certificate", body, size)
}

func (c *Client) session(ctx context.Context, path string, body io.ReaderAt, size int64) (*Session, error) {
	var s Session
	err := c.do(ctx, call{method: http.MethodPost, path: path, body: body, size: size, contentType: MediaJSON,
		ok: []int{http.StatusOK, http.StatusCreated}}, c.readJSON(&s))
	if err != nil {
		return nil, err
	}
	if s.Token == "" || s.AccountID == "" {
		return nil, badReply("session: no token or account ID")
	}
	return &s, nil
}

// Logout ends the session (DELETE /sessions/current).
func (c *Client) Logout(ctx context.Context, token string) error {
	return c.do(ctx, call{method: http.MethodDelete, path: "/sessions/current", token: token,
		ok: []int{http.StatusNoContent, http.StatusOK}}, func(*http.Response) error { return nil })
}

// idemKeyRE is the form of an Idempotency-Key (16–64 of [A-Za-z0-9_-]).
var idemKeyRE = regexp.MustCompile(`^[A-Za-z0-9_-]{16,64}$`)

// Application is one submission.
type Application struct {
	Procedure string
	// IdempotencyKey is generated once per application (NewIdempotencyKey)
	// and sent with every attempt.
	IdempotencyKey string
	// Token is the session token, for procedures whose level needs login.
	Token string
	// MediaType is MediaASiCE for a signed package, MediaJSON for a form.
	MediaType string
	// Body is read from the start on every attempt; Size is its length.
	Body io.ReaderAt
	Size int64
	// Progress, when set, is told the bytes of Body sent so far, from 0
	// again on each attempt. It is called from the HTTP transport's
	// goroutine and must return quickly.
	Progress func(sent, total int64)
}

// Submit posts an application (POST /procedures/{id}/applications). It
// returns the receipt and whether it is a replay (200: the service had
// already stored this key with the same content). A key reused with other
// content is ReasonIdempotencyConflict.
func (c *Client) Submit(ctx context.Context, a Application) (*Receipt, bool, error) {
	if !idemKeyRE.MatchString(a.IdempotencyKey) {
		return nil, false, errors.New("submit: the idempotency key must be 16–64 of A–Z, a–z, 0–9, _ and -")
	}
	if a.MediaType != MediaASiCE && a.MediaType != MediaJSON {
		return nil, false, fmt.Errorf("submit: media type %q: want a signed package or a JSON form", a.MediaType)
	}
	var rc Receipt
	status := 0
	read := c.readJSON(&rc)
	err := c.do(ctx, call{method: http.MethodPost, path: "/procedures/" + url.PathEscape(a.Procedure) + "/applications",
		header: http.Header{HeaderIdemKey: []string{a.IdempotencyKey}}, body: a.Body, size: a.Size, progress: a.Progress,
		contentType: a.MediaType, token: a.Token, ok: []int{http.StatusCreated, http.StatusOK},
		timeout: c.timeout + time.Duration(a.Size>>20)*time.Second, // a second per MiB on top
	}, func(resp *http.Response) error { status = resp.StatusCode; return read(resp) })
	if err != nil {
		return nil, false, err
	}
	if rc.ArrivalNumber == "" {
		return nil, false, badReply("receipt: no arrival number")
	}
	if rc.Procedure != "" && rc.Procedure != a.Procedure {
		return nil, false, badReply("receipt: for procedure %q, not %q", rc.Procedure, a.Procedure)
	}
	return &rc, status == http.StatusOK, nil
}

// Status asks where an application is (GET /applications/{arrival}), as
// its owner (auth.Token) or with the inquiry number.
func (c *Client) Status(ctx context.Context, arrival string, auth Auth) (*ApplicationStatus, error) {
	if arrival == "" {
		return nil, errors.New("submit: no arrival number")
	}
	var st ApplicationStatus
	err := c.do(ctx, call{method: http.MethodGet, path: "/applications/" + url.PathEscape(arrival), header: auth.header(),
		token: auth.Token, ok: []int{http.StatusOK}}, c.readJSON(&st))
	if err != nil {
		return nil, err
	}
	if st.ArrivalNumber != arrival {
		return nil, badReply("status: for another arrival number")
	}
	return &st, nil
}

// Notice downloads an official notice's signed package (GET /notices/{id})
// into w, at most MaxNotice bytes, and returns its size. Verify it with
// signer.Verify against the LGPKI anchors before showing it.
func (c *Client) Notice(ctx context.Context, id string, auth Auth, w io.Writer) (int64, error) {
	var n int64
	err := c.do(ctx, call{method: http.MethodGet, path: "/notices/" + url.PathEscape(id), header: auth.header(),
		token: auth.Token, accept: MediaASiCE, ok: []int{http.StatusOK}, timeout: 4 * c.timeout}, func(resp *http.Response) error {
		var err error
		n, err = iox.Copy(w, resp.Body, c.maxNotice)
		if errors.Is(err, iox.ErrTooLarge) {
			return badReply("notice larger than %d bytes", c.maxNotice)
		}
		return err
	})
	return n, err
}

// NoticePDF downloads an official notice as a signed PDF (GET
// /notices/{id}/pdf, for a notice whose Notice.PDF is set) into w, at
// most MaxNotice bytes, and returns its size. Verify it with
// pades.Verify against the LGPKI anchors before showing it.
func (c *Client) NoticePDF(ctx context.Context, id string, auth Auth, w io.Writer) (int64, error) {
	var n int64
	err := c.do(ctx, call{method: http.MethodGet, path: "/notices/" + url.PathEscape(id) + "/pdf", header: auth.header(),
		token: auth.Token, accept: MediaPDF, ok: []int{http.StatusOK}, timeout: 4 * c.timeout}, func(resp *http.Response) error {
		var err error
		n, err = iox.Copy(w, resp.Body, c.maxNotice)
		if errors.Is(err, iox.ErrTooLarge) {
			return badReply("notice larger than %d bytes", c.maxNotice)
		}
		return err
	})
	return n, err
}

// Validate asks the service, as registered verifier, about a certificate
// (POST /validation).
func (c *Client) Validate(ctx context.Context, certDER []byte) (*Validation, error) {
	body, size, err := postJSON(ValidationRequest{Certificate: certDER})
	if err != nil {
		return nil, err
	}
	var v Validation
	err = c.do(ctx, call{method: http.MethodPost, path: "/validation", body: body, size: size, contentType: MediaJSON,
		ok: []int{http.StatusOK}}, c.readJSON(&v))
	if err != nil {
		return nil, err
	}
	if v.Status == "" {
		return nil, badReply("validation: no status")
	}
	return &v, nil
}

// OCSP posts a DER OCSP request to the service's validation authority
// (POST /ocsp) and returns the DER response, unverified: check it with
// certcheck's OCSP verification.
func (c *Client) OCSP(ctx context.Context, req []byte) ([]byte, error) {
	return c.postOCSP(ctx, call{path: "/ocsp"}, req)
}

// postOCSP posts a DER OCSP request to where at says and returns the DER
// response, unverified.
func (c *Client) postOCSP(ctx context.Context, at call, req []byte) ([]byte, error) {
	var out []byte
	at.method, at.body, at.size = http.MethodPost, bytes.NewReader(req), int64(len(req))
	at.contentType, at.accept, at.ok = MediaOCSPReq, MediaOCSPResp, []int{http.StatusOK}
	err := c.do(ctx, at, func(resp *http.Response) error {
		if ct := resp.Header.Get("Content-Type"); !strings.EqualFold(strings.TrimSpace(strings.Split(ct, ";")[0]), MediaOCSPResp) {
			return badReply("content type %q, want %s", ct, MediaOCSPResp)
		}
		var err error
		out, err = readLimited(resp.Body, c.maxReply)
		return err
	})
	return out, err
}
