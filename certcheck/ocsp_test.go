package certcheck_test

import (
	"context"
	"crypto"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"crypto/x509/pkix"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/shinsei-app/shinsei/certcheck"
	"github.com/shinsei-app/shinsei/internal/fsx/fsxtest"
	"github.com/shinsei-app/shinsei/sandbox/pki"
	"github.com/shinsei-app/shinsei/sandbox/responder"
)

var (
	ocspKeyOnce sync.Once
	ocspKey     *rsa.PrivateKey
	ocspKeyErr  error
)

// ocspLeafKey is one RSA key shared by the OCSP tests' end-entity
// certificates, so that issuing one costs a signature, not a key.
func ocspLeafKey(t testing.TB) *rsa.PrivateKey {
	t.Helper()
	ocspKeyOnce.Do(func() { ocspKey, ocspKeyErr = rsa.GenerateKey(rand.Reader, 2048) })
	if ocspKeyErr != nil {
		t.Fatal(ocspKeyErr)
	}
	return ocspKey
}

// ocspPKI is testPKI for any testing.TB (fuzz targets too): the same PKI.
func ocspPKI(t testing.TB) *pki.PKI {
	t.Helper()
	pkiOnce.Do(func() { sharedPKI, pkiErr = pki.New(time.Now()) })
	if pkiErr != nil {
		t.Fatal(pkiErr)
	}
	return sharedPKI
}

