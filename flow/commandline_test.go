//go:build cgo && linux

package flow_test

import (
	"context"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"testing"

	"github.com/shinsei-app/shinsei/flow"
	"github.com/shinsei-app/shinsei/internal/fsx/fsxtest"
	"github.com/shinsei-app/shinsei/internal/testenv"
	"github.com/shinsei-app/shinsei/pkcs11"
	"github.com/shinsei-app/shinsei/sandbox/kit"
	"github.com/shinsei-app/shinsei/sandbox/service"
	"github.com/shinsei-app/shinsei/submit"
)

// The command line holds no trust anchors for signers, signs files as
// they are and leaves the certificate's check to the service; these are
// the use cases it calls, as it calls them.
func TestACallerWithoutSignerAnchorsSignsFilesAsTheyAreAndRegistersWithoutAPrecheck(t *testing.T) {
	w := getWorld(t)
	svc := startService(t, w.pki, w.reg)
	a, _ := openApp(t, svc, w.pki, []*pkcs11.Library{testenv.SoftHSM(t)}, func(c *flow.Config) {
		c.TrustAnchors, c.NoPrecheck, c.DoNotKeepCertificates = nil, true, true
	})
	ctx := context.Background()
	dir := fsxtest.TempDir(t)
	write := func(name, content string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(content), 0o600); err != nil {
			t.Fatal(err)
		}
		return p
	}

	t.Run("files are signed as given with one PIN and no confirmation", func(t *testing.T) {
		r := &recorder{pin: flowPIN}
		out := filepath.Join(dir, "app.asice")
		signed, err := a.SignFiles(ctx, flow.SignFilesRequest{Files: []string{write("form.txt", "any format"), write("note.txt", "attachment")},
			Credential: residentToken(), Out: out}, r.callbacks())
		if err != nil {
			t.Fatal(err)
		}
		if r.pinCalls != 1 || r.okCall != 0 {
			t.Errorf("PIN asked %d times, confirmation %d times; want once and never", r.pinCalls, r.okCall)
		}
		if signed.Path != out || len(signed.Files) != 2 || signed.Files[0].Name != "form.txt" || !signed.Certificate.Equal(w.resident.Cert) {
			t.Errorf("signed %+v", signed)
		}
	})

	t.Run("an empty form is refused before the PIN is asked, and nothing is written", func(t *testing.T) {
		r := &recorder{pin: flowPIN}
		out := filepath.Join(dir, "empty.asice")
		_, err := a.SignFiles(ctx, flow.SignFilesRequest{Files: []string{write("empty.json", "")}, Credential: residentToken(), Out: out}, r.callbacks())
		if _, serr := os.Stat(out); !errors.Is(err, flow.ErrFormEmpty) || serr == nil || r.pinCalls != 0 {
			t.Errorf("err %v, package %v, PIN asked %d times; want flow.ErrFormEmpty, nothing written, no PIN", err, serr, r.pinCalls)
		}
	})

	t.Run("an unsigned form for a signature procedure is a LevelError and nothing is queued", func(t *testing.T) {
		form := write("move-out.json", `{"procedure": "`+service.ProcMoveOut+`", "applicant": {}, "fields": {}}`)
		queued := 0
		_, err := a.Submit(ctx, flow.SubmitRequest{Path: form}, flow.Callbacks{Queued: func(submit.Item, submit.Procedure) { queued++ }})
		var le *flow.LevelError
		if !errors.As(err, &le) || le.Signed || le.Procedure != service.ProcMoveOut || !errors.Is(err, flow.ErrWrongLevel) || queued != 0 {
			t.Errorf("err %v (%+v), queued %d", err, le, queued)
		}
	})

	var account string
	t.Run("a company registers with its file and no confirmation, choosing the password", func(t *testing.T) {
		r := &recorder{secrets: map[flow.SecretKind]string{flow.SecretP12Password: kit.P12Password, flow.SecretNewPassword: "correct horse battery staple"}}
		acc, err := a.Register(ctx, flow.RegisterRequest{Credential: flow.P12File(p12File(t, w.corpP12)), ChoosePassword: true}, r.callbacks())
		if err != nil {
			t.Fatal(err)
		}
		if acc.UserType != submit.UserCompany || acc.GeneratedPassword != "" || r.okCall != 0 || r.secretCalls != 2 {
			t.Errorf("account %+v; confirmations %d, secrets %d", acc, r.okCall, r.secretCalls)
		}
		account = acc.ID
	})

	t.Run("a certificate login needs no confirmation either", func(t *testing.T) {
		r := &recorder{secrets: map[flow.SecretKind]string{flow.SecretP12Password: kit.P12Password}}
		s, err := a.LoginWithCertificate(ctx, flow.P12File(p12File(t, w.corpP12)), r.callbacks())
		if err != nil || s.AccountID != account || r.okCall != 0 {
			t.Errorf("session %+v, %v; confirmations %d", s, err, r.okCall)
		}
	})

	t.Run("entering the password asks for it although one is kept, and keeps only an accepted one", func(t *testing.T) {
		r := &recorder{secrets: map[flow.SecretKind]string{flow.SecretAccountPassword: "not the password at all"}}
		if _, err := a.LoginEnteringPassword(ctx, account, r.callbacks()); !submit.IsReason(err, submit.ReasonInvalidCredentials) || r.secretCalls != 1 {
			t.Fatalf("err %v, asked %d times; want invalid-credentials after one question", err, r.secretCalls)
		}
		if _, err := a.Login(ctx, account, (&recorder{}).callbacks()); err != nil {
			t.Errorf("the kept password was replaced by a refused one: %v", err)
		}
	})

	t.Run("an anonymous form is queued once, then its status is asked with the inquiry number given", func(t *testing.T) {
		proc, doc := form(t, a, service.ProcBulkyWaste, w.resident.Cert)
		data, err := json.Marshal(doc)
		if err != nil {
			t.Fatal(err)
		}
		var items []submit.Item
		rec, err := a.Submit(ctx, flow.SubmitRequest{Path: write("waste.json", string(data))}, flow.Callbacks{Queued: func(it submit.Item, p submit.Procedure) {
			if p.ID != proc.ID {
				t.Errorf("queued for %q, want %q", p.ID, proc.ID)
			}
			items = append(items, it)
		}})
		if err != nil || len(items) != 1 || items[0].File != "waste.json" {
			t.Fatalf("receipt %+v, %v; queued %+v", rec, err, items)
		}
		if _, err := a.Status(ctx, flow.StatusQuery{Arrival: rec.ArrivalNumber, InquiryNumber: "0000000000"}); !submit.IsReason(err, submit.ReasonNotFound) {
			t.Errorf("a wrong inquiry number given: %v, want not-found (the journal's is not used instead)", err)
		}
		if st, err := a.Status(ctx, flow.StatusQuery{Arrival: rec.ArrivalNumber, InquiryNumber: rec.InquiryNumber}); err != nil || st.Status != submit.StatusReceived {
			t.Errorf("status %+v, %v", st, err)
		}
	})

	t.Run("logging out says the session ended and whether the password stays", func(t *testing.T) {
		out, err := a.Logout(ctx, "", true)
		if err != nil || out.Account != account || !out.SessionEnded || !out.PasswordKept || out.SessionErr != nil {
			t.Errorf("logged out %+v, %v", out, err)
		}
	})
}
