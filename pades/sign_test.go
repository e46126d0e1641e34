package pades

import (
	"bytes"
	"context"
	"crypto"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/digitorus/timestamp"

	"github.com/shinsei-app/shinsei/internal/fsx/fsxtest"
	"github.com/shinsei-app/shinsei/sandbox/pki"
	"github.com/shinsei-app/shinsei/signer"
)

func credentialOf(c *pki.Credential) signer.Credential {
	return signer.Credential{Signer: c.Key, Cert: c.Cert, Chain: c.Intermediates}
}

var (
	padesTSAOnce sync.Once
	padesTSA     *pki.TSA
	padesTSAErr  error
)

// tsaServer answers time-stamp requests with tokens of a TSA issued by
// the sandbox private CA.
func tsaServer(t testing.TB) *httptest.Server {
	t.Helper()
	f := testFixtures(t)
	padesTSAOnce.Do(func() {
		now := time.Now()
		padesTSA, padesTSAErr = f.pki.Private.IssueTSA("Test TSA", now.Add(-24*time.Hour), now.Add(365*24*time.Hour))
	})
	if padesTSAErr != nil {
		t.Fatal(padesTSAErr)
	}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		req, err := timestamp.ParseRequest(body)
		if err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		ts := timestamp.Timestamp{HashAlgorithm: req.HashAlgorithm, HashedMessage: req.HashedMessage, Time: time.Now(),
			Nonce: req.Nonce, Policy: []int{1, 2, 3, 4}, AddTSACertificate: true}
		resp, err := ts.CreateResponseWithOpts(padesTSA.Cert, padesTSA.Key, crypto.SHA256)
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

// checkByPeers holds that qpdf finds no error in path and that pdfsig
// finds want valid signatures in it.
func checkByPeers(t *testing.T, db, path string, want int) {
	t.Helper()
	if out := run(t, "qpdf", "--check", path); !bytes.Contains(out, []byte("No syntax or stream encoding errors")) {
		t.Errorf("qpdf --check %s:\n%s", filepath.Base(path), out)
	}
	rep := pdfsigReport(t, db, path)
	if got := strings.Count(rep, "Signature is Valid"); got != want {
		t.Errorf("pdfsig finds %d valid signatures, want %d:\n%s", got, want, rep)
	}
}

func TestSignedPDFsAreValidForShinseiPdfsigAndQpdf(t *testing.T) {
	f := testFixtures(t)
	s := signedPDFs(t) // the NSS database, and a PDF pdfsig signed
	dir := fsxtest.TempDir(t)
	plain := writePDF(t, dir, "form.pdf", 0)
	xrefStream := filepath.Join(dir, "form-xref-stream.pdf")
	writeWithQPDF(t, []string{"--object-streams=generate", plain, xrefStream})
	down := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Error(w, "down", http.StatusServiceUnavailable)
	}))
	defer down.Close()
	for _, tc := range []struct {
		name        string
		in          string
		opts        SignOptions
		level       string
		tsaNote     error
		signatures  int
		subFilters  []string
		visibleText bool
	}{
		{name: "a PDF signed by a 職責 certificate is PAdES-B-B, ETSI.CAdES.detached",
			in: plain, level: LevelBB, signatures: 1, subFilters: []string{SubFilterCAdES}},
		{name: "with a time-stamp authority the signature is PAdES-B-T",
			in: plain, opts: SignOptions{TSA: &signer.TSA{URL: tsaServer(t).URL}}, level: LevelBT, signatures: 1, subFilters: []string{SubFilterCAdES}},
		{name: "an authority that is down leaves a PAdES-B-B signature and a note, never a failure",
			in: plain, opts: SignOptions{TSA: &signer.TSA{URL: down.URL}}, level: LevelBB, tsaNote: signer.ErrTSAUnreachable, signatures: 1, subFilters: []string{SubFilterCAdES}},
		{name: "a PDF with a cross-reference stream and object streams is signed too",
			in: xrefStream, level: LevelBB, signatures: 1, subFilters: []string{SubFilterCAdES}},
		{name: "a signature already in the PDF is kept, and both are valid",
			in: s.plain, level: LevelBB, signatures: 2, subFilters: []string{SubFilterPKCS7, SubFilterCAdES}},
		{name: "a visible signature box is drawn on the page",
			in: plain, opts: SignOptions{Name: "Chiyoda", Box: &Box{Page: 1, Left: 350, Bottom: 60, Right: 550, Top: 120}}, level: LevelBB, signatures: 1,
			subFilters: []string{SubFilterCAdES}, visibleText: true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			out := filepath.Join(fsxtest.TempDir(t), "signed.pdf")
			res, err := Sign(context.Background(), tc.in, out, credentialOf(f.official), tc.opts)
			if err != nil {
				t.Fatal(err)
			}
			if res.Level != tc.level || res.Signatures != tc.signatures || res.Timestamped != (tc.level == LevelBT) {
				t.Errorf("result %+v, want %s with %d signatures", res, tc.level, tc.signatures)
			}
			if tc.tsaNote != nil && !errors.Is(res.TimestampErr, tc.tsaNote) || tc.tsaNote == nil && res.TimestampErr != nil {
				t.Errorf("time-stamp note %v, want %v", res.TimestampErr, tc.tsaNote)
			}
			orig, _ := os.ReadFile(tc.in)
			data, _ := os.ReadFile(out)
			if !bytes.HasPrefix(data, orig) {
				t.Error("the signed file does not keep the original bytes (no incremental update)")
			}
			checkByPeers(t, s.db, out, tc.signatures)
			opts := f.opts()
			rep, err := verifyFile(t, out, opts)
			if err != nil {
				t.Fatal(err)
			}
			if rep.Outcome() != OutcomeValid || len(rep.Signatures) != tc.signatures {
				t.Fatalf("outcome %s with %d signatures: %+v", rep.Outcome(), len(rep.Signatures), rep.Signatures)
			}
			for i, sig := range rep.Signatures {
				if sig.SubFilter != tc.subFilters[i] {
					t.Errorf("signature %d is %s, want %s", i, sig.SubFilter, tc.subFilters[i])
				}
			}
			last := rep.Signatures[len(rep.Signatures)-1]
			if !last.WholeFile || last.Official != "千代田区長" {
				t.Errorf("the new signature covers the whole file %v, names %q", last.WholeFile, last.Official)
			}
			if (last.ProvenTime != nil) != (tc.level == LevelBT) {
				t.Errorf("time proven by a time-stamp: %v, want one for %s", last.ProvenTime, tc.level)
			}
			if tc.visibleText && (!bytes.Contains(data[len(orig):], []byte("/Rect [350")) || !bytes.Contains(data[len(orig):], []byte("/Subtype /Image"))) {
				t.Error("no widget rectangle, or no drawn appearance, for the visible signature")
			}
			// One byte changed in the signed range: pdfsig and Shinsei
			// both find the new signature invalid.
			bad := append([]byte{}, data...)
			i := bytes.LastIndex(bad, []byte("/Type /Sig"))
			bad[i+7] = 'X'
			tampered := filepath.Join(fsxtest.TempDir(t), "tampered.pdf")
			if err := os.WriteFile(tampered, bad, 0o600); err != nil {
				t.Fatal(err)
			}
			if n := strings.Count(pdfsigReport(t, s.db, tampered), "Signature is Valid"); n != tc.signatures-1 {
				t.Errorf("pdfsig finds %d valid signatures in the tampered copy, want %d", n, tc.signatures-1)
			}
			if rep, err := verifyFile(t, tampered, opts); err == nil && rep.Outcome() == OutcomeValid {
				t.Error("the tampered copy verifies VALID")
			}
		})
	}
}