// ocspResponders starts the sandbox responders on loopback for one test.
func ocspResponders(t testing.TB) *responder.Server {
	t.Helper()
	rs, err := responder.Start(context.Background(), ocspPKI(t), pki.NewRegistry(), "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = rs.Close() })
	return rs
}

// ocspIssue issues a certificate from ca whose AIA names rs's responder in style.
func ocspIssue(t testing.TB, rs *responder.Server, ca *pki.CA, style responder.Style) *x509.Certificate {
	t.Helper()
	cred, err := rs.IssueEndEntity(ca, responder.EndEntity{CommonName: "OCSP test", Style: style, Key: ocspLeafKey(t)})
	if err != nil {
		t.Fatal(err)
	}
	return cred.Cert
}

func ocspQuery(cert *x509.Certificate, ca *pki.CA) certcheck.Query {
	return certcheck.Query{Cert: cert, Issuer: ca.Cert, Path: []*x509.Certificate{cert, ca.Cert}, At: time.Now()}
}

func ocspNewSource(t testing.TB, opts certcheck.OCSPOptions) *certcheck.OCSPSource {
	t.Helper()
	s, err := certcheck.NewOCSPSource(opts)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func ocspNewVA(t testing.TB, rs *responder.Server, opts certcheck.OCSPOptions, serves ...*x509.Certificate) *certcheck.VASource {
	t.Helper()
	s, err := certcheck.NewVASource(certcheck.VAOptions{URL: rs.VAURL(), Responder: rs.VA.Cert, Serves: serves, OCSP: opts})
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// ocspSourceFor returns the source that asks rs in style.
func ocspSourceFor(t testing.TB, rs *responder.Server, style responder.Style, opts certcheck.OCSPOptions) certcheck.Source {
	if style == responder.StyleVA {
		return ocspNewVA(t, rs, opts)
	}
	return ocspNewSource(t, opts)
}

// ocspWantRejected fails unless r is StatusUnknown with a Detail naming sentinel.
func ocspWantRejected(t testing.TB, r certcheck.Revocation, ok bool, sentinel error) {
	t.Helper()
	if !ok || r.Status != certcheck.StatusUnknown || !strings.Contains(r.Detail, sentinel.Error()) {
		t.Fatalf("want unknown with %q, got ok=%v %+v", sentinel, ok, r)
	}
}

// ocspMentionsSerial reports whether detail shows cert's serial number.
func ocspMentionsSerial(detail string, cert *x509.Certificate) bool {
	return strings.Contains(detail, cert.SerialNumber.String()) ||
		strings.Contains(strings.ToLower(detail), fmt.Sprintf("%x", cert.SerialNumber))
}

func TestOCSPSourceAnswersFromEachResponderStyle(t *testing.T) {
	rs := ocspResponders(t)
	p := rs.PKI
	revokedAt := time.Now().Add(-2 * time.Hour).UTC().Truncate(time.Second)
	type state int
	const (
		good state = iota
		revoked
		held
		released
		neverIssued
	)
	tests := []struct {
		name   string
		ca     *pki.CA
		style  responder.Style
		state  state
		status certcheck.Status
		reason string
	}{
		{"a good certificate is good when the CA answers", p.Private, responder.StyleCA, good, certcheck.StatusGood, ""},
		{"a revoked certificate is revoked with its reason when the CA answers", p.Private, responder.StyleCA, revoked, certcheck.StatusRevoked, "keyCompromise"},
		{"a held certificate is on hold when the CA answers", p.Registrar, responder.StyleCA, held, certcheck.StatusOnHold, "certificateHold"},
		{"a certificate whose hold was released is good again", p.Registrar, responder.StyleCA, released, certcheck.StatusGood, ""},
		{"a good certificate is good when a delegate answers", p.LGPKIApp, responder.StyleDelegated, good, certcheck.StatusGood, ""},
		{"a revoked certificate is revoked when a delegate answers", p.LGPKIOrg, responder.StyleDelegated, revoked, certcheck.StatusRevoked, "keyCompromise"},
		{"a serial the CA never issued is unknown when a delegate answers", p.LGPKIApp, responder.StyleDelegated, neverIssued, certcheck.StatusUnknown, ""},
		{"a good certificate is good when the VA answers", p.LGPKIOrg, responder.StyleVA, good, certcheck.StatusGood, ""},
		{"a revoked certificate is revoked when the VA answers", p.Private, responder.StyleVA, revoked, certcheck.StatusRevoked, "keyCompromise"},
		{"a held certificate is on hold when the VA answers", p.Registrar, responder.StyleVA, held, certcheck.StatusOnHold, "certificateHold"},
		{"a serial the CA never issued is unknown when the VA answers", p.Private, responder.StyleVA, neverIssued, certcheck.StatusUnknown, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cert := ocspIssue(t, rs, tt.ca, tt.style)
			reg := rs.Registry
			var err error
			switch tt.state {
			case revoked:
				err = reg.Revoke(tt.ca, cert.SerialNumber, pki.ReasonKeyCompromise, revokedAt)
			case held:
				err = reg.Hold(tt.ca, cert.SerialNumber, revokedAt)
			case released:
				if err = reg.Hold(tt.ca, cert.SerialNumber, revokedAt); err == nil {
					err = reg.Release(tt.ca, cert.SerialNumber)
				}
			case neverIssued:
				// Same AIA, but not recorded as issued.
				var cred *pki.Credential
				cred, err = tt.ca.IssueForKey(&x509.Certificate{
					Subject: pkix.Name{CommonName: "not recorded"}, NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour),
					OCSPServer: cert.OCSPServer,
				}, ocspLeafKey(t))
				if err == nil {
					cert = cred.Cert
				}
			}
			if err != nil {
				t.Fatal(err)
			}
			src := ocspSourceFor(t, rs, tt.style, certcheck.OCSPOptions{Nonce: true})
			r, ok := src.Check(context.Background(), ocspQuery(cert, tt.ca))
			if !ok || r.Status != tt.status || r.Reason != tt.reason {
				t.Fatalf("got ok=%v %+v, want %s %s", ok, r, tt.status, tt.reason)
			}
			wantSource, wantLocation := "ocsp", cert.OCSPServer[0]
			if tt.style == responder.StyleVA {
				wantSource, wantLocation = "va", rs.VAURL()
			}
			if r.Source != wantSource || r.Location != wantLocation {
				t.Fatalf("source %q at %q, want %q at %q", r.Source, r.Location, wantSource, wantLocation)
			}
			if tt.status == certcheck.StatusRevoked && !r.RevokedAt.Equal(revokedAt) {
				t.Fatalf("revoked at %v, want %v", r.RevokedAt, revokedAt)
			}
			if r.NextUpdate.IsZero() || r.ThisUpdate.IsZero() {
				t.Fatalf("thisUpdate/nextUpdate missing: %+v", r)
			}
		})
	}
}

func TestOCSPSourceRejectsAnswersXCryptoOCSPWouldTake(t *testing.T) {
	rs := ocspResponders(t)
	p := rs.PKI
	tests := []struct {
		name     string
		m        responder.Misbehaviour
		style    responder.Style
		opts     certcheck.OCSPOptions
		sentinel error
		detail   string // more text the Detail must contain
	}{
		{"a stale answer is rejected", responder.MisbehaveStale, responder.StyleCA, certcheck.OCSPOptions{}, certcheck.ErrOCSPStale, "nextUpdate"},
		{"an answer dated an hour ahead is rejected", responder.MisbehaveFuture, responder.StyleDelegated, certcheck.OCSPOptions{}, certcheck.ErrOCSPNotYetValid, "thisUpdate"},
		{"an answer about another issuer key is rejected", responder.MisbehaveWrongCertID, responder.StyleCA, certcheck.OCSPOptions{}, certcheck.ErrOCSPCertIDMismatch, "issuer key hash"},
		{"an answer about another serial number is rejected", responder.MisbehaveWrongSerial, responder.StyleVA, certcheck.OCSPOptions{}, certcheck.ErrOCSPCertIDMismatch, "serial"},
		{"an answer signed by a responder no CA authorised is rejected", responder.MisbehaveUnauthorised, responder.StyleCA, certcheck.OCSPOptions{}, certcheck.ErrOCSPUnauthorized, "Rogue"},
		{"an answer signed by a CA-issued certificate without OCSPSigning is rejected", responder.MisbehaveNotOCSPSigning, responder.StyleDelegated, certcheck.OCSPOptions{}, certcheck.ErrOCSPNotOCSPSigning, ""},
		{"an answer signed by an expired delegate is rejected", responder.MisbehaveExpiredResponder, responder.StyleDelegated, certcheck.OCSPOptions{}, certcheck.ErrOCSPResponderInvalid, "delegated responder"},
		{"a forged answer from the CA is rejected", responder.MisbehaveForged, responder.StyleCA, certcheck.OCSPOptions{}, certcheck.ErrOCSPSignature, ""},
		{"a forged answer from a delegate is rejected", responder.MisbehaveForged, responder.StyleDelegated, certcheck.OCSPOptions{}, certcheck.ErrOCSPSignature, ""},
		{"a forged answer from the VA is rejected", responder.MisbehaveForged, responder.StyleVA, certcheck.OCSPOptions{}, certcheck.ErrOCSPSignature, "trusted responder"},
		{"an answer that drops the nonce is rejected", responder.MisbehaveNoNonce, responder.StyleCA, certcheck.OCSPOptions{Nonce: true}, certcheck.ErrOCSPNonce, "no nonce"},
		{"an answer with another nonce is rejected", responder.MisbehaveWrongNonce, responder.StyleVA, certcheck.OCSPOptions{Nonce: true}, certcheck.ErrOCSPNonce, "another nonce"},
		{"an oversized answer is rejected", responder.MisbehaveOversized, responder.StyleCA, certcheck.OCSPOptions{}, certcheck.ErrOCSPTooLarge, ""},
		{"a slow responder is given up on within the timeout", responder.MisbehaveSlow, responder.StyleCA, certcheck.OCSPOptions{FetchOptions: certcheck.FetchOptions{FetchTimeout: 300 * time.Millisecond}}, certcheck.ErrOCSPUnreachable, "no answer within 300ms"},
		{"garbage is rejected", responder.MisbehaveGarbage, responder.StyleDelegated, certcheck.OCSPOptions{}, certcheck.ErrOCSPMalformed, ""},
		{"HTTP 500 is rejected", responder.MisbehaveHTTP500, responder.StyleCA, certcheck.OCSPOptions{}, certcheck.ErrOCSPHTTPStatus, "500"},
		{"tryLater is unknown with the status named", responder.MisbehaveTryLater, responder.StyleVA, certcheck.OCSPOptions{}, certcheck.ErrOCSPResponseStatus, "try later"},
		{"a redirect loop is given up on", responder.MisbehaveRedirectLoop, responder.StyleCA, certcheck.OCSPOptions{}, certcheck.ErrOCSPUnreachable, "redirects"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ca := p.LGPKIApp
			cert := ocspIssue(t, rs, ca, tt.style)
			rs.SetMisbehaviour(tt.m)
			defer rs.SetMisbehaviour(responder.Behave)
			src := ocspSourceFor(t, rs, tt.style, tt.opts)
			start := time.Now()
			r, ok := src.Check(context.Background(), ocspQuery(cert, ca))
			ocspWantRejected(t, r, ok, tt.sentinel)
			if !strings.Contains(r.Detail, tt.detail) {
				t.Fatalf("detail %q should mention %q", r.Detail, tt.detail)
			}
			if ocspMentionsSerial(r.Detail, cert) {
				t.Fatalf("detail shows the serial number: %q", r.Detail)
			}
			if d := time.Since(start); d > 5*time.Second {
				t.Fatalf("took %v", d)
			}
		})
	}
}

