//go:build cgo && linux

package flow_test

import (
	"archive/zip"
	"context"
	"crypto/rand"
	"errors"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/shinsei-app/shinsei/flow"
	"github.com/shinsei-app/shinsei/i18n"
	"github.com/shinsei-app/shinsei/internal/fsx/fsxtest"
	"github.com/shinsei-app/shinsei/internal/testenv"
	"github.com/shinsei-app/shinsei/pkcs11"
	"github.com/shinsei-app/shinsei/sandbox/kit"
	"github.com/shinsei-app/shinsei/sandbox/service"
	"github.com/shinsei-app/shinsei/submit"
)

func TestEveryLevelIsSignedAndSubmittedAtTheReferenceService(t *testing.T) {
	w := getWorld(t)
	svc := startService(t, w.pki, w.reg)
	a, cfg := openApp(t, svc, w.pki, []*pkcs11.Library{testenv.SoftHSM(t)})
	ctx := context.Background()

	procs, err := a.Procedures(ctx)
	if err != nil {
		t.Fatal(err)
	}
	needs := map[string]flow.Need{}
	for _, p := range procs {
		needs[p.ID] = p.Need
	}
	for id, want := range map[string]flow.Need{service.ProcBulkyWaste: flow.NeedNothing, service.ProcDogRegistration: flow.NeedPassword,
		service.ProcMoveOut: flow.NeedCertificate, service.ProcChildAllowance: flow.NeedBoth, service.ProcBidQualification: flow.NeedBoth} {
		if needs[id] != want {
			t.Errorf("%s needs %q, want %q", id, needs[id], want)
		}
	}

	t.Run("an anonymous resident submits without login or signature and gets an inquiry number", func(t *testing.T) {
		r := &recorder{}
		proc, doc := form(t, a, service.ProcBulkyWaste, w.resident.Cert)
		rec, err := a.Submit(ctx, flow.SubmitRequest{Procedure: &proc.Procedure, Form: doc}, r.callbacks())
		if err != nil {
			t.Fatal(err)
		}
		if rec.ArrivalNumber == "" || rec.InquiryNumber == "" {
			t.Errorf("receipt %+v lacks its numbers", rec)
		}
		if r.pinCalls+r.secretCalls+r.okCall != 0 {
			t.Errorf("asked the user %d times; an anonymous form needs nothing", r.pinCalls+r.secretCalls+r.okCall)
		}
		st, err := a.RefreshStatus(ctx, rec.ArrivalNumber)
		if err != nil || st.Status != submit.StatusReceived {
			t.Errorf("status: %+v, %v", st, err)
		}
	})

	flowToken := func(t *testing.T) flow.FoundToken {
		t.Helper()
		found, err := a.FindCredentials(ctx)
		if err != nil {
			t.Fatal(err)
		}
		for _, tok := range found.Tokens {
			if tok.Label == flowTokenLabel {
				return tok
			}
		}
		t.Fatalf("the token is not among %+v", found.Tokens)
		return flow.FoundToken{}
	}
	if tok := flowToken(t); tok.SignatureCert != nil || tok.CACert == nil {
		t.Errorf("before any PIN: signature certificate known %v, CA certificate known %v; want only the CA's", tok.SignatureCert != nil, tok.CACert != nil)
	}

	t.Run("a resident signs with the card-like token after exactly one PIN prompt, with no login", func(t *testing.T) {
		r := &recorder{pin: flowPIN}
		proc, doc := form(t, a, service.ProcMoveOut, w.resident.Cert)
		signed, rec, err := a.SignAndSubmit(ctx, flow.SignRequest{Procedure: proc.Procedure, Form: doc, Credential: residentToken()}, "", r.callbacks())
		if err != nil {
			t.Fatal(err)
		}
		if r.pinCalls != 1 || r.okCall != 1 {
			t.Errorf("PIN asked %d times and confirmation %d times, want once each", r.pinCalls, r.okCall)
		}
		if !r.prechecks[0].OK() {
			t.Errorf("the confirmed pre-check was not OK: %v", r.prechecks[0])
		}
		if l, ok := r.prechecks[0].Line(flow.LineRevocation, ""); !ok || l.Level != flow.Green || !strings.Contains(l.Message.En, "the service") {
			t.Errorf("revocation line %+v: the service answered for the JPKI certificate, so it may be green", l)
		}
		if rec.ArrivalNumber == "" || rec.InquiryNumber == "" {
			t.Errorf("receipt %+v: a signature without login is filed anonymously", rec)
		}
		if r.progress[flow.StageHashing] == 0 || r.progress[flow.StageUpload] == 0 {
			t.Errorf("progress reported %v, want hashing and upload", r.progress)
		}
		if _, err := os.Stat(signed.Path); err != nil {
			t.Errorf("the signed package is not kept: %v", err)
		}
	})

	t.Run("the certificate read with that PIN is kept in the keyring and pre-checks without one", func(t *testing.T) {
		tok := flowToken(t)
		if !tok.CertKept || !tok.SignatureCert.Equal(w.resident.Cert) {
			t.Fatalf("kept %v: want the signature certificate from the keyring", tok.CertKept)
		}
		proc, doc := form(t, a, service.ProcMoveOut, tok.SignatureCert)
		if p := a.Precheck(ctx, tok.SignatureCert, doc, &proc.Procedure); !p.OK() {
			t.Errorf("pre-check: %v", p)
		}
	})

	var residentAccount string
	t.Run("a resident registers with the token, one PIN, and the password goes to the keyring", func(t *testing.T) {
		r := &recorder{pin: flowPIN}
		acc, err := a.Register(ctx, flow.RegisterRequest{Credential: residentToken()}, r.callbacks())
		if err != nil {
			t.Fatal(err)
		}
		if acc.UserType != submit.UserResident || acc.GeneratedPassword == "" {
			t.Errorf("account %+v", acc)
		}
		if r.pinCalls != 1 {
			t.Errorf("PIN asked %d times, want 1", r.pinCalls)
		}
		if def, err := a.DefaultAccount(ctx); err != nil || def != acc.ID {
			t.Errorf("default account %q, %v; want %q", def, err, acc.ID)
		}
		residentAccount = acc.ID
	})

	t.Run("the resident files an ID/password procedure with the kept password and nothing asked", func(t *testing.T) {
		r := &recorder{}
		proc, doc := form(t, a, service.ProcDogRegistration, w.resident.Cert)
		rec, err := a.Submit(ctx, flow.SubmitRequest{Procedure: &proc.Procedure, Form: doc}, r.callbacks())
		if err != nil {
			t.Fatal(err)
		}
		if rec.Account != residentAccount || rec.InquiryNumber != "" {
			t.Errorf("receipt %+v: want it filed by %s", rec, residentAccount)
		}
		if r.secretCalls != 0 {
			t.Errorf("asked for a password %d times; it is in the keyring", r.secretCalls)
		}
		if _, err := a.RefreshStatus(ctx, rec.ArrivalNumber); err != nil {
			t.Errorf("status as the owner: %v", err)
		}
	})

	t.Run("the resident logs in and signs a no-proxy procedure with exactly one PIN prompt", func(t *testing.T) {
		r := &recorder{pin: flowPIN}
		proc, doc := form(t, a, service.ProcChildAllowance, w.resident.Cert)
		_, rec, err := a.SignAndSubmit(ctx, flow.SignRequest{Procedure: proc.Procedure, Form: doc, Credential: residentToken()}, "", r.callbacks())
		if err != nil {
			t.Fatal(err)
		}
		if r.pinCalls != 1 {
			t.Errorf("PIN asked %d times, want 1", r.pinCalls)
		}
		if rec.Account != residentAccount {
			t.Errorf("filed by %q, want %q", rec.Account, residentAccount)
		}
	})

	t.Run("a company registers and files with its .p12, the password asked once per use", func(t *testing.T) {
		r := &recorder{secrets: map[flow.SecretKind]string{flow.SecretP12Password: kit.P12Password}}
		acc, err := a.Register(ctx, flow.RegisterRequest{Credential: flow.P12File(p12File(t, w.corpP12))}, r.callbacks())
		if err != nil {
			t.Fatal(err)
		}
		if acc.UserType != submit.UserCompany || r.secretCalls != 1 || r.pinCalls != 0 {
			t.Errorf("account %+v; secrets asked %d, PINs %d", acc, r.secretCalls, r.pinCalls)
		}
		r = &recorder{secrets: map[flow.SecretKind]string{flow.SecretP12Password: kit.P12Password}}
		proc, doc := form(t, a, service.ProcBidQualification, w.corp.Cert)
		_, rec, err := a.SignAndSubmit(ctx, flow.SignRequest{Procedure: proc.Procedure, Form: doc, Credential: flow.P12File(p12File(t, w.corpP12))}, acc.ID, r.callbacks())
		if err != nil {
			t.Fatal(err)
		}
		if r.secretCalls != 1 || rec.Account != acc.ID {
			t.Errorf("password asked %d times, filed by %q", r.secretCalls, rec.Account)
		}
		if l, ok := r.prechecks[0].Line(flow.LineCertificateType, ""); !ok || l.Level != flow.Green {
			t.Errorf("certificate type line %+v", l)
		}
	})

	t.Run("the journal keeps every receipt and the outbox is empty", func(t *testing.T) {
		recs, err := a.Receipts()
		if err != nil || len(recs) != 5 {
			t.Errorf("%d receipts, %v; want 5", len(recs), err)
		}
		if p, err := a.Pending(); err != nil || len(p) != 0 {
			t.Errorf("%d pending, %v", len(p), err)
		}
		if left := filesIn(t, filepath.Join(cfg.DataDir, "tmp")); len(left) != 0 {
			t.Errorf("working files left: %v", left)
		}
	})

	t.Run("logging out forgets the password", func(t *testing.T) {
		if _, err := a.Logout(ctx, residentAccount, false); err != nil {
			t.Fatal(err)
		}
		r := &recorder{}
		proc, doc := form(t, a, service.ProcDogRegistration, w.resident.Cert)
		// The same form as before: filed again on purpose, to reach the login.
		_, err := a.Submit(ctx, flow.SubmitRequest{Procedure: &proc.Procedure, Form: doc, Account: residentAccount, Again: true}, r.callbacks())
		if r.secretCalls != 1 || err == nil {
			t.Errorf("after logout: password asked %d times, err %v; want asked once (and the test gives none)", r.secretCalls, err)
		}
		if p, _ := a.Pending(); len(p) != 0 {
			t.Errorf("%d queued although the login failed", len(p))
		}
	})
}

