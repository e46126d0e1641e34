package signer

import (
	"bytes"
	"encoding/asn1"
	"errors"
	"fmt"

	"golang.org/x/crypto/cryptobyte"
	cbasn1 "golang.org/x/crypto/cryptobyte/asn1"
)

// The envelope normaliser: what conforming CMS producers write and
// github.com/digitorus/pkcs7 cannot parse is rewritten here, before pkcs7
// sees it, into the subset it reads. Only the envelope is rewritten — the
// signer info's signed attributes and signature value are copied byte for
// byte — so the signature is still verified by pkcs7 alone.
//
//   - BER (indefinite lengths, constructed strings) is re-encoded as DER;
//   - RevocationInfoChoice other ([1] OtherRevocationInfoFormat, RFC 5940:
//     OCSP responses) is moved out of the crls field into a side list;
//   - CertificateChoices other than a plain Certificate (attribute
//     certificates, other formats) are moved out of certificates;
//   - a signer identified by subjectKeyIdentifier (SignerInfo version 3) is
//     given the issuerAndSerialNumber of the certificate with that key
//     identifier: the sid is not signed, so this changes no signed byte.

// cmsSide is what normalisation took out of a SignedData.
type cmsSide struct {
	// OCSPResponses are the DER OCSPResponses carried as
	// RevocationInfoChoice other with id-ri-ocsp-response.
	OCSPResponses [][]byte
	// CRLs are the DER CertificateLists among the crls (they stay in the
	// envelope too).
	CRLs [][]byte
	// OtherRevocation counts other RevocationInfoChoice other formats.
	OtherRevocation int
	// OtherCertificates counts CertificateChoices that are not a plain
	// certificate.
	OtherCertificates int
	// Version is the SignedData version the producer wrote (1 to 5).
	Version int64
}

var (
	oidSignedData      = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 7, 2}
	oidRIOCSPResponse  = asn1.ObjectIdentifier{1, 3, 6, 1, 5, 5, 7, 16, 2}
	oidSubjectKeyIDExt = asn1.ObjectIdentifier{2, 5, 29, 14}
)

// maxBERDepth bounds the nesting the BER re-encoder follows.
const maxBERDepth = 64

var errCMSEnvelope = errors.New("not a CMS SignedData envelope")