func TestVASourceTrustsOnlyItsResponderAndOnlyForItsCAs(t *testing.T) {
	rs := ocspResponders(t)
	p := rs.PKI
	cert := ocspIssue(t, rs, p.LGPKIApp, responder.StyleVA)
	other, err := rs.Delegate(p.Private)
	if err != nil {
		t.Fatal(err)
	}
	t.Run("a VA configured with another responder certificate is not authorised", func(t *testing.T) {
		va, err := certcheck.NewVASource(certcheck.VAOptions{URL: rs.VAURL(), Responder: other.Cert})
		if err != nil {
			t.Fatal(err)
		}
		r, ok := va.Check(context.Background(), ocspQuery(cert, p.LGPKIApp))
		ocspWantRejected(t, r, ok, certcheck.ErrOCSPUnauthorized)
	})
	t.Run("a plain OCSP source does not trust the VA", func(t *testing.T) {
		r, ok := ocspNewSource(t, certcheck.OCSPOptions{}).Check(context.Background(), ocspQuery(cert, p.LGPKIApp))
		ocspWantRejected(t, r, ok, certcheck.ErrOCSPUnauthorized)
	})
	t.Run("a VA is not asked about a CA it does not serve", func(t *testing.T) {
		va := ocspNewVA(t, rs, certcheck.OCSPOptions{}, p.LGPKIOrg.Cert, p.Registrar.Cert)
		if r, ok := va.Check(context.Background(), ocspQuery(cert, p.LGPKIApp)); ok {
			t.Fatalf("want ok=false, got %+v", r)
		}
	})
	t.Run("a VA answers for a CA it serves", func(t *testing.T) {
		va := ocspNewVA(t, rs, certcheck.OCSPOptions{}, p.LGPKIApp.Cert)
		if r, ok := va.Check(context.Background(), ocspQuery(cert, p.LGPKIApp)); !ok || r.Status != certcheck.StatusGood {
			t.Fatalf("got ok=%v %+v", ok, r)
		}
	})
	t.Run("a VA that serves the old JPKI generation is not asked about the current one", func(t *testing.T) {
		va := ocspNewVA(t, rs, certcheck.OCSPOptions{}, p.JPKISignOld.Cert)
		resident, err := p.IssueResident(pki.SampleResident(), pki.ResidentOptions{})
		if err != nil {
			t.Fatal(err)
		}
		if r, ok := va.Check(context.Background(), ocspQuery(resident.Cert, p.JPKISign)); ok {
			t.Fatalf("same subject, other key: want ok=false, got %+v", r)
		}
	})
}