func TestNothingIsSignedOrWrittenWhenThePrecheckFailsOrTheUserDeclines(t *testing.T) {
	w := getWorld(t)
	svc := startService(t, w.pki, w.reg)
	ctx := context.Background()
	tests := []struct {
		name      string
		cred      func() flow.CredentialChoice
		r         *recorder
		applicant func(doc *submit.FormDocument)
		va        bool
		wantErr   error
		wantRed   flow.LineID
		field     string
		wantWords string
	}{
		{name: "a form whose name differs from the card's is red on the name line and never asks to confirm",
			cred: residentToken, r: &recorder{pin: flowPIN},
			applicant: func(doc *submit.FormDocument) { doc.Applicant["name"] = "高橋　春子" },
			wantErr:   flow.ErrPrecheckFailed, wantRed: flow.LineIdentity, field: "name", wantWords: "高橋　春子"},
		{name: "a revoked resident certificate is red by the service's own answer",
			cred:    func() flow.CredentialChoice { return flow.P12File(p12File(t, w.revokedP12)) },
			r:       &recorder{secrets: map[flow.SecretKind]string{flow.SecretP12Password: kit.P12Password}},
			wantErr: flow.ErrPrecheckFailed, wantRed: flow.LineRevocation, wantWords: "revoked"},
		{name: "a revoked resident certificate is red by the service's signed VA answer",
			cred: func() flow.CredentialChoice { return flow.P12File(p12File(t, w.revokedP12)) }, va: true,
			r:       &recorder{secrets: map[flow.SecretKind]string{flow.SecretP12Password: kit.P12Password}},
			wantErr: flow.ErrPrecheckFailed, wantRed: flow.LineRevocation, wantWords: "revoked"},
		{name: "a company certificate for a residents' procedure is red on the certificate type",
			cred:    func() flow.CredentialChoice { return flow.P12File(p12File(t, w.corpP12)) },
			r:       &recorder{secrets: map[flow.SecretKind]string{flow.SecretP12Password: kit.P12Password}},
			wantErr: flow.ErrPrecheckFailed, wantRed: flow.LineCertificateType},
		{name: "declining at the confirmation writes nothing",
			cred: residentToken, r: &recorder{pin: flowPIN, decline: true}, wantErr: flow.ErrDeclined},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			a, cfg := openApp(t, svc, w.pki, []*pkcs11.Library{testenv.SoftHSM(t)}, func(c *flow.Config) {
				if tc.va {
					c.ServiceVA = svc.VACert()
				}
			})
			proc, doc := form(t, a, service.ProcMoveOut, w.resident.Cert)
			if tc.applicant != nil {
				tc.applicant(doc)
			}
			_, rec, err := a.SignAndSubmit(ctx, flow.SignRequest{Procedure: proc.Procedure, Form: doc, Credential: tc.cred()}, "", tc.r.callbacks())
			if !errors.Is(err, tc.wantErr) || rec != nil {
				t.Fatalf("err %v, receipt %v; want %v", err, rec, tc.wantErr)
			}
			if left := filesIn(t, cfg.DataDir); len(left) != 0 {
				t.Errorf("files written: %v", left)
			}
			if tc.r.pinCalls > 1 || tc.r.secretCalls > 1 {
				t.Errorf("asked the PIN %d and the password %d times", tc.r.pinCalls, tc.r.secretCalls)
			}
			msg, hint := explainIn(err, i18n.Japanese)
			if msg == "" || hint == "" {
				t.Errorf("no explanation: %q / %q", msg, hint)
			}
			if tc.wantRed == "" {
				return
			}
			if tc.r.okCall != 0 {
				t.Errorf("asked to confirm a red pre-check")
			}
			var pe *flow.PrecheckError
			if !errors.As(err, &pe) {
				t.Fatalf("%v is no *PrecheckError", err)
			}
			line, ok := pe.Precheck.Line(tc.wantRed, tc.field)
			if !ok || line.Level != flow.Red || line.Todo.IsZero() {
				t.Fatalf("line %s:%s = %+v; want red with what to do (%v)", tc.wantRed, tc.field, line, pe.Precheck)
			}
			if !strings.Contains(line.Message.Ja+line.Message.En, tc.wantWords) {
				t.Errorf("line says %q / %q; want it to mention %q", line.Message.Ja, line.Message.En, tc.wantWords)
			}
			if strings.Contains(err.Error(), "高橋") || strings.Contains(err.Error(), flowPIN) {
				t.Errorf("the error text holds personal data or the PIN: %v", err)
			}
		})
	}
}

