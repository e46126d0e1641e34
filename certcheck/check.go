package certcheck

import (
	"context"
	"crypto/sha256"
	"crypto/x509"
	"encoding/hex"
	"errors"
	"fmt"
	"math/big"
	"time"
)

// Status is the revocation status of one certificate.
type Status string

// Revocation statuses. StatusGood is only ever given on an answer that was
// checked (signature, freshness, responder authority); anything a source
// cannot establish is StatusUnknown.
const (
	StatusGood    Status = "good"
	StatusRevoked Status = "revoked"
	// StatusOnHold is a suspension (CRL reason certificateHold) that may be lifted.
	StatusOnHold Status = "on-hold"
	// StatusUnknown means no source could give a valid answer (network
	// failure, stale or forged data, a responder that does not know it).
	StatusUnknown Status = "unknown"
	// StatusNotCheckable means revocation data exists but may not be read
	// here: JPKI gives it only to registered verifiers, so the service checks it.
	StatusNotCheckable Status = "not-checkable-here"
	// StatusNotChecked is for the trust anchor itself, which has no issuer
	// to revoke it.
	StatusNotChecked Status = "not-checked"
)

// Revocation is what a source said about one certificate.
type Revocation struct {
	Status Status `json:"status"`
	// Reason is the RFC 5280 CRLReason name for revoked and on-hold.
	Reason    string    `json:"reason,omitempty"`
	RevokedAt time.Time `json:"revoked_at,omitzero"`
	// Source is "crl", "ocsp", "va" or "service"; Location the file or URL.
	Source     string    `json:"source,omitempty"`
	Location   string    `json:"location,omitempty"`
	ThisUpdate time.Time `json:"this_update,omitzero"`
	NextUpdate time.Time `json:"next_update,omitzero"`
	// Detail says, in English, why the status is unknown or what was
	// rejected (a forged signature, a stale answer, …).
	Detail string `json:"detail,omitempty"`
	// OCSPResponse (an "ocsp" or "va" answer) and CRLs (a good "crl"
	// answer: the complete CRLs and deltas used) are the signed DER the
	// answer rests on, for a signature to carry as long-term validation
	// data (signer.ValidationData). The service's own answers have none.
	OCSPResponse []byte   `json:"-"`
	CRLs         [][]byte `json:"-"`
}

// Query is what a revocation source is asked about one certificate.
type Query struct {
	Cert, Issuer *x509.Certificate
	// Path is the validated path, leaf first, anchor last.
	Path []*x509.Certificate
	// Roots and Intermediates are the check's options, for sources that must
	// validate a CRL issuer or a responder of their own.
	Roots, Intermediates []*x509.Certificate
	At                   time.Time
}

// Source answers revocation queries. Check reports ok=false when the source
// has nothing to say about the certificate (no distribution point, not its
// CA), so that the next source is asked. It never reports StatusGood unless
// the answer was fully checked; a failure is StatusUnknown with a Detail.
type Source interface {
	Check(ctx context.Context, q Query) (r Revocation, ok bool)
}

// Outcome is the overall verdict of a check.
type Outcome string

// Outcomes, which map onto the command line's exit codes 0, 1 and 4.
const (
	Good          Outcome = "good"
	Bad           Outcome = "bad"
	Indeterminate Outcome = "indeterminate"
)

// More reasons a check gives.
const (
	ReasonRevoked           Reason = "revoked"
	ReasonOnHold            Reason = "on-hold"
	ReasonRevocationUnknown Reason = "revocation-unknown"
)

// CertResult is the finding for one certificate on the path.
type CertResult struct {
	Cert       *x509.Certificate `json:"-"`
	Subject    string            `json:"subject"`
	Issuer     string            `json:"issuer"`
	SerialSHA  string            `json:"serial_sha256"`
	NotBefore  time.Time         `json:"not_before"`
	NotAfter   time.Time         `json:"not_after"`
	Anchor     bool              `json:"anchor,omitempty"`
	Revocation Revocation        `json:"revocation"`
}

