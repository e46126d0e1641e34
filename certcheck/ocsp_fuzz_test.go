package certcheck_test

import (
	"bytes"
	"crypto"
	"crypto/x509"
	"errors"
	"testing"
	"time"

	"golang.org/x/crypto/cryptobyte"
	cbasn1 "golang.org/x/crypto/cryptobyte/asn1"
	"golang.org/x/crypto/ocsp"

	"github.com/shinsei-app/shinsei/certcheck"
	"github.com/shinsei-app/shinsei/sandbox/responder"
)

// ocspSentinels are the errors every rejection must wrap one of.
var ocspSentinels = []error{
	certcheck.ErrOCSPMalformed, certcheck.ErrOCSPResponseStatus, certcheck.ErrOCSPSignature,
	certcheck.ErrOCSPUnauthorized, certcheck.ErrOCSPNotOCSPSigning, certcheck.ErrOCSPResponderInvalid,
	certcheck.ErrOCSPCertIDMismatch, certcheck.ErrOCSPNotYetValid, certcheck.ErrOCSPStale,
	certcheck.ErrOCSPNonce, certcheck.ErrOCSPCritical,
}

// ocspRequestWithNonce is an OCSP request carrying an RFC 8954 nonce.
func ocspRequestWithNonce(t testing.TB, req, nonce []byte) []byte {
	t.Helper()
	in := cryptobyte.String(req)
	var outer, tbs cryptobyte.String
	if !in.ReadASN1(&outer, cbasn1.SEQUENCE) || !outer.ReadASN1(&tbs, cbasn1.SEQUENCE) {
		t.Fatal("unexpected request encoding")
	}
	var b cryptobyte.Builder
	b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
		b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
			b.AddBytes(tbs)
			b.AddASN1(cbasn1.Tag(2).Constructed().ContextSpecific(), func(b *cryptobyte.Builder) {
				b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
					b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
						b.AddASN1ObjectIdentifier([]int{1, 3, 6, 1, 5, 5, 7, 48, 1, 2})
						b.AddASN1(cbasn1.OCTET_STRING, func(b *cryptobyte.Builder) { b.AddASN1OctetString(nonce) })
					})
				})
			})
		})
	})
	return b.BytesOrPanic()
}

// FuzzParseOCSPResponse feeds arbitrary bytes to the response checks: they
// never panic, every rejection wraps a sentinel, and StatusGood comes only
// from a response whose signed part is one a real responder signed.
func FuzzParseOCSPResponse(f *testing.F) {
	rs := ocspResponders(f)
	p := rs.PKI
	ca := p.LGPKIOrg
	cert := ocspIssue(f, rs, ca, responder.StyleCA)
	now := time.Now()
	nonce := bytes.Repeat([]byte{0x5a}, 32)

	plain, err := ocsp.CreateRequest(cert, ca.Cert, nil)
	if err != nil {
		f.Fatal(err)
	}
	sha256Req, err := ocsp.CreateRequest(cert, ca.Cert, &ocsp.RequestOptions{Hash: crypto.SHA256})
	if err != nil {
		f.Fatal(err)
	}
	var seeds [][]byte
	for _, style := range []responder.Style{responder.StyleCA, responder.StyleDelegated, responder.StyleVA} {
		for _, req := range [][]byte{plain, ocspRequestWithNonce(f, plain, nonce), sha256Req} {
			der, err := rs.Respond(req, ca, style)
			if err != nil {
				f.Fatal(err)
			}
			seeds = append(seeds, der)
		}
	}
	for _, status := range []int{ocsp.Good, ocsp.Revoked, ocsp.Unknown} {
		der, err := ocsp.CreateResponse(ca.Cert, ca.Cert, ocsp.Response{Status: status, SerialNumber: cert.SerialNumber,
			ThisUpdate: now, NextUpdate: now.Add(time.Hour), RevokedAt: now, RevocationReason: ocsp.CertificateHold}, ca.Key)
		if err != nil {
			f.Fatal(err)
		}
		seeds = append(seeds, der)
	}
	// The signed parts a responder really produced.
	var signed [][]byte
	for _, s := range seeds {
		r, err := ocsp.ParseResponse(s, nil)
		if err != nil {
			f.Fatal(err)
		}
		signed = append(signed, r.TBSResponseData)
		f.Add(s)
	}
	for _, s := range [][]byte{ocsp.TryLaterErrorResponse, ocsp.MalformedRequestErrorResponse, {}, {0x30, 0x00}, []byte("garbage")} {
		f.Add(s)
	}
	opts := certcheck.OCSPOptions{TrustedResponders: []*x509.Certificate{rs.VA.Cert}, Now: func() time.Time { return now }}
	good := 0
	for _, s := range seeds {
		for _, n := range [][]byte{nil, nonce} {
			if rev, err := certcheck.VerifyOCSPResponse(s, cert, ca.Cert, n, opts); err == nil && rev.Status == certcheck.StatusGood {
				good++
			}
		}
	}
	if good == 0 {
		f.Fatalf("no genuine seed is good: the property below would be vacuous")
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		for _, n := range [][]byte{nil, nonce} {
			rev, err := certcheck.VerifyOCSPResponse(data, cert, ca.Cert, n, opts)
			if err != nil {
				wrapped := false
				for _, s := range ocspSentinels {
					wrapped = wrapped || errors.Is(err, s)
				}
				if !wrapped {
					t.Fatalf("rejection wraps no sentinel: %v", err)
				}
				if rev.Status != "" {
					t.Fatalf("a rejection came with a status %q", rev.Status)
				}
				continue
			}
			if rev.Status != certcheck.StatusGood {
				continue
			}
			r, perr := ocsp.ParseResponse(data, nil)
			if perr != nil {
				t.Fatalf("good from bytes x/crypto cannot parse: %v", perr)
			}
			genuine := false
			for _, s := range signed {
				genuine = genuine || bytes.Equal(s, r.TBSResponseData)
			}
			if !genuine {
				t.Fatalf("good from a response no responder signed")
			}
		}
	})
}
