package service

import (
	"net/http"
	"strings"
	"testing"

	"github.com/shinsei-app/shinsei/submit"
)

// A 行政書士's office files for residents with its company account: a
// company account may send a residents' procedure only as the proxy a
// power of attorney names by that account; anything else from it is
// refused as before the package was read.
func TestACompanyAccountFilesAResidentsProcedureOnlyAsTheProxyNamedByThatAccount(t *testing.T) {
	e := newSvcEnv(t)
	c := e.creds
	companyID, companyPW := e.account(c.corporate, submit.UserCompany)
	company := e.login(companyID, companyPW)
	otherID, _ := e.account(c.other, submit.UserResident)
	companyName := submit.ProxyRef{Name: "株式会社サンドボックス商事"}

	t.Run("the company named by its account files a resident's move-out notification in its session", func(t *testing.T) {
		pkg := makeProxyPackage(t, c.resident, c.corporate, powerOfAttorney(ProcMoveOut, submit.ProxyRef{Account: companyID}), sampleForm(ProcMoveOut, nil))
		r := e.submitApp(ProcMoveOut, newKey(), company, submit.MediaASiCE, pkg)
		if r.status != http.StatusCreated {
			t.Fatalf("status %d: %s", r.status, r.body)
		}
		var rec submit.Receipt
		r.decode(t, &rec)
		if rec.InquiryNumber != "" {
			t.Fatalf("the filing is not the company account's: %+v", rec)
		}
	})

	for _, tt := range []struct {
		name        string
		proc        string
		contentType string
		body        []byte
	}{
		{"a company's own package for a residents' procedure", ProcMoveOut, submit.MediaASiCE,
			makePackage(t, c.corporate, sampleForm(ProcMoveOut, nil))},
		{"a proxy's package whose power of attorney names the company by name", ProcMoveOut, submit.MediaASiCE,
			makeProxyPackage(t, c.resident, c.corporate, powerOfAttorney(ProcMoveOut, companyName), sampleForm(ProcMoveOut, nil))},
		{"a proxy's package whose power of attorney names another account", ProcMoveOut, submit.MediaASiCE,
			makeProxyPackage(t, c.resident, c.corporate, powerOfAttorney(ProcMoveOut, submit.ProxyRef{Account: otherID}), sampleForm(ProcMoveOut, nil))},
		{"an unsigned form for a residents' procedure", ProcDogRegistration, submit.MediaJSON,
			mustJSON(t, sampleForm(ProcDogRegistration, nil))},
		{"a body that is no package", ProcMoveOut, submit.MediaASiCE, []byte("not a zip")},
	} {
		t.Run(tt.name+" is refused as before", func(t *testing.T) {
			r := e.submitApp(tt.proc, newKey(), company, tt.contentType, tt.body)
			p := r.problem(t)
			if r.status != http.StatusForbidden || p.Reason != submit.ReasonLoginRequired || !strings.HasPrefix(p.Detail, "account:") ||
				!strings.HasPrefix(p.MessageJA, "この手続きは、ログインしている利用者の種類（住民・法人）では申請できません。") {
				t.Fatalf("got %d %s (%s) %q, want 403 login-required (account: …) in the kind-of-account words", r.status, p.Reason, p.Detail, p.MessageJA)
			}
		})
	}
	if n := len(e.stored()); n != 1 {
		t.Fatalf("%d applications stored, want the named company's one", n)
	}
}