func TestCancellingWhileHashingLeavesNoPackageAndAnEmptyOutbox(t *testing.T) {
	w := getWorld(t)
	svc := startService(t, w.pki, w.reg)
	a, cfg := openApp(t, svc, w.pki, []*pkcs11.Library{testenv.SoftHSM(t)})
	big := testenv.SparseFile(t, "large-scan.pdf", 48<<20)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	// Cancel 8 MiB into the attachment, from the progress report, as the
	// window's Cancel would while the bar moves.
	var at, last, total int64
	r := &recorder{pin: flowPIN}
	r.onProgress = func(s flow.Stage, done, all int64) {
		if s != flow.StageHashing {
			return
		}
		last, total = done, all
		if at == 0 && done >= 8<<20 && done < all {
			at = done
			cancel()
		}
	}
	proc, doc := form(t, a, service.ProcMoveOut, w.resident.Cert)
	_, rec, err := a.SignAndSubmit(ctx, flow.SignRequest{Procedure: proc.Procedure, Form: doc, Attachments: []string{big}, Credential: residentToken()}, "", r.callbacks())
	if !errors.Is(err, context.Canceled) || rec != nil {
		t.Fatalf("err %v, receipt %v; want context.Canceled", err, rec)
	}
	if at == 0 {
		t.Fatalf("hashing was never cancelled mid-way (last report %d of %d bytes)", last, total)
	}
	if last >= total {
		t.Errorf("hashing went on to the end (%d bytes) after the cancel at %d", last, at)
	}
	if left := filesIn(t, cfg.DataDir); len(left) != 0 {
		t.Errorf("left behind: %v", left)
	}
	if p, err := a.Pending(); err != nil || len(p) != 0 {
		t.Errorf("outbox: %d items, %v", len(p), err)
	}
	if apps, _ := svc.Applications(context.Background()); len(apps) != 0 {
		t.Errorf("the service received %d applications", len(apps))
	}
}