// normalizeCMS returns sig as a DER ContentInfo that digitorus/pkcs7 can
// parse, and what it moved aside. An input it cannot read is an error.
func normalizeCMS(sig []byte) ([]byte, cmsSide, error) {
	var side cmsSide
	der, err := berToDER(sig)
	if err != nil {
		return nil, side, err
	}
	in := cryptobyte.String(der)
	var ci, sd cryptobyte.String
	var ct asn1.ObjectIdentifier
	if !in.ReadASN1(&ci, cbasn1.SEQUENCE) || !in.Empty() ||
		!ci.ReadASN1ObjectIdentifier(&ct) || !ct.Equal(oidSignedData) ||
		!ci.ReadASN1(&sd, cbasn1.Tag(0).Constructed().ContextSpecific()) || !ci.Empty() {
		return nil, side, errCMSEnvelope
	}
	var body, digestAlgs, encap, certs, crls, signerInfos cryptobyte.String
	var hasCerts, hasCRLs bool
	if !sd.ReadASN1(&body, cbasn1.SEQUENCE) || !sd.Empty() ||
		!body.ReadASN1Integer(&side.Version) ||
		!body.ReadASN1Element(&digestAlgs, cbasn1.SET) ||
		!body.ReadASN1Element(&encap, cbasn1.SEQUENCE) ||
		!body.ReadOptionalASN1(&certs, &hasCerts, cbasn1.Tag(0).Constructed().ContextSpecific()) ||
		!body.ReadOptionalASN1(&crls, &hasCRLs, cbasn1.Tag(1).Constructed().ContextSpecific()) ||
		!body.ReadASN1(&signerInfos, cbasn1.SET) || !body.Empty() {
		return nil, side, errCMSEnvelope
	}

	var plainCerts [][]byte
	for !certs.Empty() {
		var el cryptobyte.String
		var tag cbasn1.Tag
		if !certs.ReadAnyASN1Element(&el, &tag) {
			return nil, side, errCMSEnvelope
		}
		if tag == cbasn1.SEQUENCE {
			plainCerts = append(plainCerts, el)
		} else {
			side.OtherCertificates++
		}
	}
	var plainCRLs [][]byte
	for !crls.Empty() {
		var el cryptobyte.String
		var tag cbasn1.Tag
		if !crls.ReadAnyASN1Element(&el, &tag) {
			return nil, side, errCMSEnvelope
		}
		switch tag {
		case cbasn1.SEQUENCE:
			plainCRLs = append(plainCRLs, el)
			side.CRLs = append(side.CRLs, append([]byte(nil), el...))
		case cbasn1.Tag(1).Constructed().ContextSpecific():
			var other cryptobyte.String
			var format asn1.ObjectIdentifier
			var info cryptobyte.String
			var infoTag cbasn1.Tag
			if !el.ReadASN1(&other, tag) || !other.ReadASN1ObjectIdentifier(&format) || !other.ReadAnyASN1Element(&info, &infoTag) {
				return nil, side, errCMSEnvelope
			}
			if format.Equal(oidRIOCSPResponse) && infoTag == cbasn1.SEQUENCE {
				side.OCSPResponses = append(side.OCSPResponses, append([]byte(nil), info...))
			} else {
				side.OtherRevocation++
			}
		default:
			return nil, side, errCMSEnvelope
		}
	}

	var infos [][]byte
	for !signerInfos.Empty() {
		var si cryptobyte.String
		if !signerInfos.ReadASN1Element(&si, cbasn1.SEQUENCE) {
			return nil, side, errCMSEnvelope
		}
		fixed, err := fixSignerID(si, plainCerts)
		if err != nil {
			return nil, side, err
		}
		infos = append(infos, fixed)
	}

	var b cryptobyte.Builder
	b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
		b.AddASN1ObjectIdentifier(oidSignedData)
		b.AddASN1(cbasn1.Tag(0).Constructed().ContextSpecific(), func(b *cryptobyte.Builder) {
			b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
				b.AddASN1Int64(side.Version)
				b.AddBytes(digestAlgs)
				b.AddBytes(encap)
				if len(plainCerts) > 0 {
					b.AddASN1(cbasn1.Tag(0).Constructed().ContextSpecific(), func(b *cryptobyte.Builder) {
						for _, c := range plainCerts {
							b.AddBytes(c)
						}
					})
				}
				if len(plainCRLs) > 0 {
					b.AddASN1(cbasn1.Tag(1).Constructed().ContextSpecific(), func(b *cryptobyte.Builder) {
						for _, c := range plainCRLs {
							b.AddBytes(c)
						}
					})
				}
				b.AddASN1(cbasn1.SET, func(b *cryptobyte.Builder) {
					for _, si := range infos {
						b.AddBytes(si)
					}
				})
			})
		})
	})
	out, err := b.Bytes()
	if err != nil {
		return nil, side, fmt.Errorf("%w: %w", errCMSEnvelope, err)
	}
	return out, side, nil
}

