package responder

import (
	"crypto"
	"crypto/x509"
	"encoding/asn1"
	"fmt"
	"io"
	"net/http"
	"time"

	"github.com/digitorus/timestamp"

	"github.com/shinsei-app/shinsei/sandbox/pki"
)

// TSAPolicy is the policy the sandbox time-stamp authority issues its
// tokens under (an arc of the private enterprise range, sandbox only).
var TSAPolicy = asn1.ObjectIdentifier{1, 3, 6, 1, 4, 1, 99999, 3161, 1}

// maxTSARequest bounds a time-stamp request's body; a real one is about
// a hundred bytes.
const maxTSARequest = 8 << 10

// newTSA issues the sandbox time-stamp authority's certificate from the
// private CA, valid from a day before now for three years.
func newTSA(p *pki.PKI, now time.Time) (*pki.TSA, error) {
	cred, err := p.Private.IssueTSA("Shinsei Sandbox Time-Stamp Authority", now.Add(-24*time.Hour), now.Add(3*365*24*time.Hour))
	if err != nil {
		return nil, fmt.Errorf("responder: time-stamp authority: %w", err)
	}
	return cred, nil
}

// TSAURL returns the URL of the time-stamp authority (RFC 3161 over
// HTTP: POST application/timestamp-query).
func (r *Server) TSAURL() string { return r.URL + "/tsa" }

// serveTSA answers a time-stamp request with a token signed by r.TSA,
// the authority's certificate included.
func (r *Server) serveTSA(w http.ResponseWriter, req *http.Request) {
	if req.Method != http.MethodPost {
		w.Header().Set("Allow", http.MethodPost)
		http.Error(w, "POST a time-stamp request", http.StatusMethodNotAllowed)
		return
	}
	body, err := io.ReadAll(http.MaxBytesReader(w, req.Body, maxTSARequest))
	if err != nil {
		http.Error(w, "request too large", http.StatusRequestEntityTooLarge)
		return
	}
	w.Header().Set("Content-Type", "application/timestamp-reply")
	tsq, err := timestamp.ParseRequest(body)
	if err != nil {
		reply, _ := timestamp.CreateErrorResponse(timestamp.Rejection, timestamp.BadDataFormat)
		_, _ = w.Write(reply)
		return
	}
	resp, err := TimestampReply(r.TSA, tsq, time.Now())
	if err != nil {
		reply, _ := timestamp.CreateErrorResponse(timestamp.Rejection, timestamp.BadAlgorithm)
		_, _ = w.Write(reply)
		return
	}
	_, _ = w.Write(resp)
}

// TimestampReply returns a DER TimeStampResp granting tsq, signed by tsa
// at genTime with its certificate included: what the sandbox authority
// answers, and what tests use to make tokens of other authorities.
func TimestampReply(tsa *pki.TSA, tsq *timestamp.Request, genTime time.Time) ([]byte, error) {
	ts := timestamp.Timestamp{
		HashAlgorithm:     tsq.HashAlgorithm,
		HashedMessage:     tsq.HashedMessage,
		Time:              genTime.UTC(),
		Accuracy:          time.Second,
		Policy:            TSAPolicy,
		Nonce:             tsq.Nonce,
		AddTSACertificate: true,
	}
	var chain []*x509.Certificate
	chain = append(chain, tsa.Intermediates...)
	ts.Certificates = chain
	return ts.CreateResponseWithOpts(tsa.Cert, tsa.Key, crypto.SHA256)
}
