package signer

import (
	"bytes"
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/asn1"
	"encoding/pem"
	"errors"
	"math/big"
	"os"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"github.com/digitorus/pkcs7"
	"github.com/shinsei-app/shinsei/internal/fsx/fsxtest"
	"golang.org/x/crypto/cryptobyte"
	cbasn1 "golang.org/x/crypto/cryptobyte/asn1"
)

// signedDataParts splits a DER ContentInfo/SignedData into its fields, for
// tests that assemble what other producers write.
type signedDataParts struct {
	version                  int64
	digestAlgs, encap        []byte
	certs, crls, signerInfos [][]byte
}

func splitSignedData(t testing.TB, der []byte) signedDataParts {
	t.Helper()
	var p signedDataParts
	in := cryptobyte.String(der)
	var ci, sd, body, certs, crls, sis cryptobyte.String
	var hasCerts, hasCRLs bool
	if !in.ReadASN1(&ci, cbasn1.SEQUENCE) || !ci.SkipASN1(cbasn1.OBJECT_IDENTIFIER) ||
		!ci.ReadASN1(&sd, cbasn1.Tag(0).Constructed().ContextSpecific()) || !sd.ReadASN1(&body, cbasn1.SEQUENCE) ||
		!body.ReadASN1Integer(&p.version) || !body.ReadASN1Element((*cryptobyte.String)(&p.digestAlgs), cbasn1.SET) ||
		!body.ReadASN1Element((*cryptobyte.String)(&p.encap), cbasn1.SEQUENCE) ||
		!body.ReadOptionalASN1(&certs, &hasCerts, cbasn1.Tag(0).Constructed().ContextSpecific()) ||
		!body.ReadOptionalASN1(&crls, &hasCRLs, cbasn1.Tag(1).Constructed().ContextSpecific()) ||
		!body.ReadASN1(&sis, cbasn1.SET) {
		t.Fatal("cannot split the SignedData")
	}
	for _, l := range []struct {
		s   *cryptobyte.String
		out *[][]byte
	}{{&certs, &p.certs}, {&crls, &p.crls}, {&sis, &p.signerInfos}} {
		for !l.s.Empty() {
			var el cryptobyte.String
			var tag cbasn1.Tag
			if !l.s.ReadAnyASN1Element(&el, &tag) {
				t.Fatal("cannot split a SET")
			}
			*l.out = append(*l.out, el)
		}
	}
	return p
}

func (p signedDataParts) join() []byte {
	var b cryptobyte.Builder
	b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
		b.AddASN1ObjectIdentifier(oidSignedData)
		b.AddASN1(cbasn1.Tag(0).Constructed().ContextSpecific(), func(b *cryptobyte.Builder) {
			b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
				b.AddASN1Int64(p.version)
				b.AddBytes(p.digestAlgs)
				b.AddBytes(p.encap)
				if len(p.certs) > 0 {
					set2(b, cbasn1.Tag(0).Constructed().ContextSpecific(), p.certs)
				}
				if len(p.crls) > 0 {
					set2(b, cbasn1.Tag(1).Constructed().ContextSpecific(), p.crls)
				}
				set2(b, cbasn1.SET, p.signerInfos)
			})
		})
	})
	return b.BytesOrPanic()
}

func set2(b *cryptobyte.Builder, tag cbasn1.Tag, els [][]byte) {
	b.AddASN1(tag, func(b *cryptobyte.Builder) {
		for _, e := range els {
			b.AddBytes(e)
		}
	})
}

// otherOCSP is a RevocationInfoChoice other holding an OCSPResponse
// (RFC 5940 §4.1), as CAdES-X-L and ASiC producers embed them.
func otherOCSP() []byte {
	var b cryptobyte.Builder
	b.AddASN1(cbasn1.Tag(1).Constructed().ContextSpecific(), func(b *cryptobyte.Builder) {
		b.AddASN1ObjectIdentifier(oidRIOCSPResponse)
		b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) { // OCSPResponse
			b.AddASN1Enum(0) // successful
			b.AddASN1(cbasn1.Tag(0).Constructed().ContextSpecific(), func(b *cryptobyte.Builder) {
				b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
					b.AddASN1ObjectIdentifier(asn1.ObjectIdentifier{1, 3, 6, 1, 5, 5, 7, 48, 1, 1})
					b.AddASN1OctetString([]byte{0x30, 0x00})
				})
			})
		})
	})
	return b.BytesOrPanic()
}

