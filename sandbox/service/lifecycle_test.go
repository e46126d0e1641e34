package service

import (
	"archive/zip"
	"context"
	"crypto/x509"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"testing"

	"github.com/shinsei-app/shinsei/internal/fsx/fsxtest"
	"github.com/shinsei-app/shinsei/sandbox/pki"
	"github.com/shinsei-app/shinsei/signer"
	"github.com/shinsei-app/shinsei/submit"
)

// filed submits a form of proc (signed by cred when not nil, with the
// session token when not empty) and returns its receipt.
// Each form differs from the last, so that no two signatures are the same.
func (e *testEnv) filed(proc string, cred *pki.Credential, token string) submit.Receipt {
	e.tb.Helper()
	form := sampleForm(proc, nil)
	free := map[string]string{ProcBulkyWaste: "items", ProcDogRegistration: "dog_name", ProcMoveOut: "new_address", ProcChildAllowance: "bank_account"}[proc]
	form.Fields[free] = fmt.Sprint(form.Fields[free], keyCounter.Add(1))
	media, body := submit.MediaJSON, mustJSON(e.tb, form)
	if cred != nil {
		media, body = submit.MediaASiCE, makePackage(e.tb, cred, form)
	}
	r := e.submitApp(proc, newKey(), token, media, body)
	if r.status != http.StatusCreated {
		e.tb.Fatalf("submit %s: %d %s", proc, r.status, r.body)
	}
	var rec submit.Receipt
	r.decode(e.tb, &rec)
	return rec
}

// withdrawal posts a withdrawal of rec: signed by cred when not nil,
// else as JSON; with the inquiry number or the token.
func (e *testEnv) withdrawal(rec submit.Receipt, cred *pki.Credential, token, inquiry string) response {
	e.tb.Helper()
	w := submit.Withdrawal{Type: submit.WithdrawalType, ArrivalNumber: rec.ArrivalNumber, Reason: "引っ越しの予定が変わりました"}
	media, body := submit.MediaJSON, mustJSON(e.tb, w)
	if cred != nil {
		media, body = submit.MediaASiCE, makePackage(e.tb, cred, w)
	}
	h := map[string]string{}
	if inquiry != "" {
		h[submit.HeaderInquiry] = inquiry
	}
	return e.do(testRequest{method: http.MethodPost, path: "/applications/" + rec.ArrivalNumber + "/withdrawal",
		contentType: media, body: body, token: token, header: h})
}

func kinds(st submit.ApplicationStatus) []submit.EventKind {
	var out []submit.EventKind
	for _, h := range st.History {
		out = append(out, h.Kind)
	}
	return out
}