func TestUploadProgressFollowsTheBytesAsTheyGoOut(t *testing.T) {
	w := getWorld(t)
	svc := startService(t, w.pki, w.reg)
	a, _ := openApp(t, svc, w.pki, []*pkcs11.Library{testenv.SoftHSM(t)})
	scan := filepath.Join(fsxtest.TempDir(t), "scan.pdf")
	data := make([]byte, 3<<20)
	rand.Read(data) // incompressible, so the package stays this large
	if err := os.WriteFile(scan, data, 0o600); err != nil {
		t.Fatal(err)
	}
	var sent []int64
	var total int64
	r := &recorder{pin: flowPIN}
	r.onProgress = func(s flow.Stage, done, all int64) {
		if s == flow.StageUpload {
			sent, total = append(sent, done), all
		}
	}
	proc, doc := form(t, a, service.ProcMoveOut, w.resident.Cert)
	signed, _, err := a.SignAndSubmit(context.Background(), flow.SignRequest{Procedure: proc.Procedure, Form: doc,
		Attachments: []string{scan}, Credential: residentToken()}, "", r.callbacks())
	if err != nil {
		t.Fatal(err)
	}
	if total != signed.Size {
		t.Errorf("upload total %d, want the package's %d bytes", total, signed.Size)
	}
	if len(sent) < 4 || sent[0] != 0 || sent[len(sent)-1] != signed.Size {
		t.Fatalf("upload reported %d times (%v…), want from 0 to %d in several steps", len(sent), sent[:min(len(sent), 3)], signed.Size)
	}
	if !slices.IsSorted(sent) {
		t.Errorf("upload progress went backwards within one attempt: %v", sent)
	}
}

