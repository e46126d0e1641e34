package pades

import (
	"context"
	"io"
	"sort"
	"strings"
	"time"

	"github.com/shinsei-app/shinsei/signer"
)

// Reasons of a document time-stamp that does not hold are signer's for
// a time-stamp token: signer.ReasonTimestampInvalid (the token is not
// intact: tampered, or not a token), signer.ReasonTimestampImprintMismatch
// (the token is over other bytes than the signature's byte range),
// signer.ReasonTimestampNotTSA (its signer's certificate has no
// id-kp-timeStamping), signer.ReasonTimestampUntrusted (the authority
// does not chain to the anchors at the validation time) and
// signer.ReasonTimestampCertificateMissing (the token does not carry its
// authority's certificate: undecided).

// verifyDocTimestamp verifies a document time-stamp (SubFilter
// ETSI.RFC3161): its /Contents is an RFC 3161 time-stamp token whose
// imprint is the digest of the byte range, streamed as a signature's
// content is. The token is checked by signer as a signature-time-stamp
// is, its authority at the validation time (opts.At, or now) against
// opts.Roots and opts.TSARoots. A valid one proves the document, up to
// the time-stamp's revision, existed no later than its time.
func (d *document) verifyDocTimestamp(ctx context.Context, s *Signature, token []byte, br []int64, opts Options) error {
	at := opts.At
	if at.IsZero() {
		at = time.Now()
	}
	content := io.MultiReader(io.NewSectionReader(d.f.f, 0, br[1]), io.NewSectionReader(d.f.f, br[2], br[3]))
	res, tsa, err := signer.CheckTimestampStream(ctx, trimDER(token), content,
		signer.VerifyOptions{Roots: opts.Roots, Intermediates: opts.Intermediates, TSARoots: opts.TSARoots}, at)
	if err != nil {
		return err
	}
	if tsa != nil {
		s.Signer, s.Official = tsa, tsa.Subject.CommonName
		s.Organisation = strings.Join(append(append([]string{}, tsa.Subject.Organization...), tsa.Subject.OrganizationalUnit...), " ")
	}
	// A revocation check of the authority is not made, as for every
	// time-stamp signer checks: say so rather than leave it undecided.
	s.Revocation = signer.Check{OK: true, Detail: "not checked for a time-stamp authority"}
	switch res.Check.Reason {
	case "":
		t := res.Time
		s.ProvenTime, s.ProvenBy = &t, res.TSA
		s.Integrity = signer.Check{OK: true, Detail: "the document existed no later than " + t.UTC().Format(time.RFC3339) + " (document time-stamp by " + res.TSA + ")"}
		s.Certificate = signer.Check{OK: true, Detail: "a time-stamp authority trusted at " + at.UTC().Format(time.RFC3339)}
	case signer.ReasonTimestampNotTSA, signer.ReasonTimestampUntrusted:
		s.Integrity = signer.Check{OK: true, Detail: "the token is intact and over the byte range"}
		s.Certificate = res.Check
	case signer.ReasonTimestampImprintMismatch:
		s.Integrity = signer.Check{Reason: res.Check.Reason, Detail: "the document time-stamp's token is over other bytes than its byte range"}
	default:
		s.Integrity = res.Check
	}
	if s.Integrity.OK {
		for _, c := range s.Changes {
			if !c.Allowed {
				s.Integrity = signer.Check{Reason: ReasonChangedAfter, Detail: "changed after the document time-stamp: " + describeChanges(s.Changes)}
				s.ProvenTime, s.ProvenBy = nil, ""
				break
			}
		}
	}
	return nil
}

// proveByDocTimestamps lets a valid document time-stamp prove the time
// of what it covers, as an archive time-stamp does for a package: every
// signature of an earlier revision (a signature, or an earlier document
// time-stamp) existed no later than the time-stamp's time, so it is
// verified again with its certificates checked at that time, unless its
// own signature-time-stamp already proves an earlier one. A signature
// the later time-stamp proves names it in ProvenTime and ProvenBy. The
// latest revisions are done first, so that a time-stamp proven by a
// later one proves its own time for what it covers in turn.
func (d *document) proveByDocTimestamps(ctx context.Context, rep *Report, sigs []sigField, opts Options) error {
	order := make([]int, len(rep.Signatures))
	for i := range order {
		order[i] = i
	}
	sort.SliceStable(order, func(a, b int) bool { return rep.Signatures[order[a]].Covered > rep.Signatures[order[b]].Covered })
	type proof struct {
		at time.Time
		by string
	}
	proven := map[int]proof{}
	for _, i := range order {
		if p, ok := proven[i]; ok {
			// A document time-stamp's own time is what it proves for
			// others, not when its authority was checked.
			if own := rep.Signatures[i].ProvenTime; own == nil || own.After(p.at) || rep.Signatures[i].SubFilter == SubFilterDocTS {
				o := opts
				o.At = p.at
				s, err := d.verifyOne(ctx, sigs[i], o)
				if err != nil {
					return err
				}
				if s.ProvenTime == nil && s.SubFilter != SubFilterDocTS {
					t := p.at
					s.ProvenTime, s.ProvenBy = &t, p.by
				}
				rep.Signatures[i] = s
			}
		}
		s := rep.Signatures[i]
		if s.SubFilter != SubFilterDocTS || s.Outcome() != OutcomeValid || s.ProvenTime == nil {
			continue
		}
		for j := range rep.Signatures {
			if rep.Signatures[j].Covered >= s.Covered {
				continue
			}
			if p, ok := proven[j]; !ok || s.ProvenTime.Before(p.at) {
				proven[j] = proof{at: *s.ProvenTime, by: "document time-stamp by " + s.ProvenBy}
			}
		}
	}
	return nil
}
