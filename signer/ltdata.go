package signer

import (
	"archive/zip"
	"bytes"
	"context"
	"crypto/x509"
	"encoding/asn1"
	"fmt"
	"os"
	"slices"

	"github.com/digitorus/pkcs7"
)

// Long-term validation data (CAdES-B-LT, ETSI EN 319 122-1).
//
// Where the data goes. EN 319 122-1 defines two places for the values a
// verifier needs later: the SignedData fields certificates and crls (a
// RevocationInfoChoices, where an OCSP response is an
// OtherRevocationInfoFormat with id-ri-ocsp-response, RFC 5940), and the
// unsigned attributes certificate-values and revocation-values inherited
// from CAdES-X-L (RFC 5126). The baseline profile (§6.3, B-LT) puts the
// validation data in SignedData.certificates and SignedData.crls and
// leaves certificate-values/revocation-values to the extended (X-L)
// forms of EN 319 122-2; conformance checkers of the baseline (the EU's
// DSS requirement checks for CAdES-BASELINE-LT) expect those attributes
// absent. The SignedData fields are also what any CMS reader (openssl
// cms, pkcs7) already reads as certificates and CRLs, and neither is
// covered by the signature or by a signature-time-stamp, so adding to
// them leaves every signed byte as it was. Shinsei therefore writes the
// SignedData fields and never the two attributes.

// ValidationData is what a verifier needs to check a signature's
// certificate long after it was made: the chain and the revocation
// answers obtained around the time of signing.
type ValidationData struct {
	// Certs are the certificates of the signer's path (the anchor may be
	// among them) and of any responder or CRL signer.
	Certs []*x509.Certificate
	// CRLs are DER CertificateLists.
	CRLs [][]byte
	// OCSPs are DER OCSPResponses (the whole response, as RFC 5940
	// carries it).
	OCSPs [][]byte
}

// Empty reports whether v holds nothing to add.
func (v ValidationData) Empty() bool {
	return len(v.Certs) == 0 && len(v.CRLs) == 0 && len(v.OCSPs) == 0
}

// HasRevocation reports whether v holds a CRL or an OCSP response.
func (v ValidationData) HasRevocation() bool { return len(v.CRLs) > 0 || len(v.OCSPs) > 0 }

// contentInfo is RFC 5652 ContentInfo.
type contentInfo struct {
	ContentType asn1.ObjectIdentifier
	Content     asn1.RawValue `asn1:"explicit,tag:0"`
}

// signedDataEnvelope is RFC 5652 SignedData with every field kept as it
// was written, so that re-encoding it changes only what is replaced.
type signedDataEnvelope struct {
	Version          int
	DigestAlgorithms asn1.RawValue
	EncapContentInfo asn1.RawValue
	Certificates     asn1.RawValue `asn1:"optional,tag:0"`
	CRLs             asn1.RawValue `asn1:"optional,tag:1"`
	SignerInfos      asn1.RawValue
}

// otherRevocationInfoFormat is RFC 5652 OtherRevocationInfoFormat.
type otherRevocationInfoFormat struct {
	Format asn1.ObjectIdentifier
	Info   asn1.RawValue
}

// AddValidationData returns p7s, a DER CMS SignedData, with v's
// certificates added to SignedData.certificates and its CRLs and OCSP
// responses to SignedData.crls (OCSP responses as RevocationInfoChoice
// other with id-ri-ocsp-response, RFC 5940); values already there are not
// added twice. The encapsulated content, the signer infos (signed and
// unsigned attributes, signature values, time-stamp tokens) are copied
// byte for byte, so the signature and its time-stamps stay valid. The
// SignedData version becomes 5 when an OCSP response is carried (RFC 5652
// §5.1). A p7s that is not SignedData, or a CRL or OCSP response that is
// not one DER SEQUENCE, is an error wrapping ErrMalformed.
func AddValidationData(p7s []byte, v ValidationData) ([]byte, error) {
	bad := func(what string, err error) error {
		if err != nil {
			return fmt.Errorf("%w: cannot add validation data: %s: %w", ErrMalformed, what, err)
		}
		return fmt.Errorf("%w: cannot add validation data: %s", ErrMalformed, what)
	}
	// What pkcs7 reads is what verification will read. BER (another
	// producer's) is written back as DER, as verification reads it.
	if _, err := parseSignature(p7s); err != nil {
		return nil, err
	}
	p7s, err := berToDER(p7s)
	if err != nil {
		return nil, bad("not DER", err)
	}
	var ci contentInfo
	if rest, err := asn1.Unmarshal(p7s, &ci); err != nil || len(rest) > 0 || !ci.ContentType.Equal(oidSignedData) {
		return nil, bad("not a DER SignedData ContentInfo", err)
	}
	var sd signedDataEnvelope
	if rest, err := asn1.Unmarshal(ci.Content.Bytes, &sd); err != nil || len(rest) > 0 {
		return nil, bad("SignedData does not parse", err)
	}
	certs, err := elements(sd.Certificates.Bytes)
	if err != nil {
		return nil, bad("certificates", err)
	}
	crls, err := elements(sd.CRLs.Bytes)
	if err != nil {
		return nil, bad("crls", err)
	}
	for _, c := range v.Certs {
		if c != nil {
			certs = appendNew(certs, c.Raw)
		}
	}
	for i, c := range v.CRLs {
		if !oneSequence(c) {
			return nil, bad(fmt.Sprintf("CRL %d is not a DER CertificateList", i+1), nil)
		}
		crls = appendNew(crls, c)
	}
	ocsp := false
	for i, o := range v.OCSPs {
		if !oneSequence(o) {
			return nil, bad(fmt.Sprintf("OCSP response %d is not a DER OCSPResponse", i+1), nil)
		}
		other, err := asn1.MarshalWithParams(otherRevocationInfoFormat{Format: oidRIOCSPResponse, Info: asn1.RawValue{FullBytes: o}}, "tag:1")
		if err != nil {
			return nil, bad("OCSP response", err)
		}
		crls = appendNew(crls, other)
		ocsp = true
	}
	if ocsp && sd.Version < 5 {
		sd.Version = 5
	}
	sd.Certificates = setOf(0, certs)
	sd.CRLs = setOf(1, crls)
	body, err := asn1.Marshal(sd)
	if err != nil {
		return nil, bad("SignedData", err)
	}
	ci.Content = asn1.RawValue{Class: asn1.ClassContextSpecific, Tag: 0, IsCompound: true, Bytes: body}
	out, err := asn1.Marshal(ci)
	if err != nil {
		return nil, bad("ContentInfo", err)
	}
	return out, nil
}

