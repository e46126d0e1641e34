package crl

// Names and distribution points: RFC 5280 §7.1 name comparison (the same
// name in another string type, case or spacing is the same name), and the
// CRL distribution point and issuing distribution point structures.

import (
	"bytes"
	"crypto/x509"
	"encoding/asn1"
	"encoding/hex"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"unicode/utf16"
	"unicode/utf8"

	"golang.org/x/crypto/cryptobyte"
	cbasn1 "golang.org/x/crypto/cryptobyte/asn1"
)

// Extension OIDs (content bytes, without tag and length).
var (
	oidExtCRLDP         = []byte{0x55, 0x1d, 0x1f} // 2.5.29.31
	oidExtFreshestCRL   = []byte{0x55, 0x1d, 0x2e} // 2.5.29.46
	oidExtCRLNumber     = []byte{0x55, 0x1d, 0x14} // 2.5.29.20
	oidExtDeltaCRL      = []byte{0x55, 0x1d, 0x1b} // 2.5.29.27
	oidExtIDP           = []byte{0x55, 0x1d, 0x1c} // 2.5.29.28
	oidExtAKI           = []byte{0x55, 0x1d, 0x23} // 2.5.29.35
	oidExtIssuerAltName = []byte{0x55, 0x1d, 0x12} // 2.5.29.18
	oidExtAIA           = []byte{0x2b, 0x06, 0x01, 0x05, 0x05, 0x07, 0x01, 0x01}
	oidExtReasonCode    = []byte{0x55, 0x1d, 0x15} // 2.5.29.21
	oidExtHoldInstr     = []byte{0x55, 0x1d, 0x17} // 2.5.29.23
	oidExtInvalidity    = []byte{0x55, 0x1d, 0x18} // 2.5.29.24
	oidExtCertIssuer    = []byte{0x55, 0x1d, 0x1d} // 2.5.29.29
)

// CanonicalName turns a DER Name into a string that is equal for two names
// RFC 5280 §7.1 says match: attribute values of the string types compare
// after case folding and whitespace collapsing, whatever string type
// (PrintableString, UTF8String, …) encodes them; the attributes of a
// multi-valued RDN compare as a set. Other values compare as DER.
func CanonicalName(der []byte) (string, error) {
	rdns, err := canonicalRDNs(der)
	if err != nil {
		return "", err
	}
	return strings.Join(rdns, ","), nil
}

// canonicalRDNs is CanonicalName split by RDN, so that a relative name can
// be appended (nameRelativeToCRLIssuer).
func canonicalRDNs(der []byte) ([]string, error) {
	in := cryptobyte.String(der)
	var seq cryptobyte.String
	if !in.ReadASN1(&seq, cbasn1.SEQUENCE) || !in.Empty() {
		return nil, errors.New("malformed name")
	}
	var out []string
	for !seq.Empty() {
		var set cryptobyte.String
		if !seq.ReadASN1(&set, cbasn1.SET) {
			return nil, errors.New("malformed RDN")
		}
		rdn, err := canonicalRDN(set)
		if err != nil {
			return nil, err
		}
		out = append(out, rdn)
	}
	return out, nil
}

// canonicalRDN canonicalizes the content of one RelativeDistinguishedName.
func canonicalRDN(set cryptobyte.String) (string, error) {
	var atvs []string
	for !set.Empty() {
		var atv, oid cryptobyte.String
		var val cryptobyte.String
		var tag cbasn1.Tag
		if !set.ReadASN1(&atv, cbasn1.SEQUENCE) || !atv.ReadASN1(&oid, cbasn1.OBJECT_IDENTIFIER) ||
			!atv.ReadAnyASN1Element(&val, &tag) || !atv.Empty() {
			return "", errors.New("malformed attribute in name")
		}
		atvs = append(atvs, hex.EncodeToString(oid)+"="+canonicalValue(val, tag))
	}
	if len(atvs) == 0 {
		return "", errors.New("empty RDN")
	}
	slices.Sort(atvs)
	return strings.Join(atvs, "+"), nil
}

