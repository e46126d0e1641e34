// Package pades verifies the signatures of a PDF (PAdES and the Adobe
// detached CMS signatures it grew from): every signature field, the byte
// range each signs, the changes made after each, and the signer's
// certificate through signer and certcheck. The PDF structure is read by
// github.com/digitorus/pdf (the library github.com/digitorus/pdfsign
// builds on); a scan of the raw bytes first refuses what that library
// would allocate or recurse without bound on.
package pades

import (
	"bytes"
	"context"
	"crypto/x509"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"reflect"
	"strings"
	"time"

	"github.com/digitorus/pdf"
	"golang.org/x/crypto/cryptobyte"
	cbasn1 "golang.org/x/crypto/cryptobyte/asn1"

	"github.com/shinsei-app/shinsei/certcheck"
	"github.com/shinsei-app/shinsei/signer"
)

// Errors of Verify for files it refuses to read.
var (
	// ErrMalformed means the file is not a PDF that can be read.
	ErrMalformed = errors.New("pades: not a readable PDF")
	// ErrTooLarge means the file states more than the reader's limits.
	ErrTooLarge = errors.New("pades: PDF over a limit of the reader")
	// ErrEncrypted means the file is encrypted: what is signed cannot be
	// shown as it is.
	ErrEncrypted = errors.New("pades: encrypted PDF")
	// ErrActiveContent means the file holds JavaScript or launch actions.
	ErrActiveContent = errors.New("pades: PDF with JavaScript or launch actions")
	// ErrNoSignature means the file has no signature field with a value.
	ErrNoSignature = errors.New("pades: no signature in the PDF")
	// ErrByteRange means a signature's byte range does not cover the
	// file from its start up to the signature's revision, save exactly
	// the signature's contents.
	ErrByteRange = errors.New("pades: signature byte range leaves content unsigned")
)

// ByteRangeError says which signature's byte range is wrong and how.
type ByteRangeError struct {
	Field     string
	ByteRange []int64
	Why       string
}

func (e *ByteRangeError) Error() string {
	return fmt.Sprintf("pades: signature %q: byte range %v: %s", e.Field, e.ByteRange, e.Why)
}

// Is makes errors.Is(err, ErrByteRange) true.
func (e *ByteRangeError) Is(target error) bool { return target == ErrByteRange }

// Options configure Verify. The zero value trusts nothing.
type Options struct {
	// Roots are the trust anchors; Intermediates may help build paths.
	Roots, Intermediates []*x509.Certificate
	// TSARoots are further anchors for time-stamp authorities alone
	// (signature-time-stamps and document time-stamps), besides Roots.
	TSARoots []*x509.Certificate
	// At is when certificates must be valid; zero means now. A valid
	// signature-time-stamp, or a valid document time-stamp of a later
	// revision, moves a signature's check to the time it proves.
	At time.Time
	// Sources are asked for revocation (CRL, OCSP, VA); none leaves
	// revocation unknown.
	Sources []certcheck.Source
	// RequireRevocation makes an unknown revocation status undecided.
	RequireRevocation bool
}

// SubFilters of the signatures verified.
const (
	SubFilterPKCS7 = "adbe.pkcs7.detached"
	SubFilterCAdES = "ETSI.CAdES.detached"
	SubFilterDocTS = "ETSI.RFC3161"
)

// Outcomes of a signature and of a report.
const (
	OutcomeValid     = "valid"
	OutcomeInvalid   = "invalid"
	OutcomeUndecided = "undecided"
)

// Reasons of a failed signature check beyond those of signer.
const (
	ReasonUnsupported     = "unsupported-signature"   // a SubFilter other than the detached CMS ones
	ReasonUnreadable      = "signature-unreadable"    // /Contents is not CMS SignedData
	ReasonChangedAfter    = "changed-after-signing"   // content changed in a later revision
	ReasonRevoked         = "certificate-revoked"     // certcheck says revoked or on hold
	ReasonRevocationUnkwn = "revocation-unknown"      // with RequireRevocation
	ReasonNoCertificate   = "signer-certificate-none" // no certificate to check
)

// Change is an object a later revision added or replaced.
type Change struct {
	Object int    `json:"object"`
	Kind   string `json:"kind"`
	// Allowed marks what signing and archiving add: further signatures
	// and their fields, document time-stamps, validation data, the form
	// and catalogue entries pointing at them.
	Allowed bool `json:"allowed"`
}

