package e2e_test

import (
	"archive/zip"
	"bytes"
	"context"
	"crypto/x509"
	"encoding/json"
	"errors"
	"io"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/shinsei-app/shinsei/sandbox/pki"
	"github.com/shinsei-app/shinsei/sandbox/service"
	"github.com/shinsei-app/shinsei/signer"
	"github.com/shinsei-app/shinsei/submit"
	"github.com/shinsei-app/shinsei/submit/submittest"
)

// refWorld is the reference service (service.Start) with the
// credentials of the people and the company who use it.
type refWorld struct {
	svc                                   *service.Service
	resident, other, revoked, corporate   signer.Credential
	residentApplicant, corporateApplicant map[string]any
}

var (
	refOnce sync.Once
	refPKI  *pki.PKI
	refErr  error
)

func toCredential(c *pki.Credential) signer.Credential {
	return signer.Credential{Signer: c.Key, Cert: c.Cert, Chain: c.Intermediates}
}

// startReference starts the reference service for the test, with a fresh
// database and registry over one sandbox PKI per test binary.
func startReference(t *testing.T) *refWorld {
	t.Helper()
	refOnce.Do(func() { refPKI, refErr = pki.New(time.Now()) })
	if refErr != nil {
		t.Fatal(refErr)
	}
	p := refPKI
	reg := pki.NewRegistry()
	issue := func(c *pki.Credential, err error) *pki.Credential {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
		return c
	}
	resident := issue(p.IssueResident(pki.SampleResident(), pki.ResidentOptions{}))
	other := issue(p.IssueResident(pki.Resident{Name: "佐藤　次郎", Sex: "1", BirthDate: "419900101", Address: "東京都千代田区九段南一丁目２番１号"}, pki.ResidentOptions{}))
	revoked := issue(p.IssueResident(pki.SampleResident(), pki.ResidentOptions{}))
	corporate := issue(p.IssueCorporate(pki.SampleCorporation()))
	for _, c := range []*pki.Credential{resident, other, revoked} {
		reg.Record(p.JPKISign, c.Cert)
	}
	reg.Record(p.Registrar, corporate.Cert)
	if err := reg.Revoke(p.JPKISign, revoked.Cert.SerialNumber, pki.ReasonKeyCompromise, time.Now().Add(-time.Hour)); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	svc, err := service.Start(ctx, service.Config{PKI: p, Registry: reg})
	if err != nil {
		cancel()
		t.Fatal(err)
	}
	t.Cleanup(func() { svc.Close(); cancel() })
	sc := pki.SampleCorporation()
	return &refWorld{svc: svc, resident: toCredential(resident), other: toCredential(other), revoked: toCredential(revoked),
		corporate:         toCredential(corporate),
		residentApplicant: map[string]any{"name": "高橋　花子", "birth_date": "1985-04-15", "sex": "2", "address": "東京都千代田区霞が関二丁目１番２号"},
		corporateApplicant: map[string]any{"corporate_name": sc.Name, "corporate_number": sc.Number, "corporate_address": sc.Address,
			"representative_name": sc.RepresentativeName}}
}

