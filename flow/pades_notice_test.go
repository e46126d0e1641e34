//go:build cgo && linux

package flow_test

import (
	"bytes"
	"context"
	"crypto"
	"crypto/x509/pkix"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"codeberg.org/go-pdf/fpdf"
	"github.com/digitorus/pdf"
	"github.com/digitorus/pdfsign/sign"
	"github.com/digitorus/timestamp"

	"github.com/shinsei-app/shinsei/certcheck"
	"github.com/shinsei-app/shinsei/flow"
	"github.com/shinsei-app/shinsei/internal/fsx/fsxtest"
	"github.com/shinsei-app/shinsei/sandbox/pki"
)

func TestAnOfficialNoticeIssuedAsASignedPDFIsDownloadedAndVerifiedInThreeParts(t *testing.T) {
	w := getWorld(t)
	svc := startService(t, w.pki, w.reg)
	a, _ := openApp(t, svc, w.pki, nil)
	ctx := context.Background()
	rep, err := a.VerifyNoticePDF(ctx, noticeFrom(t, a, svc, w))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasSuffix(rep.Path, ".pdf") || rep.PDF == nil || len(rep.PDF.Signatures) != 1 {
		t.Fatalf("notice PDF at %s: %+v", rep.Path, rep.PDF)
	}
	if rep.Integrity.Level != flow.Green || rep.Certificate.Level != flow.Green || !rep.OK() {
		t.Fatalf("notice PDF: integrity %+v, certificate %+v, revocation %+v", rep.Integrity, rep.Certificate, rep.Revocation)
	}
	if rep.Domain != certcheck.DomainLGPKI || !strings.HasPrefix(rep.Official, "千代田区長") || !strings.Contains(rep.Certificate.Message.Ja, "千代田区長") {
		t.Errorf("signed in domain %q by %q: %q", rep.Domain, rep.Official, rep.Certificate.Message.Ja)
	}
	// Offline, without the service's VA: revocation unknown, amber.
	if rep.Revocation.Level != flow.Amber || rep.Revocation.Todo.IsZero() {
		t.Errorf("offline, revocation %+v, want amber with what to do", rep.Revocation)
	}

	t.Run("a document time-stamp of an authority not trusted turns integrity amber, not green", func(t *testing.T) {
		root, err := pki.NewRoot(pkix.Name{CommonName: "Unknown TSA Root"}, time.Now().Add(-time.Hour), time.Now().Add(time.Hour*24))
		if err != nil {
			t.Fatal(err)
		}
		tsa, err := root.IssueTSA("Unknown TSA", time.Now().Add(-time.Hour), time.Now().Add(time.Hour*24))
		if err != nil {
			t.Fatal(err)
		}
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			body, _ := io.ReadAll(r.Body)
			req, err := timestamp.ParseRequest(body)
			if err != nil {
				http.Error(w, err.Error(), http.StatusBadRequest)
				return
			}
			ts := timestamp.Timestamp{HashAlgorithm: req.HashAlgorithm, HashedMessage: req.HashedMessage, Time: time.Now(), Policy: []int{1, 2, 3}, AddTSACertificate: true}
			resp, err := ts.CreateResponseWithOpts(tsa.Cert, tsa.Key, crypto.SHA256)
			if err != nil {
				http.Error(w, err.Error(), http.StatusInternalServerError)
				return
			}
			_, _ = w.Write(resp)
		}))
		defer srv.Close()
		// pdfsign finds its placeholder as the first long run of zeros, so
		// it cannot time-stamp the notice (whose signature is padded with
		// zeros): the time-stamp goes on a PDF of its own.
		doc := fpdf.New("P", "mm", "A4", "")
		doc.AddPage()
		doc.SetFont("Helvetica", "", 12)
		doc.Cell(40, 10, "Notice")
		var plain bytes.Buffer
		if err := doc.Output(&plain); err != nil {
			t.Fatal(err)
		}
		data := plain.Bytes()
		rdr, err := pdf.NewReader(bytes.NewReader(data), int64(len(data)))
		if err != nil {
			t.Fatal(err)
		}
		var buf bytes.Buffer
		if err := sign.Sign(bytes.NewReader(data), &buf, rdr, int64(len(data)), sign.SignData{
			Signature: sign.SignDataSignature{CertType: sign.TimeStampSignature}, TSA: sign.TSA{URL: srv.URL}}); err != nil {
			t.Fatal(err)
		}
		stamped := filepath.Join(fsxtest.TempDir(t), "stamped.pdf")
		if err := os.WriteFile(stamped, buf.Bytes(), 0o600); err != nil {
			t.Fatal(err)
		}
		got, err := a.VerifyNoticePDF(ctx, flow.NoticeRef{Path: stamped})
		if err != nil {
			t.Fatal(err)
		}
		if len(got.PDF.Signatures) != 1 || got.Integrity.Level != flow.Amber || !strings.Contains(got.Integrity.Message.Ja, "文書タイムスタンプ") {
			t.Errorf("time-stamped by an unknown authority: %d signatures, integrity %+v", len(got.PDF.Signatures), got.Integrity)
		}
	})

	t.Run("an altered copy fails on integrity, its certificate still shown apart", func(t *testing.T) {
		data, err := os.ReadFile(rep.Path)
		if err != nil {
			t.Fatal(err)
		}
		i := bytes.LastIndex(data, []byte("/Type /Sig"))
		data[i+7] = 'X'
		altered := filepath.Join(fsxtest.TempDir(t), "altered.pdf")
		if err := os.WriteFile(altered, data, 0o600); err != nil {
			t.Fatal(err)
		}
		bad, err := a.VerifyNoticePDF(ctx, flow.NoticeRef{Path: altered})
		if err != nil {
			t.Fatal(err)
		}
		if bad.Integrity.Level != flow.Red || bad.Certificate.Level != flow.Green || bad.OK() {
			t.Errorf("altered: integrity %+v, certificate %+v", bad.Integrity, bad.Certificate)
		}
	})
}
