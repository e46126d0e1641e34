package pades

import (
	"bytes"
	"crypto"
	"crypto/x509"
	"encoding/hex"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/digitorus/pdf"
	"github.com/digitorus/pdfsign/sign"
	"github.com/digitorus/timestamp"

	"github.com/shinsei-app/shinsei/internal/fsx/fsxtest"
	"github.com/shinsei-app/shinsei/signer"
)

// docTSAServer is a loopback time-stamp authority signing its tokens
// with cert and key, whatever cert is (a proper authority, or a
// certificate without id-kp-timeStamping).
func docTSAServer(t testing.TB, cert *x509.Certificate, key crypto.Signer) *httptest.Server {
	t.Helper()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		req, err := timestamp.ParseRequest(body)
		if err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		ts := timestamp.Timestamp{HashAlgorithm: req.HashAlgorithm, HashedMessage: req.HashedMessage, Time: time.Now(),
			Nonce: req.Nonce, Policy: []int{1, 2, 3, 4}, AddTSACertificate: true}
		resp, err := ts.CreateResponseWithOpts(cert, key, crypto.SHA256)
		if err != nil {
			http.Error(w, err.Error(), http.StatusInternalServerError)
			return
		}
		w.Header().Set("Content-Type", "application/timestamp-reply")
		_, _ = w.Write(resp)
	}))
	t.Cleanup(srv.Close)
	return srv
}

