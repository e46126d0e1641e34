package signer

import (
	"bytes"
	"context"
	"crypto/sha256"
	"crypto/x509"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"time"

	"github.com/shinsei-app/shinsei/certcheck"
	"github.com/shinsei-app/shinsei/internal/iox"
)

// Errors of Verify and VerifyDetached for input they refuse to read.
var (
	// ErrMalformed means the input is not a package or signature that can
	// be read: not a ZIP, unsafe entry names, truncated CMS and the like.
	ErrMalformed = errors.New("signer: malformed input")
	// ErrTooLarge means the input exceeds a limit of the reader: too many
	// entries, an entry or the whole larger than allowed, a compression
	// ratio typical of a ZIP bomb, or detached content over
	// MaxDetachedContent.
	ErrTooLarge = errors.New("signer: input too large")
)

// MaxDetachedContent is the most content VerifyDetached reads; the CMS
// library needs the signed content in memory.
const MaxDetachedContent = 256 << 20

// Reasons of a failed integrity check (and, for ReasonMimetypeInvalid,
// of a conformance remark).
const (
	ReasonSignatureMissing             = "signature-missing"               // no signature, or a manifest names one not in the package
	ReasonSignatureInvalid             = "signature-invalid"               // the signature value does not verify
	ReasonSignerCertificateMissing     = "signer-certificate-missing"      // neither carried nor given: the signature cannot be checked (undecided)
	ReasonContentDigestMismatch        = "content-digest-mismatch"         // detached content ≠ signed message digest
	ReasonManifestDigestMismatch       = "manifest-digest-mismatch"        // manifest ≠ signed message digest
	ReasonSigningCertificateV2Missing  = "signing-certificate-v2-missing"  // a package signature is not CAdES-BES
	ReasonSigningCertificateV2Mismatch = "signing-certificate-v2-mismatch" // it names another certificate, or cannot be parsed
	ReasonManifestInvalid              = "manifest-invalid"                // missing, not an ASiCManifest, or bad references
	ReasonMimetypeInvalid              = "mimetype-invalid"                // a conformance remark: missing, misplaced, compressed or wrong
	ReasonFileMissing                  = "file-missing"                    // in the manifest, not in the package
	ReasonFileDigestMismatch           = "file-digest-mismatch"            // content differs from the manifest
	ReasonFileCorrupt                  = "file-corrupt"                    // the entry's data cannot be read back (CRC, compression)
	ReasonFileUnsigned                 = "file-unsigned"                   // in the package, not in the manifest
)

// ReasonCertificateNotChecked is the certificate reason when no signer
// certificate could be found to check. Other certificate reasons are
// those of certcheck.
const ReasonCertificateNotChecked = "not-checked"

// Signature formats a Report can name.
const (
	FormatCMS      = "CMS"
	FormatCAdESBES = "CAdES-BES"
)

// Statuses of a FileResult.
const (
	StatusOK             = "ok"
	StatusMissing        = "missing"
	StatusDigestMismatch = "digest-mismatch"
	StatusCorrupt        = "corrupt"
	StatusUnsigned       = "unsigned"
)

// VerifyOptions configure verification. The zero value trusts nothing.
type VerifyOptions struct {
	// Roots are the trust anchors; certificates inside a signature are
	// never anchors.
	Roots []*x509.Certificate
	// Intermediates may help to build the path, in addition to those the
	// signature carries.
	Intermediates []*x509.Certificate
	// At is when the certificate must be valid; zero means now. The
	// signing time the signer claims is never used; a signature-time-stamp
	// token that holds and proves an earlier time moves the check to
	// that time.
	At time.Time
	// TrustedResponders are validation authorities (OCSP responders
	// trusted directly, RFC 6960 §2.2) whose answers a signature may carry
	// as validation data, beside those of the certificates' issuers: the
	// service's VA for the JPKI answers it adds on receipt.
	TrustedResponders []*x509.Certificate

	// TSARoots are further anchors for time-stamp authorities alone,
	// besides Roots: an authority may chain to a root no signer may.
	TSARoots []*x509.Certificate

	// existedAt is when an archive time-stamp proves the signature
	// existed, and existedBy its authority: a signature-time-stamp's
	// authority is checked then rather than at At, and a signature with
	// no earlier proof is checked at that time.
	existedAt time.Time
	existedBy string
}

