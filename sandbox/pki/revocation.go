package pki

import (
	"crypto/rand"
	"crypto/sha256"
	"crypto/x509"
	"errors"
	"fmt"
	"math/big"
	"sort"
	"sync"
	"time"

	"github.com/shinsei-app/shinsei/certcheck"
)

// RevocationReason is an RFC 5280 CRLReason code, as CRL entries and OCSP
// revoked answers carry it; it is certcheck's type, so both sides of a test
// speak of the same values.
type RevocationReason = certcheck.CRLReason

// RFC 5280 §5.3.1 reason codes (7 is not used).
const (
	ReasonUnspecified          = certcheck.CRLReasonUnspecified
	ReasonKeyCompromise        = certcheck.CRLReasonKeyCompromise
	ReasonCACompromise         = certcheck.CRLReasonCACompromise
	ReasonAffiliationChanged   = certcheck.CRLReasonAffiliationChanged
	ReasonSuperseded           = certcheck.CRLReasonSuperseded
	ReasonCessationOfOperation = certcheck.CRLReasonCessationOfOperation
	ReasonCertificateHold      = certcheck.CRLReasonCertificateHold
	ReasonRemoveFromCRL        = certcheck.CRLReasonRemoveFromCRL
	ReasonPrivilegeWithdrawn   = certcheck.CRLReasonPrivilegeWithdrawn
	ReasonAACompromise         = certcheck.CRLReasonAACompromise
)

// CRLValidity is how long a sandbox CRL is valid: its nextUpdate is this
// long after its thisUpdate.
const CRLValidity = 24 * time.Hour

// Errors the registry returns.
var (
	// ErrNotOnHold: Release was asked for a certificate that is not on hold.
	ErrNotOnHold = errors.New("pki: certificate is not on hold")
	// ErrAlreadyRevoked: the certificate is revoked for good; it can be
	// neither held nor revoked again.
	ErrAlreadyRevoked = errors.New("pki: certificate is already revoked")
	// ErrBadReason: the reason may not be used to revoke (removeFromCRL,
	// or a code RFC 5280 does not define).
	ErrBadReason = errors.New("pki: reason may not be used to revoke")
)

// Revoked is one revoked or held certificate of a CA.
type Revoked struct {
	Serial *big.Int
	Reason RevocationReason
	At     time.Time
}

// CertStatus is what a Registry knows of one serial number.
type CertStatus int

// Statuses of a serial number. CertUnknown is a serial the registry never
// saw issued, which an OCSP responder answers "unknown" for.
const (
	CertUnknown CertStatus = iota
	CertGood
	CertRevoked
	CertOnHold
)

// String returns "unknown", "good", "revoked" or "on-hold".
func (s CertStatus) String() string {
	switch s {
	case CertGood:
		return "good"
	case CertRevoked:
		return "revoked"
	case CertOnHold:
		return "on-hold"
	}
	return "unknown"
}

// Registry is the revocation state of the sandbox CAs: for each CA the
// serial numbers it issued (so that a responder can answer "unknown" for
// any other, as openssl's index does), those it revoked and those on
// hold. It is safe for concurrent use. The zero value is not usable; call
// NewRegistry.
type Registry struct {
	mu  sync.Mutex
	cas map[[32]byte]*caState
	// file, when set, is the journal this registry shares with other
	// processes (ShareFile).
	file *sharedFile
}

type caState struct {
	issued    map[string]bool
	revoked   map[string]Revoked
	crlNumber int64
}

// NewRegistry returns an empty registry.
func NewRegistry() *Registry {
	return &Registry{cas: map[[32]byte]*caState{}}
}

func (r *Registry) state(ca *CA) *caState { return r.stateOf(sha256.Sum256(ca.Cert.Raw)) }

func (r *Registry) stateOf(key [32]byte) *caState {
	st := r.cas[key]
	if st == nil {
		st = &caState{issued: map[string]bool{}, revoked: map[string]Revoked{}}
		r.cas[key] = st
	}
	return st
}

func serialKey(serial *big.Int) string { return serial.Text(16) }

// Record notes that ca issued cert, so that responders answer "good" for
// it rather than "unknown". responder.Server.IssueEndEntity records what it
// issues; certificates issued otherwise must be recorded by the caller.
func (r *Registry) Record(ca *CA, cert *x509.Certificate) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.share(journalEntry{Op: opRecord, CA: caKey(ca), Serial: serialKey(cert.SerialNumber)}) {
		return
	}
	r.state(ca).issued[serialKey(cert.SerialNumber)] = true
}

