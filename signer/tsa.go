package signer

import (
	"bytes"
	"context"
	"crypto"
	"crypto/rand"
	"crypto/x509"
	"encoding/asn1"
	"errors"
	"fmt"
	"math/big"
	"net/http"
	"slices"
	"time"

	"github.com/digitorus/pkcs7"
	"github.com/digitorus/timestamp"
	"golang.org/x/crypto/cryptobyte"
	cbasn1 "golang.org/x/crypto/cryptobyte/asn1"

	"github.com/shinsei-app/shinsei/internal/iox"
)

// Errors of a time-stamp authority (TSA.Stamp). Neither makes a
// signature fail: the signature is kept without a time-stamp (CAdES-BES)
// and time-stamped later.
var (
	// ErrTSAUnreachable means the time-stamp authority did not answer: no
	// connection, a timeout, or an HTTP error status.
	ErrTSAUnreachable = errors.New("signer: the time-stamp authority cannot be reached")
	// ErrTSABadReply means the authority answered with something that is
	// not a time-stamp token over what was asked: not a TimeStampResp, a
	// refusal, a reply over MaxTSAReply, another imprint or nonce, or a
	// token whose signature does not verify.
	ErrTSABadReply = errors.New("signer: the time-stamp authority's reply is not a valid time-stamp")
)

// MaxTSAReply is the largest time-stamp reply read; a token with its
// authority's certificate chain is a few kilobytes.
const MaxTSAReply = 64 << 10

// DefaultTSATimeout bounds one request to a time-stamp authority when
// TSA.Timeout is zero.
const DefaultTSATimeout = 15 * time.Second

// oidSignatureTimeStampToken is id-aa-signatureTimeStampToken (RFC 3161
// Appendix A, ETSI EN 319 122-1 §5.3).
var oidSignatureTimeStampToken = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 9, 16, 2, 14}

// TSA is an RFC 3161 time-stamp authority reached over HTTP.
type TSA struct {
	// URL is where time-stamp requests are posted.
	URL string
	// Client sends the requests; nil means http.DefaultClient.
	Client *http.Client
	// Timeout bounds one request; zero means DefaultTSATimeout.
	Timeout time.Duration
}

// Stamp asks the authority for a time-stamp token over data (SHA-256
// imprint, a fresh nonce, the authority's certificate requested) and
// returns the token (DER ContentInfo). The reply is read up to
// MaxTSAReply and checked: granted, the imprint and nonce asked for, the
// token's signature by the certificate it carries. Whether that
// certificate is a trusted time-stamp authority is judged at
// verification. Errors wrap ErrTSAUnreachable or ErrTSABadReply.
func (t TSA) Stamp(ctx context.Context, data []byte) ([]byte, error) {
	sum := crypto.SHA256.New()
	sum.Write(data)
	nonce, err := rand.Int(rand.Reader, new(big.Int).Lsh(big.NewInt(1), 63))
	if err != nil {
		return nil, fmt.Errorf("signer: time-stamp nonce: %w", err)
	}
	req := &timestamp.Request{HashAlgorithm: crypto.SHA256, HashedMessage: sum.Sum(nil), Nonce: nonce, Certificates: true}
	tsq, err := req.Marshal()
	if err != nil {
		return nil, fmt.Errorf("signer: time-stamp request: %w", err)
	}
	timeout := t.Timeout
	if timeout <= 0 {
		timeout = DefaultTSATimeout
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	hreq, err := http.NewRequestWithContext(ctx, http.MethodPost, t.URL, bytes.NewReader(tsq))
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrTSAUnreachable, err)
	}
	hreq.Header.Set("Content-Type", "application/timestamp-query")
	client := t.Client
	if client == nil {
		client = http.DefaultClient
	}
	resp, err := client.Do(hreq)
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrTSAUnreachable, err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("%w: HTTP %d", ErrTSAUnreachable, resp.StatusCode)
	}
	body, err := iox.ReadAll(iox.WithContext(ctx, resp.Body), MaxTSAReply)
	switch {
	case errors.Is(err, iox.ErrTooLarge):
		return nil, fmt.Errorf("%w: the reply is larger than %d KiB", ErrTSABadReply, MaxTSAReply>>10)
	case err != nil:
		return nil, fmt.Errorf("%w: %w", ErrTSAUnreachable, err)
	}
	ts, err := timestamp.ParseResponse(body)
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrTSABadReply, err)
	}
	switch {
	case ts.HashAlgorithm != crypto.SHA256 || !bytes.Equal(ts.HashedMessage, req.HashedMessage):
		return nil, fmt.Errorf("%w: the token is over other data than asked", ErrTSABadReply)
	case ts.Nonce == nil || ts.Nonce.Cmp(nonce) != 0:
		return nil, fmt.Errorf("%w: the token does not answer this request (nonce)", ErrTSABadReply)
	case len(ts.Certificates) == 0:
		return nil, fmt.Errorf("%w: the token does not carry the authority's certificate", ErrTSABadReply)
	}
	return ts.RawToken, nil
}

