//go:build cgo && linux

package flow_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/shinsei-app/shinsei/flow"
	"github.com/shinsei-app/shinsei/sandbox/pki"
)

func TestACertificateOfThePreviousRootGenerationIsExplainedAsSuchNotOnlyAsExpired(t *testing.T) {
	w := getWorld(t)
	svc := startService(t, w.pki, w.reg)
	a, _ := openApp(t, svc, w.pki, nil)
	old, err := w.pki.IssueResident(pki.SampleResident(), pki.ResidentOptions{OldGeneration: true})
	if err != nil {
		t.Fatal(err)
	}
	expired, err := w.pki.IssueResident(pki.SampleResident(), pki.ResidentOptions{NotBefore: time.Now().Add(-5 * 365 * 24 * time.Hour), NotAfter: time.Now().Add(-48 * time.Hour)})
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name      string
		cred      *pki.Credential
		says, not string
		todo      string
	}{
		{"a certificate under the previous generation says so and sends the resident to the municipal office",
			old, "旧世代の認証局が発行した証明書です", "有効期限が切れています（", "市区町村の窓口"},
		{"a certificate past its own end under the current generation is only expired",
			expired, "有効期限が切れています", "旧世代", "市区町村の窓口"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p := a.Precheck(context.Background(), tc.cred.Cert, nil, nil)
			l, ok := p.Line(flow.LineCertificate, "")
			if !ok || l.Level != flow.Red {
				t.Fatalf("the certificate line is %+v, want red", l)
			}
			if !strings.Contains(l.Message.Ja, tc.says) || strings.Contains(l.Message.Ja, tc.not) {
				t.Errorf("the certificate line says %q, want %q and not %q", l.Message.Ja, tc.says, tc.not)
			}
			if !strings.Contains(l.Todo.Ja, tc.todo) || l.Message.En == "" || l.Todo.En == "" {
				t.Errorf("the advice is %q / %q, want it to name %q in both languages", l.Todo.Ja, l.Todo.En, tc.todo)
			}
		})
	}
}
