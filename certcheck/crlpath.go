package certcheck

// Two RFC 5280 path rules crypto/x509's Verify does not follow, found by
// PKITS, as small rules around it (VerifyPath uses them; so does the CRL
// signer validation, which goes through VerifyPath):
//
//   - rechainByName: Verify finds a parent only by byte-equal names, while
//     RFC 5280 §7.1 matches names case-insensitively, ignoring extra spaces
//     and across string types (PKITS 4.3.3–4.3.5, 4.3.10, 4.3.11).
//   - checkPathLen: Verify counts self-issued intermediates against a
//     pathLenConstraint; §6.1.4 (l) does not (PKITS 4.6.15, 4.6.17).
//
// Both work on shallow copies handed to Verify: a copy's RawIssuer is set to
// its parent's exact subject bytes, or its MaxPathLen is lifted and the RFC
// rule applied to the chains Verify returns. Signatures are still verified
// over each certificate's own signed bytes, and the returned chain holds the
// caller's certificates.

import (
	"bytes"
	"crypto/x509"
	"errors"
	"fmt"

	"github.com/shinsei-app/shinsei/certcheck/internal/crl"
)

// verifyInputs are the certificates given to x509.Verify and the way back
// from a copy to the caller's certificate.
type verifyInputs struct {
	leaf         *x509.Certificate
	roots, inter []*x509.Certificate
	orig         map[*x509.Certificate]*x509.Certificate
}

// prepareVerify makes the copies described above.
func prepareVerify(leaf *x509.Certificate, roots, inter []*x509.Certificate) *verifyInputs {
	v := &verifyInputs{orig: map[*x509.Certificate]*x509.Certificate{}}
	parents := append(append([]*x509.Certificate(nil), roots...), inter...)
	adjust := func(c *x509.Certificate, ca bool) *x509.Certificate {
		cp := *c
		changed := false
		if p := parentByName(c, parents); p != nil {
			cp.RawIssuer = p.RawSubject
			changed = true
		}
		if ca && cp.BasicConstraintsValid && cp.MaxPathLen >= 0 {
			cp.MaxPathLen, cp.MaxPathLenZero = -1, false
			changed = true
		}
		if !changed {
			return c
		}
		v.orig[&cp] = c
		return &cp
	}
	v.leaf = adjust(leaf, false)
	for _, c := range roots {
		v.roots = append(v.roots, adjust(c, true))
	}
	for _, c := range inter {
		v.inter = append(v.inter, adjust(c, true))
	}
	return v
}

// parentByName returns a candidate parent whose subject matches c's issuer
// only under RFC 5280 §7.1, when no candidate matches byte for byte.
func parentByName(c *x509.Certificate, parents []*x509.Certificate) *x509.Certificate {
	for _, p := range parents {
		if bytes.Equal(p.RawSubject, c.RawIssuer) {
			return nil
		}
	}
	key, err := crl.CanonicalName(c.RawIssuer)
	if err != nil {
		return nil
	}
	for _, p := range parents {
		if k, err := crl.CanonicalName(p.RawSubject); err == nil && k == key {
			return p
		}
	}
	return nil
}

// pick maps Verify's chains back to the caller's certificates and returns
// the first that meets checkPathLen.
func (v *verifyInputs) pick(chains [][]*x509.Certificate) ([]*x509.Certificate, error) {
	var first error
	for _, chain := range chains {
		out := make([]*x509.Certificate, len(chain))
		for i, c := range chain {
			if o, ok := v.orig[c]; ok {
				c = o
			}
			out[i] = c
		}
		err := checkPathLen(out)
		if err == nil {
			return out, nil
		}
		if first == nil {
			first = err
		}
	}
	if first == nil {
		first = errors.New("no chain")
	}
	return nil, first
}

// checkPathLen applies RFC 5280 §6.1.4 (l)–(m) to a chain, leaf first: the
// number of intermediates below a CA that are not self-issued may not
// exceed its pathLenConstraint.
func checkPathLen(chain []*x509.Certificate) error {
	below := 0 // non-self-issued intermediates between chain[i] and the leaf
	for i := 1; i < len(chain); i++ {
		c := chain[i]
		if c.BasicConstraintsValid && c.MaxPathLen >= 0 && below > c.MaxPathLen {
			return fmt.Errorf("x509: too many intermediates for path length constraint of %q", c.Subject.String())
		}
		if i < len(chain)-1 && !isSelfIssued(c) {
			below++
		}
	}
	return nil
}

// isSelfIssued: subject and issuer are the same name (RFC 5280 §6.1).
func isSelfIssued(c *x509.Certificate) bool {
	return crl.NamesEqual(c.RawSubject, c.RawIssuer)
}