// withUnsigned returns the SignerInfo si with unsigned attributes of the
// given types appended (each holding an empty SEQUENCE as its value).
func withUnsigned(t testing.TB, si []byte, types ...asn1.ObjectIdentifier) []byte {
	t.Helper()
	in := cryptobyte.String(si)
	var body cryptobyte.String
	if !in.ReadASN1(&body, cbasn1.SEQUENCE) {
		t.Fatal("not a SignerInfo")
	}
	var b cryptobyte.Builder
	b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
		b.AddBytes(body)
		b.AddASN1(cbasn1.Tag(1).Constructed().ContextSpecific(), func(b *cryptobyte.Builder) {
			for _, typ := range types {
				b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
					b.AddASN1ObjectIdentifier(typ)
					b.AddASN1(cbasn1.SET, func(b *cryptobyte.Builder) {
						b.AddASN1(cbasn1.SEQUENCE, func(*cryptobyte.Builder) {})
					})
				})
			}
		})
	})
	return b.BytesOrPanic()
}

var (
	oidSignatureTimeStamp = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 9, 16, 2, 14}
	oidArchiveTimeStampV3 = asn1.ObjectIdentifier{0, 4, 0, 1733, 2, 4}
)

func TestSignaturesOfOtherProducersVerify(t *testing.T) {
	f := testFixtures(t)
	content := []byte(`<asic:ASiCManifest xmlns:asic="http://uri.etsi.org/02918/v1.2.1#"/>`)
	ours, err := signDetached(content, credential(f.official), essAttribute(f.official.Cert))
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name     string
		edit     func(p *signedDataParts)
		unsigned []string
		ocsp     int
	}{
		{"a version 5 SignedData with an OCSP response as RevocationInfoChoice other verifies, the response reported", func(p *signedDataParts) {
			p.version = 5
			p.crls = append(p.crls, otherOCSP())
		}, nil, 1},
		{"certificates in reverse order verify", func(p *signedDataParts) {
			slices.Reverse(p.certs)
		}, nil, 0},
		{"a CRL after an OCSP response among the revocation information verifies", func(p *signedDataParts) {
			p.version = 5
			p.crls = append(p.crls, otherOCSP(), testCRL(t))
		}, nil, 1},
		{"signature and archive timestamps as unsigned attributes are kept and reported", func(p *signedDataParts) {
			p.signerInfos[0] = withUnsigned(t, p.signerInfos[0], oidSignatureTimeStamp, oidArchiveTimeStampV3)
		}, []string{"signature-time-stamp", "archive-time-stamp-v3"}, 0},
		{"a version 4 SignedData with an attribute certificate among the certificates verifies", func(p *signedDataParts) {
			p.version = 4
			// v2AttrCert [2] IMPLICIT AttributeCertificate: its content is not read.
			p.certs = append(p.certs, []byte{0xa2, 0x02, 0x30, 0x00})
		}, nil, 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p := splitSignedData(t, ours)
			tc.edit(&p)
			sig := p.join()
			r, err := VerifyDetached(context.Background(), sig, bytes.NewReader(content), f.opts())
			if err != nil {
				t.Fatal(err)
			}
			if !r.OK() || r.Format != FormatCAdESBES || !slices.Equal(r.Unsigned, tc.unsigned) || r.OCSPResponses != tc.ocsp {
				t.Fatalf("report %+v", r)
			}
			if r, err := VerifyDetached(context.Background(), sig, bytes.NewReader(append(content, ' ')), f.opts()); err != nil || r.Integrity.Reason != ReasonContentDigestMismatch {
				t.Fatalf("other content: %+v, %v", r, err)
			}
		})
	}
	t.Run("pkcs7 alone cannot read the OCSP case, which is why the envelope is normalised", func(t *testing.T) {
		p := splitSignedData(t, ours)
		p.crls = append(p.crls, otherOCSP())
		if _, err := pkcs7.Parse(p.join()); err == nil {
			t.Fatal("pkcs7 parsed RevocationInfoChoice other; the normaliser may no longer be needed")
		}
	})
}