func TestCheckGivesVerdictsFromOCSPAndTheVA(t *testing.T) {
	rs := ocspResponders(t)
	p := rs.PKI
	rs.Registry.Record(p.LGPKIRoot, p.LGPKIApp.Cert)
	leafGood := ocspIssue(t, rs, p.LGPKIApp, responder.StyleDelegated)
	leafRevoked := ocspIssue(t, rs, p.LGPKIApp, responder.StyleDelegated)
	leafHeld := ocspIssue(t, rs, p.LGPKIApp, responder.StyleCA)
	if err := rs.Registry.Revoke(p.LGPKIApp, leafRevoked.SerialNumber, pki.ReasonSuperseded, time.Now()); err != nil {
		t.Fatal(err)
	}
	if err := rs.Registry.Hold(p.LGPKIApp, leafHeld.SerialNumber, time.Now()); err != nil {
		t.Fatal(err)
	}
	opts := certcheck.Options{
		Roots:         p.Roots(),
		Intermediates: []*x509.Certificate{p.LGPKIApp.Cert},
		Sources: []certcheck.Source{
			ocspNewSource(t, certcheck.OCSPOptions{Nonce: true}),
			ocspNewVA(t, rs, certcheck.OCSPOptions{}, p.LGPKIRoot.Cert),
		},
		RequireRevocation: true,
	}
	tests := []struct {
		name    string
		leaf    *x509.Certificate
		outcome certcheck.Outcome
		reason  certcheck.Reason
	}{
		{"a good leaf under a good intermediate is good", leafGood, certcheck.Good, ""},
		{"a revoked leaf is bad", leafRevoked, certcheck.Bad, certcheck.ReasonRevoked},
		{"a held leaf is bad for being on hold", leafHeld, certcheck.Bad, certcheck.ReasonOnHold},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res := certcheck.Check(context.Background(), tt.leaf, opts)
			if res.Outcome != tt.outcome || res.Reason != tt.reason {
				t.Fatalf("got %s %s (%s), want %s %s; path %+v", res.Outcome, res.Reason, res.Detail, tt.outcome, tt.reason, res.Path)
			}
			if len(res.Path) != 3 || res.Path[1].Revocation.Source != "va" {
				t.Fatalf("the intermediate should be answered by the VA: %+v", res.Path)
			}
		})
	}
	t.Run("a revoked intermediate makes a good leaf bad", func(t *testing.T) {
		reg := pki.NewRegistry()
		rs2, err := responder.Start(context.Background(), p, reg, "")
		if err != nil {
			t.Fatal(err)
		}
		defer rs2.Close()
		if err := reg.Revoke(p.LGPKIRoot, p.LGPKIApp.Cert.SerialNumber, pki.ReasonCACompromise, time.Now()); err != nil {
			t.Fatal(err)
		}
		o := opts
		o.Sources = []certcheck.Source{opts.Sources[0], ocspNewVA(t, rs2, certcheck.OCSPOptions{}, p.LGPKIRoot.Cert)}
		res := certcheck.Check(context.Background(), leafGood, o)
		if res.Outcome != certcheck.Bad || res.Reason != certcheck.ReasonRevoked || res.Path[1].Revocation.Reason != "cACompromise" {
			t.Fatalf("got %s %s %+v", res.Outcome, res.Reason, res.Path)
		}
	})
}

