package certcheck_test

import (
	"bytes"
	"testing"
	"time"

	"github.com/shinsei-app/shinsei/certcheck"
	"github.com/shinsei-app/shinsei/internal/fsx/fsxtest"
	"github.com/shinsei-app/shinsei/sandbox/responder"
)

// TestAnAnswerCarriesTheSignedDataItRestsOn: what a signature embeds as
// long-term validation data is the very OCSP response or CRL that the
// answer was verified from, fetched, from memory or from the disk cache.
func TestAnAnswerCarriesTheSignedDataItRestsOn(t *testing.T) {
	t.Run("an OCSP answer carries its response, fetched and cached", func(t *testing.T) {
		rs := ocspResponders(t)
		ca := rs.PKI.LGPKIApp
		cert := ocspIssue(t, rs, ca, responder.StyleDelegated)
		dir := fsxtest.TempDir(t)
		s := ocspNewSource(t, certcheck.OCSPOptions{CacheDir: dir})
		first, ok := s.Check(t.Context(), ocspQuery(cert, ca))
		if !ok || first.Status != certcheck.StatusGood || len(first.OCSPResponse) == 0 {
			t.Fatalf("got ok=%v %+v", ok, first)
		}
		again, _ := s.Check(t.Context(), ocspQuery(cert, ca))
		fromDisk, _ := ocspNewSource(t, certcheck.OCSPOptions{CacheDir: dir, Offline: true}).Check(t.Context(), ocspQuery(cert, ca))
		for name, r := range map[string]certcheck.Revocation{"memory": again, "disk": fromDisk} {
			if !bytes.Equal(r.OCSPResponse, first.OCSPResponse) {
				t.Errorf("the answer from %s carries another response (%d bytes)", name, len(r.OCSPResponse))
			}
		}
		if _, err := certcheck.VerifyOCSPResponse(first.OCSPResponse, cert, ca.Cert, nil, certcheck.OCSPOptions{}); err != nil {
			t.Fatalf("the carried response does not verify: %v", err)
		}
	})
	t.Run("a good CRL answer carries the CRL it was found in", func(t *testing.T) {
		p := testPKI(t)
		ca := p.Private
		srv := newCRLServer(t)
		now := time.Now()
		list := crlMake(t, ca, now.Add(-time.Hour), now.Add(24*time.Hour))
		cert := crlIssue(t, ca, "evidence", srv.serve("/evidence.crl", list))
		r := crlWantStatus(t, crlMustSource(t, certcheck.CRLOptions{}), crlQuery(cert, ca), certcheck.StatusGood)
		if len(r.CRLs) != 1 || !bytes.Equal(r.CRLs[0], list) {
			t.Fatalf("carried %d CRLs", len(r.CRLs))
		}
	})
}
