package signer

import (
	"archive/zip"
	"bytes"
	"context"
	"crypto"
	"crypto/sha256"
	"crypto/x509"
	"encoding/hex"
	"fmt"
	"hash"
	"io"
	"slices"
	"strings"
	"time"
)

// Kinds of a SignatureResult.
const (
	KindCAdES     = "CAdES"     // a CAdES signature over its manifest
	KindTimestamp = "timestamp" // a time-stamp token over its manifest
	// KindArchiveTimestamp is a time-stamp token over a manifest that
	// seals the container's own entries (signatures, manifests): long-term
	// preservation (archive_verify.go). Entries changed, missing or not
	// sealed since fail the package; a token that does not hold leaves it
	// undecided; one that holds proves when the entries existed.
	KindArchiveTimestamp = "archive-timestamp"
)

// StatusNotValidated is the status of a file covered only by manifests
// whose timestamp is not validated yet.
const StatusNotValidated = "not-validated"

// Reasons of conformance remarks: what EN 319 162-1 asks of producers
// without touching integrity.
const (
	ConformanceDirectoryEntry = "directory-entry" // a ZIP directory entry
)

// ReasonNotValidated marks what was found but not validated: a
// time-stamp token (validated once long-term signatures are supported).
const ReasonNotValidated = "not-validated"

// Remark is a finding beside integrity and certificate: a conformance
// warning, or something that could not be decided.
type Remark struct {
	Reason string `json:"reason"`
	Detail string `json:"detail,omitempty"`
}

// SignatureResult is what verification found about one signature of a
// package (or one time-stamp token over a manifest).
type SignatureResult struct {
	// Name is the signature's entry, Manifest the manifest it signs.
	Name     string `json:"name"`
	Manifest string `json:"manifest"`
	Kind     string `json:"kind"`
	// Format, Integrity, Certificate, Signer, Chain, SigningTime,
	// SignatureValue, Unsigned and OCSPResponses are as in Report, for
	// this signature alone. A timestamp's Certificate is not validated.
	Format         string              `json:"format,omitempty"`
	Integrity      Check               `json:"integrity"`
	Certificate    Check               `json:"certificate"`
	Signer         *x509.Certificate   `json:"-"`
	Chain          []*x509.Certificate `json:"-"`
	SigningTime    *time.Time          `json:"signingTime,omitempty"`
	SignatureValue []byte              `json:"-"`
	Unsigned       []string            `json:"unsignedAttributes,omitempty"`
	OCSPResponses  int                 `json:"ocspResponses,omitempty"`
	// Revocation, Timestamps, ProvenTime and ProvenBy are as in Report.
	Revocation *EmbeddedRevocation `json:"revocation,omitempty"`
	Timestamps []TimestampResult   `json:"timestamps,omitempty"`
	ProvenTime *time.Time          `json:"provenTime,omitempty"`
	ProvenBy   string              `json:"provenBy,omitempty"`
	// Covers lists the files its manifest names.
	Covers []string `json:"covers,omitempty"`
}

// from copies the outcome of one CMS verification into s.
func (s *SignatureResult) from(r *Report) {
	s.Format, s.Integrity, s.Certificate, s.Signer, s.Chain = r.Format, r.Integrity, r.Certificate, r.Signer, r.Chain
	s.SigningTime, s.SignatureValue, s.Unsigned, s.OCSPResponses = r.SigningTime, r.SignatureValue, r.Unsigned, r.OCSPResponses
	s.Timestamps, s.ProvenTime, s.ProvenBy = r.Timestamps, r.ProvenTime, r.ProvenBy
	s.Revocation = r.Revocation
}

// verified reports whether s is a CAdES signature whose integrity holds:
// what makes the files of its manifest covered.
func (s *SignatureResult) verified() bool { return s.Kind == KindCAdES && s.Integrity.OK }

// manifestState is one manifest of a package as verification goes.
type manifestState struct {
	name   string
	parsed *parsedManifest
	sig    *SignatureResult
}