// Signature is what Verify found about one signature field.
type Signature struct {
	Field     string  `json:"field"`
	SubFilter string  `json:"sub_filter"`
	ByteRange []int64 `json:"byte_range"`
	// Covered is how many bytes from the start of the file the signature
	// covers (its revision); WholeFile says that is the whole file.
	Covered   int64 `json:"covered"`
	WholeFile bool  `json:"whole_file"`
	// Changes are the objects later revisions added or replaced.
	Changes []Change `json:"changes_after,omitempty"`
	// Integrity and Certificate are as signer reports them; Revocation
	// is certcheck's verdict at the time checked.
	Integrity   signer.Check `json:"integrity"`
	Certificate signer.Check `json:"certificate"`
	Revocation  signer.Check `json:"revocation"`
	// Signer is the signer's certificate; Official its holder (the 職責,
	// the certificate's common name) and Organisation its O and OU.
	Signer       *x509.Certificate `json:"-"`
	Official     string            `json:"official,omitempty"`
	Organisation string            `json:"organisation,omitempty"`
	Domain       certcheck.Domain  `json:"domain,omitempty"`
	// SigningTime is what the signer claims; ProvenTime what a valid
	// time-stamp proves.
	SigningTime *time.Time `json:"signing_time,omitempty"`
	ProvenTime  *time.Time `json:"proven_time,omitempty"`
	ProvenBy    string     `json:"proven_by,omitempty"`
	// Reason and Location are the signature dictionary's, for display.
	Reason   string `json:"reason,omitempty"`
	Location string `json:"location,omitempty"`
	// CMS and Check are the underlying results.
	CMS   *signer.Report    `json:"-"`
	Check *certcheck.Result `json:"-"`
}

// Outcome sums one signature up.
func (s Signature) Outcome() string {
	switch {
	case !s.Integrity.OK && (s.Integrity.Reason == signer.ReasonSignerCertificateMissing ||
		s.Integrity.Reason == signer.ReasonTimestampCertificateMissing):
		return OutcomeUndecided
	case !s.Integrity.OK, !s.Certificate.OK, s.Revocation.Reason == ReasonRevoked:
		return OutcomeInvalid
	case s.CMS != nil && !s.CMS.Decided(), !s.Revocation.OK:
		return OutcomeUndecided
	}
	return OutcomeValid
}

// Report is the outcome of Verify.
type Report struct {
	Size       int64       `json:"size"`
	Signatures []Signature `json:"signatures"`
}

// Outcome is invalid when any signature is, else undecided when any is,
// else valid.
func (r *Report) Outcome() string {
	out := OutcomeValid
	for _, s := range r.Signatures {
		switch s.Outcome() {
		case OutcomeInvalid:
			return OutcomeInvalid
		case OutcomeUndecided:
			out = OutcomeUndecided
		}
	}
	return out
}

// Verify verifies every signature of the PDF in f (size bytes). The error
// is for a file that is refused as a whole (ErrMalformed, ErrTooLarge,
// ErrEncrypted, ErrActiveContent, ErrNoSignature, a *ByteRangeError);
// anything decided about a signature is in the report.
func Verify(ctx context.Context, f io.ReaderAt, size int64, opts Options) (*Report, error) {
	doc, err := open(ctx, f, size)
	if err != nil {
		return nil, err
	}
	var sigs []sigField
	if err := doc.guard(func() { sigs = doc.signatureFields() }); err != nil {
		return nil, err
	}
	if len(sigs) == 0 {
		return nil, ErrNoSignature
	}
	rep := &Report{Size: size}
	for _, sf := range sigs {
		s, err := doc.verifyOne(ctx, sf, opts)
		if err != nil {
			return nil, err
		}
		rep.Signatures = append(rep.Signatures, s)
	}
	if err := doc.proveByDocTimestamps(ctx, rep, sigs, opts); err != nil {
		return nil, err
	}
	return rep, nil
}

// document is an opened PDF.
type document struct {
	f    *budgetReader
	size int64
	r    *pdf.Reader
}