// StampSignature returns sig, a DER CMS SignedData with one signer, with
// a signature-time-stamp token from tsa over its signature value added
// (CAdES-T). Errors of the authority wrap ErrTSAUnreachable or
// ErrTSABadReply; sig itself is never changed.
func StampSignature(ctx context.Context, sig []byte, tsa TSA) ([]byte, error) {
	parts, err := splitForTimestamp(sig)
	if err != nil {
		// Not DER: parseSignature says what it is (BER is read but not
		// rewritten), as it did before the DER walk.
		if _, perr := parseSignature(sig); perr != nil {
			return nil, perr
		}
		return nil, err
	}
	token, err := tsa.Stamp(ctx, parts.signature)
	if err != nil {
		return nil, err
	}
	return parts.withTimestamp(token)
}

// AddSignatureTimestamp returns sig, a DER CMS SignedData with one
// SignerInfo, with token added to the signer's unsigned attributes as
// signature-time-stamp (after any there already). The signed parts are
// copied byte for byte, so the signature stays valid.
func AddSignatureTimestamp(sig, token []byte) ([]byte, error) {
	parts, err := splitForTimestamp(sig)
	if err != nil {
		return nil, err
	}
	return parts.withTimestamp(token)
}

// stampableSignature is a DER CMS SignedData with one SignerInfo, split
// where a signature-time-stamp token goes; the parts are slices of the
// DER they were read from.
type stampableSignature struct {
	ctype     asn1.ObjectIdentifier
	head      [][]byte // SignedData's elements before signerInfos
	fields    [][]byte // the SignerInfo's elements before unsignedAttrs
	unsigned  []byte   // the contents of unsignedAttrs, if any
	signature []byte   // the contents of the SignerInfo's signature
}

// splitForTimestamp walks sig, a DER ContentInfo holding a SignedData
// with exactly one SignerInfo, without decoding certificates or
// attributes. Errors wrap ErrMalformed.
func splitForTimestamp(sig []byte) (*stampableSignature, error) {
	bad := func(what string) error {
		return fmt.Errorf("%w: cannot add the time-stamp: %s", ErrMalformed, what)
	}
	p := &stampableSignature{}
	in := cryptobyte.String(sig)
	var ci, sd cryptobyte.String
	if !in.ReadASN1(&ci, cbasn1.SEQUENCE) || !in.Empty() || !ci.ReadASN1ObjectIdentifier(&p.ctype) ||
		!ci.ReadASN1(&sd, cbasn1.Tag(0).Constructed().ContextSpecific()) || !ci.Empty() {
		return nil, bad("not a DER ContentInfo")
	}
	var body cryptobyte.String
	if !sd.ReadASN1(&body, cbasn1.SEQUENCE) || !sd.Empty() {
		return nil, bad("not a DER SignedData")
	}
	// SignedData's fields up to signerInfos, the last, are kept as they are.
	var infos cryptobyte.String
	for !body.Empty() {
		var el cryptobyte.String
		var tag cbasn1.Tag
		if !body.ReadAnyASN1Element(&el, &tag) {
			return nil, bad("SignedData does not parse")
		}
		if body.Empty() {
			if tag != cbasn1.SET || !el.ReadASN1(&infos, cbasn1.SET) {
				return nil, bad("no signerInfos")
			}
			break
		}
		p.head = append(p.head, el)
	}
	var si cryptobyte.String
	if !infos.ReadASN1(&si, cbasn1.SEQUENCE) || !infos.Empty() {
		return nil, bad("not exactly one SignerInfo")
	}
	unsignedTag := cbasn1.Tag(1).Constructed().ContextSpecific()
	for !si.Empty() {
		var el cryptobyte.String
		var tag cbasn1.Tag
		if !si.ReadAnyASN1Element(&el, &tag) {
			return nil, bad("SignerInfo does not parse")
		}
		switch tag {
		case unsignedTag:
			var attrs cryptobyte.String
			if !el.ReadASN1(&attrs, unsignedTag) || !si.Empty() {
				return nil, bad("unsigned attributes do not parse")
			}
			p.unsigned = attrs
			continue
		case cbasn1.OCTET_STRING:
			// The signature is the SignerInfo's only universal OCTET
			// STRING (a subjectKeyIdentifier sid is tagged [0]).
			value := el
			if p.signature != nil || !value.ReadASN1(&value, cbasn1.OCTET_STRING) || len(value) == 0 {
				return nil, bad("the SignerInfo has no single signature value")
			}
			p.signature = value
		}
		p.fields = append(p.fields, el)
	}
	if p.signature == nil {
		return nil, bad("the SignerInfo has no signature value")
	}
	return p, nil
}

