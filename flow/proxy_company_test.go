//go:build cgo && linux

package flow_test

import (
	"context"
	"path/filepath"
	"testing"

	"github.com/shinsei-app/shinsei/flow"
	"github.com/shinsei-app/shinsei/internal/fsx/fsxtest"
	"github.com/shinsei-app/shinsei/internal/testenv"
	"github.com/shinsei-app/shinsei/pkcs11"
	"github.com/shinsei-app/shinsei/sandbox/service"
	"github.com/shinsei-app/shinsei/submit"
)

// A 行政書士's office files a resident's move-out notification with its
// company account and its registry certificate, as the proxy her power of
// attorney names by that account: nothing refuses it on the way, and the
// service receives it in the company's session.
func TestACompanyNamedByItsAccountFilesAResidentsApplicationAsHerProxy(t *testing.T) {
	w := getWorld(t)
	svc := startService(t, w.pki, w.reg)
	a, _ := openApp(t, svc, w.pki, []*pkcs11.Library{testenv.SoftHSM(t)})
	ctx := context.Background()
	corp := flow.P12File(p12File(t, w.corpP12))
	acc, err := a.Register(ctx, flow.RegisterRequest{Credential: corp}, (&recorder{secrets: p12Secrets}).callbacks())
	if err != nil {
		t.Fatal(err)
	}
	if acc.UserType != submit.UserCompany {
		t.Fatalf("the office's account is a %s's", acc.UserType)
	}
	poa := filepath.Join(fsxtest.TempDir(t), "POA.asice")
	if _, err := a.SignPowerOfAttorney(ctx, flow.PowerOfAttorneyRequest{Procedure: service.ProcMoveOut, Proxy: submit.ProxyRef{Account: acc.ID},
		Credential: residentToken(), Out: poa}, (&recorder{pin: flowPIN}).callbacks()); err != nil {
		t.Fatal(err)
	}
	r := &recorder{secrets: p12Secrets}
	proc, doc := form(t, a, service.ProcMoveOut, nil)
	_, rec, err := a.SignAndSubmit(ctx, flow.SignRequest{Procedure: proc.Procedure, Form: doc, FillApplicant: true,
		PowerOfAttorney: poa, Credential: corp}, "", r.callbacks())
	if err != nil {
		t.Fatal(err)
	}
	if rec.InquiryNumber != "" || rec.Account != acc.ID {
		t.Fatalf("the application was not filed in the office's session: %+v", rec)
	}
	for _, id := range []flow.LineID{flow.LineCertificateType, flow.LinePrincipal, flow.LineProxy} {
		if l, ok := r.prechecks[0].Line(id, ""); !ok || l.Level != flow.Green {
			t.Fatalf("line %s is %+v (found %v), want green", id, l, ok)
		}
	}
}