// verifyPackage verifies the package in ra: every manifest
// (META-INF/*ASiCManifest*.xml) with the signature or time-stamp token
// it names, and every file against every manifest naming it. Integrity
// reports the first failure in this order: signatures, manifests, files.
// What only conformance concerns (the mimetype entry, directory entries)
// goes into Conformance.
func verifyPackage(ctx context.Context, ra io.ReaderAt, size int64, opts VerifyOptions) (*Report, error) {
	zr, err := openPackage(ra, size)
	if err != nil {
		return nil, err
	}
	byName := make(map[string]*zip.File, len(zr.File))
	for _, f := range zr.File {
		byName[f.Name] = f
	}
	r := &Report{Certificate: Check{Reason: ReasonCertificateNotChecked}}
	if c := checkMimetype(ra, zr); !c.OK {
		r.Conformance = append(r.Conformance, Remark{Reason: ReasonMimetypeInvalid, Detail: c.Detail})
	}
	var manifests []*manifestState
	var failures []Check
	for _, f := range zr.File {
		switch {
		case isDir(f):
			r.Conformance = append(r.Conformance, Remark{Reason: ConformanceDirectoryEntry, Detail: fmt.Sprintf("%q is a directory entry", f.Name)})
		case isManifestName(f.Name) || isArchiveManifestName(f.Name):
			manifests = append(manifests, &manifestState{name: f.Name})
		}
	}
	if len(manifests) > maxManifests {
		return nil, fmt.Errorf("%w: %d manifests, more than %d", ErrTooLarge, len(manifests), maxManifests)
	}
	slices.SortFunc(manifests, func(a, b *manifestState) int { return strings.Compare(a.name, b.name) })
	archives, err := verifyArchives(ctx, zr, byName, opts)
	if err != nil {
		return nil, err
	}

	referenced := map[string]string{}
	for _, m := range manifests {
		data, err := readMeta(ctx, byName[m.name])
		if err != nil {
			return nil, err
		}
		parsed, perr := parseManifest(data)
		if perr != nil {
			failures = append(failures, fail(ReasonManifestInvalid, m.name+": "+perr.Error()))
			continue
		}
		if other, dup := referenced[parsed.SigRef]; dup {
			failures = append(failures, fail(ReasonManifestInvalid, fmt.Sprintf("%s and %s name the same signature %s", other, m.name, parsed.SigRef)))
			continue
		}
		referenced[parsed.SigRef] = m.name
		m.parsed = parsed
		sr := &SignatureResult{Name: parsed.SigRef, Manifest: m.name, Kind: KindCAdES, Certificate: Check{Reason: ReasonCertificateNotChecked}}
		if isTimestampName(parsed.SigRef) {
			sr.Kind = KindTimestamp
			if isArchiveManifestName(m.name) || slices.ContainsFunc(parsed.Entries, func(e manifestEntry) bool { return reserved(e.Name) }) {
				sr.Kind = KindArchiveTimestamp
			}
		} else if isArchiveManifestName(m.name) {
			failures = append(failures, fail(ReasonManifestInvalid, m.name+" must name a time-stamp token"))
			continue
		}
		for _, e := range parsed.Entries {
			sr.Covers = append(sr.Covers, e.Name)
		}
		m.sig = sr
		sigData, err := readMeta(ctx, byName[parsed.SigRef])
		if err != nil {
			return nil, err
		}
		switch {
		case sr.Kind == KindArchiveTimestamp && archives.results[m.name] != nil:
			m.sig = archives.results[m.name]
		case sigData == nil:
			sr.Integrity = fail(ReasonSignatureMissing, fmt.Sprintf("%s names %s, which is not in the package", m.name, parsed.SigRef))
		case sr.Kind != KindCAdES:
			if err := verifyTimestampToken(sigData, data, sr); err != nil {
				return nil, err
			}
			if sr.Integrity.OK && (sr.Kind == KindTimestamp || sr.Signer == nil) {
				r.Undecided = append(r.Undecided, Remark{Reason: ReasonNotValidated,
					Detail: parsed.SigRef + ": a time-stamp token over " + m.name + " (its imprint matches; the time-stamp authority is not validated yet)"})
			}
		default:
			one := &Report{}
			if err := verifyCMS(ctx, sigData, data, archives.optsFor(parsed.SigRef, opts), one); err != nil {
				return nil, fmt.Errorf("%w (%s)", err, parsed.SigRef)
			}
			switch {
			case one.Integrity.Reason == ReasonContentDigestMismatch:
				one.Integrity = fail(ReasonManifestDigestMismatch, m.name+" is not what "+parsed.SigRef+" signed")
			case one.Integrity.OK && one.Format != FormatCAdESBES:
				one.Integrity = fail(ReasonSigningCertificateV2Missing, parsed.SigRef+": a package signature must be CAdES-BES")
			}
			sr.from(one)
			for _, u := range one.Undecided {
				u.Detail = parsed.SigRef + ": " + u.Detail
				r.Undecided = append(r.Undecided, u)
			}
		}
	}
	// Signatures that no manifest names sign nothing a reader can know.
	unreferenced := false
	for _, f := range zr.File {
		if (isSignatureName(f.Name) || isTimestampName(f.Name)) && referenced[f.Name] == "" {
			unreferenced = true
			failures = append(failures, fail(ReasonManifestInvalid, "no ASiCManifest names "+f.Name))
		}
	}
	signed := slices.ContainsFunc(manifests, func(m *manifestState) bool { return m.sig != nil })
	if !signed && !unreferenced {
		failures = append([]Check{fail(ReasonSignatureMissing, "no manifest with a signature: no META-INF/*ASiCManifest*.xml naming a META-INF/*signature*.p7s")}, failures...)
	}

	var files Check
	if r.Files, files, err = checkCoverage(ctx, zr, byName, manifests, r); err != nil {
		return nil, err
	}
	var sigFailures []Check
	for _, m := range manifests {
		if m.sig == nil {
			continue
		}
		r.Signatures = append(r.Signatures, *m.sig)
		switch {
		case m.sig.Integrity.OK:
		case m.sig.Kind == KindArchiveTimestamp:
			// Judged by verifyArchives: failures and undecided below.
		default:
			sigFailures = append(sigFailures, m.sig.Integrity)
		}
	}
	failures = append(append(append(sigFailures, archives.failures...), failures...), files)
	r.Undecided = append(r.Undecided, archives.undecided...)
	summarizeSignatures(r)
	r.Integrity = firstFailure(failures...)
	return r, nil
}