func TestOpenSSLStreamingAndKeyIdentifierSignaturesVerify(t *testing.T) {
	requireOpenSSL(t)
	f := testFixtures(t)
	dir := fsxtest.TempDir(t)
	content := []byte("<manifest/>\n")
	in := writeFile(t, dir, "m.xml", content)
	cert := writeFile(t, dir, "cert.pem", pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: f.resident.Cert.Raw}))
	der, err := x509.MarshalPKCS8PrivateKey(f.resident.Key)
	if err != nil {
		t.Fatal(err)
	}
	key := writeFile(t, dir, "key.pem", pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der}))
	// -keyid needs a certificate with a subject key identifier, which
	// the sandbox's do not have: openssl makes one (integrity only).
	run(t, "openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-subj", "/CN=keyid",
		"-days", "2", "-keyout", filepath.Join(dir, "kid-key.pem"), "-out", filepath.Join(dir, "kid.pem"))
	kidPEM, err := os.ReadFile(filepath.Join(dir, "kid.pem"))
	if err != nil {
		t.Fatal(err)
	}
	blk, _ := pem.Decode(kidPEM)
	kidCert, err := x509.ParseCertificate(blk.Bytes)
	if err != nil || len(kidCert.SubjectKeyId) == 0 {
		t.Fatalf("openssl's certificate: %v, key id % x", err, kidCert.SubjectKeyId)
	}
	for _, tc := range []struct {
		name  string
		extra []string
		check func(t *testing.T, sig []byte)
		want  *x509.Certificate
	}{
		{"a BER signature with indefinite lengths (openssl -stream) verifies", []string{"-stream"}, func(t *testing.T, sig []byte) {
			if !bytes.Contains(sig[:4], []byte{0x80}) {
				t.Fatalf("openssl did not write an indefinite length: % x", sig[:4])
			}
		}, f.resident.Cert},
		{"a signer named by subject key identifier (SignerInfo version 3) verifies", []string{"-keyid", "-signer", filepath.Join(dir, "kid.pem"),
			"-inkey", filepath.Join(dir, "kid-key.pem")}, nil, kidCert},
		{"a SHA-512 CAdES signature verifies", []string{"-md", "sha512", "-cades"}, nil, f.resident.Cert},
	} {
		t.Run(tc.name, func(t *testing.T) {
			out := filepath.Join(dir, "sig.p7s")
			args := []string{"cms", "-sign", "-binary", "-outform", "DER", "-in", in, "-out", out}
			if !slices.Contains(tc.extra, "-signer") {
				args = append(args, "-signer", cert, "-inkey", key)
			}
			args = append(args, tc.extra...)
			run(t, "openssl", args...)
			sig, err := os.ReadFile(out)
			if err != nil {
				t.Fatal(err)
			}
			if tc.check != nil {
				tc.check(t, sig)
			}
			r, err := VerifyDetached(context.Background(), sig, bytes.NewReader(content), f.opts())
			if err != nil || !r.Integrity.OK || r.Signer == nil || !r.Signer.Equal(tc.want) || tc.want == f.resident.Cert && !r.OK() {
				t.Fatalf("report %+v, %v", r, err)
			}
			if r, err := VerifyDetached(context.Background(), sig, bytes.NewReader([]byte("other")), f.opts()); err != nil || r.Integrity.OK {
				t.Fatalf("other content: %+v, %v", r, err)
			}
		})
	}
}

