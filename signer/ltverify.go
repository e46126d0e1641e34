package signer

import (
	"context"
	"crypto"
	"crypto/x509"
	"errors"
	"fmt"
	"strings"
	"time"

	"golang.org/x/crypto/ocsp"

	"github.com/shinsei-app/shinsei/certcheck"
)

// RevocationSourceEmbedded is EmbeddedRevocation.Source: the answers
// came from the validation data the signature carries (CAdES-B-LT), with
// no network.
const RevocationSourceEmbedded = "embedded"

// EmbeddedRevocation is the revocation check of the signer's path made
// from the OCSP responses and CRLs the signature carries, at the time
// the certificate was checked (the proven time when a time-stamp proves
// one). Each answer counts only when it is signed by the certificate's
// issuer (or a responder the issuer certified, a CRL signer it
// authorised, or a validation authority in
// VerifyOptions.TrustedResponders) and covers that time: current at it
// (thisUpdate before it, nextUpdate after it, within the clock skew), or,
// for an OCSP response, issued after it and valid then.
type EmbeddedRevocation struct {
	// Source is RevocationSourceEmbedded.
	Source string `json:"source"`
	// At is the time the answers were judged at.
	At time.Time `json:"at"`
	// Check is OK when every certificate of the path but the anchor is
	// good by the embedded answers. A revocation before At fails it with
	// certcheck's reason (revoked, on-hold) and fails the certificate
	// check too; a certificate no embedded answer covers leaves it with
	// ReasonRevocationNotEstablished, which fails nothing.
	Check Check `json:"check"`
	// Path says what was found for each certificate but the anchor,
	// signer first.
	Path []EmbeddedStatus `json:"path,omitempty"`
}

// EmbeddedStatus is the embedded answer for one certificate.
type EmbeddedStatus struct {
	// Certificate is "the signer's certificate" or the CA's subject (the
	// signer's subject may be personal data).
	Certificate string `json:"certificate"`
	// Status is a certcheck.Status; Kind "ocsp" or "crl".
	Status     string    `json:"status"`
	Kind       string    `json:"kind,omitempty"`
	ThisUpdate time.Time `json:"thisUpdate,omitzero"`
	NextUpdate time.Time `json:"nextUpdate,omitzero"`
	Detail     string    `json:"detail,omitempty"`
}

// ReasonRevocationNotEstablished: the signature carries validation data,
// and it does not cover every certificate of the path at the time checked.
const ReasonRevocationNotEstablished = "revocation-not-established"

// checkEmbeddedRevocation asks the signature's own OCSP responses and
// CRLs about every certificate on the signer's path, at opts.At.
func checkEmbeddedRevocation(ctx context.Context, leaf *x509.Certificate, carried []*x509.Certificate, ocsps, crls [][]byte, opts VerifyOptions) *EmbeddedRevocation {
	at := opts.At
	if at.IsZero() {
		at = time.Now()
	}
	er := &EmbeddedRevocation{Source: RevocationSourceEmbedded, At: at}
	sources := []certcheck.Source{embeddedOCSP{responses: ocsps, at: at, trusted: opts.TrustedResponders}}
	var unreadable []string
	if len(crls) > 0 {
		// Offline: only the CRLs given are used, never a distribution point.
		src, err := certcheck.NewCRLSource(ctx, certcheck.CRLOptions{Offline: true, Now: func() time.Time { return at }})
		if err == nil {
			for i, c := range crls {
				if err := src.AddCRL(c, fmt.Sprintf("embedded CRL %d", i+1)); err != nil {
					unreadable = append(unreadable, err.Error())
				}
			}
			sources = append(sources, src)
		}
	}
	inter := append(append([]*x509.Certificate{}, opts.Intermediates...), carried...)
	res := certcheck.Check(ctx, leaf, certcheck.Options{Roots: opts.Roots, Intermediates: inter, At: at, Sources: sources, RequireRevocation: true})
	for i, cr := range res.Path {
		if cr.Anchor {
			continue
		}
		who := "the signer's certificate"
		if i > 0 {
			who = cr.Subject
		}
		er.Path = append(er.Path, EmbeddedStatus{Certificate: who, Status: string(cr.Revocation.Status), Kind: cr.Revocation.Source,
			ThisUpdate: cr.Revocation.ThisUpdate, NextUpdate: cr.Revocation.NextUpdate, Detail: revocationDetail(cr.Revocation)})
	}
	switch {
	case res.Outcome == certcheck.Good:
		er.Check = Check{OK: true, Detail: "every certificate of the path is good at " + at.UTC().Format(time.RFC3339) + " by the OCSP responses and CRLs the signature carries"}
	case res.Reason == certcheck.ReasonRevoked || res.Reason == certcheck.ReasonOnHold:
		er.Check = fail(string(res.Reason), firstRevoked(er.Path))
	default:
		var missing []string
		for _, p := range er.Path {
			if p.Status != string(certcheck.StatusGood) {
				missing = append(missing, p.Certificate+": "+p.Detail)
			}
		}
		detail := "the validation data the signature carries does not establish the revocation status at " + at.UTC().Format(time.RFC3339)
		missing = append(missing, unreadable...)
		if len(missing) > 0 {
			detail += ": " + strings.Join(missing, "; ")
		} else if res.Detail != "" {
			detail += ": " + res.Detail
		}
		er.Check = fail(ReasonRevocationNotEstablished, detail)
	}
	return er
}