// withTimestamp encodes p with token appended to the signer's unsigned
// attributes as signature-time-stamp.
func (p *stampableSignature) withTimestamp(token []byte) ([]byte, error) {
	unsignedTag := cbasn1.Tag(1).Constructed().ContextSpecific()
	size := len(p.unsigned) + len(token) + 64
	for _, e := range append(p.head[:len(p.head):len(p.head)], p.fields...) {
		size += len(e)
	}
	b := cryptobyte.NewBuilder(make([]byte, 0, size))
	b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
		b.AddASN1ObjectIdentifier(p.ctype)
		b.AddASN1(cbasn1.Tag(0).Constructed().ContextSpecific(), func(b *cryptobyte.Builder) {
			b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
				for _, h := range p.head {
					b.AddBytes(h)
				}
				b.AddASN1(cbasn1.SET, func(b *cryptobyte.Builder) {
					b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
						for _, f := range p.fields {
							b.AddBytes(f)
						}
						b.AddASN1(unsignedTag, func(b *cryptobyte.Builder) {
							b.AddBytes(p.unsigned)
							b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
								b.AddASN1ObjectIdentifier(oidSignatureTimeStampToken)
								b.AddASN1(cbasn1.SET, func(b *cryptobyte.Builder) { b.AddBytes(token) })
							})
						})
					})
				})
			})
		})
	})
	out, err := b.Bytes()
	if err != nil {
		return nil, fmt.Errorf("%w: cannot add the time-stamp: %s", ErrMalformed, err)
	}
	return out, nil
}

// Reasons of a signature-time-stamp token that does not hold.
const (
	// ReasonTimestampInvalid: the token does not parse or its signature
	// does not verify (a tampered token).
	ReasonTimestampInvalid = "timestamp-invalid"
	// ReasonTimestampImprintMismatch: the token is over other data than
	// the signature value.
	ReasonTimestampImprintMismatch = "timestamp-imprint-mismatch"
	// ReasonTimestampNotTSA: the token's signer certificate has no
	// id-kp-timeStamping extended key usage.
	ReasonTimestampNotTSA = "timestamp-not-tsa"
	// ReasonTimestampUntrusted: the authority's certificate does not chain
	// to the trust anchors given, or was not valid at the token's time.
	ReasonTimestampUntrusted = "timestamp-untrusted"
	// ReasonTimestampCertificateMissing: the token does not carry its
	// authority's certificate.
	ReasonTimestampCertificateMissing = "timestamp-certificate-missing"
)

// TimestampResult is one signature-time-stamp token of a signature.
type TimestampResult struct {
	// Time is the token's genTime: the signature existed then.
	Time time.Time `json:"time"`
	// TSA is the authority's certificate subject, when the token has one.
	TSA string `json:"tsa,omitempty"`
	// Check says whether the token holds: its signature, its imprint (the
	// hash of the signature value), the authority's id-kp-timeStamping
	// and its path to the trust anchors at Time.
	Check Check `json:"check"`
}