func TestBERIsReencodedAsDER(t *testing.T) {
	for _, tc := range []struct {
		name    string
		in, out []byte
		err     bool
	}{
		{"an indefinite SEQUENCE gets a definite length", []byte{0x30, 0x80, 0x02, 0x01, 0x05, 0x00, 0x00}, []byte{0x30, 0x03, 0x02, 0x01, 0x05}, false},
		{"a constructed OCTET STRING is joined into one", []byte{0x24, 0x80, 0x04, 0x01, 'a', 0x04, 0x02, 'b', 'c', 0x00, 0x00}, []byte{0x04, 0x03, 'a', 'b', 'c'}, false},
		{"a long-form length is made short", []byte{0x04, 0x81, 0x01, 'x'}, []byte{0x04, 0x01, 'x'}, false},
		{"a missing end-of-contents is refused", []byte{0x30, 0x80, 0x02, 0x01, 0x05}, nil, true},
		{"a length past the end is refused", []byte{0x04, 0x05, 'x'}, nil, true},
		{"trailing data is refused", []byte{0x04, 0x01, 'x', 0x00}, nil, true},
		{"an indefinite primitive is refused", []byte{0x04, 0x80, 0x00, 0x00}, nil, true},
		{"nesting beyond the limit is refused", append(bytes.Repeat([]byte{0x30, 0x80}, maxBERDepth+2), bytes.Repeat([]byte{0, 0}, maxBERDepth+2)...), nil, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := berToDER(tc.in)
			if tc.err {
				if err == nil || !errors.Is(err, errCMSEnvelope) {
					t.Fatalf("got % x, %v; want refused", got, err)
				}
				return
			}
			if err != nil || !bytes.Equal(got, tc.out) {
				t.Fatalf("got % x, %v; want % x", got, err, tc.out)
			}
		})
	}
}

func TestASignatureWithoutItsCertificateIsUndecidedUnlessTheVerifierHasIt(t *testing.T) {
	f := testFixtures(t)
	content := []byte("<manifest/>")
	ours, err := signDetached(content, credential(f.resident), essAttribute(f.resident.Cert))
	if err != nil {
		t.Fatal(err)
	}
	p := splitSignedData(t, ours)
	p.certs = nil
	bare := p.join()
	r, err := VerifyDetached(context.Background(), bare, bytes.NewReader(content), f.opts())
	if err != nil || r.Integrity.Reason != ReasonSignerCertificateMissing || r.Outcome() != OutcomeUndecided {
		t.Fatalf("without the certificate: %+v, %v; want %s and undecided", r, err, ReasonSignerCertificateMissing)
	}
	opts := f.opts()
	opts.Intermediates = append(append(opts.Intermediates, f.resident.Intermediates...), f.resident.Cert)
	r, err = VerifyDetached(context.Background(), bare, bytes.NewReader(content), opts)
	if err != nil || !r.OK() || r.Outcome() != OutcomeValid || !r.Signer.Equal(f.resident.Cert) {
		t.Fatalf("with the certificate given: %+v, %v", r, err)
	}
	if r, err := VerifyDetached(context.Background(), bare, bytes.NewReader([]byte("other")), opts); err != nil || r.Outcome() != OutcomeInvalid {
		t.Fatalf("other content with the certificate given: %+v, %v", r, err)
	}
}

// testCRL is a CRL of a throwaway CA, as a producer embeds revocation data.
func testCRL(t testing.TB) []byte {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "CRL test CA"}, NotBefore: time.Now().Add(-time.Hour),
		NotAfter: time.Now().Add(time.Hour), IsCA: true, BasicConstraintsValid: true, KeyUsage: x509.KeyUsageCRLSign | x509.KeyUsageCertSign}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	ca, err := x509.ParseCertificate(der)
	if err != nil {
		t.Fatal(err)
	}
	crl, err := x509.CreateRevocationList(rand.Reader, &x509.RevocationList{Number: big.NewInt(1), ThisUpdate: time.Now(), NextUpdate: time.Now().Add(time.Hour)}, ca, key)
	if err != nil {
		t.Fatal(err)
	}
	return crl
}