// addDocTimestamp appends a document time-stamp (SubFilter ETSI.RFC3161)
// from the authority at tsaURL to in, written to out, by pdfsign.
func addDocTimestamp(t testing.TB, in, out, tsaURL string) {
	t.Helper()
	data, err := os.ReadFile(in)
	if err != nil {
		t.Fatal(err)
	}
	rdr, err := pdf.NewReader(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	err = sign.Sign(bytes.NewReader(data), &buf, rdr, int64(len(data)), sign.SignData{
		Signature: sign.SignDataSignature{CertType: sign.TimeStampSignature},
		TSA:       sign.TSA{URL: tsaURL},
	})
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(out, buf.Bytes(), 0o600); err != nil {
		t.Fatal(err)
	}
}

// lastContents finds where the hex of the last /Contents of data starts
// and the token it holds.
func lastContents(t testing.TB, data []byte) (int, []byte) {
	t.Helper()
	ms := regexp.MustCompile(`/Contents\s*<([0-9a-fA-F]+)>`).FindAllSubmatchIndex(data, -1)
	if len(ms) == 0 {
		t.Fatal("no /Contents in the file")
	}
	m := ms[len(ms)-1]
	raw, err := hex.DecodeString(string(data[m[2]:m[3]]))
	if err != nil {
		t.Fatal(err)
	}
	return m[2], trimDER(raw)
}

func TestDocumentTimestampsAreVerified(t *testing.T) {
	f := testFixtures(t)
	s := signedPDFs(t)
	dir := fsxtest.TempDir(t)
	plain := writePDF(t, dir, "notice.pdf", 0)
	good := tsaServer(t)
	noEKU := docTSAServer(t, f.private.Cert, f.private.Key)

	stamped := filepath.Join(dir, "stamped.pdf")
	addDocTimestamp(t, plain, stamped, good.URL)
	signedStamped := filepath.Join(dir, "signed-stamped.pdf")
	addDocTimestamp(t, s.plain, signedStamped, good.URL)
	byNonTSA := filepath.Join(dir, "stamped-no-eku.pdf")
	addDocTimestamp(t, plain, byNonTSA, noEKU.URL)

	data, _ := os.ReadFile(stamped)
	// One byte changed in the range the time-stamp covers: the text of
	// the page.
	changed := append([]byte{}, data...)
	i := bytes.Index(changed, []byte("Notice of acceptance"))
	changed[i] = 'M'
	changedPath := filepath.Join(dir, "stamped-changed.pdf")
	// One byte changed in the token itself, near its end (its signature).
	at, token := lastContents(t, data)
	tampered := append([]byte{}, data...)
	pos := at + 2*(len(token)-8)
	if tampered[pos] == '0' {
		tampered[pos] = '1'
	} else {
		tampered[pos] = '0'
	}
	tamperedPath := filepath.Join(dir, "stamped-token-tampered.pdf")
	for p, b := range map[string][]byte{changedPath: changed, tamperedPath: tampered} {
		if err := os.WriteFile(p, b, 0o600); err != nil {
			t.Fatal(err)
		}
	}

	for _, tc := range []struct {
		name      string
		path      string
		opts      Options
		outcome   string
		last      string // the document time-stamp's reason, "" when it holds
		lastCheck func(Signature) signer.Check
	}{
		{name: "a document time-stamp of a trusted authority over the whole file is valid and proves the time",
			path: stamped, opts: f.opts(), outcome: OutcomeValid},
		{name: "a document time-stamp after a signature is valid with it",
			path: signedStamped, opts: f.opts(), outcome: OutcomeValid},
		{name: "one byte changed in the range the time-stamp covers makes it invalid: the token is over other bytes",
			path: changedPath, opts: f.opts(), outcome: OutcomeInvalid, last: signer.ReasonTimestampImprintMismatch,
			lastCheck: func(s Signature) signer.Check { return s.Integrity }},
		{name: "a tampered token is invalid",
			path: tamperedPath, opts: f.opts(), outcome: OutcomeInvalid, last: signer.ReasonTimestampInvalid,
			lastCheck: func(s Signature) signer.Check { return s.Integrity }},
		{name: "a token of a certificate without id-kp-timeStamping is invalid for its certificate",
			path: byNonTSA, opts: f.opts(), outcome: OutcomeInvalid, last: signer.ReasonTimestampNotTSA,
			lastCheck: func(s Signature) signer.Check { return s.Certificate }},
		{name: "an authority that chains to a time-stamp root alone is valid",
			path: stamped, opts: Options{TSARoots: []*x509.Certificate{f.pki.Private.Cert}}, outcome: OutcomeValid},
		{name: "an authority that does not chain to the anchors is invalid for its certificate",
			path: stamped, opts: Options{}, outcome: OutcomeInvalid, last: signer.ReasonTimestampUntrusted,
			lastCheck: func(s Signature) signer.Check { return s.Certificate }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			rep, err := verifyFile(t, tc.path, tc.opts)
			if err != nil {
				t.Fatal(err)
			}
			if rep.Outcome() != tc.outcome {
				t.Errorf("outcome %s, want %s: %+v", rep.Outcome(), tc.outcome, rep.Signatures)
			}
			last := rep.Signatures[len(rep.Signatures)-1]
			if last.SubFilter != SubFilterDocTS {
				t.Fatalf("the last signature is %s, want %s", last.SubFilter, SubFilterDocTS)
			}
			if tc.last != "" {
				if c := tc.lastCheck(last); c.OK || c.Reason != tc.last {
					t.Errorf("document time-stamp: %+v, want reason %s", c, tc.last)
				}
				if last.ProvenTime != nil {
					t.Errorf("a failed document time-stamp proves a time: %v", last.ProvenTime)
				}
				return
			}
			if !last.WholeFile || last.ProvenTime == nil || time.Since(*last.ProvenTime) > time.Hour || !strings.Contains(last.ProvenBy, "Test TSA") {
				t.Errorf("the document time-stamp proves %v by %q over the whole file %v", last.ProvenTime, last.ProvenBy, last.WholeFile)
			}
			if want := "the document existed no later than " + last.ProvenTime.UTC().Format(time.RFC3339); !strings.HasPrefix(last.Integrity.Detail, want) {
				t.Errorf("integrity says %q, want it to start %q", last.Integrity.Detail, want)
			}
		})
	}

	// poppler reads the time-stamped file: it lists the time-stamp, by
	// its authority over the whole file, after the signature it covers,
	// which it still finds valid. (pdfsig 22.12 does not validate an
	// ETSI.RFC3161 time-stamp itself: "Unable to validate this type of
	// signature".)
	rep := pdfsigReport(t, s.db, signedStamped)
	_, second, found := strings.Cut(rep, "Signature #2")
	if !found || strings.Count(rep, "Signature #") != 2 || !strings.Contains(second, "Common Name: Test TSA") || !strings.Contains(second, "Total document signed") {
		t.Errorf("pdfsig does not list the document time-stamp over the whole file:\n%s", rep)
	}
	if strings.Count(rep, "Signature is Valid") != 1 {
		t.Errorf("pdfsig no longer finds the signature under the time-stamp valid:\n%s", rep)
	}
}