// parseSignature parses sig, a CMS SignedData with one signer, as
// verification reads it: through the envelope normaliser, so that an
// OCSP response among the crls (which pkcs7 cannot parse) is no obstacle.
func parseSignature(sig []byte) (*pkcs7.PKCS7, error) {
	der, _, err := normalizeCMS(sig)
	if err != nil {
		return nil, fmt.Errorf("%w: the signature is not CMS SignedData: %w", ErrMalformed, err)
	}
	p7, err := pkcs7.Parse(der)
	if err != nil || len(p7.Signers) != 1 {
		return nil, fmt.Errorf("%w: the signature is not CMS SignedData with one signer", ErrMalformed)
	}
	return p7, nil
}

// elements splits the contents of a SET OF into its DER elements.
func elements(set []byte) ([][]byte, error) {
	var out [][]byte
	for len(set) > 0 {
		var el asn1.RawValue
		rest, err := asn1.Unmarshal(set, &el)
		if err != nil {
			return nil, err
		}
		out = append(out, el.FullBytes)
		set = rest
	}
	return out, nil
}

// oneSequence reports whether der is exactly one DER SEQUENCE.
func oneSequence(der []byte) bool {
	var el asn1.RawValue
	rest, err := asn1.Unmarshal(der, &el)
	return err == nil && len(rest) == 0 && el.Class == asn1.ClassUniversal && el.Tag == asn1.TagSequence && el.IsCompound
}

func appendNew(list [][]byte, el []byte) [][]byte {
	for _, have := range list {
		if bytes.Equal(have, el) {
			return list
		}
	}
	return append(list, el)
}

// setOf is the [tag] IMPLICIT SET OF holding els in their order, or the
// zero RawValue (field absent) when there are none. DER orders a SET OF by
// encoding; CMS readers do not depend on it and the fields are not signed,
// so the producer's order is kept and new values follow it.
func setOf(tag int, els [][]byte) asn1.RawValue {
	if len(els) == 0 {
		return asn1.RawValue{}
	}
	return asn1.RawValue{Class: asn1.ClassContextSpecific, Tag: tag, IsCompound: true, Bytes: bytes.Join(els, nil)}
}

// AddPackageValidationData adds v (AddValidationData) to the signatures
// named (every META-INF/*signature*.p7s when none is) of the ASiC-E
// package at pkgPath and returns
// how many it changed; 0 means each already carried all of v, and the
// file is left as it was. A package without a signature is ErrMalformed.
// The package is rewritten next to itself and renamed over it only when
// complete (closed first, for Windows); the other entries are copied
// unchanged, so manifests, signatures and time-stamps stay valid, and on
// any error the package is unchanged.
func AddPackageValidationData(ctx context.Context, pkgPath string, v ValidationData, names ...string) (int, error) {
	st, err := os.Stat(pkgPath)
	if err != nil {
		return 0, fmt.Errorf("signer: open package: %w", err)
	}
	zr, err := zip.OpenReader(pkgPath)
	if err != nil {
		return 0, fmt.Errorf("%w: %w", ErrMalformed, err)
	}
	defer zr.Close()
	changed := map[string][]byte{}
	signatures := 0
	for _, f := range zr.File {
		if !isSignatureName(f.Name) {
			continue
		}
		signatures++
		if len(names) > 0 && !slices.Contains(names, f.Name) {
			continue
		}
		sig, err := readMeta(ctx, f)
		if err != nil {
			return 0, err
		}
		out, err := AddValidationData(sig, v)
		if err != nil {
			return 0, fmt.Errorf("%s: %w", f.Name, err)
		}
		if !bytes.Equal(out, sig) {
			changed[f.Name] = out
		}
	}
	if signatures == 0 {
		return 0, fmt.Errorf("%w: no signature (META-INF/*signature*.p7s) to add validation data to", ErrMalformed)
	}
	if len(changed) == 0 {
		return 0, nil
	}
	if err := ctx.Err(); err != nil {
		return 0, fmt.Errorf("signer: stopped: %w", err)
	}
	if err := rewriteEntries(zr, pkgPath, st.Mode().Perm(), changed); err != nil {
		return 0, err
	}
	return len(changed), nil
}
