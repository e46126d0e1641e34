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
	"errors"
	"math/big"
	"os"
	"strings"
	"testing"
	"time"

	"golang.org/x/crypto/ocsp"

	"github.com/shinsei-app/shinsei/certcheck"
	"github.com/shinsei-app/shinsei/sandbox/pki"
)

// ocspAnswer is an OCSP response about cert signed by its issuing CA ca
// (the CA itself as responder), valid from thisUpdate for validity.
func ocspAnswer(t testing.TB, ca *pki.CA, cert *x509.Certificate, status int, revokedAt, thisUpdate time.Time, validity time.Duration) []byte {
	t.Helper()
	tmpl := ocsp.Response{Status: status, SerialNumber: cert.SerialNumber, ThisUpdate: thisUpdate, NextUpdate: thisUpdate.Add(validity)}
	if status == ocsp.Revoked {
		tmpl.RevokedAt, tmpl.RevocationReason = revokedAt, ocsp.KeyCompromise
	}
	der, err := ocsp.CreateResponse(ca.Cert, ca.Cert, tmpl, ca.Key)
	if err != nil {
		t.Fatal(err)
	}
	return der
}

// forgedOCSP is a "good" answer about cert signed by a key no CA
// certified, naming the issuer's name.
func forgedOCSP(t testing.TB, issuer, cert *x509.Certificate) []byte {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(7), Subject: issuer.Subject, NotBefore: time.Now().Add(-time.Hour),
		NotAfter: time.Now().Add(time.Hour), ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageOCSPSigning}}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	rogue, err := x509.ParseCertificate(der)
	if err != nil {
		t.Fatal(err)
	}
	now := time.Now()
	resp, err := ocsp.CreateResponse(issuer, rogue, ocsp.Response{Status: ocsp.Good, SerialNumber: cert.SerialNumber,
		ThisUpdate: now.Add(-time.Minute), NextUpdate: now.Add(time.Hour), Certificate: rogue}, key)
	if err != nil {
		t.Fatal(err)
	}
	return resp
}