func TestAWithdrawalIsProvenWithTheCredentialTheApplicationNeeded(t *testing.T) {
	e := newSvcEnv(t)
	c := e.creds
	token := e.residentToken(c.resident)
	otherToken := e.residentToken(c.other)
	tests := []struct {
		name       string
		proc       string
		fileSigned bool
		fileToken  string
		// the withdrawal
		cred           *pki.Credential
		token, inquiry string
		useInquiry     bool
		want           int
		reason         submit.Reason
	}{
		{name: "an anonymous application is withdrawn with its inquiry number", proc: ProcBulkyWaste, useInquiry: true, want: http.StatusOK},
		{name: "an anonymous application is not withdrawn with a wrong inquiry number", proc: ProcBulkyWaste, inquiry: "0000-0000-0000", want: http.StatusNotFound, reason: submit.ReasonNotFound},
		{name: "an anonymous application is not withdrawn without anything", proc: ProcBulkyWaste, want: http.StatusUnauthorized, reason: submit.ReasonLoginRequired},
		{name: "an ID/password application is withdrawn by the account that filed it", proc: ProcDogRegistration, fileToken: token, token: token, want: http.StatusOK},
		{name: "an ID/password application is not found by another account", proc: ProcDogRegistration, fileToken: token, token: otherToken, want: http.StatusNotFound, reason: submit.ReasonNotFound},
		{name: "a signed application is withdrawn by a request signed by the same holder", proc: ProcMoveOut, fileSigned: true, useInquiry: true, cred: c.resident, want: http.StatusOK},
		{name: "a signed application is withdrawn by a renewed certificate of the same holder", proc: ProcMoveOut, fileSigned: true, useInquiry: true, cred: reissue(t, c.pki.JPKISign, c.resident), want: http.StatusOK},
		{name: "a signed application is not withdrawn by a request signed by someone else", proc: ProcMoveOut, fileSigned: true, useInquiry: true, cred: c.other, want: http.StatusForbidden, reason: submit.ReasonNotApplicant},
		{name: "a signed application is not withdrawn by an unsigned request", proc: ProcMoveOut, fileSigned: true, useInquiry: true, want: http.StatusUnprocessableEntity, reason: submit.ReasonSignatureRequired},
		{name: "an ID/password and signature application needs the owner's session and the holder's signature", proc: ProcChildAllowance, fileSigned: true, fileToken: token, token: token, cred: c.resident, want: http.StatusOK},
		{name: "an unsigned application is not withdrawn by a signed request", proc: ProcBulkyWaste, useInquiry: true, cred: c.resident, want: http.StatusUnsupportedMediaType, reason: submit.ReasonUnsupportedMedia},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var signedBy *pki.Credential
			if tt.fileSigned {
				signedBy = c.resident
			}
			if tt.cred != nil && tt.cred != c.resident {
				e.record(c.pki.JPKISign, tt.cred)
			}
			rec := e.filed(tt.proc, signedBy, tt.fileToken)
			inquiry := tt.inquiry
			if tt.useInquiry {
				inquiry = rec.InquiryNumber
			}
			r := e.withdrawal(rec, tt.cred, tt.token, inquiry)
			if r.status != tt.want {
				t.Fatalf("status %d, want %d: %s", r.status, tt.want, r.body)
			}
			if tt.want != http.StatusOK {
				if p := r.problem(t); p.Reason != tt.reason {
					t.Errorf("reason %s, want %s", p.Reason, tt.reason)
				}
				if got := e.statusOf(rec, tt.fileToken); got.Status != submit.StatusReceived {
					t.Errorf("after a refused withdrawal the status is %s", got.Status)
				}
				return
			}
			var st submit.ApplicationStatus
			r.decode(t, &st)
			if st.Status != submit.StatusWithdrawn || !slices.Equal(kinds(st), []submit.EventKind{submit.EventReceived, submit.EventWithdrawn}) {
				t.Errorf("status %s, history %v", st.Status, kinds(st))
			}
			// Withdrawing again answers the same status; nothing is added.
			again := e.withdrawal(rec, tt.cred, tt.token, inquiry)
			var st2 submit.ApplicationStatus
			again.decode(t, &st2)
			if again.status != http.StatusOK || st2.Status != submit.StatusWithdrawn || len(st2.History) != 2 {
				t.Errorf("a second withdrawal: %d %s history %v", again.status, st2.Status, kinds(st2))
			}
		})
	}
}

// statusOf asks the status of rec with its inquiry number or token.
func (e *testEnv) statusOf(rec submit.Receipt, token string) submit.ApplicationStatus {
	e.tb.Helper()
	h := map[string]string{}
	if rec.InquiryNumber != "" {
		h[submit.HeaderInquiry] = rec.InquiryNumber
	}
	r := e.do(testRequest{method: http.MethodGet, path: "/applications/" + rec.ArrivalNumber, token: token, header: h})
	if r.status != http.StatusOK {
		e.tb.Fatalf("status: %d %s", r.status, r.body)
	}
	var st submit.ApplicationStatus
	r.decode(e.tb, &st)
	return st
}

func TestAnApplicationTheMunicipalityProcessedIsNotWithdrawnNorAdvancedOnceWithdrawn(t *testing.T) {
	e := newSvcEnv(t, func(c *Config) { c.AdminAddr = "127.0.0.1:0" })
	done := e.filed(ProcBulkyWaste, nil, "")
	if _, err := e.svc.Advance(context.Background(), done.ArrivalNumber, SandboxAdvance{Status: submit.StatusCompleted}); err != nil {
		t.Fatal(err)
	}
	r := e.withdrawal(done, nil, "", done.InquiryNumber)
	if r.status != http.StatusConflict || r.problem(t).Reason != submit.ReasonAlreadyProcessed {
		t.Fatalf("withdrawal of a completed application: %d %s", r.status, r.body)
	}
	st := e.statusOf(done, "")
	if st.Status != submit.StatusCompleted || !slices.Equal(kinds(st), []submit.EventKind{submit.EventReceived, submit.EventAdvanced}) {
		t.Errorf("status %s, history %v", st.Status, kinds(st))
	}

	gone := e.filed(ProcBulkyWaste, nil, "")
	if r := e.withdrawal(gone, nil, "", gone.InquiryNumber); r.status != http.StatusOK {
		t.Fatalf("withdrawal: %d %s", r.status, r.body)
	}
	code, body := e.raw(http.MethodPost, e.svc.AdminURL()+"/sandbox/applications/"+gone.ArrivalNumber+"/status", e.svc.AdminToken(), `{"status": "completed"}`)
	if code != http.StatusConflict {
		t.Errorf("advancing a withdrawn application: %d %s", code, body)
	}
}