func TestJPKICertificatesAreNotCheckableHereUnlessTheServiceAnswers(t *testing.T) {
	rs := ocspResponders(t)
	p := rs.PKI
	resident, err := p.IssueResident(pki.SampleResident(), pki.ResidentOptions{})
	if err != nil {
		t.Fatal(err)
	}
	rs.Registry.Record(p.JPKISign, resident.Cert)
	private := ocspIssue(t, rs, p.Private, responder.StyleCA)
	ocspSrc := ocspNewSource(t, certcheck.OCSPOptions{})
	tests := []struct {
		name    string
		leaf    *x509.Certificate
		sources []certcheck.Source
		require bool
		status  certcheck.Status
		outcome certcheck.Outcome
	}{
		{"a JPKI certificate is not checkable here", resident.Cert, []certcheck.Source{ocspSrc, certcheck.JPKISource{}}, false, certcheck.StatusNotCheckable, certcheck.Good},
		{"a JPKI certificate is indeterminate when revocation is required", resident.Cert, []certcheck.Source{ocspSrc, certcheck.JPKISource{}}, true, certcheck.StatusNotCheckable, certcheck.Indeterminate},
		{"a JPKI certificate is good when the service's VA answers", resident.Cert, []certcheck.Source{ocspNewVA(t, rs, certcheck.OCSPOptions{}, p.JPKISign.Cert), ocspSrc, certcheck.JPKISource{}}, true, certcheck.StatusGood, certcheck.Good},
		{"the JPKI rule says nothing of other certificates", private, []certcheck.Source{ocspSrc, certcheck.JPKISource{}}, true, certcheck.StatusGood, certcheck.Good},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res := certcheck.Check(context.Background(), tt.leaf, certcheck.Options{Roots: p.Roots(), Sources: tt.sources, RequireRevocation: tt.require})
			if len(res.Path) == 0 {
				t.Fatalf("no path: %s %s", res.Reason, res.Detail)
			}
			r := res.Path[0].Revocation
			if r.Status != tt.status || res.Outcome != tt.outcome {
				t.Fatalf("got %s / %s, want %s / %s (%+v)", r.Status, res.Outcome, tt.status, tt.outcome, r)
			}
			if r.Status == certcheck.StatusNotCheckable && r.Detail != certcheck.JPKINotCheckableDetail {
				t.Fatalf("detail %q", r.Detail)
			}
		})
	}
}