func TestADocumentTimestampProvesTheTimeOfTheSignaturesItCovers(t *testing.T) {
	f := testFixtures(t)
	s := signedPDFs(t)
	now := time.Now()
	long, err := f.pki.Private.IssueTSA("Long TSA", now.Add(-24*time.Hour), now.Add(4*365*24*time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	dir := fsxtest.TempDir(t)
	stamped := filepath.Join(dir, "signed-stamped.pdf")
	addDocTimestamp(t, s.plain, stamped, docTSAServer(t, long.Cert, long.Key).URL)
	// The first time-stamp by an authority of one year, the second by
	// one of four.
	shortStamped := filepath.Join(dir, "signed-stamped-short.pdf")
	addDocTimestamp(t, s.plain, shortStamped, tsaServer(t).URL)
	restamped := filepath.Join(dir, "signed-stamped-twice.pdf")
	addDocTimestamp(t, shortStamped, restamped, docTSAServer(t, long.Cert, long.Key).URL)
	// Three years on, the 職責 certificate (two years) has expired, and
	// so has the first authority's (one); the long one's (four) has not.
	later := f.opts()
	later.At = now.Add(3 * 365 * 24 * time.Hour)
	for _, tc := range []struct {
		name    string
		path    string
		outcome string
	}{
		{name: "without a document time-stamp a signature whose certificate has expired since is invalid", path: s.plain, outcome: OutcomeInvalid},
		{name: "a document time-stamp over it proves the signature's time, when its certificate was valid", path: stamped, outcome: OutcomeValid},
		{name: "a document time-stamp whose authority has expired since proves nothing", path: shortStamped, outcome: OutcomeInvalid},
		{name: "a later document time-stamp proves the earlier one, which proves the signature's time", path: restamped, outcome: OutcomeValid},
	} {
		t.Run(tc.name, func(t *testing.T) {
			rep, err := verifyFile(t, tc.path, later)
			if err != nil {
				t.Fatal(err)
			}
			if rep.Outcome() != tc.outcome {
				t.Fatalf("outcome %s, want %s: %+v", rep.Outcome(), tc.outcome, rep.Signatures)
			}
			first := rep.Signatures[0]
			if tc.outcome != OutcomeValid {
				if first.Certificate.OK || first.ProvenTime != nil {
					t.Errorf("the expired certificate is %+v, proven at %v", first.Certificate, first.ProvenTime)
				}
				return
			}
			stamp := rep.Signatures[1]
			if first.ProvenTime == nil || !first.ProvenTime.Equal(*stamp.ProvenTime) || !strings.Contains(first.ProvenBy, "document time-stamp by") {
				t.Errorf("the signature is proven at %v by %q, want the document time-stamp's %v", first.ProvenTime, first.ProvenBy, stamp.ProvenTime)
			}
		})
	}
}

func TestContentChangedAfterADocumentTimestampFailsIt(t *testing.T) {
	f := testFixtures(t)
	dir := fsxtest.TempDir(t)
	stamped := filepath.Join(dir, "stamped.pdf")
	addDocTimestamp(t, writePDF(t, dir, "notice.pdf", 0), stamped, tsaServer(t).URL)
	data, err := os.ReadFile(stamped)
	if err != nil {
		t.Fatal(err)
	}
	updated := filepath.Join(dir, "updated.pdf")
	if err := os.WriteFile(updated, appendContentUpdate(t, data, "BT /F1 24 Tf 72 720 Td (Notice of refusal) Tj ET"), 0o600); err != nil {
		t.Fatal(err)
	}
	rep, err := verifyFile(t, updated, f.opts())
	if err != nil {
		t.Fatal(err)
	}
	s := rep.Signatures[0]
	if s.SubFilter != SubFilterDocTS || s.Integrity.Reason != ReasonChangedAfter || s.ProvenTime != nil || rep.Outcome() != OutcomeInvalid {
		t.Errorf("document time-stamp %+v, outcome %s", s, rep.Outcome())
	}
}