// fixSignerID returns the SignerInfo si with a subjectKeyIdentifier sid
// replaced by the issuerAndSerialNumber of the certificate among certs
// that has that key identifier; si is returned as it is otherwise, and
// also when no certificate matches (pkcs7 then finds no signer).
func fixSignerID(si cryptobyte.String, certs [][]byte) ([]byte, error) {
	orig := append([]byte(nil), si...)
	var body cryptobyte.String
	var version int64
	if !si.ReadASN1(&body, cbasn1.SEQUENCE) || !body.ReadASN1Integer(&version) {
		return nil, errCMSEnvelope
	}
	var ski cryptobyte.String
	if !body.PeekASN1Tag(cbasn1.Tag(0).ContextSpecific()) {
		return orig, nil
	}
	if !body.ReadASN1(&ski, cbasn1.Tag(0).ContextSpecific()) {
		return nil, errCMSEnvelope
	}
	var ias []byte
	for _, c := range certs {
		if issuer, serial, ok := certKeyID(c, ski); ok {
			var b cryptobyte.Builder
			b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
				b.AddBytes(issuer)
				b.AddBytes(serial)
			})
			ias = b.BytesOrPanic()
			break
		}
	}
	if ias == nil {
		return orig, nil
	}
	var b cryptobyte.Builder
	b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
		b.AddASN1Int64(1)
		b.AddBytes(ias)
		b.AddBytes(body)
	})
	return b.Bytes()
}

// certKeyID returns the issuer and serial (as DER elements) of the
// certificate cert when its subject key identifier extension is ski.
func certKeyID(cert []byte, ski []byte) (issuer, serial []byte, ok bool) {
	in := cryptobyte.String(cert)
	var c, tbs, ser, iss, exts cryptobyte.String
	var hasExts bool
	if !in.ReadASN1(&c, cbasn1.SEQUENCE) || !c.ReadASN1(&tbs, cbasn1.SEQUENCE) ||
		!tbs.SkipOptionalASN1(cbasn1.Tag(0).Constructed().ContextSpecific()) ||
		!tbs.ReadASN1Element(&ser, cbasn1.INTEGER) || !tbs.SkipASN1(cbasn1.SEQUENCE) ||
		!tbs.ReadASN1Element(&iss, cbasn1.SEQUENCE) || !tbs.SkipASN1(cbasn1.SEQUENCE) ||
		!tbs.SkipASN1(cbasn1.SEQUENCE) || !tbs.SkipASN1(cbasn1.SEQUENCE) ||
		!tbs.SkipOptionalASN1(cbasn1.Tag(1).ContextSpecific()) ||
		!tbs.SkipOptionalASN1(cbasn1.Tag(2).ContextSpecific()) ||
		!tbs.ReadOptionalASN1(&exts, &hasExts, cbasn1.Tag(3).Constructed().ContextSpecific()) || !hasExts {
		return nil, nil, false
	}
	var list cryptobyte.String
	if !exts.ReadASN1(&list, cbasn1.SEQUENCE) {
		return nil, nil, false
	}
	for !list.Empty() {
		var ext, value cryptobyte.String
		var id asn1.ObjectIdentifier
		if !list.ReadASN1(&ext, cbasn1.SEQUENCE) || !ext.ReadASN1ObjectIdentifier(&id) ||
			!ext.SkipOptionalASN1(cbasn1.BOOLEAN) || !ext.ReadASN1(&value, cbasn1.OCTET_STRING) {
			return nil, nil, false
		}
		var keyID cryptobyte.String
		if id.Equal(oidSubjectKeyIDExt) && value.ReadASN1(&keyID, cbasn1.OCTET_STRING) && bytes.Equal(keyID, ski) {
			return iss, ser, true
		}
	}
	return nil, nil, false
}

// berToDER re-encodes a BER element as DER: definite lengths in their
// shortest form, constructed strings joined into primitive ones. It does
// not reorder SETs (a signer's signed attributes are re-encoded by pkcs7
// anyway). Trailing data and nesting deeper than maxBERDepth are refused.
func berToDER(in []byte) ([]byte, error) {
	var b cryptobyte.Builder
	rest, err := berElement(&b, in, 0)
	if err != nil {
		return nil, err
	}
	if len(rest) != 0 {
		return nil, fmt.Errorf("%w: trailing data", errCMSEnvelope)
	}
	return b.Bytes()
}

