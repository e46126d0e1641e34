package certcheck

// CRLSource: revocation by CRL, following RFC 5280 §6.3.3. For each of the
// certificate's distribution points (or, without the extension, its
// issuer) the source takes the CRLs that could cover it and applies small
// rules in turn: the issuer and scope match (indirect CRLs, issuing
// distribution point names, onlyContains…, onlySomeReasons), no unknown
// critical extension, a signer that may sign CRLs and is valid itself,
// freshness at the check time, then the lookup (delta CRL first). It stops
// at the first revocation or once every reason is covered.

import (
	"context"
	"crypto/x509"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/shinsei-app/shinsei/certcheck/internal/crl"
)

const (
	maxCRLSignerDepth      = 4                // nested CRL signer validations
	crlFetchFailureBackoff = 30 * time.Second // before a failed URL is tried again
	maxDetailNotes         = 6                // rejections quoted in a Detail
	crlSourceName          = "crl"            // Revocation.Source
)

// More errors a CRLSource reports (in Revocation.Detail).
var (
	// ErrCRLSignerRevoked: the certificate that signed the CRL is itself
	// revoked, so the CRL cannot be trusted (PKITS 4.4.21).
	ErrCRLSignerRevoked = errors.New("the CRL signer's certificate is revoked")
	// ErrCRLNotFetchable: a distribution point has no http or https URL
	// (JPKI names only a directory entry), or the source is offline.
	ErrCRLNotFetchable = errors.New("CRL is not fetchable")
)

// CRLOptions configure a CRLSource. The zero value uses no CRL files,
// fetches from http and https distribution points with the DefaultCRL…
// limits and keeps no disk cache.
type CRLOptions struct {
	// Files are CRLs to use, DER or PEM (one or more "X509 CRL" blocks).
	Files []string
	// FetchOptions bound the fetches of distribution points; MaxSize also
	// bounds Files and the disk cache's files, and ClockSkew is tolerated
	// around thisUpdate and nextUpdate.
	FetchOptions
	// CacheDir keeps fetched CRLs until their nextUpdate, across runs.
	// Empty means no disk cache.
	CacheDir string
	// Offline forbids the network: only Files, AddCRL and the cache are used.
	Offline bool
	// Now is the clock for cache expiry; nil means time.Now. (Freshness
	// for a check is judged at Query.At.)
	Now func() time.Time
}

// CRLSource answers revocation queries from CRLs: given as files or bytes,
// or fetched from the certificate's distribution points. Parsed CRLs stay
// in memory, so a repeated lookup costs a hash probe. It is safe for
// concurrent use.
type CRLSource struct {
	opts   CRLOptions
	client *http.Client

	mu       sync.Mutex
	byIssuer map[string][]*crlRecord // CRLs given, by canonical issuer name
	urls     map[string]*crlURLState
}

// crlRecord is a parsed CRL and where it came from.
type crlRecord struct {
	crl      *CRL
	location string
	url      string // set for a fetched or cached CRL
	fromDisk bool
	mu       sync.Mutex
	persist  bool  // fetched and not yet written to the disk cache
	accepted bool  // passed acceptCRL at least once
	lastErr  error // why acceptCRL failed, while never accepted
}

// NewCRLSource reads opts.Files and returns a source. A file that cannot be
// read or is not a CRL is an error; a CRL that parses but may not be used
// (say, an unknown critical extension) is kept and reported when a lookup
// needs it.
func NewCRLSource(ctx context.Context, opts CRLOptions) (*CRLSource, error) {
	opts.FetchOptions = opts.FetchOptions.withDefaults(crlFetchDefaults)
	if opts.Now == nil {
		opts.Now = time.Now
	}
	s := &CRLSource{opts: opts, byIssuer: map[string][]*crlRecord{}, urls: map[string]*crlURLState{}}
	s.client = opts.client()
	for _, name := range opts.Files {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		data, err := crl.ReadFile(name, opts.MaxSize)
		if err != nil {
			return nil, fmt.Errorf("certcheck: CRL file: %w", err)
		}
		if err := s.AddCRL(data, name); err != nil {
			return nil, err
		}
	}
	return s, nil
}