// open scans f, then opens it with the PDF library.
func open(ctx context.Context, f io.ReaderAt, size int64) (*document, error) {
	if size < 16 {
		return nil, fmt.Errorf("%w: %d bytes", ErrMalformed, size)
	}
	s := &scanner{}
	if err := s.scan(ctx, io.NewSectionReader(f, 0, size), 0); err != nil {
		return nil, err
	}
	if err := checkTables(ctx, f, size, s.f.xrefs); err != nil {
		return nil, err
	}
	if err := checkStreams(f, size, s.f.streams); err != nil {
		return nil, err
	}
	if s.f.active != "" {
		return nil, fmt.Errorf("%w: /%s", ErrActiveContent, s.f.active)
	}
	if !endsWithEOF(f, size) {
		return nil, fmt.Errorf("%w: no %%%%EOF at its end (cut short?)", ErrMalformed)
	}
	doc := &document{f: &budgetReader{ctx: ctx, f: f, left: 4*size + 64<<20}, size: size}
	err := doc.guard(func() {
		var err error
		doc.r, err = pdf.NewReader(doc.f, size)
		if err != nil {
			panic(err)
		}
	})
	if s.f.encrypt && (err != nil || !doc.r.Trailer().Key("Encrypt").IsNull()) {
		return nil, ErrEncrypted
	}
	if err != nil {
		return nil, err
	}
	for i, x := range doc.r.Xref() {
		// The library does not export where an object is; reflect reads it.
		v := reflect.ValueOf(x)
		if in, off := v.FieldByName("inStream"), v.FieldByName("offset"); in.IsValid() && off.IsValid() && !in.Bool() && s.inStreamData(off.Int()) {
			return nil, fmt.Errorf("%w: object %d lies inside stream data", ErrMalformed, i)
		}
	}
	if err := doc.guard(func() { doc.checkObjectStreams(ctx) }); err != nil {
		return nil, err
	}
	return doc, nil
}

// guard runs fn, turning the PDF library's panics into ErrMalformed and
// the scan's limits into their own errors.
func (d *document) guard(fn func()) (err error) {
	defer func() {
		r := recover()
		if r == nil {
			return
		}
		if e, ok := r.(guardError); ok {
			err = e.err
			return
		}
		err = fmt.Errorf("%w: %v", ErrMalformed, r)
	}()
	fn()
	return nil
}

// guardError carries an error of ours through the library's stack.
type guardError struct{ err error }

// budgetReader is f read at most left bytes in all, and only while ctx
// lasts: a file whose structure loops re-reads until the budget ends.
type budgetReader struct {
	ctx  context.Context
	f    io.ReaderAt
	left int64
}

func (b *budgetReader) ReadAt(p []byte, off int64) (int, error) {
	if err := b.ctx.Err(); err != nil {
		panic(guardError{err})
	}
	b.left -= int64(len(p))
	if b.left < 0 {
		panic(guardError{fmt.Errorf("%w: the structure is read over and over (a loop?)", ErrTooLarge)})
	}
	return b.f.ReadAt(p, off)
}

// checkObjectStreams decodes each object stream once, under
// MaxObjectStream, through the same scan as the raw bytes: what is
// compressed is refused for what the raw file would be.
func (d *document) checkObjectStreams(ctx context.Context) {
	seen := map[uint32]bool{}
	for _, x := range d.r.Xref() {
		p := x.Stream()
		if p.GetID() == 0 || seen[p.GetID()] {
			continue
		}
		seen[p.GetID()] = true
		v := d.r.Resolve(p, p)
		for hops := 0; v.Kind() == pdf.Stream; hops++ {
			if hops > 8 {
				panic(guardError{fmt.Errorf("%w: object streams extend each other over 8 deep", ErrTooLarge)})
			}
			if n := v.Key("N").Int64(); n < 0 || n > MaxObjects {
				panic(guardError{fmt.Errorf("%w: object stream of %d objects", ErrTooLarge, n)})
			}
			s := &scanner{objstm: true}
			if err := s.scan(ctx, v.Reader(), MaxObjectStream); err != nil {
				panic(guardError{err})
			}
			if s.f.active != "" {
				panic(guardError{fmt.Errorf("%w: /%s", ErrActiveContent, s.f.active)})
			}
			ext := v.Key("Extends")
			if ext.Kind() != pdf.Stream || seen[idOf(ext)] {
				break
			}
			seen[idOf(ext)] = true
			v = ext
		}
	}
}

// sigField is a signature field with a value.
type sigField struct {
	name string
	v    pdf.Value
}

