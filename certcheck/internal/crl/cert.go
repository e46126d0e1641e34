package crl

// A certificate parser that tolerates what crypto/x509 refuses to parse: a
// CRL distribution point named relative to the CRL issuer.

import (
	"bytes"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/asn1"
	"errors"
	"fmt"

	"golang.org/x/crypto/cryptobyte"
	cbasn1 "golang.org/x/crypto/cryptobyte/asn1"
)

// ParseCertificate is x509.ParseCertificate, but it also reads a certificate
// whose CRL distribution point is named relative to the CRL issuer
// (nameRelativeToCRLIssuer, RFC 5280 §4.2.1.13), which crypto/x509 refuses
// to parse at all. For such a certificate the CRLDistributionPoints field is
// empty and the extension stays in Extensions, where certcheck.CRLSource reads it; the
// signature and every Raw field are the certificate's own.
func ParseCertificate(der []byte) (*x509.Certificate, error) {
	cert, err := x509.ParseCertificate(der)
	if err == nil {
		return cert, nil
	}
	stripped, tbs, dp, ok := withoutExtension(der, oidExtCRLDP)
	if !ok {
		return nil, err
	}
	c, err2 := x509.ParseCertificate(stripped)
	if err2 != nil {
		return nil, err // report the original failure
	}
	c.Raw, c.RawTBSCertificate = der, tbs
	c.Extensions = append(c.Extensions, dp)
	if _, dpErr := DistributionPoints(c); dpErr != nil {
		return nil, fmt.Errorf("%w (CRL distribution points: %v)", err, dpErr)
	}
	return c, nil
}

// withoutExtension re-encodes a certificate with one extension removed from
// its TBS. The result's signature no longer matches; it is only parsed.
func withoutExtension(der []byte, oid []byte) (stripped, tbsElem []byte, removed pkix.Extension, ok bool) {
	in := cryptobyte.String(der)
	var cert, tbsRaw, tbs cryptobyte.String
	if !in.ReadASN1(&cert, cbasn1.SEQUENCE) || !cert.ReadASN1Element(&tbsRaw, cbasn1.SEQUENCE) {
		return nil, nil, removed, false
	}
	tbs = tbsRaw
	if !tbs.ReadASN1(&tbs, cbasn1.SEQUENCE) {
		return nil, nil, removed, false
	}
	rest := cert // signatureAlgorithm and signatureValue, copied as they are
	var b cryptobyte.Builder
	found := false
	b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
		b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
			for !tbs.Empty() {
				var elem, content cryptobyte.String
				var tag cbasn1.Tag
				if !tbs.ReadAnyASN1Element(&elem, &tag) {
					b.SetError(errors.New("malformed"))
					return
				}
				if tag != cbasn1.Tag(3).ContextSpecific().Constructed() {
					b.AddBytes(elem)
					continue
				}
				e := elem
				var exts cryptobyte.String
				if !e.ReadASN1(&content, tag) || !content.ReadASN1(&exts, cbasn1.SEQUENCE) {
					b.SetError(errors.New("malformed"))
					return
				}
				b.AddASN1(tag, func(b *cryptobyte.Builder) {
					b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
						for !exts.Empty() {
							var ext cryptobyte.String
							if !exts.ReadASN1Element(&ext, cbasn1.SEQUENCE) {
								b.SetError(errors.New("malformed"))
								return
							}
							x := ext
							var body, id, val cryptobyte.String
							if x.ReadASN1(&body, cbasn1.SEQUENCE) && body.ReadASN1(&id, cbasn1.OBJECT_IDENTIFIER) && bytes.Equal(id, oid) {
								critical := false
								if body.PeekASN1Tag(cbasn1.BOOLEAN) && !body.ReadASN1Boolean(&critical) {
									b.SetError(errors.New("malformed"))
									return
								}
								if !body.ReadASN1(&val, cbasn1.OCTET_STRING) || !body.Empty() {
									b.SetError(errors.New("malformed"))
									return
								}
								found = true
								removed = pkix.Extension{Id: oidFromBytes(id), Critical: critical, Value: val}
								continue
							}
							b.AddBytes(ext)
						}
					})
				})
			}
		})
		b.AddBytes(rest)
	})
	out, err := b.Bytes()
	return out, tbsRaw, removed, err == nil && found
}

// oidFromBytes decodes OID content octets (from a parsed extension, so
// well formed) into an asn1.ObjectIdentifier.
func oidFromBytes(content []byte) asn1.ObjectIdentifier {
	var b cryptobyte.Builder
	b.AddASN1(cbasn1.OBJECT_IDENTIFIER, func(b *cryptobyte.Builder) { b.AddBytes(content) })
	der, err := b.Bytes()
	if err != nil {
		return nil
	}
	s := cryptobyte.String(der)
	var oid asn1.ObjectIdentifier
	if !s.ReadASN1ObjectIdentifier(&oid) {
		return nil
	}
	return oid
}