// AddCRL adds a CRL (DER, or PEM with one or more "X509 CRL" blocks) under
// location, the name reports give it. The CRL is checked when used, like
// every other: signature, signer, freshness.
func (s *CRLSource) AddCRL(data []byte, location string) error {
	ders, err := crl.DecodeBytes(data)
	if err != nil {
		return fmt.Errorf("certcheck: CRL %s: %w", location, err)
	}
	for _, der := range ders {
		c, err := ParseCRL(der)
		if err != nil {
			return fmt.Errorf("certcheck: CRL %s: %w", location, err)
		}
		s.mu.Lock()
		s.byIssuer[c.IssuerKey()] = append(s.byIssuer[c.IssuerKey()], &crlRecord{crl: c, location: location})
		s.mu.Unlock()
	}
	return nil
}

// crlWalk is the state of one Check: the CRL signers being validated (their
// own CRLs may be signed by themselves, PKITS 4.14.30) and the nesting.
type crlWalk struct {
	inProgress map[string]bool // by certificate DER
	depth      int
}

// crlEvaluation collects what one certificate's CRLs said.
type crlEvaluation struct {
	q         Query
	w         *crlWalk
	serial    []byte
	issuerKey string
	mask      ReasonFlags
	used      []*crlRecord
	notes     []string
	relevant  bool // some CRL from the right issuer was seen
}

func (ev *crlEvaluation) note(where, format string, args ...any) {
	msg := fmt.Sprintf(format, args...)
	if where != "" {
		msg = where + ": " + msg
	}
	for _, n := range ev.notes {
		if n == msg {
			return
		}
	}
	ev.notes = append(ev.notes, msg)
}

// Check implements Source. It reports ok=false only when it has nothing to
// say: the certificate has no distribution point and no CRL from its issuer
// was given.
func (s *CRLSource) Check(ctx context.Context, q Query) (Revocation, bool) {
	if q.Cert == nil || q.Issuer == nil {
		return Revocation{}, false
	}
	if len(q.Path) == 0 {
		q.Path = []*x509.Certificate{q.Cert, q.Issuer}
	}
	if q.At.IsZero() {
		q.At = s.opts.Now()
	}
	return s.status(ctx, q, &crlWalk{inProgress: map[string]bool{}})
}

func crlUnknown(detail string) Revocation {
	return Revocation{Status: StatusUnknown, Source: crlSourceName, Detail: detail}
}