// signatureFields walks the form's fields (and their kids) for signature
// fields with a signature dictionary.
func (d *document) signatureFields() []sigField {
	var out []sigField
	seen := map[uint32]bool{}
	count := 0
	var walk func(v pdf.Value, parent string, ft string, depth int)
	walk = func(v pdf.Value, parent, ft string, depth int) {
		if v.Kind() != pdf.Dict || depth > 32 || count > maxFields || len(out) >= MaxSignatures {
			return
		}
		if id := idOf(v); id != 0 {
			if seen[id] {
				return
			}
			seen[id] = true
		}
		count++
		name := v.Key("T").Text()
		if parent != "" && name != "" {
			name = parent + "." + name
		} else if name == "" {
			name = parent
		}
		if t := v.Key("FT").Name(); t != "" {
			ft = t
		}
		if sig := v.Key("V"); ft == "Sig" && sig.Kind() == pdf.Dict {
			out = append(out, sigField{name: name, v: sig})
		}
		kids := v.Key("Kids")
		for i := 0; i < kids.Len() && i < maxFields; i++ {
			walk(kids.Index(i), name, ft, depth+1)
		}
	}
	fields := d.r.Trailer().Key("Root").Key("AcroForm").Key("Fields")
	for i := 0; i < fields.Len() && i < maxFields; i++ {
		walk(fields.Index(i), "", "", 0)
	}
	return out
}

// verifyOne verifies one signature.
func (d *document) verifyOne(ctx context.Context, sf sigField, opts Options) (Signature, error) {
	s := Signature{Field: sf.name}
	var contents string
	var br []int64
	err := d.guard(func() {
		v := sf.v
		s.SubFilter = v.Key("SubFilter").Name()
		s.Reason, s.Location = v.Key("Reason").Text(), v.Key("Location").Text()
		contents = v.Key("Contents").RawString()
		r := v.Key("ByteRange")
		for i := 0; i < r.Len() && i < 8; i++ {
			if r.Index(i).Kind() != pdf.Integer {
				br = nil
				break
			}
			br = append(br, r.Index(i).Int64())
		}
	})
	if err != nil {
		return s, err
	}
	s.ByteRange = br
	if len(contents) > MaxContents {
		return s, fmt.Errorf("%w: signature %q holds over %d MiB", ErrTooLarge, sf.name, MaxContents>>20)
	}
	if err := d.checkByteRange(sf.name, br, contents); err != nil {
		return s, err
	}
	s.Covered = br[2] + br[3]
	s.WholeFile = s.Covered == d.size
	if !s.WholeFile {
		changes, err := d.changesAfter(ctx, s.Covered)
		var bre *ByteRangeError
		if errors.As(err, &bre) {
			bre.Field, bre.ByteRange = sf.name, br
		}
		if err != nil {
			return s, err
		}
		s.Changes = changes
	}
	switch s.SubFilter {
	case SubFilterPKCS7, SubFilterCAdES:
	case SubFilterDocTS:
		return s, d.verifyDocTimestamp(ctx, &s, []byte(contents), br, opts)
	default:
		s.Integrity = signer.Check{Reason: ReasonUnsupported, Detail: "signature type " + s.SubFilter + " is not verified"}
		return s, nil
	}
	content := io.MultiReader(io.NewSectionReader(d.f.f, 0, br[1]), io.NewSectionReader(d.f.f, br[2], br[3]))
	cms, err := signer.VerifyDetachedStream(ctx, trimDER([]byte(contents)), content, signer.VerifyOptions{Roots: opts.Roots, Intermediates: opts.Intermediates, TSARoots: opts.TSARoots, At: opts.At})
	if errors.Is(err, signer.ErrMalformed) {
		s.Integrity = signer.Check{Reason: ReasonUnreadable, Detail: "the signature's contents are not CMS SignedData"}
		return s, nil
	}
	if err != nil {
		return s, err
	}
	s.CMS, s.Integrity, s.Certificate = cms, cms.Integrity, cms.Certificate
	s.SigningTime, s.ProvenTime, s.ProvenBy = cms.SigningTime, cms.ProvenTime, cms.ProvenBy
	if s.Integrity.OK && s.SubFilter == SubFilterCAdES && cms.Format != signer.FormatCAdESBES {
		s.Integrity = signer.Check{Reason: signer.ReasonSigningCertificateV2Missing, Detail: "ETSI.CAdES.detached without signing-certificate-v2"}
	}
	for _, c := range s.Changes {
		if !c.Allowed && s.Integrity.OK {
			s.Integrity = signer.Check{Reason: ReasonChangedAfter, Detail: "changed after signing: " + describeChanges(s.Changes)}
			break
		}
	}
	if cms.Signer == nil {
		s.Revocation = signer.Check{Reason: ReasonNoCertificate}
		return s, nil
	}
	s.Signer = cms.Signer
	s.Official = cms.Signer.Subject.CommonName
	s.Organisation = strings.Join(append(append([]string{}, cms.Signer.Subject.Organization...), cms.Signer.Subject.OrganizationalUnit...), " ")
	at := opts.At
	if s.ProvenTime != nil {
		at = *s.ProvenTime
	}
	inter := append([]*x509.Certificate{}, opts.Intermediates...)
	if len(cms.Chain) > 1 {
		inter = append(inter, cms.Chain[1:]...)
	}
	res := certcheck.Check(ctx, cms.Signer, certcheck.Options{Roots: opts.Roots, Intermediates: inter, At: at, Sources: opts.Sources, RequireRevocation: opts.RequireRevocation})
	s.Check, s.Domain = res, res.Domain
	switch {
	case len(res.Path) == 0:
		s.Revocation = signer.Check{Reason: string(certcheck.ReasonRevocationUnknown), Detail: "not checked: the certificate itself is not valid"}
	case res.Reason == certcheck.ReasonRevoked || res.Reason == certcheck.ReasonOnHold:
		s.Revocation = signer.Check{Reason: ReasonRevoked, Detail: res.Detail}
	case res.Outcome == certcheck.Indeterminate:
		s.Revocation = signer.Check{Reason: ReasonRevocationUnkwn, Detail: res.Detail}
	default:
		s.Revocation = signer.Check{OK: true, Detail: revocationDetail(res)}
	}
	return s, nil
}