// officialLT is the official's validation data as a pre-check gets it:
// the path, an OCSP answer about the official from its CA and the
// root's CRL covering that CA.
func officialLT(t testing.TB, official []byte) ValidationData {
	t.Helper()
	f := testFixtures(t)
	now := time.Now()
	crl, err := pki.NewRegistry().CRL(f.pki.LGPKIRoot, now.Add(-time.Minute), 24*time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	if official == nil {
		official = ocspAnswer(t, f.pki.LGPKIOrg, f.official.Cert, ocsp.Good, time.Time{}, now.Add(-time.Minute), time.Hour)
	}
	return ValidationData{Certs: []*x509.Certificate{f.official.Cert, f.pki.LGPKIOrg.Cert, f.pki.LGPKIRoot.Cert},
		CRLs: [][]byte{crl}, OCSPs: [][]byte{official}}
}

// signerInfos returns the SignedData's version and its signerInfos and
// encapsulated content, as written.
func signedParts(t testing.TB, p7s []byte) (version int, signed []byte) {
	t.Helper()
	var ci contentInfo
	if _, err := asn1.Unmarshal(p7s, &ci); err != nil {
		t.Fatal(err)
	}
	var sd signedDataEnvelope
	if _, err := asn1.Unmarshal(ci.Content.Bytes, &sd); err != nil {
		t.Fatal(err)
	}
	return sd.Version, append(append(append([]byte{}, sd.DigestAlgorithms.FullBytes...), sd.EncapContentInfo.FullBytes...), sd.SignerInfos.FullBytes...)
}

func TestValidationDataGoesIntoTheSignatureWithoutTouchingWhatIsSigned(t *testing.T) {
	f := testFixtures(t)
	good, _ := testTSAs(t)
	pkg, _ := buildWith(t, f.official, &TSA{URL: tsaServer(t, good, nil).URL})
	sig := entryData(t, readEntries(t, pkg), signatureName)
	v := officialLT(t, nil)
	lt, err := AddValidationData(sig, v)
	if err != nil {
		t.Fatal(err)
	}

	t.Run("the signer info, its time-stamp and the content are the same bytes", func(t *testing.T) {
		_, before := signedParts(t, sig)
		version, after := signedParts(t, lt)
		if !bytes.Equal(before, after) {
			t.Fatal("the signed parts changed")
		}
		if version != 5 {
			t.Fatalf("SignedData version %d with an OCSP response among the crls, want 5 (RFC 5652 §5.1)", version)
		}
	})
	t.Run("the certificates, the CRL and the OCSP response are where a CMS reader finds them", func(t *testing.T) {
		p7, err := parseSignature(lt)
		if err != nil {
			t.Fatal(err)
		}
		_, side, err := normalizeCMS(lt)
		if err != nil {
			t.Fatal(err)
		}
		if len(side.OCSPResponses) != 1 || !bytes.Equal(side.OCSPResponses[0], v.OCSPs[0]) {
			t.Fatalf("OCSP responses %d", len(side.OCSPResponses))
		}
		if len(side.CRLs) != 1 || !bytes.Equal(side.CRLs[0], v.CRLs[0]) || len(p7.CRLs) != 1 {
			t.Fatalf("CRLs %d", len(side.CRLs))
		}
		for _, c := range v.Certs {
			if findSigner(c.RawIssuer, c.SerialNumber, p7.Certificates) == nil {
				t.Errorf("%s is not among the certificates", c.Subject)
			}
		}
		if len(p7.Certificates) != 3 {
			t.Errorf("%d certificates, want the three of the path once each", len(p7.Certificates))
		}
	})
	t.Run("adding the same data again changes nothing", func(t *testing.T) {
		again, err := AddValidationData(lt, v)
		if err != nil || !bytes.Equal(again, lt) {
			t.Fatalf("second add: changed=%v err=%v", !bytes.Equal(again, lt), err)
		}
	})
	t.Run("what is not SignedData, or a CRL that is not DER, is refused", func(t *testing.T) {
		if _, err := AddValidationData([]byte("not CMS"), v); !errors.Is(err, ErrMalformed) {
			t.Errorf("not CMS: %v", err)
		}
		if _, err := AddValidationData(sig, ValidationData{CRLs: [][]byte{[]byte("garbage")}}); !errors.Is(err, ErrMalformed) {
			t.Errorf("garbage CRL: %v", err)
		}
	})
}

func TestAPackageGetsValidationDataInEverySignature(t *testing.T) {
	f := testFixtures(t)
	good, _ := testTSAs(t)
	pkg, _ := buildWith(t, f.official, &TSA{URL: tsaServer(t, good, nil).URL})
	v := officialLT(t, nil)
	n, err := AddPackageValidationData(context.Background(), pkg, v)
	if err != nil || n != 1 {
		t.Fatalf("added to %d signatures, %v", n, err)
	}
	rep, err := Verify(context.Background(), pkg, f.opts())
	if err != nil {
		t.Fatal(err)
	}
	if rep.Outcome() != OutcomeValid || rep.Revocation == nil || !rep.Revocation.Check.OK || rep.Revocation.Source != RevocationSourceEmbedded {
		t.Fatalf("got %s, revocation %+v", rep.Outcome(), rep.Revocation)
	}
	if len(rep.Revocation.Path) != 2 || rep.Revocation.Path[0].Kind != "ocsp" || rep.Revocation.Path[1].Kind != "crl" {
		t.Fatalf("want the signer by OCSP and its CA by CRL, got %+v", rep.Revocation.Path)
	}
	if n, err := AddPackageValidationData(context.Background(), pkg, v); err != nil || n != 0 {
		t.Fatalf("a second run changed %d signatures, %v", n, err)
	}
	t.Run("openssl cms -verify accepts the LT signature and openssl ts -verify its token", func(t *testing.T) {
		opensslAccepts(t, pkg, f.official.Root, good.Cert)
	})
	t.Run("a package without a signature is refused, and left as it was", func(t *testing.T) {
		bare := rewrite(t, pkg, remove(signatureName))
		before, _ := os.ReadFile(bare)
		if _, err := AddPackageValidationData(context.Background(), bare, v); !errors.Is(err, ErrMalformed) {
			t.Fatalf("got %v", err)
		}
		if after, _ := os.ReadFile(bare); !bytes.Equal(before, after) {
			t.Fatal("the package changed")
		}
	})
	t.Run("a BES package that gets its time-stamp after its validation data verifies with both", func(t *testing.T) {
		plain, _ := buildWith(t, f.official, nil)
		if _, err := AddPackageValidationData(context.Background(), plain, v); err != nil {
			t.Fatal(err)
		}
		if n, err := TimestampPackage(context.Background(), plain, TSA{URL: tsaServer(t, good, nil).URL}); err != nil || n != 1 {
			t.Fatalf("time-stamped %d, %v", n, err)
		}
		rep, err := Verify(context.Background(), plain, f.opts())
		if err != nil || rep.Outcome() != OutcomeValid || rep.ProvenTime == nil || rep.Revocation == nil || !rep.Revocation.Check.OK {
			t.Fatalf("got %v %+v %v", rep.Outcome(), rep.Revocation, err)
		}
	})
}

func TestEmbeddedRevocationDataIsJudgedAtTheProvenTime(t *testing.T) {
	f := testFixtures(t)
	good, _ := testTSAs(t)
	now := time.Now()
	later := now.AddDate(2, 6, 0) // the certificate has expired, the TSA not yet; no responder answers
	org := f.pki.LGPKIOrg
	tests := []struct {
		name    string
		ocsp    []byte
		at      time.Time
		outcome string
		reason  string // of the certificate check
		revoc   string // of the revocation check, "" when OK
	}{
		{"a good answer covering the time-stamp keeps the package valid after the certificate expired", nil, later, OutcomeValid, "", ""},
		{"a good answer is judged at the proven time even when checked now", nil, time.Time{}, OutcomeValid, "", ""},
		{"an answer that the certificate was revoked before the time-stamp makes it invalid",
			ocspAnswer(t, org, f.official.Cert, ocsp.Revoked, now.Add(-time.Hour), now.Add(-time.Minute), time.Hour), later, OutcomeInvalid, string(certcheck.ReasonRevoked), string(certcheck.ReasonRevoked)},
		{"an answer signed by a responder the CA never certified establishes nothing",
			forgedOCSP(t, org.Cert, f.official.Cert), later, OutcomeValid, "", ReasonRevocationNotEstablished},
		{"an answer whose validity ended before the time-stamp establishes nothing",
			ocspAnswer(t, org, f.official.Cert, ocsp.Good, time.Time{}, now.Add(-3*time.Hour), time.Hour), later, OutcomeValid, "", ReasonRevocationNotEstablished},
		{"a good answer issued after the time-stamp, as a service adds on receipt, establishes it",
			ocspAnswer(t, org, f.official.Cert, ocsp.Good, time.Time{}, now.Add(2*time.Hour), time.Hour), later, OutcomeValid, "", ""},
		{"a later answer that the certificate was revoked after the time-stamp keeps it valid",
			ocspAnswer(t, org, f.official.Cert, ocsp.Revoked, now.Add(time.Hour), now.Add(2*time.Hour), time.Hour), later, OutcomeValid, "", ""},
		{"a later answer that the certificate was revoked before the time-stamp makes it invalid",
			ocspAnswer(t, org, f.official.Cert, ocsp.Revoked, now.Add(-time.Hour), now.Add(2*time.Hour), time.Hour), later, OutcomeInvalid, string(certcheck.ReasonRevoked), string(certcheck.ReasonRevoked)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			pkg, _ := buildWith(t, f.official, &TSA{URL: tsaServer(t, good, nil).URL})
			if _, err := AddPackageValidationData(context.Background(), pkg, officialLT(t, tt.ocsp)); err != nil {
				t.Fatal(err)
			}
			opts := f.opts()
			opts.At = tt.at
			rep, err := Verify(context.Background(), pkg, opts)
			if err != nil {
				t.Fatal(err)
			}
			if rep.Outcome() != tt.outcome || rep.Certificate.Reason != tt.reason {
				t.Fatalf("got %s %+v, want %s %q; revocation %+v", rep.Outcome(), rep.Certificate, tt.outcome, tt.reason, rep.Revocation)
			}
			if rep.Revocation == nil || rep.Revocation.Check.Reason != tt.revoc || rep.ProvenTime == nil || !rep.Revocation.At.Equal(*rep.ProvenTime) {
				t.Fatalf("revocation %+v, want reason %q at the proven time %v", rep.Revocation, tt.revoc, rep.ProvenTime)
			}
			if tt.revoc != "" && strings.Contains(rep.Revocation.Check.Detail, f.official.Cert.Subject.CommonName) {
				t.Errorf("the detail names the signer: %q", rep.Revocation.Check.Detail)
			}
		})
	}
}