// Revoke revokes serial of ca for reason at time at. Revoking with
// ReasonCertificateHold is Hold. A held certificate may be revoked for
// good; a revoked one may not be revoked again (ErrAlreadyRevoked).
func (r *Registry) Revoke(ca *CA, serial *big.Int, reason RevocationReason, at time.Time) error {
	if !reason.Valid() || reason == ReasonRemoveFromCRL {
		return fmt.Errorf("%w: %v", ErrBadReason, reason)
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	r.catchUp()
	st := r.state(ca)
	key := serialKey(serial)
	if prev, ok := st.revoked[key]; ok && prev.Reason != ReasonCertificateHold {
		return ErrAlreadyRevoked
	}
	at = at.UTC().Truncate(time.Second)
	if r.share(journalEntry{Op: opRevoke, CA: caKey(ca), Serial: key, Reason: int(reason), At: at}) {
		return nil
	}
	st.revoked[key] = Revoked{Serial: new(big.Int).Set(serial), Reason: reason, At: at}
	return nil
}

// Hold suspends serial of ca from time at (reason certificateHold).
func (r *Registry) Hold(ca *CA, serial *big.Int, at time.Time) error {
	return r.Revoke(ca, serial, ReasonCertificateHold, at)
}

// Release lifts a hold: the certificate is good again and leaves the CRL.
// It is ErrNotOnHold when serial is not on hold.
func (r *Registry) Release(ca *CA, serial *big.Int) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.catchUp()
	st := r.state(ca)
	key := serialKey(serial)
	if prev, ok := st.revoked[key]; !ok || prev.Reason != ReasonCertificateHold {
		return ErrNotOnHold
	}
	if r.share(journalEntry{Op: opRelease, CA: caKey(ca), Serial: key}) {
		return nil
	}
	delete(st.revoked, key)
	return nil
}

// Status returns what the registry knows of serial under ca, and the
// revocation entry when it is revoked or on hold. A revoked serial is
// revoked even if it was never recorded as issued.
func (r *Registry) Status(ca *CA, serial *big.Int) (CertStatus, Revoked) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.catchUp()
	st := r.state(ca)
	key := serialKey(serial)
	if rev, ok := st.revoked[key]; ok {
		if rev.Reason == ReasonCertificateHold {
			return CertOnHold, rev
		}
		return CertRevoked, rev
	}
	if st.issued[key] {
		return CertGood, Revoked{}
	}
	return CertUnknown, Revoked{}
}

// Entries returns ca's revoked and held certificates, by serial number.
func (r *Registry) Entries(ca *CA) []Revoked {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.catchUp()
	st := r.state(ca)
	out := make([]Revoked, 0, len(st.revoked))
	for _, rev := range st.revoked {
		out = append(out, rev)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Serial.Cmp(out[j].Serial) < 0 })
	return out
}

// CRL returns a complete CRL of ca signed by ca, with thisUpdate now and
// nextUpdate now+validity (CRLValidity when validity is zero), listing
// every revoked and held certificate. Each call takes the next CRL number.
func (r *Registry) CRL(ca *CA, now time.Time, validity time.Duration) ([]byte, error) {
	if validity <= 0 {
		validity = CRLValidity
	}
	entries := r.Entries(ca)
	r.mu.Lock()
	st := r.state(ca)
	st.crlNumber++
	number := st.crlNumber
	r.mu.Unlock()
	list := &x509.RevocationList{
		Number:     big.NewInt(number),
		ThisUpdate: now.UTC().Truncate(time.Second),
		NextUpdate: now.Add(validity).UTC().Truncate(time.Second),
	}
	for _, e := range entries {
		list.RevokedCertificateEntries = append(list.RevokedCertificateEntries, x509.RevocationListEntry{
			SerialNumber: e.Serial, RevocationTime: e.At, ReasonCode: int(e.Reason),
		})
	}
	der, err := x509.CreateRevocationList(rand.Reader, list, ca.Cert, ca.Key)
	if err != nil {
		return nil, fmt.Errorf("pki: create CRL of %q: %w", ca.Cert.Subject.String(), err)
	}
	return der, nil
}
