package service

import (
	"archive/zip"
	"bytes"
	"context"
	"crypto/sha256"
	"crypto/x509"
	"encoding/hex"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/digitorus/timestamp"

	"github.com/shinsei-app/shinsei/internal/fsx/fsxtest"
	"github.com/shinsei-app/shinsei/sandbox/pki"
	"github.com/shinsei-app/shinsei/sandbox/responder"
	"github.com/shinsei-app/shinsei/signer"
	"github.com/shinsei-app/shinsei/submit"
)

// testTSA is a time-stamp authority of the sandbox private CA, valid from
// notBefore to notAfter, dating its tokens by clock; down makes it answer
// 503.
type testTSA struct {
	cred *pki.TSA
	url  string
	down atomic.Bool
}

func newTestTSA(t *testing.T, name string, notBefore, notAfter time.Time, clock func() time.Time) *testTSA {
	t.Helper()
	cred, err := testCreds(t).pki.Private.IssueTSA(name, notBefore, notAfter)
	if err != nil {
		t.Fatal(err)
	}
	tsa := &testTSA{cred: cred}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if tsa.down.Load() {
			http.Error(w, "down", http.StatusServiceUnavailable)
			return
		}
		body, _ := io.ReadAll(r.Body)
		req, err := timestamp.ParseRequest(body)
		if err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		resp, err := responder.TimestampReply(cred, req, clock())
		if err != nil {
			http.Error(w, err.Error(), http.StatusInternalServerError)
			return
		}
		_, _ = w.Write(resp)
	}))
	t.Cleanup(srv.Close)
	tsa.url = srv.URL
	return tsa
}

// moveOut files a move-out notification signed by the resident and
// returns the receipt.
func (e *testEnv) moveOut(t *testing.T) submit.Receipt {
	t.Helper()
	r := e.submitApp(ProcMoveOut, newKey(), "", submit.MediaASiCE, makePackage(t, e.creds.resident, sampleForm(ProcMoveOut, nil)))
	if r.status != http.StatusCreated {
		t.Fatalf("status %d: %s", r.status, r.body)
	}
	var rec submit.Receipt
	r.decode(t, &rec)
	return rec
}

func (e *testEnv) archived(rec submit.Receipt) string {
	return filepath.Join(ArchiveDir(e.dbPath), rec.ArrivalNumber+ArchiveExt)
}

func sha256File(t *testing.T, path string) string {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	sum := sha256.Sum256(data)
	return hex.EncodeToString(sum[:])
}

func verifyArchived(t *testing.T, path string, at time.Time) *signer.Report {
	t.Helper()
	rep, err := signer.Verify(context.Background(), path, signer.VerifyOptions{Roots: testCreds(t).pki.Roots(), At: at})
	if err != nil {
		t.Fatal(err)
	}
	return rep
}

func archives(rep *signer.Report) (n int, ok bool) {
	ok = true
	for _, s := range rep.Signatures {
		if s.Kind == signer.KindArchiveTimestamp {
			n++
			ok = ok && s.Integrity.OK && s.Certificate.OK
		}
	}
	return n, ok
}

func TestTheServiceArchivesWhatItReceivesAndTheReceiptCarriesTheArchivedHash(t *testing.T) {
	tsa := newTestTSA(t, "Service Test TSA", time.Now().Add(-time.Hour), time.Now().Add(3*365*24*time.Hour), time.Now)
	e := newSvcEnv(t, func(c *Config) { c.TSAURL = tsa.url })
	rec := e.moveOut(t)
	path := e.archived(rec)
	if rec.ArchivedSHA256 == "" || rec.ArchivedSHA256 == rec.PackageSHA256 || sha256File(t, path) != rec.ArchivedSHA256 {
		t.Fatalf("receipt %+v; the archived package's SHA-256 is %s", rec, sha256File(t, path))
	}
	if st := e.stored(); len(st) != 1 || st[0].ArchivedSHA256 != rec.ArchivedSHA256 {
		t.Fatalf("the stored application does not carry the archived hash: %+v", st)
	}
	rep := verifyArchived(t, path, time.Time{})
	if n, ok := archives(rep); rep.Outcome() != signer.OutcomeValid || n != 1 || !ok {
		t.Fatalf("the archived package: %s, %d archive time-stamps (hold: %v) %+v", rep.Outcome(), n, ok, rep.Undecided)
	}

	t.Run("the JPKI signature's validation data comes from the VA, before the archive time-stamp seals it", func(t *testing.T) {
		rep, err := signer.Verify(context.Background(), path, signer.VerifyOptions{
			Roots: testCreds(t).pki.Roots(), TrustedResponders: []*x509.Certificate{e.svc.VACert()}})
		if err != nil {
			t.Fatal(err)
		}
		if rep.Revocation == nil || !rep.Revocation.Check.OK || len(rep.Revocation.Path) == 0 || rep.Revocation.Path[0].Kind != "ocsp" {
			t.Fatalf("the archived signature does not carry the VA's good answer: %+v", rep.Revocation)
		}
		zr, err := openZip(path)
		if err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(string(zr[signer.ArchiveManifestName]), "META-INF/signature001.p7s") {
			t.Fatal("the archive manifest does not seal the signature")
		}
	})

	t.Run("a replay is answered with the same archived hash", func(t *testing.T) {
		recs := e.stored()
		if len(recs) != 1 || recs[0].ArchivedSHA256 != rec.ArchivedSHA256 {
			t.Fatalf("%+v", recs)
		}
	})
}