func (s *CRLSource) status(ctx context.Context, q Query, w *crlWalk) (Revocation, bool) {
	if err := ctx.Err(); err != nil {
		return crlUnknown("CRL check cancelled: " + err.Error()), true
	}
	dps, err := crl.DistributionPoints(q.Cert)
	if err != nil {
		return crlUnknown("the certificate's CRL distribution points cannot be read: " + err.Error()), true
	}
	implicit := dps == nil
	if implicit {
		dps = []crl.DistributionPoint{{Reasons: AllReasons, IssuerKey: crl.NameKey(q.Cert.RawIssuer)}}
	}
	serial, ok := crl.SerialBytes(q.Cert)
	if !ok {
		return crlUnknown("the certificate's serial number cannot be read"), true
	}
	ev := &crlEvaluation{q: q, w: w, serial: serial, issuerKey: crl.NameKey(q.Cert.RawIssuer)}

	// First the CRLs at hand, then the network (or the cache) for what is
	// still not covered.
	for i := range dps {
		if r, done := s.evalDP(ctx, ev, &dps[i], s.given(dps[i].IssuerKey)); done {
			return r, true
		}
	}
	fetchable := false
	for i := range dps {
		if ev.mask == AllReasons {
			break
		}
		dp := &dps[i]
		if dp.Reasons&^ev.mask == 0 {
			continue
		}
		var uris []string
		if dp.Name != nil {
			uris = dp.Name.URIs
		}
		tried := false
		for _, u := range uris {
			if !strings.HasPrefix(u, "http://") && !strings.HasPrefix(u, "https://") {
				continue
			}
			tried, fetchable = true, true
			if r, done := s.evalURL(ctx, ev, dp, u); done {
				return r, true
			}
			if dp.Reasons&^ev.mask == 0 {
				break
			}
		}
		if !tried && !implicit {
			ev.relevant = true
			switch {
			case len(uris) > 0:
				ev.note("", "%v: the distribution point offers only %s (http and https are supported)", ErrCRLNotFetchable, strings.Join(uris, ", "))
			case dp.Name != nil:
				ev.note("", "%v: the distribution point names only a directory entry, not a URL; revocation must be checked by a validation service", ErrCRLNotFetchable)
			}
		}
	}
	if ev.mask == AllReasons {
		return ev.good(), true
	}
	if !ev.relevant && !fetchable && implicit {
		return Revocation{}, false
	}
	detail := "no CRL from the certificate's issuer is available"
	if len(ev.notes) > 0 {
		detail = "no usable CRL covers the certificate"
	}
	if ev.mask != 0 {
		detail = fmt.Sprintf("the CRLs found cover only some revocation reasons (%s)", crlReasonList(ev.mask))
	}
	if len(ev.notes) > 0 {
		notes := ev.notes
		if len(notes) > maxDetailNotes {
			notes = append(notes[:maxDetailNotes:maxDetailNotes], fmt.Sprintf("and %d more", len(ev.notes)-maxDetailNotes))
		}
		detail += ": " + strings.Join(notes, "; ")
	}
	return crlUnknown(detail), true
}

// evalURL evaluates the CRL of one http(s) distribution point: from
// memory, the disk cache or the network. A copy that fails its checks is
// dropped (a cached one is fetched again at once).
func (s *CRLSource) evalURL(ctx context.Context, ev *crlEvaluation, dp *crl.DistributionPoint, u string) (Revocation, bool) {
	for attempt := 0; attempt < 2; attempt++ {
		rec, err := s.fromURL(ctx, u)
		if err != nil {
			ev.relevant = true
			ev.note("", "%v", err)
			return Revocation{}, false
		}
		if rec.crl.IssuerKey() != dp.IssuerKey {
			ev.relevant = true
			err = fmt.Errorf("%w: the CRL there is issued by %q, not by the certificate's CRL issuer", ErrCRLSigner, rec.crl.Issuer())
			if !rec.fromDisk {
				ev.note(u, "%v", err)
			}
		} else {
			if r, done := s.evalDP(ctx, ev, dp, []*crlRecord{rec}); done {
				return r, true
			}
			if err = rec.failure(); err == nil {
				return Revocation{}, false
			}
		}
		s.forget(u, rec, err)
		if !rec.fromDisk {
			return Revocation{}, false
		}
	}
	return Revocation{}, false
}

// given returns the CRLs given to the source for an issuer.
func (s *CRLSource) given(issuerKey string) []*crlRecord {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.byIssuer[issuerKey]
}