// verifySignatureTimestamps checks the signature-time-stamp tokens of
// the (only) signer of p7 against its signature value.
func verifySignatureTimestamps(p7 *pkcs7.PKCS7, opts VerifyOptions, at time.Time) []TimestampResult {
	var out []TimestampResult
	si := p7.Signers[0]
	for _, a := range si.UnauthenticatedAttributes {
		if !a.Type.Equal(oidSignatureTimeStampToken) {
			continue
		}
		set := cryptobyte.String(a.Value.Bytes)
		for !set.Empty() {
			var tok cryptobyte.String
			if !set.ReadASN1Element(&tok, cbasn1.SEQUENCE) {
				out = append(out, TimestampResult{Check: fail(ReasonTimestampInvalid, "a signature-time-stamp attribute does not hold a token")})
				break
			}
			out = append(out, checkTimestamp(tok, si.EncryptedDigest, opts, at))
		}
	}
	return out
}

// checkTimestamp checks token, an RFC 3161 time-stamp token, over data:
// intact, its imprint, the authority's id-kp-timeStamping, and the
// authority's path to the anchors (Roots and TSARoots) at the time at —
// the time of validation, or an earlier time a later archive time-stamp
// proves the token existed. An authority whose certificate has expired
// since proves nothing unless such a later time-stamp covers its token.
func checkTimestamp(token, data []byte, opts VerifyOptions, at time.Time) TimestampResult {
	res, _ := checkTimestampOver(token, func(h crypto.Hash) ([]byte, error) {
		hh := h.New()
		hh.Write(data)
		return hh.Sum(nil), nil
	}, opts, at)
	return res
}

// checkTimestampOver is checkTimestamp with the data given as digest,
// which hashes it with the token's imprint algorithm; its error (the
// data could not be read) is returned as it is.
func checkTimestampOver(token []byte, digest func(crypto.Hash) ([]byte, error), opts VerifyOptions, at time.Time) (TimestampResult, error) {
	ts, err := timestamp.Parse(token)
	if err != nil {
		return TimestampResult{Check: fail(ReasonTimestampInvalid, "the time-stamp token is not intact: "+err.Error())}, nil
	}
	res := TimestampResult{Time: ts.Time}
	p7, err := pkcs7.Parse(token)
	if err != nil {
		res.Check = fail(ReasonTimestampInvalid, "the time-stamp token is not intact: "+err.Error())
		return res, nil
	}
	tsa := p7.GetOnlySigner()
	if tsa == nil {
		res.Check = fail(ReasonTimestampCertificateMissing, "the time-stamp token does not carry its authority's certificate")
		return res, nil
	}
	res.TSA = tsa.Subject.String()
	if !ts.HashAlgorithm.Available() {
		res.Check = fail(ReasonTimestampInvalid, "the time-stamp token uses an unknown hash")
		return res, nil
	}
	sum, err := digest(ts.HashAlgorithm)
	if err != nil {
		return res, err
	}
	if !bytes.Equal(sum, ts.HashedMessage) {
		res.Check = fail(ReasonTimestampImprintMismatch, "the time-stamp token is over other data than this signature")
		return res, nil
	}
	if !slices.Contains(tsa.ExtKeyUsage, x509.ExtKeyUsageTimeStamping) {
		res.Check = fail(ReasonTimestampNotTSA, "the token's signer is not a time-stamp authority (no id-kp-timeStamping in its certificate)")
		return res, nil
	}
	roots := x509.NewCertPool()
	for _, c := range append(append([]*x509.Certificate{}, opts.Roots...), opts.TSARoots...) {
		roots.AddCert(c)
	}
	inter := x509.NewCertPool()
	for _, c := range append(append([]*x509.Certificate{}, opts.Intermediates...), p7.Certificates...) {
		inter.AddCert(c)
	}
	if _, err := tsa.Verify(x509.VerifyOptions{Roots: roots, Intermediates: inter, CurrentTime: at,
		KeyUsages: []x509.ExtKeyUsage{x509.ExtKeyUsageTimeStamping}}); err != nil {
		res.Check = fail(ReasonTimestampUntrusted, "the time-stamp authority is not trusted at "+at.UTC().Format(time.RFC3339)+": "+err.Error())
		return res, nil
	}
	res.Check = Check{OK: true}
	return res, nil
}

// earliestValid returns the earliest of the tokens that hold, or nil.
func earliestValid(ts []TimestampResult) *TimestampResult {
	var best *TimestampResult
	for i := range ts {
		if ts[i].Check.OK && (best == nil || ts[i].Time.Before(best.Time)) {
			best = &ts[i]
		}
	}
	return best
}