// openZip reads every entry of a ZIP file.
func openZip(path string) (map[string][]byte, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	zr, err := zipReader(data)
	if err != nil {
		return nil, err
	}
	out := map[string][]byte{}
	for _, f := range zr.File {
		rc, err := f.Open()
		if err != nil {
			return nil, err
		}
		b, err := io.ReadAll(rc)
		rc.Close()
		if err != nil {
			return nil, err
		}
		out[f.Name] = b
	}
	return out, nil
}

func TestAnAuthorityDownAtReceiptNeverFailsTheApplicationAndTheRenewalAddsTheArchiveTimestamp(t *testing.T) {
	tsa := newTestTSA(t, "Service Test TSA", time.Now().Add(-time.Hour), time.Now().Add(3*365*24*time.Hour), time.Now)
	tsa.down.Store(true)
	e := newSvcEnv(t, func(c *Config) { c.TSAURL = tsa.url })
	rec := e.moveOut(t)
	if rec.ArchivedSHA256 != "" {
		t.Fatalf("no archive time-stamp could be added, yet the receipt says %s", rec.ArchivedSHA256)
	}
	path := e.archived(rec)
	if n, _ := archives(verifyArchived(t, path, time.Time{})); n != 0 {
		t.Fatalf("%d archive time-stamps", n)
	}
	tsa.down.Store(false)
	done, err := RenewArchives(context.Background(), ArchiveDir(e.dbPath), signer.TSA{URL: tsa.url}, time.Now(), 90*24*time.Hour)
	if err != nil || len(done) != 1 || !done[0].Renewed || done[0].Arrival != rec.ArrivalNumber {
		t.Fatalf("renewal %+v %v", done, err)
	}
	if n, ok := archives(verifyArchived(t, path, time.Time{})); n != 1 || !ok {
		t.Fatalf("%d archive time-stamps (hold: %v)", n, ok)
	}
}

func TestArchiveTimestampsAreRenewedBeforeTheirAuthorityExpires(t *testing.T) {
	now := time.Now()
	expires := now.Add(365 * 24 * time.Hour)
	first := newTestTSA(t, "First TSA", now.Add(-time.Hour), expires, time.Now)
	e := newSvcEnv(t, func(c *Config) { c.TSAURL = first.url })
	rec := e.moveOut(t)
	path := e.archived(rec)
	dir := ArchiveDir(e.dbPath)
	before := 90 * 24 * time.Hour

	// The second authority dates its tokens by the moved clock.
	var clock atomic.Int64
	second := newTestTSA(t, "Second TSA", now.Add(-time.Hour), now.Add(10*365*24*time.Hour), func() time.Time { return time.Unix(0, clock.Load()) })
	tests := []struct {
		name    string
		now     time.Time
		renewed bool
	}{
		{"a hundred days before the authority expires, nothing is due", expires.Add(-100 * 24 * time.Hour), false},
		{"eighty days before, the archive time-stamp is renewed", expires.Add(-80 * 24 * time.Hour), true},
		{"once renewed, the new authority's expiry is what counts", expires.Add(-70 * 24 * time.Hour), false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			clock.Store(tt.now.UnixNano())
			done, err := RenewArchives(context.Background(), dir, signer.TSA{URL: second.url}, tt.now, before)
			if err != nil || len(done) != 1 || done[0].Renewed != tt.renewed || done[0].Late {
				t.Fatalf("renewal %+v %v", done, err)
			}
		})
	}
	// Years after both the first authority and the signer's certificate
	// expired, the chain keeps the application valid; without the
	// renewal it would not be.
	later := e.creds.resident.Cert.NotAfter.Add(365 * 24 * time.Hour)
	rep := verifyArchived(t, path, later)
	if n, ok := archives(rep); rep.Outcome() != signer.OutcomeValid || n != 2 || !ok {
		t.Fatalf("the renewed package at %s: %s %+v, %d archive time-stamps (hold: %v)", later, rep.Outcome(), rep.Certificate, n, ok)
	}
	if !strings.Contains(rep.Certificate.Detail, "signed no later than") {
		t.Fatalf("certificate %+v", rep.Certificate)
	}
	if sha256File(t, path) == rec.ArchivedSHA256 {
		t.Fatal("the renewal did not rewrite the archived package")
	}
	names, err := os.ReadDir(dir)
	if err != nil || len(names) != 1 {
		t.Fatalf("the archive holds %v (%v): a renewal leaves nothing behind", names, err)
	}
}