// stringTags are the universal string types whose constructed BER form
// DER encodes as primitive.
var stringTags = map[byte]bool{0x03: true, 0x04: true, 0x0c: true, 0x13: true, 0x14: true, 0x16: true, 0x1e: true}

// berElement appends the DER form of the first element of in to b and
// returns what follows it.
func berElement(b *cryptobyte.Builder, in []byte, depth int) ([]byte, error) {
	if depth > maxBERDepth {
		return nil, fmt.Errorf("%w: nested deeper than %d", errCMSEnvelope, maxBERDepth)
	}
	if len(in) < 2 {
		return nil, fmt.Errorf("%w: truncated", errCMSEnvelope)
	}
	tag := in[0]
	if tag&0x1f == 0x1f {
		return nil, fmt.Errorf("%w: high tag numbers are not used by CMS", errCMSEnvelope)
	}
	constructed := tag&0x20 != 0
	in = in[1:]
	l := int(in[0])
	in = in[1:]
	indefinite := false
	switch {
	case l == 0x80:
		if !constructed {
			return nil, fmt.Errorf("%w: indefinite length on a primitive element", errCMSEnvelope)
		}
		indefinite = true
	case l > 0x80:
		n := l & 0x7f
		if n > 4 || len(in) < n {
			return nil, fmt.Errorf("%w: bad length", errCMSEnvelope)
		}
		l = 0
		for _, c := range in[:n] {
			l = l<<8 | int(c)
		}
		in = in[n:]
		if l < 0 || l > len(in) {
			return nil, fmt.Errorf("%w: truncated", errCMSEnvelope)
		}
	default:
		if l > len(in) {
			return nil, fmt.Errorf("%w: truncated", errCMSEnvelope)
		}
	}
	var content, rest []byte
	if !indefinite {
		content, rest = in[:l], in[l:]
	}
	if !constructed {
		b.AddASN1(cbasn1.Tag(tag), func(b *cryptobyte.Builder) { b.AddBytes(content) })
		return rest, nil
	}
	children := func(add func(*cryptobyte.Builder, []byte, int) ([]byte, error)) (out []byte, after []byte, err error) {
		var cb cryptobyte.Builder
		src := content
		if indefinite {
			src = in
		}
		for {
			if indefinite {
				if len(src) >= 2 && src[0] == 0 && src[1] == 0 {
					src = src[2:]
					break
				}
			} else if len(src) == 0 {
				break
			}
			if src, err = add(&cb, src, depth+1); err != nil {
				return nil, nil, err
			}
		}
		out, err = cb.Bytes()
		if indefinite {
			return out, src, err
		}
		return out, rest, err
	}
	universal := tag&0xc0 == 0
	if universal && stringTags[tag&0x1f] {
		// A constructed string: the DER form is the primitive string of
		// its segments' contents.
		joined, after, err := children(func(cb *cryptobyte.Builder, src []byte, d int) ([]byte, error) {
			var inner cryptobyte.Builder
			r, err := berElement(&inner, src, d)
			if err != nil {
				return nil, err
			}
			seg := cryptobyte.String(inner.BytesOrPanic())
			var body cryptobyte.String
			var t cbasn1.Tag
			if !seg.ReadAnyASN1(&body, &t) || t != cbasn1.Tag(tag&0x1f) {
				return nil, fmt.Errorf("%w: a segment of a constructed string has another type", errCMSEnvelope)
			}
			cb.AddBytes(body)
			return r, nil
		})
		if err != nil {
			return nil, err
		}
		b.AddASN1(cbasn1.Tag(tag&0x1f), func(b *cryptobyte.Builder) { b.AddBytes(joined) })
		return after, nil
	}
	inner, after, err := children(berElement)
	if err != nil {
		return nil, err
	}
	b.AddASN1(cbasn1.Tag(tag), func(b *cryptobyte.Builder) { b.AddBytes(inner) })
	return after, nil
}