// requestCorrection asks for a correction through the back office.
func (e *testEnv) requestCorrection(arrival string, c SandboxCorrection) response {
	e.tb.Helper()
	return e.do(testRequest{method: http.MethodPost, path: "/sandbox/applications/" + arrival + "/correction",
		contentType: submit.MediaJSON, body: mustJSON(e.tb, c), token: e.svc.AdminToken()})
}

// amendment posts an amendment of rec with key.
func (e *testEnv) amendment(rec submit.Receipt, key, media string, body []byte, token string) response {
	e.tb.Helper()
	h := map[string]string{submit.HeaderIdemKey: key}
	if rec.InquiryNumber != "" {
		h[submit.HeaderInquiry] = rec.InquiryNumber
	}
	return e.do(testRequest{method: http.MethodPost, path: "/applications/" + rec.ArrivalNumber + "/amendments",
		contentType: media, body: body, token: token, header: h})
}

func TestACorrectionIsRequestedByASignedNoticeAndAnsweredByAnAmendment(t *testing.T) {
	e := newSvcEnv(t, func(c *Config) { c.AdminAddr = "127.0.0.1:0" })
	c := e.creds
	rec := e.filed(ProcMoveOut, c.resident, "")

	// Not asked yet: an amendment is refused.
	fixed := sampleForm(ProcMoveOut, nil)
	fixed.Fields["new_address"] = "大阪府大阪市北区中之島一丁目３番２１号"
	pkg := makePackage(t, c.resident, fixed)
	if r := e.amendment(rec, newKey(), submit.MediaASiCE, pkg, ""); r.status != http.StatusConflict || r.problem(t).Reason != submit.ReasonAmendmentNotRequested {
		t.Fatalf("an amendment nobody asked for: %d %s", r.status, r.body)
	}

	// The back office refuses a field the form does not have.
	if r := e.requestCorrection(rec.ArrivalNumber, SandboxCorrection{Fields: []string{"fields.no_such"}, ReasonJA: "x"}); r.status != http.StatusBadRequest {
		t.Fatalf("a correction of an unknown field: %d %s", r.status, r.body)
	}
	r := e.requestCorrection(rec.ArrivalNumber, SandboxCorrection{Fields: []string{"fields.new_address"},
		ReasonJA: "転出先の番地が住民票の記載と異なります。", ReasonEN: "The new address's block number differs from the register."})
	if r.status != http.StatusOK {
		t.Fatalf("correction: %d %s", r.status, r.body)
	}
	var st submit.ApplicationStatus
	r.decode(t, &st)
	ev := st.LastEvent(submit.EventCorrectionRequested)
	if st.Status != submit.StatusCorrectionRequested || ev == nil || ev.NoticeID == "" {
		t.Fatalf("status %s, history %+v", st.Status, st.History)
	}

	// The notice is signed by the official and names the field and the reason.
	nr := e.do(testRequest{method: http.MethodGet, path: "/notices/" + ev.NoticeID, header: map[string]string{submit.HeaderInquiry: rec.InquiryNumber}})
	if nr.status != http.StatusOK {
		t.Fatalf("notice: %d", nr.status)
	}
	path := filepath.Join(fsxtest.TempDir(t), "notice.asice")
	if err := os.WriteFile(path, nr.body, 0o600); err != nil {
		t.Fatal(err)
	}
	rep, err := signer.Verify(context.Background(), path, signer.VerifyOptions{Roots: []*x509.Certificate{c.pki.LGPKIRoot.Cert}, Intermediates: []*x509.Certificate{c.pki.LGPKIOrg.Cert}})
	if err != nil || !rep.Integrity.OK || rep.Signer == nil || !rep.Signer.Equal(c.official.Cert) {
		t.Fatalf("the notice does not verify as the official's: %v %+v", err, rep)
	}
	form := readZipFile(t, path, "notice.json")
	var doc struct {
		Type     string   `json:"type"`
		Fields   []string `json:"fields"`
		ReasonJA string   `json:"reason_ja"`
	}
	if err := json.Unmarshal(form, &doc); err != nil || doc.Type != submit.CorrectionNoticeType || !slices.Equal(doc.Fields, []string{"fields.new_address"}) || doc.ReasonJA == "" {
		t.Fatalf("notice form: %v %s", err, form)
	}

	// Someone else's signature is not the applicant's; an unsigned form is refused.
	e.record(c.pki.JPKISign, c.other)
	otherPkg := makePackage(t, c.other, sampleForm(ProcMoveOut, otherApplicant()))
	if r := e.amendment(rec, newKey(), submit.MediaASiCE, otherPkg, ""); r.status != http.StatusForbidden || r.problem(t).Reason != submit.ReasonNotApplicant {
		t.Fatalf("an amendment signed by someone else: %d %s", r.status, r.body)
	}
	if r := e.amendment(rec, newKey(), submit.MediaJSON, mustJSON(t, fixed), ""); r.status != http.StatusUnprocessableEntity {
		t.Fatalf("an unsigned amendment of a signed application: %d %s", r.status, r.body)
	}

	key := newKey()
	r = e.amendment(rec, key, submit.MediaASiCE, pkg, "")
	if r.status != http.StatusCreated {
		t.Fatalf("amendment: %d %s", r.status, r.body)
	}
	r.decode(t, &st)
	want := []submit.EventKind{submit.EventReceived, submit.EventCorrectionRequested, submit.EventAmended}
	if st.Status != submit.StatusReviewing || !slices.Equal(kinds(st), want) || st.LastEvent(submit.EventAmended).PackageSHA256 == "" {
		t.Fatalf("after the amendment: %s %v", st.Status, kinds(st))
	}
	// The same amendment again is the same answer; its key with another
	// body is refused; another is not asked for.
	if r := e.amendment(rec, key, submit.MediaASiCE, pkg, ""); r.status != http.StatusOK {
		t.Errorf("the amendment again: %d %s", r.status, r.body)
	}
	fixed.Fields["members"] = json.Number("3")
	if r := e.amendment(rec, key, submit.MediaASiCE, makePackage(t, c.resident, fixed), ""); r.status != http.StatusConflict || r.problem(t).Reason != submit.ReasonIdempotencyConflict {
		t.Errorf("the amendment's key with another body: %d %s", r.status, r.body)
	}
	if r := e.amendment(rec, newKey(), submit.MediaASiCE, pkg, ""); r.status != http.StatusConflict || r.problem(t).Reason != submit.ReasonAmendmentNotRequested {
		t.Errorf("a second amendment: %d %s", r.status, r.body)
	}
	if got := e.statusOf(rec, ""); !slices.Equal(kinds(got), want) {
		t.Errorf("history %v, want %v", kinds(got), want)
	}
}