// Result is the outcome of Check: the verdict, its reason, and a finding
// per certificate on the path (leaf first) when a path was found.
type Result struct {
	Outcome Outcome `json:"outcome"`
	Reason  Reason  `json:"reason,omitempty"`
	Detail  string  `json:"detail,omitempty"`
	// Domain is the PKI of the anchor the path ends in.
	Domain Domain       `json:"domain,omitempty"`
	Path   []CertResult `json:"path,omitempty"`
}

// Check validates leaf for signing (VerifySigning) and then asks
// opts.Sources, in order, for the revocation status of every certificate
// on the path but the anchor. A revoked or on-hold certificate makes the
// result Bad. A certificate no source could answer for is Indeterminate
// when opts.RequireRevocation is set (hard fail) and otherwise left with
// its unknown status while the result stays Good (soft fail).
func Check(ctx context.Context, leaf *x509.Certificate, opts Options) *Result {
	at := opts.At
	if at.IsZero() {
		at = time.Now()
		opts.At = at
	}
	chain, err := VerifySigning(leaf, opts)
	if err != nil {
		res := &Result{Outcome: Bad, Reason: ReasonInvalid, Detail: err.Error()}
		var ce *Error
		if errors.As(err, &ce) {
			res.Reason = ce.Reason
		}
		return res
	}
	res := &Result{Outcome: Good, Domain: DomainOf(chain[len(chain)-1])}
	for i, c := range chain {
		cr := CertResult{Cert: c, Subject: c.Subject.String(), Issuer: c.Issuer.String(),
			SerialSHA: SerialSHA256(c.SerialNumber), NotBefore: c.NotBefore, NotAfter: c.NotAfter}
		if i == len(chain)-1 {
			cr.Anchor = true
			cr.Revocation = Revocation{Status: StatusNotChecked}
		} else {
			cr.Revocation = askSources(ctx, opts.Sources, Query{Cert: c, Issuer: chain[i+1], Path: chain,
				Roots: opts.Roots, Intermediates: opts.Intermediates, At: at})
			cr.Revocation = revokedLater(cr.Revocation, at)
		}
		res.Path = append(res.Path, cr)
	}
	res.Outcome, res.Reason = verdict(res.Path, opts.RequireRevocation)
	return res
}

// revokedLater turns a revocation dated after at into good at at: a
// signature proven (by a time-stamp) to exist before its certificate was
// revoked stays valid. A revocation without a date, or dated at or
// before at, stands.
func revokedLater(r Revocation, at time.Time) Revocation {
	if r.Status != StatusRevoked || r.RevokedAt.IsZero() || !r.RevokedAt.After(at) {
		return r
	}
	r.Detail = fmt.Sprintf("revoked on %s (%s), after %s, the time checked", r.RevokedAt.UTC().Format(time.RFC3339), r.Reason, at.UTC().Format(time.RFC3339))
	r.Status, r.Reason = StatusGood, ""
	return r
}

func askSources(ctx context.Context, sources []Source, q Query) Revocation {
	best := Revocation{Status: StatusUnknown, Detail: "no revocation source covers this certificate"}
	for _, s := range sources {
		r, ok := s.Check(ctx, q)
		if !ok {
			continue
		}
		switch r.Status {
		case StatusGood, StatusRevoked, StatusOnHold:
			return r
		}
		// Keep the most informative non-answer and ask the next source.
		if best.Source == "" || r.Status == StatusNotCheckable {
			best = r
		}
	}
	return best
}

func verdict(path []CertResult, requireRevocation bool) (Outcome, Reason) {
	outcome, reason := Good, Reason("")
	for _, cr := range path {
		switch cr.Revocation.Status {
		case StatusRevoked:
			return Bad, ReasonRevoked
		case StatusOnHold:
			return Bad, ReasonOnHold
		case StatusUnknown, StatusNotCheckable:
			if requireRevocation {
				outcome, reason = Indeterminate, ReasonRevocationUnknown
			}
		}
	}
	return outcome, reason
}

// SerialSHA256 is the SHA-256 of a serial number's bytes, in hex: how
// every report and JSON document names a certificate's serial, never the
// serial itself.
func SerialSHA256(n *big.Int) string {
	if n == nil {
		return ""
	}
	sum := sha256.Sum256(n.Bytes())
	return hex.EncodeToString(sum[:])
}
