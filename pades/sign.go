package pades

import (
	"bytes"
	"context"
	"crypto"
	"crypto/x509"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"os"
	"strconv"
	"time"
	"unicode/utf16"

	"github.com/digitorus/pdf"
	"github.com/digitorus/pdfsign/sign"

	"github.com/shinsei-app/shinsei/internal/fsx"
	"github.com/shinsei-app/shinsei/signer"
)

// Levels of the signatures Sign makes (ETSI EN 319 142-1 baseline).
const (
	LevelBB = "PAdES-B-B"
	LevelBT = "PAdES-B-T"
)

// MaxSignInput bounds the PDF Sign reads: it holds the file in memory
// while it appends the signature (the PDF library writes to a buffer).
const MaxSignInput = 128 << 20

// tokenReserve is the room kept in /Contents for the signature
// time-stamp (and the difference between the library's CMS and ours):
// the CMS is made after the file's layout is fixed, so its room is fixed
// before. It is counted in bytes of DER; the file holds it in hex.
const tokenReserve = 16 << 10

// ErrBox means the visible signature box is not on a page of the PDF
// or is empty.
var ErrBox = errors.New("pades: the signature box is not on the PDF's pages")

// ErrText means a reason or place for the signature dictionary holds a
// character the PDF library cannot write (its UTF-16 code units would
// need escaping in a PDF string, as 小 U+5C0F does).
var ErrText = errors.New("pades: the signature's reason or place holds a character that cannot be written")

// errSignatureTooLarge means the signature with its time-stamp did not
// fit the room kept for it in the file.
var errSignatureTooLarge = errors.New("pades: the signature does not fit the room kept for it")

// Box is a visible signature: a rectangle on a page, in PDF points from
// the page's lower-left corner, showing Image (PNG or JPEG) or, without
// one, Lines drawn in the embedded Japanese font (without Lines: 電子署名,
// the signer's common name and organisation, and the signing time).
type Box struct {
	Page                     int
	Left, Bottom, Right, Top float64
	Image                    []byte
	Lines                    []string
}

// SignOptions configure Sign.
type SignOptions struct {
	// TSA, when set, is asked for a signature time-stamp (PAdES-B-T). An
	// authority that cannot be reached or answers wrongly never fails the
	// signature: the file is written PAdES-B-B and SignResult.
	// TimestampErr says why.
	TSA *signer.TSA
	// Box, when set, makes the signature visible.
	Box *Box
	// Name, Reason and Location go into the signature dictionary.
	Name, Reason, Location string
	// Now is the signing time written in /M; nil means time.Now.
	Now func() time.Time
}

// SignResult is what Sign wrote.
type SignResult struct {
	Size int64 `json:"size"`
	// Level is LevelBB or LevelBT.
	Level string `json:"level"`
	// Timestamped says the signature carries a signature time-stamp;
	// TimestampErr, when a TSA was asked and gave none, why (it wraps
	// signer.ErrTSAUnreachable or signer.ErrTSABadReply).
	Timestamped  bool  `json:"timestamped"`
	TimestampErr error `json:"-"`
	// Signatures counts the signatures of the file written, those it
	// held before included.
	Signatures int `json:"signatures"`
}