func TestOCSPAnswersAreCachedInMemoryAndOnDisk(t *testing.T) {
	rs := ocspResponders(t)
	ca := rs.PKI.Private
	cert := ocspIssue(t, rs, ca, responder.StyleCA)
	revoked := ocspIssue(t, rs, ca, responder.StyleCA)
	if err := rs.Registry.Revoke(ca, revoked.SerialNumber, pki.ReasonKeyCompromise, time.Now()); err != nil {
		t.Fatal(err)
	}
	dir := fsxtest.TempDir(t)
	q, qRevoked := ocspQuery(cert, ca), ocspQuery(revoked, ca)
	ctx := context.Background()
	online := ocspNewSource(t, certcheck.OCSPOptions{CacheDir: dir, Nonce: true})
	if r, _ := online.Check(ctx, q); r.Status != certcheck.StatusGood {
		t.Fatalf("first answer %+v", r)
	}
	if r, _ := online.Check(ctx, qRevoked); r.Status != certcheck.StatusRevoked {
		t.Fatalf("first answer %+v", r)
	}
	rs.SetMisbehaviour(responder.MisbehaveHTTP500)
	defer rs.SetMisbehaviour(responder.Behave)

	t.Run("a second check is answered from memory", func(t *testing.T) {
		if r, _ := online.Check(ctx, q); r.Status != certcheck.StatusGood || r.Source != "ocsp" || r.Location != cert.OCSPServer[0] {
			t.Fatalf("%+v", r)
		}
	})
	files, _ := filepath.Glob(filepath.Join(dir, "*"))
	if len(files) != 2 {
		t.Fatalf("want two cache files and no temporary ones, got %v", files)
	}
	for _, f := range files {
		if ocspMentionsSerial(filepath.Base(f), cert) || ocspMentionsSerial(filepath.Base(f), revoked) {
			t.Fatalf("cache file name shows a serial number: %s", f)
		}
	}
	t.Run("an offline source answers good and revoked from the disk cache", func(t *testing.T) {
		offline := ocspNewSource(t, certcheck.OCSPOptions{CacheDir: dir, Offline: true})
		if r, _ := offline.Check(ctx, q); r.Status != certcheck.StatusGood {
			t.Fatalf("%+v", r)
		}
		if r, _ := offline.Check(ctx, qRevoked); r.Status != certcheck.StatusRevoked || r.Reason != "keyCompromise" {
			t.Fatalf("%+v", r)
		}
	})
	t.Run("a cached answer past its nextUpdate is not used", func(t *testing.T) {
		later := ocspNewSource(t, certcheck.OCSPOptions{CacheDir: dir, Offline: true,
			Now: func() time.Time { return time.Now().Add(responder.OCSPValidity + time.Hour) }})
		r, ok := later.Check(ctx, q)
		ocspWantRejected(t, r, ok, certcheck.ErrOCSPNotFetchable)
	})
	t.Run("an offline source without a cached answer says so", func(t *testing.T) {
		offline := ocspNewSource(t, certcheck.OCSPOptions{CacheDir: fsxtest.TempDir(t), Offline: true})
		r, ok := offline.Check(ctx, q)
		ocspWantRejected(t, r, ok, certcheck.ErrOCSPNotFetchable)
		if !strings.Contains(r.Detail, "offline") {
			t.Fatalf("detail %q", r.Detail)
		}
	})
	t.Run("a corrupt cache file is ignored", func(t *testing.T) {
		for _, f := range files {
			if err := os.WriteFile(f, []byte("\x30\x03garbage"), 0o600); err != nil {
				t.Fatal(err)
			}
		}
		offline := ocspNewSource(t, certcheck.OCSPOptions{CacheDir: dir, Offline: true})
		r, ok := offline.Check(ctx, q)
		ocspWantRejected(t, r, ok, certcheck.ErrOCSPNotFetchable)
	})
	t.Run("an answer for another certificate's file is ignored", func(t *testing.T) {
		fresh := fsxtest.TempDir(t)
		rs.SetMisbehaviour(responder.Behave)
		src := ocspNewSource(t, certcheck.OCSPOptions{CacheDir: fresh})
		if r, _ := src.Check(ctx, qRevoked); r.Status != certcheck.StatusRevoked {
			t.Fatalf("%+v", r)
		}
		files, _ := filepath.Glob(filepath.Join(fresh, "*"))
		if len(files) != 1 {
			t.Fatalf("%v", files)
		}
		// Put the revoked certificate's answer where the good one's would be.
		probe := ocspNewSource(t, certcheck.OCSPOptions{CacheDir: fresh})
		if r, _ := probe.Check(ctx, q); r.Status != certcheck.StatusGood {
			t.Fatalf("%+v", r)
		}
		all, _ := filepath.Glob(filepath.Join(fresh, "*"))
		var goodFile string
		for _, f := range all {
			if f != files[0] {
				goodFile = f
			}
		}
		revokedDER, err := os.ReadFile(files[0])
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(goodFile, revokedDER, 0o600); err != nil {
			t.Fatal(err)
		}
		offline := ocspNewSource(t, certcheck.OCSPOptions{CacheDir: fresh, Offline: true})
		r, ok := offline.Check(ctx, q)
		ocspWantRejected(t, r, ok, certcheck.ErrOCSPNotFetchable)
	})
}