func (w *refWorld) client(t *testing.T) *submit.Client {
	t.Helper()
	c, err := submit.New(submit.Config{BaseURL: w.svc.URL(), Anchors: []*x509.Certificate{w.svc.CACert()}, Timeout: 30 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// form writes a form document for procedure and returns its path.
func (w *refWorld) form(t *testing.T, procedure string, applicant, fields map[string]any) string {
	t.Helper()
	return submittest.WriteJSONFile(t, t.TempDir(), "form.json", submit.FormDocument{Procedure: procedure, Applicant: applicant, Fields: fields})
}

// sign signs a form into a package with cred.
func (w *refWorld) sign(t *testing.T, form string, cred signer.Credential) string {
	t.Helper()
	out := filepath.Join(t.TempDir(), "app.asice")
	if _, err := signer.Build(context.Background(), out, []signer.File{{Path: form}}, cred, signer.BuildOptions{}); err != nil {
		t.Fatal(err)
	}
	return out
}

// register registers an account signed by cred and returns its ID and
// the password the service generated.
func (w *refWorld) register(t *testing.T, c *submit.Client, cred signer.Credential, ut submit.UserType) (string, string) {
	t.Helper()
	ctx := context.Background()
	ch, err := c.NewChallenge(ctx)
	if err != nil {
		t.Fatal(err)
	}
	pkg := w.sign(t, submittest.WriteJSONFile(t, t.TempDir(), "registration.json", submit.Registration{Type: "registration", Challenge: ch.Challenge, UserType: ut}), cred)
	data, err := os.ReadFile(pkg)
	if err != nil {
		t.Fatal(err)
	}
	acc, err := c.Register(ctx, data)
	if err != nil {
		t.Fatalf("register: %v", err)
	}
	if acc.InitialPassword == "" {
		t.Fatal("no initial password")
	}
	return acc.AccountID, acc.InitialPassword
}

// send queues path for procedure in a fresh outbox and sends it.
func send(t *testing.T, c *submit.Client, procedure, path string, account string, session func(context.Context, string, bool) (string, error)) (*submit.Record, error) {
	t.Helper()
	ctx := context.Background()
	p, err := c.Procedure(ctx, procedure)
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	ob, err := submit.OpenOutbox(dir)
	if err != nil {
		t.Fatal(err)
	}
	j, _ := submit.OpenJournal(filepath.Join(dir, "receipts.jsonl"))
	media := submit.MediaJSON
	if p.Level.NeedsSignature() {
		media = submit.MediaASiCE
	}
	it, err := ob.Add(ctx, submit.Draft{Service: c.BaseURL(), Account: account, Procedure: procedure, Level: p.Level, MediaType: media, Path: path})
	if err != nil {
		t.Fatal(err)
	}
	return ob.Send(ctx, it.ID, submit.Sender{Client: c, Journal: j, Session: session, Retry: submit.RetryPolicy{Attempts: 2, Base: 10 * time.Millisecond}})
}

func loginWith(c *submit.Client, password string) func(context.Context, string, bool) (string, error) {
	return func(ctx context.Context, account string, _ bool) (string, error) {
		s, err := c.Login(ctx, account, password)
		if err != nil {
			return "", err
		}
		return s.Token, nil
	}
}

func TestEachLevelIsFiledByTheRightUserAtTheReferenceService(t *testing.T) {
	w := startReference(t)
	c := w.client(t)
	ctx := context.Background()
	list, err := c.Procedures(ctx)
	if err != nil || len(list) != len(service.Catalogue()) {
		t.Fatalf("catalogue: %d procedures, %v", len(list), err)
	}
	residentID, residentPW := w.register(t, c, w.resident, submit.UserResident)
	companyID, companyPW := w.register(t, c, w.corporate, submit.UserCompany)

	t.Run("an anonymous resident files bulky waste collection (none) and asks with the inquiry number", func(t *testing.T) {
		rec, err := send(t, c, service.ProcBulkyWaste, w.form(t, service.ProcBulkyWaste, map[string]any{"name": "高橋　花子", "address": "東京都千代田区霞が関二丁目１番２号"}, service.SampleFields(service.ProcBulkyWaste)), "", nil)
		if err != nil {
			t.Fatal(err)
		}
		if rec.InquiryNumber == "" {
			t.Fatal("no inquiry number")
		}
		st, err := c.Status(ctx, rec.ArrivalNumber, submit.Auth{InquiryNumber: rec.InquiryNumber})
		if err != nil || st.ArrivalNumber != rec.ArrivalNumber {
			t.Fatalf("status: %v", err)
		}
	})
	t.Run("a resident logs in and files the dog registration change (idpw)", func(t *testing.T) {
		rec, err := send(t, c, service.ProcDogRegistration, w.form(t, service.ProcDogRegistration, map[string]any{"name": "高橋　花子", "address": "東京都千代田区霞が関二丁目１番２号"}, service.SampleFields(service.ProcDogRegistration)), residentID, loginWith(c, residentPW))
		if err != nil {
			t.Fatal(err)
		}
		s, _ := c.Login(ctx, residentID, residentPW)
		if _, err := c.Status(ctx, rec.ArrivalNumber, submit.Auth{Token: s.Token}); err != nil {
			t.Fatalf("status as owner: %v", err)
		}
	})
	t.Run("a resident signs the move-out notification (signature) without logging in", func(t *testing.T) {
		pkg := w.sign(t, w.form(t, service.ProcMoveOut, w.residentApplicant, service.SampleFields(service.ProcMoveOut)), w.resident)
		if _, err := send(t, c, service.ProcMoveOut, pkg, "", nil); err != nil {
			t.Fatal(err)
		}
	})
	t.Run("the account holder logs in and signs the child allowance claim (idpw+signature)", func(t *testing.T) {
		pkg := w.sign(t, w.form(t, service.ProcChildAllowance, w.residentApplicant, service.SampleFields(service.ProcChildAllowance)), w.resident)
		if _, err := send(t, c, service.ProcChildAllowance, pkg, residentID, loginWith(c, residentPW)); err != nil {
			t.Fatal(err)
		}
	})
	t.Run("a company logs in by certificate and files the bidding qualification (idpw+signature)", func(t *testing.T) {
		pkg := w.sign(t, w.form(t, service.ProcBidQualification, w.corporateApplicant, service.SampleFields(service.ProcBidQualification)), w.corporate)
		certLogin := func(ctx context.Context, _ string, _ bool) (string, error) {
			ch, err := c.NewChallenge(ctx)
			if err != nil {
				return "", err
			}
			cl, err := submit.SignChallenge(*ch, w.corporate)
			if err != nil {
				return "", err
			}
			s, err := c.CertificateLogin(ctx, *cl)
			if err != nil {
				return "", err
			}
			if s.AccountID != companyID {
				t.Errorf("certificate login as %s, want %s", s.AccountID, companyID)
			}
			return s.Token, nil
		}
		if _, err := send(t, c, service.ProcBidQualification, pkg, companyID, certLogin); err != nil {
			t.Fatal(err)
		}
		// A second application (another form): the same form signed again
		// within the second is the same signature, which the service
		// already holds (already-received).
		second := service.SampleFields(service.ProcBidQualification)
		second["employees"] = 26
		if _, err := send(t, c, service.ProcBidQualification, w.sign(t, w.form(t, service.ProcBidQualification, w.corporateApplicant, second), w.corporate), companyID, loginWith(c, companyPW)); err != nil {
			t.Fatalf("with the password: %v", err)
		}
	})
}

func TestTheReferenceServiceRefusesForTheRightReason(t *testing.T) {
	w := startReference(t)
	c := w.client(t)
	ctx := context.Background()
	residentID, residentPW := w.register(t, c, w.resident, submit.UserResident)
	otherApplicant := map[string]any{"name": "佐藤　次郎", "birth_date": "1990-01-01", "sex": "1", "address": "東京都千代田区九段南一丁目２番１号"}
	moveOut := func(cred signer.Credential, applicant map[string]any) string {
		return w.sign(t, w.form(t, service.ProcMoveOut, applicant, service.SampleFields(service.ProcMoveOut)), cred)
	}
	tampered := func() string {
		src := moveOut(w.resident, w.residentApplicant)
		return tamper(t, src, func(name string, data []byte) []byte {
			if name == "form.json" {
				return bytes.Replace(data, []byte("継続利用する"), []byte("継続利用しない"), 1)
			}
			return data
		})
	}
	tests := []struct {
		name      string
		procedure string
		path      func() string
		account   string
		session   func(context.Context, string, bool) (string, error)
		want      submit.Reason
	}{
		{"an ID/password procedure without a login is refused", service.ProcDogRegistration,
			func() string {
				return w.form(t, service.ProcDogRegistration, map[string]any{"name": "高橋　花子", "address": "東京都千代田区霞が関二丁目１番２号"}, service.SampleFields(service.ProcDogRegistration))
			},
			"", nil, submit.ReasonLoginRequired},
		{"a signature procedure without a signature is refused", service.ProcMoveOut,
			func() string {
				return w.form(t, service.ProcMoveOut, w.residentApplicant, service.SampleFields(service.ProcMoveOut))
			},
			"", nil, submit.ReasonSignatureRequired},
		{"a claim signed by someone other than the account holder is refused", service.ProcChildAllowance,
			func() string {
				return w.sign(t, w.form(t, service.ProcChildAllowance, otherApplicant, service.SampleFields(service.ProcChildAllowance)), w.other)
			},
			residentID, loginWith(c, residentPW), submit.ReasonSignerNotHolder},
		{"a revoked certificate is refused", service.ProcMoveOut,
			func() string { return moveOut(w.revoked, w.residentApplicant) }, "", nil, submit.ReasonCertificateRevoked},
		{"a form whose applicant is not the certificate's holder is refused", service.ProcMoveOut,
			func() string {
				return moveOut(w.resident, otherApplicant)
			}, "", nil, submit.ReasonIdentityMismatch},
		{"a tampered package is refused", service.ProcMoveOut, tampered, "", nil, submit.ReasonSignatureInvalid},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			level := submit.LevelNone
			if p, err := c.Procedure(ctx, tt.procedure); err == nil {
				level = p.Level
			}
			path := tt.path()
			media := submit.MediaJSON
			if data, _ := os.ReadFile(path); bytes.HasPrefix(data, []byte("PK")) {
				media = submit.MediaASiCE
			}
			dir := t.TempDir()
			ob, _ := submit.OpenOutbox(dir)
			j, _ := submit.OpenJournal(filepath.Join(dir, "receipts.jsonl"))
			account := tt.account
			if level.NeedsLogin() && account == "" {
				// Queue it as if logged in, then send without a session.
				account = "nobody"
			}
			it, err := ob.Add(ctx, submit.Draft{Service: c.BaseURL(), Account: account, Procedure: tt.procedure, Level: level, MediaType: media, Path: path})
			if err != nil {
				t.Fatal(err)
			}
			if level.NeedsLogin() && tt.session == nil {
				body, _ := os.ReadFile(path)
				_, _, err = c.Submit(ctx, submit.Application{Procedure: tt.procedure, IdempotencyKey: it.IdempotencyKey, MediaType: media,
					Body: bytes.NewReader(body), Size: int64(len(body))})
			} else {
				_, err = ob.Send(ctx, it.ID, submit.Sender{Client: c, Journal: j, Session: tt.session, Retry: submit.RetryPolicy{Attempts: 1}})
				var se *submit.SendError
				if errors.As(err, &se) && se.Refused {
					if refused, _ := ob.Refused(); len(refused) != 1 || refused[0].Problem == nil || refused[0].Problem.Reason != tt.want {
						t.Fatalf("refused area: %+v", refused)
					}
				}
			}
			if !submit.IsReason(err, tt.want) {
				t.Fatalf("err = %v, want reason %s", err, tt.want)
			}
		})
	}
	t.Run("an unknown procedure is refused", func(t *testing.T) {
		if _, err := c.Procedure(ctx, "no-such-procedure"); !submit.IsReason(err, submit.ReasonUnknownProcedure) && !submit.IsReason(err, submit.ReasonNotFound) {
			t.Fatalf("%v", err)
		}
	})
	t.Run("a replayed key with other content is refused and the same content gets the same receipt", func(t *testing.T) {
		key := submit.NewIdempotencyKey()
		a := []byte(mustJSON(t, submit.FormDocument{Procedure: service.ProcBulkyWaste, Applicant: map[string]any{"name": "高橋　花子", "address": "東京都千代田区霞が関二丁目１番２号"}, Fields: service.SampleFields(service.ProcBulkyWaste)}))
		first, replay, err := c.Submit(ctx, submit.Application{Procedure: service.ProcBulkyWaste, IdempotencyKey: key, MediaType: submit.MediaJSON, Body: bytes.NewReader(a), Size: int64(len(a))})
		if err != nil || replay {
			t.Fatalf("first: %v", err)
		}
		again, replay, err := c.Submit(ctx, submit.Application{Procedure: service.ProcBulkyWaste, IdempotencyKey: key, MediaType: submit.MediaJSON, Body: bytes.NewReader(a), Size: int64(len(a))})
		if err != nil || !replay || again.ArrivalNumber != first.ArrivalNumber {
			t.Fatalf("replay: %+v, %v, %v", again, replay, err)
		}
		b := bytes.Replace(a, []byte("椅子 1"), []byte("椅子 2"), 1)
		_, _, err = c.Submit(ctx, submit.Application{Procedure: service.ProcBulkyWaste, IdempotencyKey: key, MediaType: submit.MediaJSON, Body: bytes.NewReader(b), Size: int64(len(b))})
		if !submit.IsReason(err, submit.ReasonIdempotencyConflict) {
			t.Fatalf("other content: %v", err)
		}
	})
}

func mustJSON(t *testing.T, v any) string {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// tamper rewrites a package's entries through change, keeping the
// signature as it was.
func tamper(t *testing.T, src string, change func(name string, data []byte) []byte) string {
	t.Helper()
	zr, err := zip.OpenReader(src)
	if err != nil {
		t.Fatal(err)
	}
	defer zr.Close()
	out := filepath.Join(t.TempDir(), "tampered.asice")
	f, err := os.Create(out)
	if err != nil {
		t.Fatal(err)
	}
	zw := zip.NewWriter(f)
	for _, e := range zr.File {
		rc, err := e.Open()
		if err != nil {
			t.Fatal(err)
		}
		data, _ := io.ReadAll(rc)
		rc.Close()
		data = change(e.Name, data)
		w, err := zw.CreateHeader(&zip.FileHeader{Name: e.Name, Method: zip.Store})
		if err != nil {
			t.Fatal(err)
		}
		w.Write(data)
	}
	zw.Close()
	f.Close()
	return out
}