// canonicalValue folds one attribute value; elem is the whole TLV.
func canonicalValue(elem cryptobyte.String, tag cbasn1.Tag) string {
	var content cryptobyte.String
	var t cbasn1.Tag
	e := elem
	if !e.ReadAnyASN1(&content, &t) {
		return "#" + hex.EncodeToString(elem)
	}
	var s string
	switch tag {
	case cbasn1.PrintableString, cbasn1.UTF8String, cbasn1.IA5String, cbasn1.T61String:
		if !utf8.Valid(content) {
			return "#" + hex.EncodeToString(elem)
		}
		s = string(content)
	case cbasn1.Tag(30): // BMPString, UTF-16BE
		if len(content)%2 != 0 {
			return "#" + hex.EncodeToString(elem)
		}
		u := make([]uint16, len(content)/2)
		for i := range u {
			u[i] = uint16(content[2*i])<<8 | uint16(content[2*i+1])
		}
		s = string(utf16.Decode(u))
	case cbasn1.Tag(28): // UniversalString, UTF-32BE
		if len(content)%4 != 0 {
			return "#" + hex.EncodeToString(elem)
		}
		var b strings.Builder
		for i := 0; i < len(content); i += 4 {
			b.WriteRune(rune(uint32(content[i])<<24 | uint32(content[i+1])<<16 | uint32(content[i+2])<<8 | uint32(content[i+3])))
		}
		s = b.String()
	default:
		return "#" + hex.EncodeToString(elem)
	}
	s = strings.Join(strings.Fields(strings.ToLower(s)), " ")
	return strconv.Itoa(len(s)) + ":" + s
}

// NamesEqual reports whether two DER names match under RFC 5280 §7.1. Equal
// bytes always match; malformed names match only byte for byte.
func NamesEqual(a, b []byte) bool {
	if bytes.Equal(a, b) {
		return true
	}
	ca, err := CanonicalName(a)
	if err != nil {
		return false
	}
	cb, err := CanonicalName(b)
	return err == nil && ca == cb
}

// NameKey is CanonicalName, falling back to the raw bytes for a name that
// does not parse (it then matches only itself).
func NameKey(der []byte) string {
	if k, err := CanonicalName(der); err == nil {
		return k
	}
	return "#" + hex.EncodeToString(der)
}

// generalNameKeys canonicalizes GeneralNames (the content of the SEQUENCE,
// or of an IMPLICIT tag replacing it): directoryName as "dn:" + its
// canonical name, URI as "uri:" + the URI, any other form as its tag and DER.
func generalNameKeys(names cryptobyte.String) ([]string, error) {
	var out []string
	for !names.Empty() {
		var content cryptobyte.String
		var tag cbasn1.Tag
		if !names.ReadAnyASN1(&content, &tag) {
			return nil, errors.New("malformed GeneralName")
		}
		switch tag {
		case cbasn1.Tag(4).ContextSpecific().Constructed(): // directoryName [4] EXPLICIT Name
			k, err := CanonicalName(content)
			if err != nil {
				return nil, fmt.Errorf("directoryName: %w", err)
			}
			out = append(out, "dn:"+k)
		case cbasn1.Tag(6).ContextSpecific(): // uniformResourceIdentifier
			out = append(out, "uri:"+string(content))
		default:
			out = append(out, fmt.Sprintf("gn%d:%x", tag, []byte(content)))
		}
	}
	return out, nil
}

// DPName is a DistributionPointName: the full names, or a name relative to
// the CRL issuer (already resolved against it into a "dn:" key).
type DPName struct {
	// Keys are the names, canonicalized ("dn:…", "uri:…").
	Keys []string
	// URIs are the http/https/ldap/… URIs among the full names, as given.
	URIs []string
}