func hasCAdES(sigs []SignatureResult) bool {
	for _, s := range sigs {
		if s.Kind == KindCAdES {
			return true
		}
	}
	return false
}

// summarizeSignatures fills the report's own signer fields from the
// signer of the form — the first intact CAdES signature whose manifest
// names the form, or else the first CAdES signature — and its
// certificate check from the first that fails. In a package filed by a
// proxy, the form's signer is the proxy; the power of attorney's signer
// is in Signatures.
func summarizeSignatures(r *Report) {
	form := ""
	for _, f := range r.Files {
		if f.Form {
			form = f.Name
		}
	}
	primary := -1
	for i, s := range r.Signatures {
		if s.Kind != KindCAdES || s.Signer == nil {
			continue
		}
		if form != "" && s.verified() && slices.Contains(s.Covers, form) {
			primary = i
			break
		}
		if primary < 0 {
			primary = i
		}
	}
	if primary < 0 {
		return
	}
	p := r.Signatures[primary]
	r.Format, r.Certificate, r.Signer, r.Chain = p.Format, p.Certificate, p.Signer, p.Chain
	r.SigningTime, r.SignatureValue, r.Unsigned, r.OCSPResponses = p.SigningTime, p.SignatureValue, p.Unsigned, p.OCSPResponses
	r.Timestamps, r.ProvenTime, r.ProvenBy = p.Timestamps, p.ProvenTime, p.ProvenBy
	r.Revocation = p.Revocation
	for i, s := range r.Signatures {
		if i == primary || s.Kind != KindCAdES || s.Signer == nil {
			continue
		}
		if r.Certificate.OK && !s.Certificate.OK {
			c := s.Certificate
			c.Detail = s.Name + ": " + c.Detail
			r.Certificate = c
		}
	}
}