// Sign signs the PDF at in with cred into out, appending a PAdES
// signature (SubFilter ETSI.CAdES.detached: a detached CAdES signature
// with signing-certificate-v2, the signer's chain, and with opts.TSA a
// signature time-stamp) as an incremental update: the bytes of in, and
// so any signature it already holds, are kept as they are.
//
// The PDF's structure (the new signature field, its widget, the
// catalogue, the cross-reference section, the byte range) is written by
// github.com/digitorus/pdfsign; the CMS signature by package signer, the
// same as an application package's, so cred.Signer is asked exactly
// once (a card signs one SHA-256 DigestInfo with CKM_RSA_PKCS).
//
// in is refused as Verify refuses it (ErrMalformed, ErrTooLarge,
// ErrEncrypted, ErrActiveContent). out is written atomically: nothing is
// at out unless the signed file is complete.
func Sign(ctx context.Context, in, out string, cred signer.Credential, opts SignOptions) (*SignResult, error) {
	if cred.Signer == nil || cred.Cert == nil {
		return nil, errors.New("pades: the credential needs a key and a certificate")
	}
	if err := checkOptions(opts); err != nil {
		return nil, err
	}
	data, err := readInput(ctx, in)
	if err != nil {
		return nil, err
	}
	before, err := countSignatures(ctx, data)
	if err != nil {
		return nil, err
	}
	now := time.Now
	if opts.Now != nil {
		now = opts.Now
	}
	laid, err := layout(data, cred, opts, now())
	if err != nil {
		return nil, err
	}
	br, err := newByteRange(laid, len(data))
	if err != nil {
		return nil, err
	}
	// The library names its signatures adbe.pkcs7.detached; a PAdES
	// signature is ETSI.CAdES.detached, a name of the same length, so no
	// offset moves. Only the new revision is touched.
	i := bytes.Index(laid[len(data):], []byte("/SubFilter /adbe.pkcs7.detached"))
	if i < 0 {
		return nil, fmt.Errorf("pades: the library wrote no signature dictionary")
	}
	copy(laid[len(data)+i:], "/SubFilter /"+SubFilterCAdES)

	signed := make([]byte, 0, br[1]+br[3])
	signed = append(append(signed, laid[:br[1]]...), laid[br[2]:br[2]+br[3]]...)
	cms, err := signer.SignDetached(signed, cred)
	if err != nil {
		return nil, err
	}
	res := &SignResult{Level: LevelBB}
	room := int(br[2]-br[1]) - 2
	if opts.TSA != nil {
		stamped, err := signer.StampSignature(ctx, cms, *opts.TSA)
		switch {
		case err != nil:
			res.TimestampErr = err
		case 2*len(stamped) > room:
			// A token larger than the room kept: signed without it.
			res.TimestampErr = fmt.Errorf("%w: the token (%d bytes) is larger than the room kept in the PDF", signer.ErrTSABadReply, len(stamped)-len(cms))
		default:
			cms, res.Timestamped, res.Level = stamped, true, LevelBT
		}
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	h := hex.EncodeToString(cms)
	if len(h) > room {
		return nil, fmt.Errorf("%w: %d bytes, room for %d", errSignatureTooLarge, len(cms), room/2)
	}
	copy(laid[br[1]+1:br[2]-1], h)
	for j := br[1] + 1 + int64(len(h)); j < br[2]-1; j++ {
		laid[j] = '0'
	}
	if err := fsx.WriteFile(out, laid, 0o644); err != nil {
		return nil, fmt.Errorf("pades: write %s: %w", out, err)
	}
	res.Size = int64(len(laid))
	res.Signatures = before + 1
	return res, nil
}

// CheckSignable checks, before any key is used, what Sign would refuse
// about in and opts: in must be a regular file under MaxSignInput that
// Verify would read (ErrMalformed, ErrTooLarge, ErrEncrypted,
// ErrActiveContent), opts.Box a rectangle on one of its pages (ErrBox),
// and the texts writable (ErrText). It is what a caller checks before it
// asks for a PIN.
func CheckSignable(ctx context.Context, in string, opts SignOptions) error {
	if err := checkOptions(opts); err != nil {
		return err
	}
	data, err := readInput(ctx, in)
	if err != nil {
		return err
	}
	if opts.Box == nil {
		return nil
	}
	doc, err := open(ctx, bytes.NewReader(data), int64(len(data)))
	if err != nil {
		return err
	}
	var pages int
	if err := doc.guard(func() { pages = doc.r.NumPage() }); err != nil {
		return err
	}
	if p := max(opts.Box.Page, 1); p > pages {
		return fmt.Errorf("%w: page %d for the signature box; the PDF has %d", ErrBox, p, pages)
	}
	return nil
}

// checkOptions checks the texts and the box's rectangle.
func checkOptions(opts SignOptions) error {
	for _, t := range []string{opts.Name, opts.Reason, opts.Location} {
		if !writableText(t) {
			return fmt.Errorf("%w: %q", ErrText, t)
		}
	}
	if b := opts.Box; b != nil && (b.Right <= b.Left || b.Top <= b.Bottom) {
		return fmt.Errorf("%w: an empty rectangle", ErrBox)
	}
	return nil
}

// writableText reports whether the PDF library writes s as a correct
// PDF string: it writes ASCII escaped, and other text as UTF-16BE
// without escapes, which breaks on a code unit holding the byte of
// '(', ')' or '\\'.
func writableText(s string) bool {
	ascii := true
	for _, r := range s {
		ascii = ascii && r < 0x80
	}
	if ascii {
		return true
	}
	for _, u := range utf16.Encode([]rune(s)) {
		for _, b := range []byte{byte(u >> 8), byte(u)} {
			if b == '(' || b == ')' || b == '\\' {
				return false
			}
		}
	}
	return true
}

// readInput reads the PDF at path, checked as Verify checks a file.
func readInput(ctx context.Context, path string) ([]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return nil, err
	}
	if !st.Mode().IsRegular() {
		return nil, fmt.Errorf("%w: %s is not a regular file", ErrMalformed, path)
	}
	if st.Size() > MaxSignInput {
		return nil, fmt.Errorf("%w: %d bytes, signing reads at most %d", ErrTooLarge, st.Size(), MaxSignInput)
	}
	data := make([]byte, st.Size())
	if _, err := io.ReadFull(f, data); err != nil {
		return nil, fmt.Errorf("pades: read %s: %w", path, err)
	}
	if _, err := open(ctx, bytes.NewReader(data), int64(len(data))); err != nil {
		return nil, err
	}
	return data, nil
}

// countSignatures counts the signature fields data holds.
func countSignatures(ctx context.Context, data []byte) (int, error) {
	doc, err := open(ctx, bytes.NewReader(data), int64(len(data)))
	if err != nil {
		return 0, err
	}
	var n int
	err = doc.guard(func() { n = len(doc.signatureFields()) })
	return n, err
}