// Check is the outcome of one part of verification.
type Check struct {
	OK bool `json:"ok"`
	// Reason is a stable identifier of the first failure, empty when OK.
	Reason string `json:"reason,omitempty"`
	// Detail explains the failure, or remarks on a success.
	Detail string `json:"detail,omitempty"`
}

// FileResult is what verification found about one file of a package.
type FileResult struct {
	Name     string `json:"name"`
	MimeType string `json:"mimeType,omitempty"`
	// Form marks the form (the manifest's Rootfile).
	Form bool `json:"form,omitempty"`
	// Size and SHA256 (hex) describe the bytes found in the package; an
	// unsigned entry is not read, its Size is what its header declares.
	Size   int64  `json:"size"`
	SHA256 string `json:"sha256,omitempty"`
	Status string `json:"status"`
	// Manifests names the manifests with a verified signature that cover
	// the file.
	Manifests []string `json:"manifests,omitempty"`
}

// Report is the outcome of verifying a package or a detached signature.
type Report struct {
	// Format is FormatCAdESBES when the signature verified with a
	// matching signing-certificate-v2, FormatCMS for any other signature
	// that could be parsed, and empty when there is none.
	Format string `json:"format,omitempty"`
	// Integrity says whether the signed bytes are unaltered and the
	// signature is valid.
	Integrity Check `json:"integrity"`
	// Certificate is the path check of the signer's certificate at
	// VerifyOptions.At; its Reason is a certcheck.Reason.
	Certificate Check `json:"certificate"`
	// Signer is the signer's certificate, when the signature names one.
	Signer *x509.Certificate `json:"-"`
	// Chain is the validated path, signer first, anchor last; nil unless
	// Certificate.OK.
	Chain []*x509.Certificate `json:"-"`
	// SignatureValue is the signer's signature value (the SignerInfo's
	// signature bits), when the signature could be parsed: what a
	// recipient recognises a replayed signature by.
	SignatureValue []byte `json:"-"`
	// SigningTime is the time the signer claims; for display only.
	SigningTime *time.Time `json:"signingTime,omitempty"`
	// Unsigned names the unsigned attributes of the signer info in their
	// order (signature-time-stamp, archive-time-stamp-v3, …): kept and
	// reported, not validated.
	Unsigned []string `json:"unsignedAttributes,omitempty"`
	// OCSPResponses counts the OCSP responses the signature carries as
	// RevocationInfoChoice other (RFC 5940); Revocation says what they
	// and the CRLs carried establish.
	OCSPResponses int `json:"ocspResponses,omitempty"`
	// Revocation is the revocation check of the signer's path from the
	// OCSP responses and CRLs the signature carries (CAdES-B-LT), at the
	// time the certificate was checked; nil when it carries none or the
	// path did not validate. Nothing else of verification checks
	// revocation.
	Revocation *EmbeddedRevocation `json:"revocation,omitempty"`
	// Timestamps are the signature-time-stamp tokens over the signature
	// value (CAdES-T), each checked.
	Timestamps []TimestampResult `json:"timestamps,omitempty"`
	// ProvenTime is the genTime of the earliest token that holds, when it
	// is before VerifyOptions.At (or now): the signer's certificate is
	// checked at that time, and ProvenBy names the authority.
	ProvenTime *time.Time `json:"provenTime,omitempty"`
	ProvenBy   string     `json:"provenBy,omitempty"`
	// Files lists a package's files in manifest order, then the entries
	// the manifests do not cover.
	Files []FileResult `json:"files,omitempty"`
	// Signatures lists a package's signatures and time-stamp tokens, one
	// per manifest, in the manifests' name order. The fields above that
	// describe one signature (Format, Signer, Chain, SigningTime,
	// SignatureValue, Unsigned, OCSPResponses) are those of the form's
	// signer — the first intact CAdES signature whose manifest names the
	// form, else the first CAdES signature; Certificate is that
	// signature's check, or the first failing check of the others.
	Signatures []SignatureResult `json:"signatures,omitempty"`
	// Conformance lists what EN 319 162-1 asks of producers and the
	// package does not do, where integrity is not touched (the mimetype
	// entry, directory entries): warnings, not failures.
	Conformance []Remark `json:"conformance,omitempty"`
	// Undecided lists what was found and could not be decided (a
	// time-stamp token, not validated yet). A report with Undecided
	// entries and nothing failed is neither valid nor invalid.
	Undecided []Remark `json:"undecided,omitempty"`
}

// Decided reports whether nothing of the report is left undecided.
func (r Report) Decided() bool { return len(r.Undecided) == 0 }

