package certcheck

// The CRL scanner lives in internal/crl; these are its names as certcheck
// gives them to callers.

import "github.com/shinsei-app/shinsei/certcheck/internal/crl"

// Errors a CRL is rejected with. Each is wrapped with the particulars.
var (
	// ErrCRLMalformed: the bytes are not a DER CertificateList.
	ErrCRLMalformed = crl.ErrMalformed
	// ErrCRLSignature: the signature does not verify with the issuer's key,
	// or uses an algorithm that is not accepted.
	ErrCRLSignature = crl.ErrSignature
	// ErrCRLSigner: no certificate that may sign this CRL was found (wrong
	// name, no cRLSign key usage, or an invalid or revoked CRL signer).
	ErrCRLSigner = crl.ErrSigner
	// ErrCRLStale: the check time is past nextUpdate (or before thisUpdate).
	ErrCRLStale = crl.ErrStale
	// ErrCRLCritical: the CRL or one of its entries has a critical
	// extension this package does not understand.
	ErrCRLCritical = crl.ErrCritical
	// ErrCRLTooLarge: a fetched CRL or a CRL file is over CRLOptions.MaxSize.
	ErrCRLTooLarge = crl.ErrTooLarge
)

// CRL is a parsed certificate revocation list: what a revocation lookup
// needs, and an index of its entries. It refers to the DER it was parsed
// from, which must not be modified. A CRL is safe for concurrent use.
type CRL = crl.CRL

// CRLEntry is what a CRL says about one revoked certificate.
type CRLEntry = crl.Entry

// IssuingDistributionPoint is a CRL's scope (RFC 5280 §5.2.5).
type IssuingDistributionPoint = crl.IssuingDistributionPoint

// ReasonFlags is the RFC 5280 ReasonFlags BIT STRING: bit 1 keyCompromise …
// bit 8 aACompromise (bit 0 is unused).
type ReasonFlags = crl.ReasonFlags

// AllReasons is every reason a CRL can cover (RFC 5280 §6.3.3 "all-reasons").
const AllReasons = crl.AllReasons

// CRLReason is an RFC 5280 CRLReason code.
type CRLReason = crl.Reason

// RFC 5280 §5.3.1 reason codes (7 is not used).
const (
	CRLReasonUnspecified          = crl.ReasonUnspecified
	CRLReasonKeyCompromise        = crl.ReasonKeyCompromise
	CRLReasonCACompromise         = crl.ReasonCACompromise
	CRLReasonAffiliationChanged   = crl.ReasonAffiliationChanged
	CRLReasonSuperseded           = crl.ReasonSuperseded
	CRLReasonCessationOfOperation = crl.ReasonCessationOfOperation
	CRLReasonCertificateHold      = crl.ReasonCertificateHold
	CRLReasonRemoveFromCRL        = crl.ReasonRemoveFromCRL
	CRLReasonPrivilegeWithdrawn   = crl.ReasonPrivilegeWithdrawn
	CRLReasonAACompromise         = crl.ReasonAACompromise
)

// ParseCRL parses a DER CRL. It checks the structure of the whole list
// (every entry included) but not the signature: use CheckSignatureFrom or
// a CRLSource, which always does. A CRL with an unknown critical extension
// parses, but Usable reports it.
func ParseCRL(der []byte) (*CRL, error) { return crl.Parse(der) }