func TestACorrectionIsNotRequestedOfAProcessedApplication(t *testing.T) {
	e := newSvcEnv(t, func(c *Config) { c.AdminAddr = "127.0.0.1:0" })
	rec := e.filed(ProcBulkyWaste, nil, "")
	if _, err := e.svc.Advance(context.Background(), rec.ArrivalNumber, SandboxAdvance{Status: submit.StatusReturned}); err != nil {
		t.Fatal(err)
	}
	r := e.requestCorrection(rec.ArrivalNumber, SandboxCorrection{Fields: []string{"fields.items"}, ReasonJA: "品目を具体的にご記入ください。"})
	if r.status != http.StatusConflict || r.problem(t).Reason != submit.ReasonAlreadyProcessed {
		t.Fatalf("%d %s", r.status, r.body)
	}
	if st := e.statusOf(rec, ""); len(st.Notices) != 0 {
		t.Errorf("a refused correction left notices %v", st.Notices)
	}
}

// readZipFile reads one file of a zip archive.
func readZipFile(t *testing.T, path, name string) []byte {
	t.Helper()
	zr, err := zip.OpenReader(path)
	if err != nil {
		t.Fatal(err)
	}
	defer zr.Close()
	for _, f := range zr.File {
		if f.Name == name {
			rc, err := f.Open()
			if err != nil {
				t.Fatal(err)
			}
			defer rc.Close()
			data, err := io.ReadAll(rc)
			if err != nil {
				t.Fatal(err)
			}
			return data
		}
	}
	t.Fatalf("%s has no %s", path, name)
	return nil
}