func revocationDetail(r certcheck.Revocation) string {
	switch r.Status {
	case certcheck.StatusRevoked, certcheck.StatusOnHold:
		return fmt.Sprintf("%s on %s (%s)", r.Status, r.RevokedAt.UTC().Format(time.RFC3339), r.Reason)
	}
	return r.Detail
}

func firstRevoked(path []EmbeddedStatus) string {
	for _, p := range path {
		if p.Status == string(certcheck.StatusRevoked) || p.Status == string(certcheck.StatusOnHold) {
			return p.Certificate + ": " + p.Detail + ", by the " + p.Kind + " data the signature carries"
		}
	}
	return "revoked, by the data the signature carries"
}

// embeddedOCSP answers from the OCSP responses a signature carries,
// judged at a fixed time: each response is checked with every rule of
// certcheck (signed by the CA, a responder it certified with
// id-kp-OCSPSigning, or one of trusted; the responder valid at the time;
// CertID; thisUpdate and nextUpdate around the time; no unknown critical
// extension). A response dated after the time (added later, as a
// service does on receipt) is judged at its own thisUpdate instead: "good"
// then means not revoked by that later time, so not at the time either,
// and a revocation dated after the time is good at it (certcheck.Check).
type embeddedOCSP struct {
	responses [][]byte
	at        time.Time
	trusted   []*x509.Certificate
}

// Check implements certcheck.Source: ok=false when no response is about
// q.Cert.
func (e embeddedOCSP) Check(_ context.Context, q certcheck.Query) (certcheck.Revocation, bool) {
	if q.Cert == nil || q.Issuer == nil {
		return certcheck.Revocation{}, false
	}
	var rejected error
	for _, der := range e.responses {
		for _, h := range []crypto.Hash{crypto.SHA1, crypto.SHA256} {
			opts := certcheck.OCSPOptions{Hash: h, TrustedResponders: e.trusted, Now: func() time.Time { return e.at }}
			rev, err := certcheck.VerifyOCSPResponse(der, q.Cert, q.Issuer, nil, opts)
			if errors.Is(err, certcheck.ErrOCSPNotYetValid) {
				if r, perr := ocsp.ParseResponse(der, nil); perr == nil && r.ThisUpdate.After(e.at) {
					later := r.ThisUpdate
					if r.ProducedAt.After(later) {
						later = r.ProducedAt
					}
					opts.Now = func() time.Time { return later }
					rev, err = certcheck.VerifyOCSPResponse(der, q.Cert, q.Issuer, nil, opts)
				}
			}
			if errors.Is(err, certcheck.ErrOCSPCertIDMismatch) {
				continue
			}
			if err != nil {
				rejected = err
				break
			}
			rev.Source, rev.Location = "ocsp", RevocationSourceEmbedded
			if rev.Status != certcheck.StatusUnknown {
				return rev, true
			}
			rejected = errors.New(rev.Detail)
			break
		}
	}
	if rejected == nil {
		return certcheck.Revocation{}, false
	}
	return certcheck.Revocation{Status: certcheck.StatusUnknown, Source: "ocsp", Location: RevocationSourceEmbedded,
		Detail: "the embedded OCSP response does not hold: " + rejected.Error()}, true
}