func TestAValidationAuthoritysAnswerCountsOnlyWhenTheVerifierTrustsIt(t *testing.T) {
	f := testFixtures(t)
	good, _ := testTSAs(t)
	va, vaKey := validationAuthority(t)
	now := time.Now()
	answer, err := ocsp.CreateResponse(f.pki.LGPKIOrg.Cert, va, ocsp.Response{Status: ocsp.Good, SerialNumber: f.official.Cert.SerialNumber,
		ThisUpdate: now.Add(time.Minute), NextUpdate: now.Add(time.Hour)}, vaKey)
	if err != nil {
		t.Fatal(err)
	}
	pkg, _ := buildWith(t, f.official, &TSA{URL: tsaServer(t, good, nil).URL})
	if _, err := AddPackageValidationData(context.Background(), pkg, officialLT(t, answer)); err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct {
		name    string
		trusted []*x509.Certificate
		reason  string
	}{
		{"without the authority among the trusted responders its answer establishes nothing", nil, ReasonRevocationNotEstablished},
		{"with it, its answer establishes the status", []*x509.Certificate{va}, ""},
	} {
		t.Run(tt.name, func(t *testing.T) {
			opts := f.opts()
			opts.TrustedResponders = tt.trusted
			rep, err := Verify(context.Background(), pkg, opts)
			if err != nil {
				t.Fatal(err)
			}
			if rep.Outcome() != OutcomeValid || rep.Revocation == nil || rep.Revocation.Check.Reason != tt.reason {
				t.Fatalf("got %s, revocation %+v", rep.Outcome(), rep.Revocation)
			}
		})
	}
}

// validationAuthority is a self-signed OCSP responder certificate, as a
// VA trusted directly.
func validationAuthority(t testing.TB) (*x509.Certificate, *ecdsa.PrivateKey) {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(9), Subject: pkix.Name{CommonName: "Test Validation Authority"}, NotBefore: time.Now().Add(-time.Hour),
		NotAfter: time.Now().Add(24 * time.Hour), ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageOCSPSigning}, KeyUsage: x509.KeyUsageDigitalSignature}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	c, err := x509.ParseCertificate(der)
	if err != nil {
		t.Fatal(err)
	}
	return c, key
}

func TestASignatureWithoutValidationDataReportsNoRevocation(t *testing.T) {
	f := testFixtures(t)
	pkg := buildSample(t, f.official)
	rep, err := Verify(context.Background(), pkg, f.opts())
	if err != nil || rep.Outcome() != OutcomeValid || rep.Revocation != nil {
		t.Fatalf("got %v %+v %v", rep.Outcome(), rep.Revocation, err)
	}
}