// evalDP applies the rules to each candidate CRL for one distribution
// point. done is true when a certificate was found revoked.
func (s *CRLSource) evalDP(ctx context.Context, ev *crlEvaluation, dp *crl.DistributionPoint, candidates []*crlRecord) (Revocation, bool) {
	for _, rec := range candidates {
		if ev.mask == AllReasons {
			return Revocation{}, false
		}
		c := rec.crl
		if c.IssuerKey() != dp.IssuerKey {
			continue
		}
		ev.relevant = true
		if c.IsDelta() {
			if len(s.deltasFor(c.IssuerKey())) == len(s.given(c.IssuerKey())) {
				ev.note(rec.location, "a delta CRL, and no complete CRL it applies to is available")
			}
			continue
		}
		if why := scopeMismatch(c, dp, ev.q.Cert); why != "" {
			ev.note(rec.location, "%s", why)
			continue
		}
		interim := dp.Reasons & c.Reasons()
		if interim&^ev.mask == 0 {
			continue
		}
		signer, err := s.acceptCRL(ctx, rec, ev)
		rec.result(err)
		if err != nil {
			ev.note(rec.location, "%v", err)
			continue
		}
		delta := s.findDelta(ctx, c, signer, ev)
		entry, found, where, err := lookupWithDelta(rec, delta, ev)
		if err != nil {
			ev.note(where.location, "%v", err)
			continue
		}
		if found {
			r := Revocation{Status: StatusRevoked, Reason: entry.Reason.String(), RevokedAt: entry.RevokedAt,
				Source: crlSourceName, Location: where.location, ThisUpdate: where.crl.ThisUpdate, NextUpdate: where.crl.NextUpdate}
			if entry.Reason == CRLReasonCertificateHold {
				r.Status = StatusOnHold
			}
			return r, true
		}
		ev.mask |= interim
		ev.used = append(ev.used, rec)
		if delta != nil {
			ev.used = append(ev.used, delta)
		}
	}
	return Revocation{}, false
}

// acceptCRL applies the rules that make a CRL trustworthy at ev.q.At: no
// crlUnknown critical extension, a valid signer, current. On success a fetched
// CRL is written to the disk cache.
func (s *CRLSource) acceptCRL(ctx context.Context, rec *crlRecord, ev *crlEvaluation) (*x509.Certificate, error) {
	c := rec.crl
	if err := c.Usable(); err != nil {
		return nil, err
	}
	signer, err := s.crlSigner(ctx, c, ev.q, ev.w)
	if err != nil {
		return nil, err
	}
	if err := c.CheckTimes(ev.q.At, s.opts.Now(), s.opts.ClockSkew); err != nil {
		return nil, err
	}
	s.persist(rec)
	return signer, nil
}

// lookupWithDelta looks the certificate up in the delta CRL first (where
// removeFromCRL means no longer revoked), then in the complete CRL.
func lookupWithDelta(complete, delta *crlRecord, ev *crlEvaluation) (CRLEntry, bool, *crlRecord, error) {
	if delta != nil {
		e, found, err := delta.crl.LookupSerial(ev.serial, ev.issuerKey)
		if err != nil {
			return e, false, delta, err
		}
		if found {
			return e, e.Reason != CRLReasonRemoveFromCRL, delta, nil
		}
	}
	e, found, err := complete.crl.LookupSerial(ev.serial, ev.issuerKey)
	if err != nil {
		return e, false, complete, err
	}
	return e, found && e.Reason != CRLReasonRemoveFromCRL, complete, nil
}

// deltasFor returns the given delta CRLs of an issuer.
func (s *CRLSource) deltasFor(issuerKey string) []*crlRecord {
	var out []*crlRecord
	for _, r := range s.given(issuerKey) {
		if r.crl.IsDelta() {
			out = append(out, r)
		}
	}
	return out
}

// findDelta returns the newest usable delta CRL for a complete CRL (RFC
// 5280 §6.3.3 (c), (g)): same issuer, same scope, based on a CRL no newer
// than the complete one, newer than it, signed by the same signer, current.
func (s *CRLSource) findDelta(ctx context.Context, complete *CRL, signer *x509.Certificate, ev *crlEvaluation) *crlRecord {
	var best *crlRecord
	for _, r := range s.deltasFor(complete.IssuerKey()) {
		d := r.crl
		switch {
		case complete.Number == nil || d.Number == nil:
			continue
		case !d.SameScope(complete):
			continue
		case d.BaseNumber.Cmp(complete.Number) > 0:
			ev.note(r.location, "a delta CRL based on CRL %v, newer than the complete CRL %v at hand", d.BaseNumber, complete.Number)
			continue
		case d.Number.Cmp(complete.Number) <= 0:
			continue
		}
		if err := d.Usable(); err != nil {
			ev.note(r.location, "%v", err)
			continue
		}
		if err := d.CheckSignatureFrom(signer); err != nil {
			ev.note(r.location, "%v", err)
			continue
		}
		if err := d.CheckTimes(ev.q.At, s.opts.Now(), s.opts.ClockSkew); err != nil {
			ev.note(r.location, "delta CRL: %v", err)
			continue
		}
		if best == nil || d.Number.Cmp(best.crl.Number) > 0 {
			best = r
		}
	}
	return best
}

