//go:build cgo && linux

package flow_test

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/shinsei-app/shinsei/certcheck"
	"github.com/shinsei-app/shinsei/flow"
	"github.com/shinsei-app/shinsei/internal/fsx/fsxtest"
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