// parseDPName reads the content of a DistributionPointName CHOICE element
// ([0] fullName or [1] nameRelativeToCRLIssuer). base is the canonical RDN
// list of the name a relative name is appended to.
func parseDPName(choice cryptobyte.String, base []string) (DPName, error) {
	var content cryptobyte.String
	var tag cbasn1.Tag
	if !choice.ReadAnyASN1(&content, &tag) || !choice.Empty() {
		return DPName{}, errors.New("malformed distribution point name")
	}
	switch tag {
	case cbasn1.Tag(0).ContextSpecific().Constructed():
		keys, err := generalNameKeys(content)
		if err != nil {
			return DPName{}, err
		}
		n := DPName{Keys: keys}
		for _, k := range keys {
			if u, ok := strings.CutPrefix(k, "uri:"); ok {
				n.URIs = append(n.URIs, u)
			}
		}
		return n, nil
	case cbasn1.Tag(1).ContextSpecific().Constructed():
		rdn, err := canonicalRDN(content)
		if err != nil {
			return DPName{}, err
		}
		if base == nil {
			return DPName{}, errors.New("relative distribution point name without a base name")
		}
		full := append(slices.Clone(base), rdn)
		return DPName{Keys: []string{"dn:" + strings.Join(full, ",")}}, nil
	}
	return DPName{}, errors.New("unknown distribution point name form")
}

// ReasonFlags is the RFC 5280 ReasonFlags BIT STRING: bit 1 keyCompromise …
// bit 8 aACompromise (bit 0 is unused).
type ReasonFlags uint16

// AllReasons is every reason a CRL can cover (RFC 5280 §6.3.3 "all-reasons").
const AllReasons ReasonFlags = 0x1fe

func parseReasonFlags(content []byte) (ReasonFlags, error) {
	if len(content) == 0 || content[0] > 7 || (len(content) == 1 && content[0] != 0) {
		return 0, errors.New("malformed ReasonFlags")
	}
	var f ReasonFlags
	for i, b := range content[1:] {
		for bit := 0; bit < 8; bit++ {
			n := i*8 + bit
			if b&(0x80>>bit) != 0 && n < 16 {
				f |= 1 << n
			}
		}
	}
	return f, nil
}

// DistributionPoint is one entry of a certificate's CRL distribution points.
type DistributionPoint struct {
	// Name is nil when absent.
	Name *DPName
	// Reasons is AllReasons when absent.
	Reasons ReasonFlags
	// CRLIssuers are the cRLIssuer general name keys; nil when absent.
	CRLIssuers []string
	// IssuerKey is the canonical name of the expected CRL issuer.
	IssuerKey string
}

// DistributionPoints parses cert's CRL distribution points extension.
// A certificate without one gives nil.
func DistributionPoints(cert *x509.Certificate) ([]DistributionPoint, error) {
	var ext []byte
	for _, e := range cert.Extensions {
		if e.Id.Equal(oidCRLDP) {
			ext = e.Value
		}
	}
	if ext == nil {
		return nil, nil
	}
	issuerRDNs, err := canonicalRDNs(cert.RawIssuer)
	if err != nil {
		return nil, fmt.Errorf("certificate issuer: %w", err)
	}
	in := cryptobyte.String(ext)
	var seq cryptobyte.String
	if !in.ReadASN1(&seq, cbasn1.SEQUENCE) || !in.Empty() {
		return nil, errors.New("malformed CRL distribution points")
	}
	var dps []DistributionPoint
	for !seq.Empty() {
		var dpDER cryptobyte.String
		if !seq.ReadASN1(&dpDER, cbasn1.SEQUENCE) {
			return nil, errors.New("malformed distribution point")
		}
		var nameDER, reasonsDER, issuerDER cryptobyte.String
		var hasName, hasReasons, hasIssuer bool
		if !dpDER.ReadOptionalASN1(&nameDER, &hasName, cbasn1.Tag(0).ContextSpecific().Constructed()) ||
			!dpDER.ReadOptionalASN1(&reasonsDER, &hasReasons, cbasn1.Tag(1).ContextSpecific()) ||
			!dpDER.ReadOptionalASN1(&issuerDER, &hasIssuer, cbasn1.Tag(2).ContextSpecific().Constructed()) ||
			!dpDER.Empty() {
			return nil, errors.New("malformed distribution point")
		}
		dp := DistributionPoint{Reasons: AllReasons, IssuerKey: strings.Join(issuerRDNs, ",")}
		base := issuerRDNs
		if hasIssuer {
			keys, err := generalNameKeys(issuerDER)
			if err != nil {
				return nil, fmt.Errorf("cRLIssuer: %w", err)
			}
			dp.CRLIssuers = keys
			dp.IssuerKey = "" // a cRLIssuer without a directoryName names no CRL we can find
			base = nil
			for _, k := range keys {
				if dn, ok := strings.CutPrefix(k, "dn:"); ok {
					dp.IssuerKey = dn
					base = strings.Split(dn, ",")
					break
				}
			}
		}
		if hasReasons {
			if dp.Reasons, err = parseReasonFlags(reasonsDER); err != nil {
				return nil, err
			}
		}
		if hasName {
			n, err := parseDPName(nameDER, base)
			if err != nil {
				return nil, err
			}
			dp.Name = &n
		}
		dps = append(dps, dp)
	}
	return dps, nil
}