// ocspMethods records the HTTP methods of the requests it carries.
type ocspMethods struct {
	mu      sync.Mutex
	methods []string
}

func (m *ocspMethods) RoundTrip(req *http.Request) (*http.Response, error) {
	m.mu.Lock()
	m.methods = append(m.methods, req.Method)
	m.mu.Unlock()
	return http.DefaultTransport.RoundTrip(req)
}

func TestOCSPRequestsGoByGETWhenSmallAndByPOSTOtherwise(t *testing.T) {
	rs := ocspResponders(t)
	ca := rs.PKI.LGPKIOrg
	cert := ocspIssue(t, rs, ca, responder.StyleDelegated)
	tests := []struct {
		name   string
		hash   crypto.Hash
		nonce  bool
		method string
	}{
		{"a SHA-1 request without a nonce goes by GET", 0, false, http.MethodGet},
		{"a SHA-1 request with a nonce still fits a GET", crypto.SHA1, true, http.MethodGet},
		{"a SHA-256 request is answered with a SHA-256 CertID", crypto.SHA256, false, http.MethodGet},
		{"a SHA-512 request with a nonce is too long for GET and goes by POST", crypto.SHA512, true, http.MethodPost},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rec := &ocspMethods{}
			src := ocspNewSource(t, certcheck.OCSPOptions{Hash: tt.hash, Nonce: tt.nonce, FetchOptions: certcheck.FetchOptions{HTTPClient: &http.Client{Transport: rec}}})
			r, _ := src.Check(context.Background(), ocspQuery(cert, ca))
			if r.Status != certcheck.StatusGood {
				t.Fatalf("%+v", r)
			}
			if len(rec.methods) != 1 || rec.methods[0] != tt.method {
				t.Fatalf("methods %v, want %s", rec.methods, tt.method)
			}
		})
	}
}