// revocationDetail says how the signer's status was established, or that
// it was not.
func revocationDetail(res *certcheck.Result) string {
	if len(res.Path) == 0 {
		return ""
	}
	r := res.Path[0].Revocation
	if r.Status == certcheck.StatusGood {
		return "not revoked (" + r.Source + ")"
	}
	return "status " + string(r.Status) + " (soft fail)"
}

// checkByteRange holds a signature's byte range to [0 a b c] with the gap
// [a, b) exactly its /Contents as a hex string, and b+c within the file.
func (d *document) checkByteRange(field string, br []int64, contents string) error {
	bad := func(why string) error { return &ByteRangeError{Field: field, ByteRange: br, Why: why} }
	if len(br) != 4 {
		return bad("not four integers")
	}
	a, b, c := br[1], br[2], br[3]
	switch {
	case br[0] != 0:
		return bad("does not start at the beginning of the file")
	case a <= 0 || b <= a || c < 0 || b > d.size || c > d.size-b:
		return bad("outside the file")
	case b-a > 2*MaxContents+2:
		return bad("the gap is larger than any signature")
	}
	gap, err := capRead(io.NewSectionReader(d.f.f, a, b-a), 2*MaxContents+2)
	if err != nil {
		return err
	}
	if len(gap) < 2 || gap[0] != '<' || gap[len(gap)-1] != '>' {
		return bad("the unsigned gap is not exactly the signature's contents")
	}
	raw, err := hex.DecodeString(string(gap[1 : len(gap)-1]))
	if err != nil || !bytes.Equal(raw, []byte(contents)) {
		return bad("the unsigned gap holds other bytes than the signature's contents")
	}
	return nil
}

// trimDER cuts the zero padding after the DER signature in /Contents;
// BER of indefinite length is passed on as it is.
func trimDER(b []byte) []byte {
	s := cryptobyte.String(b)
	var el cryptobyte.String
	var tag cbasn1.Tag
	if s.ReadAnyASN1Element(&el, &tag) {
		return el
	}
	return b
}

// describeChanges names the changes not allowed.
func describeChanges(cs []Change) string {
	var names []string
	for _, c := range cs {
		if !c.Allowed {
			names = append(names, fmt.Sprintf("%s (object %d)", c.Kind, c.Object))
		}
	}
	if len(names) > 8 {
		names = append(names[:8], fmt.Sprintf("and %d more", len(names)-8))
	}
	return strings.Join(names, ", ")
}

// endsWithEOF reports whether "%%EOF" is in the last KiB of the first
// size bytes of f. The PDF library looks for it by reading ever longer
// tails, which takes time growing with the square of the size when it
// is missing.
func endsWithEOF(f io.ReaderAt, size int64) bool {
	from := max(0, size-1024)
	tail := make([]byte, size-from)
	n, _ := f.ReadAt(tail, from)
	return bytes.Contains(tail[:n], []byte("%%EOF"))
}