// IssuingDistributionPoint is a CRL's scope (RFC 5280 §5.2.5).
type IssuingDistributionPoint struct {
	// Names are the distribution point names, canonicalized ("dn:…",
	// "uri:…"); empty when the extension names no distribution point.
	Names []string
	// URIs are the URIs among Names as given.
	URIs []string
	// OnlyContainsUserCerts, OnlyContainsCACerts and
	// OnlyContainsAttributeCerts restrict the kind of certificate covered.
	OnlyContainsUserCerts, OnlyContainsCACerts, OnlyContainsAttributeCerts bool
	// IndirectCRL: entries may be about certificates of other issuers
	// (certificateIssuer entry extension).
	IndirectCRL bool
	// OnlySomeReasons is AllReasons when the extension does not restrict them.
	OnlySomeReasons ReasonFlags
}

func parseIDP(value []byte, issuerRDNs []string) (*IssuingDistributionPoint, error) {
	in := cryptobyte.String(value)
	var seq cryptobyte.String
	if !in.ReadASN1(&seq, cbasn1.SEQUENCE) || !in.Empty() {
		return nil, errors.New("malformed issuing distribution point")
	}
	idp := &IssuingDistributionPoint{OnlySomeReasons: AllReasons}
	var nameDER, reasons cryptobyte.String
	var hasName, hasReasons bool
	if !seq.ReadOptionalASN1(&nameDER, &hasName, cbasn1.Tag(0).ContextSpecific().Constructed()) {
		return nil, errors.New("malformed issuing distribution point name")
	}
	if hasName {
		n, err := parseDPName(nameDER, issuerRDNs)
		if err != nil {
			return nil, err
		}
		idp.Names, idp.URIs = n.Keys, n.URIs
	}
	readBool := func(tag int, out *bool) bool {
		var b cryptobyte.String
		var present bool
		if !seq.ReadOptionalASN1(&b, &present, cbasn1.Tag(tag).ContextSpecific()) {
			return false
		}
		if present {
			if len(b) != 1 || (b[0] != 0 && b[0] != 0xff) {
				return false
			}
			*out = b[0] == 0xff
		}
		return true
	}
	if !readBool(1, &idp.OnlyContainsUserCerts) || !readBool(2, &idp.OnlyContainsCACerts) {
		return nil, errors.New("malformed issuing distribution point")
	}
	if !seq.ReadOptionalASN1(&reasons, &hasReasons, cbasn1.Tag(3).ContextSpecific()) {
		return nil, errors.New("malformed issuing distribution point reasons")
	}
	if hasReasons {
		f, err := parseReasonFlags(reasons)
		if err != nil {
			return nil, err
		}
		idp.OnlySomeReasons = f
	}
	if !readBool(4, &idp.IndirectCRL) || !readBool(5, &idp.OnlyContainsAttributeCerts) || !seq.Empty() {
		return nil, errors.New("malformed issuing distribution point")
	}
	n := 0
	for _, b := range []bool{idp.OnlyContainsUserCerts, idp.OnlyContainsCACerts, idp.OnlyContainsAttributeCerts} {
		if b {
			n++
		}
	}
	if n > 1 {
		return nil, errors.New("issuing distribution point asserts more than one onlyContains")
	}
	return idp, nil
}

var oidCRLDP = asn1.ObjectIdentifier{2, 5, 29, 31}