func TestOCSPSourceSaysNothingWithoutAResponderToAsk(t *testing.T) {
	p := ocspPKI(t)
	plain, err := p.IssuePrivate("no AIA")
	if err != nil {
		t.Fatal(err)
	}
	src := ocspNewSource(t, certcheck.OCSPOptions{})
	if r, ok := src.Check(context.Background(), ocspQuery(plain.Cert, p.Private)); ok {
		t.Fatalf("a certificate without AIA: want ok=false, got %+v", r)
	}
	if r, ok := src.Check(context.Background(), certcheck.Query{Cert: plain.Cert}); ok {
		t.Fatalf("no issuer: want ok=false, got %+v", r)
	}
	ldap, err := p.Private.IssueForKey(&x509.Certificate{Subject: pkix.Name{CommonName: "ldap AIA"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour),
		OCSPServer: []string{"ldap://directory.example/cn=ocsp"}}, ocspLeafKey(t))
	if err != nil {
		t.Fatal(err)
	}
	r, ok := src.Check(context.Background(), ocspQuery(ldap.Cert, p.Private))
	ocspWantRejected(t, r, ok, certcheck.ErrOCSPNotFetchable)
}

func TestOCSPRedirectsStayOnHTTP(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, "file:///etc/passwd", http.StatusFound)
	}))
	defer srv.Close()
	p := ocspPKI(t)
	cert, err := p.IssuePrivate("redirected")
	if err != nil {
		t.Fatal(err)
	}
	src := ocspNewSource(t, certcheck.OCSPOptions{URL: srv.URL})
	r, ok := src.Check(context.Background(), ocspQuery(cert.Cert, p.Private))
	ocspWantRejected(t, r, ok, certcheck.ErrOCSPUnreachable)
	if !strings.Contains(r.Detail, "scheme") {
		t.Fatalf("detail %q", r.Detail)
	}
}

func TestNewOCSPSourceRejectsBadOptions(t *testing.T) {
	tests := []struct {
		name string
		make func() error
	}{
		{"an MD5 CertID is refused", func() error {
			_, err := certcheck.NewOCSPSource(certcheck.OCSPOptions{Hash: crypto.MD5})
			return err
		}},
		{"an LDAP responder URL is refused", func() error {
			_, err := certcheck.NewOCSPSource(certcheck.OCSPOptions{URL: "ldap://x/"})
			return err
		}},
		{"a VA without a URL is refused", func() error {
			_, err := certcheck.NewVASource(certcheck.VAOptions{Responder: &x509.Certificate{}})
			return err
		}},
		{"a VA without a responder certificate is refused", func() error {
			_, err := certcheck.NewVASource(certcheck.VAOptions{URL: "http://127.0.0.1/"})
			return err
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if err := tt.make(); !errors.Is(err, certcheck.ErrInvalidOptions) {
				t.Fatalf("err = %v, want ErrInvalidOptions", err)
			}
		})
	}
}

func TestVerifyOCSPResponseWrapsItsSentinel(t *testing.T) {
	p := ocspPKI(t)
	cert, err := p.IssuePrivate("verify")
	if err != nil {
		t.Fatal(err)
	}
	_, err = certcheck.VerifyOCSPResponse([]byte("garbage"), cert.Cert, p.Private.Cert, nil, certcheck.OCSPOptions{})
	if !errors.Is(err, certcheck.ErrOCSPMalformed) {
		t.Fatalf("want ErrOCSPMalformed, got %v", err)
	}
}