func TestSigningRefusesWhatVerifyRefusesAndWritesNothing(t *testing.T) {
	f := testFixtures(t)
	dir := fsxtest.TempDir(t)
	for _, tc := range []struct {
		name string
		data string
		want error
	}{
		{name: "a file that is not a PDF", data: "hello, this is no PDF at all", want: ErrMalformed},
		{name: "a PDF cut short", data: "%PDF-1.7\n1 0 obj << /Type /Catalog >> endobj\n", want: ErrMalformed},
	} {
		t.Run(tc.name, func(t *testing.T) {
			in := filepath.Join(dir, "in.pdf")
			if err := os.WriteFile(in, []byte(tc.data), 0o600); err != nil {
				t.Fatal(err)
			}
			out := filepath.Join(dir, "out.pdf")
			_, err := Sign(context.Background(), in, out, credentialOf(f.official), SignOptions{})
			if !errors.Is(err, tc.want) {
				t.Fatalf("error %v, want %v", err, tc.want)
			}
			if _, err := os.Stat(out); !os.IsNotExist(err) {
				t.Errorf("something was written at the output: %v", err)
			}
		})
	}
	t.Run("a box on a page the PDF does not have", func(t *testing.T) {
		in := writePDF(t, dir, "form.pdf", 0)
		_, err := Sign(context.Background(), in, filepath.Join(dir, "x.pdf"), credentialOf(f.official), SignOptions{Box: &Box{Page: 3, Right: 10, Top: 10}})
		if !errors.Is(err, ErrBox) {
			t.Fatalf("error %v, want ErrBox", err)
		}
	})
}

func TestTextThePDFLibraryWouldBreakIsRefused(t *testing.T) {
	for _, tc := range []struct {
		text string
		ok   bool
	}{
		{"sandbox (notice)", true},
		{"受付", true},
		{"小林", false},       // 小 is U+5C0F: a backslash byte
		{"通知 (再発行)", false}, // ( in UTF-16 text
	} {
		if got := writableText(tc.text); got != tc.ok {
			t.Errorf("%q writable %v, want %v", tc.text, got, tc.ok)
		}
	}
	f := testFixtures(t)
	dir := fsxtest.TempDir(t)
	in := writePDF(t, dir, "form.pdf", 0)
	if _, err := Sign(context.Background(), in, filepath.Join(dir, "out.pdf"), credentialOf(f.official), SignOptions{Reason: "小林"}); !errors.Is(err, ErrText) {
		t.Fatalf("error %v, want ErrText", err)
	}
}