func TestTheServiceTrustsTheSandboxTimestampAuthorityForSignatureTimestamps(t *testing.T) {
	tsa := newTestTSA(t, "Signature TSA", time.Now().Add(-time.Hour), time.Now().Add(365*24*time.Hour), time.Now)
	e := newSvcEnv(t)
	pkg := makePackage(t, e.creds.resident, sampleForm(ProcMoveOut, nil))
	path := filepath.Join(fsxtest.TempDir(t), "stamped.asice")
	if err := os.WriteFile(path, pkg, 0o600); err != nil {
		t.Fatal(err)
	}
	if n, err := signer.TimestampPackage(context.Background(), path, signer.TSA{URL: tsa.url}); err != nil || n != 1 {
		t.Fatalf("time-stamp: %d %v", n, err)
	}
	rep, p := e.svc.verifyIntegrity(context.Background(), path)
	if p != nil {
		t.Fatalf("refused: %+v", p.Problem)
	}
	if len(rep.Timestamps) != 1 || !rep.Timestamps[0].Check.OK || rep.ProvenTime == nil {
		t.Fatalf("the service does not validate the sandbox authority's token: %+v", rep.Timestamps)
	}
	// The private CA anchors time-stamp authorities only: a signer it
	// issued is still refused.
	r := e.submitApp(ProcMoveOut, newKey(), "", submit.MediaASiCE, makePackage(t, e.creds.private, sampleForm(ProcMoveOut, nil)))
	if r.status == http.StatusCreated {
		t.Fatal("a signer of the private CA was accepted")
	}
}

func zipReader(data []byte) (*zip.Reader, error) {
	return zip.NewReader(bytes.NewReader(data), int64(len(data)))
}

func TestARenewalAfterTheAuthorityExpiredIsSaidToBeLate(t *testing.T) {
	now := time.Now()
	expires := now.Add(30 * 24 * time.Hour)
	first := newTestTSA(t, "First TSA", now.Add(-time.Hour), expires, time.Now)
	e := newSvcEnv(t, func(c *Config) { c.TSAURL = first.url })
	rec := e.moveOut(t)
	late := expires.Add(24 * time.Hour)
	second := newTestTSA(t, "Second TSA", now.Add(-time.Hour), now.Add(10*365*24*time.Hour), func() time.Time { return late })
	done, err := RenewArchives(context.Background(), ArchiveDir(e.dbPath), signer.TSA{URL: second.url}, late, 90*24*time.Hour)
	if err != nil || len(done) != 1 || !done[0].Renewed || !done[0].Late {
		t.Fatalf("renewal %+v %v", done, err)
	}
	// The first archive time-stamp is checked when the second proves it
	// existed, after its authority expired: it proves nothing, and the
	// signature is checked at the second's time.
	rep := verifyArchived(t, e.archived(rec), late.Add(time.Hour))
	var untrusted int
	for _, s := range rep.Signatures {
		if s.Kind == signer.KindArchiveTimestamp && s.Certificate.Reason == signer.ReasonArchiveUntrusted {
			untrusted++
		}
	}
	if untrusted != 1 || rep.ProvenTime == nil || rep.ProvenTime.Sub(late).Abs() > time.Second {
		t.Fatalf("want the late chain to prove only the renewal's time: %d untrusted, proven %v", untrusted, rep.ProvenTime)
	}
}