// scopeMismatch applies RFC 5280 §6.3.3 (b): why the CRL does not cover the
// certificate for this distribution point, or "".
func scopeMismatch(c *CRL, dp *crl.DistributionPoint, cert *x509.Certificate) string {
	if dp.CRLIssuers != nil && !c.Indirect() {
		return "the certificate names a separate CRL issuer, but this CRL is not an indirect CRL"
	}
	idp := c.IssuingDistributionPoint
	if idp == nil {
		return ""
	}
	if len(idp.Names) > 0 {
		var names []string
		switch {
		case dp.Name != nil:
			names = dp.Name.Keys
		case dp.CRLIssuers != nil:
			names = dp.CRLIssuers
		}
		if !crlIntersects(idp.Names, names) {
			return "the CRL's issuing distribution point is not one of the certificate's distribution points"
		}
	}
	isCA := cert.BasicConstraintsValid && cert.IsCA
	switch {
	case idp.OnlyContainsUserCerts && isCA:
		return "the CRL covers only end-entity certificates and this is a CA certificate"
	case idp.OnlyContainsCACerts && !isCA:
		return "the CRL covers only CA certificates and this is not one"
	case idp.OnlyContainsAttributeCerts:
		return "the CRL covers only attribute certificates"
	}
	return ""
}

func crlIntersects(a, b []string) bool {
	for _, x := range a {
		for _, y := range b {
			if x == y {
				return true
			}
		}
	}
	return false
}

// crlSigner finds the certificate that signed c and may be trusted to: the
// certificate's issuer on the validated path, or another certificate named
// as the CRL issuer (a separate CRL signing key, an indirect CRL issuer, a
// CA's other key) whose own path to the same anchor validates and none of
// whose certificates is revoked (RFC 5280 §6.3.3 (f)).
func (s *CRLSource) crlSigner(ctx context.Context, c *CRL, q Query, w *crlWalk) (*x509.Certificate, error) {
	anchor := q.Path[len(q.Path)-1]
	var errs crlErrors
	seen := map[string]bool{}
	named := false
	for _, group := range [][]*x509.Certificate{{q.Issuer}, q.Path, q.Intermediates, q.Roots} {
		for _, cand := range group {
			if cand == nil || seen[string(cand.Raw)] {
				continue
			}
			seen[string(cand.Raw)] = true
			if crl.NameKey(cand.RawSubject) != c.IssuerKey() {
				continue
			}
			named = true
			if err := c.CheckSignatureFrom(cand); err != nil {
				errs = append(errs, err)
				continue
			}
			if crlOnPath(cand, q.Path) || w.inProgress[string(cand.Raw)] {
				return cand, nil
			}
			if err := s.validateSigner(ctx, cand, q, w, anchor); err != nil {
				errs = append(errs, err)
				continue
			}
			return cand, nil
		}
	}
	if !named {
		return nil, fmt.Errorf("%w: no certificate of the CRL issuer %q was given", ErrCRLSigner, c.Issuer())
	}
	return nil, errs
}

// crlErrors are the reasons each candidate CRL signer was refused.
type crlErrors []error

func (e crlErrors) Error() string {
	msgs := make([]string, len(e))
	for i, err := range e {
		msgs[i] = err.Error()
	}
	return strings.Join(msgs, "; ")
}