func firstFailure(checks ...Check) Check {
	for _, c := range checks {
		if !c.OK {
			return c
		}
	}
	return Check{OK: true}
}

// claim is what one manifest says about one file.
type claim struct {
	manifest *manifestState
	entry    manifestEntry
}

// checkCoverage hashes every file the manifests name, once, with every
// algorithm they use; compares each digest; and reports every data file
// that no verified signature covers.
func checkCoverage(ctx context.Context, zr *zip.Reader, byName map[string]*zip.File, manifests []*manifestState, r *Report) ([]FileResult, Check, error) {
	var order []string
	claims := map[string][]claim{}
	form := ""
	result := Check{OK: true}
	for _, m := range manifests {
		if m.parsed == nil || m.sig != nil && m.sig.Kind == KindArchiveTimestamp {
			continue // sealed entries are weighed by verifyArchives
		}
		for _, e := range m.parsed.Entries {
			if claims[e.Name] == nil {
				order = append(order, e.Name)
			}
			claims[e.Name] = append(claims[e.Name], claim{m, e})
			if e.Root && m.sig != nil && m.sig.verified() {
				if form != "" && form != e.Name && result.OK {
					result = fail(ReasonManifestInvalid, fmt.Sprintf("%q and %q are both marked as the form (Rootfile)", form, e.Name))
				}
				if form == "" {
					form = e.Name
				}
			}
		}
	}
	var results []FileResult
	note := func(reason, status string, fr FileResult) {
		fr.Status = status
		results = append(results, fr)
		if result.OK && reason != "" {
			result = fail(reason, fmt.Sprintf("%q: %s", fr.Name, status))
		}
	}
	for _, name := range order {
		cs := claims[name]
		fr := FileResult{Name: name, MimeType: cs[0].entry.MimeType, Form: name == form}
		verified, undecided := false, false
		for _, c := range cs {
			switch {
			case c.manifest.sig.verified():
				verified = true
				fr.Manifests = append(fr.Manifests, c.manifest.name)
			case c.manifest.sig.Kind == KindTimestamp && c.manifest.sig.Integrity.OK:
				undecided = true
			}
		}
		f := byName[name]
		if f == nil || isDir(f) {
			note(ReasonFileMissing, StatusMissing, fr)
			continue
		}
		hashes := map[crypto.Hash]hash.Hash{crypto.SHA256: sha256.New()}
		var ws []io.Writer
		for _, c := range cs {
			if hashes[c.entry.Hash] == nil {
				hashes[c.entry.Hash] = c.entry.Hash.New()
			}
		}
		for _, h := range hashes {
			ws = append(ws, h)
		}
		n, err := readEntry(ctx, f, io.MultiWriter(ws...), maxEntrySize)
		fr.Size, fr.SHA256 = n, hex.EncodeToString(hashes[crypto.SHA256].Sum(nil))
		mismatch := false
		for _, c := range cs {
			if !bytes.Equal(hashes[c.entry.Hash].Sum(nil), c.entry.Digest) {
				mismatch = true
			}
		}
		switch {
		case refused(err):
			return nil, Check{}, err
		case mismatch:
			note(ReasonFileDigestMismatch, StatusDigestMismatch, fr)
		case err != nil:
			note(ReasonFileCorrupt, StatusCorrupt, fr)
		case verified:
			note("", StatusOK, fr)
		case undecided:
			note("", StatusNotValidated, fr)
			r.Undecided = append(r.Undecided, Remark{Reason: ReasonNotValidated, Detail: fmt.Sprintf("%q is covered only by a time-stamp token that is not validated yet", name)})
		default:
			note(ReasonFileUnsigned, StatusUnsigned, fr)
		}
	}
	for _, f := range zr.File {
		if claims[f.Name] != nil || isDir(f) || f.Name == mimetypeName {
			continue
		}
		if isManifestName(f.Name) || isArchiveManifestName(f.Name) || isSignatureName(f.Name) || isTimestampName(f.Name) {
			continue
		}
		note(ReasonFileUnsigned, StatusUnsigned, FileResult{Name: f.Name, Size: int64(f.UncompressedSize64)})
	}
	return results, result, nil
}