func TestACardMetForTheFirstTimeFillsTheApplicantFromTheCertificateReadAfterThePIN(t *testing.T) {
	w := getWorld(t)
	svc := startService(t, w.pki, w.reg)
	a, _ := openApp(t, svc, w.pki, []*pkcs11.Library{testenv.SoftHSM(t)})
	want := flow.Prefill(w.resident.Cert)
	tests := []struct {
		name    string
		fill    bool
		edit    func(doc *submit.FormDocument)
		wantErr error // nil: signed and filled
		wantPIN int
	}{
		{name: "an empty applicant block is filled after the PIN and signed", fill: true, wantPIN: 1},
		{name: "a name typed by the resident is kept and only the empty fields are filled", fill: true, wantPIN: 1,
			edit: func(doc *submit.FormDocument) { doc.Applicant["name"] = want.Name }},
		{name: "a missing form field still stops before the PIN", fill: true, wantErr: flow.ErrFormInvalid,
			edit: func(doc *submit.FormDocument) { delete(doc.Fields, "move_date") }},
		{name: "without the option an empty applicant block stops before the PIN", fill: false, wantErr: flow.ErrFormInvalid},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			proc, doc := form(t, a, service.ProcMoveOut, nil)
			if tt.edit != nil {
				tt.edit(doc)
			}
			before := flow.ApplicantOf(doc)
			r := &recorder{pin: flowPIN}
			signed, err := a.Sign(context.Background(), flow.SignRequest{Procedure: proc.Procedure, Form: doc,
				Credential: residentToken(), FillApplicant: tt.fill}, r.callbacks())
			if r.pinCalls != tt.wantPIN {
				t.Errorf("PIN asked %d times, want %d", r.pinCalls, tt.wantPIN)
			}
			if flow.ApplicantOf(doc) != before {
				t.Error("Sign changed the caller's form")
			}
			if tt.wantErr != nil {
				if !errors.Is(err, tt.wantErr) || signed != nil {
					t.Fatalf("err %v, signed %v; want %v", err, signed, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if got := flow.ApplicantOf(signed.Form); got != want {
				t.Errorf("the signed form's applicant block differs from the certificate's attributes")
			}
			if len(signed.Filled) == 0 || before.Name != "" && slices.Contains(signed.Filled, "name") {
				t.Errorf("filled %v: want the empty fields only", signed.Filled)
			}
			for _, l := range r.prechecks[0].Lines {
				if l.ID == flow.LineIdentity || l.ID == flow.LineForm {
					if l.Level != flow.Green {
						t.Errorf("pre-check line %s %s is %v, want green once filled", l.ID, l.Field, l.Level)
					}
				}
				if l.ID == flow.LineIdentity {
					filled := slices.Contains(signed.Filled, l.Field)
					if says := strings.Contains(l.Message.En, "filled in from the certificate"); says != filled {
						t.Errorf("the %s line says %q; filled from the certificate: %v", l.Field, l.Message.En, filled)
					}
				}
			}
			if got := flow.ApplicantOf(packagedForm(t, signed.Path)); got != want {
				t.Errorf("the form in the package does not carry the certificate's attributes")
			}
		})
	}
}

// packagedForm reads the form a signed package carries.
func packagedForm(t *testing.T, path string) *submit.FormDocument {
	t.Helper()
	z, err := zip.OpenReader(path)
	if err != nil {
		t.Fatal(err)
	}
	defer z.Close()
	f, err := z.Open(flow.FormFileName)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	data, err := io.ReadAll(f)
	if err != nil {
		t.Fatal(err)
	}
	doc, err := flow.ParseForm(data)
	if err != nil {
		t.Fatal(err)
	}
	return doc
}