func (e crlErrors) Unwrap() []error { return e }

func crlOnPath(c *x509.Certificate, path []*x509.Certificate) bool {
	for _, p := range path {
		if p == c || p.Equal(c) {
			return true
		}
	}
	return false
}

// validateSigner validates a CRL signer that is not on the path: its own
// path, to the same anchor, with every certificate on it not revoked.
func (s *CRLSource) validateSigner(ctx context.Context, signer *x509.Certificate, q Query, w *crlWalk, anchor *x509.Certificate) error {
	if w.depth >= maxCRLSignerDepth {
		return fmt.Errorf("%w: CRL signers nest more than %d deep", ErrCRLSigner, maxCRLSignerDepth)
	}
	roots := q.Roots
	if len(roots) == 0 {
		roots = []*x509.Certificate{anchor}
	}
	inter := append(append([]*x509.Certificate(nil), q.Intermediates...), q.Path...)
	chain, err := VerifyPath(signer, Options{Roots: roots, Intermediates: inter, At: q.At})
	if err != nil {
		return fmt.Errorf("%w: the path of the CRL signer %q does not validate: %v", ErrCRLSigner, signer.Subject.String(), err)
	}
	if !chain[len(chain)-1].Equal(anchor) {
		return fmt.Errorf("%w: the CRL signer %q chains to another trust anchor", ErrCRLSigner, signer.Subject.String())
	}
	key := string(signer.Raw)
	w.inProgress[key] = true
	w.depth++
	defer func() { w.depth-- }()
	for i := 0; i < len(chain)-1; i++ {
		r, ok := s.status(ctx, Query{Cert: chain[i], Issuer: chain[i+1], Path: chain,
			Roots: q.Roots, Intermediates: q.Intermediates, At: q.At}, w)
		switch {
		case ok && (r.Status == StatusRevoked || r.Status == StatusOnHold):
			delete(w.inProgress, key)
			return fmt.Errorf("%w: %q (%s)", ErrCRLSignerRevoked, chain[i].Subject.String(), r.Reason)
		case !ok || r.Status != StatusGood:
			delete(w.inProgress, key)
			detail := r.Detail
			if !ok {
				detail = "no CRL covers it"
			}
			return fmt.Errorf("%w: the revocation status of the CRL signer's path certificate %q is unknown (%s)", ErrCRLSigner, chain[i].Subject.String(), detail)
		}
	}
	return nil
}

// good is the answer once every reason is covered and nothing was found.
func (ev *crlEvaluation) good() Revocation {
	r := Revocation{Status: StatusGood, Source: crlSourceName}
	var locs []string
	for _, u := range ev.used {
		if !crlContains(locs, u.location) {
			locs = append(locs, u.location)
		}
		r.CRLs = append(r.CRLs, u.crl.Raw)
	}
	r.Location = strings.Join(locs, ", ")
	if len(ev.used) > 0 {
		r.ThisUpdate, r.NextUpdate = ev.used[0].crl.ThisUpdate, ev.used[0].crl.NextUpdate
	}
	return r
}

func crlContains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

func crlReasonList(f ReasonFlags) string {
	names := []string{"", "keyCompromise", "cACompromise", "affiliationChanged", "superseded",
		"cessationOfOperation", "certificateHold", "privilegeWithdrawn", "aACompromise"}
	var out []string
	for i := 1; i < len(names); i++ {
		if f&(1<<i) != 0 {
			out = append(out, names[i])
		}
	}
	return strings.Join(out, ", ")
}

// result records whether the CRL passed acceptCRL for some check.
func (r *crlRecord) result(err error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if err == nil {
		r.accepted, r.lastErr = true, nil
	} else if !r.accepted {
		r.lastErr = err
	}
}

// failure is why the CRL was rejected, when it never was accepted.
func (r *crlRecord) failure() error {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.accepted {
		return nil
	}
	return r.lastErr
}