// Outcomes of a report.
const (
	OutcomeValid     = "valid"
	OutcomeInvalid   = "invalid"
	OutcomeUndecided = "undecided"
)

// Outcome sums the report up: invalid when integrity failed or a
// signature's certificate definitely failed; undecided when nothing
// failed and something could not be decided (a time-stamp token); valid
// only when everything holds. Conformance remarks do not change it.
func (r Report) Outcome() string {
	signed := r.Signer != nil
	switch {
	case !r.Integrity.OK && r.Integrity.Reason == ReasonSignerCertificateMissing:
		return OutcomeUndecided
	case !r.Integrity.OK, signed && !r.Certificate.OK:
		return OutcomeInvalid
	case !r.Decided():
		return OutcomeUndecided
	case !r.OK():
		return OutcomeInvalid
	}
	return OutcomeValid
}

// OK reports whether both integrity and certificate checks passed.
func (r Report) OK() bool { return r.Integrity.OK && r.Certificate.OK }

// certSummary is how a certificate appears in a report's JSON.
type certSummary struct {
	Subject   string    `json:"subject"`
	Issuer    string    `json:"issuer"`
	Serial    string    `json:"serial"`
	NotBefore time.Time `json:"notBefore"`
	NotAfter  time.Time `json:"notAfter"`
	SHA256    string    `json:"sha256"`
}

func summarize(c *x509.Certificate) certSummary {
	sum := sha256.Sum256(c.Raw)
	return certSummary{Subject: c.Subject.String(), Issuer: c.Issuer.String(), Serial: c.SerialNumber.Text(16),
		NotBefore: c.NotBefore, NotAfter: c.NotAfter, SHA256: hex.EncodeToString(sum[:])}
}

// MarshalJSON adds summaries of Signer and Chain to the report's fields.
func (r Report) MarshalJSON() ([]byte, error) {
	type plain Report
	out := struct {
		plain
		Signer *certSummary  `json:"signer,omitempty"`
		Chain  []certSummary `json:"chain,omitempty"`
	}{plain: plain(r)}
	if r.Signer != nil {
		s := summarize(r.Signer)
		out.Signer = &s
	}
	for _, c := range r.Chain {
		out.Chain = append(out.Chain, summarize(c))
	}
	return json.Marshal(out)
}

func fail(reason, detail string) Check { return Check{Reason: reason, Detail: detail} }

// VerifyDetached verifies sig, a detached CMS or CAdES-BES signature in
// DER, over the bytes of content, which is read into memory up to
// MaxDetachedContent. signing-certificate-v2 is verified when present;
// without it Report.Format is FormatCMS and integrity can still be OK.
func VerifyDetached(ctx context.Context, sig []byte, content io.Reader, opts VerifyOptions) (*Report, error) {
	data, err := iox.ReadAll(iox.WithContext(ctx, content), MaxDetachedContent)
	if errors.Is(err, iox.ErrTooLarge) {
		return nil, fmt.Errorf("%w: detached content over %d MiB; package large files instead", ErrTooLarge, MaxDetachedContent>>20)
	}
	if err != nil {
		return nil, fmt.Errorf("signer: read content: %w", err)
	}
	r := &Report{}
	if err := verifyCMS(ctx, sig, data, opts, r); err != nil {
		return nil, err
	}
	return r, nil
}

// checkCertificate checks the signer's path with certcheck; carried are
// the certificates the signature brought, usable as intermediates only.
func checkCertificate(leaf *x509.Certificate, carried []*x509.Certificate, opts VerifyOptions) (Check, []*x509.Certificate) {
	inter := append(append([]*x509.Certificate{}, opts.Intermediates...), carried...)
	chain, err := certcheck.VerifySigning(leaf, certcheck.Options{Roots: opts.Roots, Intermediates: inter, At: opts.At})
	if err == nil {
		return Check{OK: true}, chain
	}
	var ce *certcheck.Error
	if !errors.As(err, &ce) {
		return fail(string(certcheck.ReasonInvalid), err.Error()), nil
	}
	// certcheck's message names the subject; the detail must not carry
	// personal data, so it says which certificate instead.
	who := "an issuing CA certificate"
	if ce.Cert == nil || bytes.Equal(ce.Cert.Raw, leaf.Raw) {
		who = "the signer's certificate"
	}
	detail := string(ce.Reason)
	if ce.Err != nil {
		detail = ce.Err.Error()
	}
	return fail(string(ce.Reason), who+": "+detail), nil
}
