package service

import (
	"bytes"
	"crypto/x509"
	"encoding/base64"
	"io"
	"net/http"
	"net/url"
	"strings"
	"time"

	"golang.org/x/crypto/ocsp"

	"github.com/shinsei-app/shinsei/certcheck"
	"github.com/shinsei-app/shinsei/sandbox/responder"
	"github.com/shinsei-app/shinsei/submit"
)

// maxOCSPRequest caps an OCSP request body.
const maxOCSPRequest = 64 << 10

// handleValidation answers POST /validation: the revocation status of a
// certificate issued by one of the authorities the service serves, as the
// registered verifier knows it (JPKI included). The status is revocation
// only, as an OCSP answer's is; validity periods and paths are for the
// client's own check.
func (s *Service) handleValidation(w http.ResponseWriter, r *http.Request) {
	if p := s.throttle(r); p != nil {
		writeProblem(w, p)
		return
	}
	if _, p := wantMedia(r, submit.MediaJSON); p != nil {
		writeProblem(w, p)
		return
	}
	if p := limitBody(w, r, s.limits.MaxJSONBytes); p != nil {
		writeProblem(w, p)
		return
	}
	req, p := decodeValidation(r.Body, s.limits.MaxJSONBytes)
	if p != nil {
		writeProblem(w, p)
		return
	}
	cert, err := x509.ParseCertificate(req.Certificate)
	if err != nil {
		writeProblem(w, fail(submit.ReasonBadRequest, "certificate: not a DER certificate"))
		return
	}
	issuer := s.issuerOf(cert)
	if issuer == nil {
		writeProblem(w, fail(submit.ReasonCertificateUntrusted, "certificate: not issued by an authority this service serves"))
		return
	}
	now := s.now()
	rev, _ := s.source.Check(r.Context(), certcheck.Query{Cert: cert, Issuer: issuer, At: now})
	writeJSON(w, http.StatusOK, submit.Validation{Status: string(rev.Status), Reason: rev.Reason,
		RevokedAt: rev.RevokedAt, CheckedAt: now.In(jst).Truncate(time.Second)})
}

// issuerOf returns the sandbox CA certificate that issued cert (the CA
// itself for a self-signed root), or nil.
func (s *Service) issuerOf(cert *x509.Certificate) *x509.Certificate {
	for _, ca := range anchorCAs(s.cfg.PKI) {
		if bytes.Equal(cert.RawIssuer, ca.Cert.RawSubject) && cert.CheckSignatureFrom(ca.Cert) == nil {
			return ca.Cert
		}
	}
	return nil
}

// handleOCSP answers OCSP requests (POST with the DER body, or GET with
// it URL-encoded in the path, RFC 6960 A.1) as a validation authority
// for every sandbox CA, signed by the VA certificate (VACert).
func (s *Service) handleOCSP(w http.ResponseWriter, r *http.Request) {
	if p := s.throttle(r); p != nil {
		writeProblem(w, p)
		return
	}
	var reqDER []byte
	switch r.Method {
	case http.MethodPost:
		if _, p := wantMedia(r, submit.MediaOCSPReq); p != nil {
			writeProblem(w, p)
			return
		}
		if p := limitBody(w, r, maxOCSPRequest); p != nil {
			writeProblem(w, p)
			return
		}
		body, err := io.ReadAll(r.Body)
		if err != nil {
			writeProblem(w, fail(submit.ReasonTooLarge, "OCSP request"))
			return
		}
		reqDER = body
	default:
		rest := strings.TrimPrefix(r.URL.EscapedPath(), submit.APIPrefix+"/ocsp/")
		unescaped, err := url.PathUnescape(rest)
		if err == nil {
			reqDER, err = base64.StdEncoding.DecodeString(unescaped)
		}
		if err != nil {
			writeOCSP(w, ocsp.MalformedRequestErrorResponse)
			return
		}
	}
	der, err := responder.RespondVA(s.cfg.PKI, s.cfg.Registry, s.va, reqDER)
	if err != nil {
		writeOCSP(w, ocsp.InternalErrorErrorResponse)
		return
	}
	writeOCSP(w, der)
}

func writeOCSP(w http.ResponseWriter, der []byte) {
	w.Header().Set("Content-Type", submit.MediaOCSPResp)
	_, _ = w.Write(der)
}