// layout has the PDF library append the signature's revision to data
// and returns the whole file, /Contents holding the library's own CMS
// (signed by a stand-in key that asks no card) in room enough for ours.
//
// The library sizes /Contents once, from the certificate it is given
// (and grows it only by laying the revision out again, which repeats its
// cross-reference entries): it is given a copy of the certificate whose
// Raw carries room for the chain, our signed attributes and a
// time-stamp token, and the stand-in puts the real Raw back when it is
// asked to sign, before the library's CMS is put together.
func layout(data []byte, cred signer.Credential, opts SignOptions, now time.Time) (out []byte, err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("%w: %v", ErrMalformed, r)
		}
	}()
	rdr, err := pdf.NewReader(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrMalformed, err)
	}
	room := tokenReserve + 2*len(cred.Cert.RawIssuer) + 1024
	for _, c := range cred.Chain {
		room += len(c.Raw)
	}
	cert := *cred.Cert
	cert.Raw = append(append(make([]byte, 0, len(cred.Cert.Raw)+room), cred.Cert.Raw...), make([]byte, room)...)
	key := &standIn{pub: cred.Cert.PublicKey, cert: &cert, raw: cred.Cert.Raw}
	sd := sign.SignData{
		Signature: sign.SignDataSignature{
			CertType: sign.ApprovalSignature,
			Info:     sign.SignDataSignatureInfo{Name: opts.Name, Reason: opts.Reason, Location: opts.Location, Date: now},
		},
		Signer:            key,
		DigestAlgorithm:   crypto.SHA256,
		Certificate:       &cert,
		CertificateChains: [][]*x509.Certificate{{&cert}},
	}
	if b := opts.Box; b != nil {
		page := b.Page
		if page < 1 {
			page = 1
		}
		if n := rdr.NumPage(); page > n {
			return nil, fmt.Errorf("%w: page %d for the signature box; the PDF has %d", ErrBox, page, n)
		}
		img := b.Image
		if img == nil {
			lines := b.Lines
			if lines == nil {
				lines = []string{"電子署名 Digitally signed", cred.Cert.Subject.CommonName}
				if o := cred.Cert.Subject.Organization; len(o) > 0 {
					lines = append(lines, o[0])
				}
				lines = append(lines, now.Format("2006-01-02 15:04 MST"))
			}
			if img, err = boxImage(lines, b.Right-b.Left, b.Top-b.Bottom); err != nil {
				return nil, err
			}
		}
		sd.Appearance = sign.Appearance{Visible: true, Page: uint32(page),
			LowerLeftX: b.Left, LowerLeftY: b.Bottom, UpperRightX: b.Right, UpperRightY: b.Top, Image: img}
	}
	var buf bytes.Buffer
	err = sign.Sign(bytes.NewReader(data), &buf, rdr, int64(len(data)), sd)
	switch {
	case err != nil:
		return nil, fmt.Errorf("pades: lay out the signature: %w", err)
	case key.calls != 1:
		return nil, fmt.Errorf("pades: the library laid the signature out %d times", key.calls)
	case buf.Len() <= len(data) || !bytes.Equal(buf.Bytes()[:len(data)], data):
		return nil, errors.New("pades: the library did not append to the file")
	}
	return buf.Bytes(), nil
}

// standIn is the key the library's CMS is signed with while the file is
// laid out: it returns a one-byte signature, asks nothing, and gives
// cert its real Raw back.
type standIn struct {
	pub   crypto.PublicKey
	cert  *x509.Certificate
	raw   []byte
	calls int
}

func (s *standIn) Public() crypto.PublicKey { return s.pub }

func (s *standIn) Sign(io.Reader, []byte, crypto.SignerOpts) ([]byte, error) {
	s.calls++
	s.cert.Raw = s.raw
	return []byte{0}, nil
}

// newByteRange reads the /ByteRange the library wrote in the revision
// appended after the first orig bytes of data and checks that it covers
// the whole file save a hex string <…>.
func newByteRange(data []byte, orig int) ([4]int64, error) {
	var br [4]int64
	tail := data[orig:]
	i := bytes.LastIndex(tail, []byte("/ByteRange ["))
	if i < 0 {
		return br, errors.New("pades: the library wrote no /ByteRange")
	}
	rest := tail[i+len("/ByteRange ["):]
	end := bytes.IndexByte(rest, ']')
	if end < 0 {
		return br, errors.New("pades: unterminated /ByteRange")
	}
	fields := bytes.Fields(rest[:end])
	if len(fields) != 4 {
		return br, fmt.Errorf("pades: /ByteRange with %d numbers", len(fields))
	}
	for k, f := range fields {
		v, err := strconv.ParseInt(string(f), 10, 64)
		if err != nil {
			return br, fmt.Errorf("pades: /ByteRange: %w", err)
		}
		br[k] = v
	}
	n := int64(len(data))
	switch {
	case br[0] != 0 || br[1] <= int64(orig) || br[2] <= br[1]+2 || br[2]+br[3] != n:
		return br, fmt.Errorf("pades: /ByteRange %v does not cover the file of %d bytes", br, n)
	case data[br[1]] != '<' || data[br[2]-1] != '>':
		return br, fmt.Errorf("pades: /ByteRange %v does not skip exactly /Contents", br)
	}
	return br, nil
}
