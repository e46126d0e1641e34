//go:build cgo && linux

package flow_test

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/shinsei-app/shinsei/certcheck"
	"github.com/shinsei-app/shinsei/flow"
	"github.com/shinsei-app/shinsei/internal/fsx/fsxtest"
	"github.com/shinsei-app/shinsei/internal/testenv"
	"github.com/shinsei-app/shinsei/pkcs11"
	"github.com/shinsei-app/shinsei/sandbox/pki"
	"github.com/shinsei-app/shinsei/sandbox/service"
	"github.com/shinsei-app/shinsei/sandbox/vcard"
	"github.com/shinsei-app/shinsei/submit"
)

func TestACertificateKeptInTheKeyringMakesTheNextPrecheckNeedNoPIN(t *testing.T) {
	cs := testenv.Cards(t)
	card := cs.Insert(t, vcard.ScenarioHealthy)
	svc := startService(t, cs.Issuer.PKI, cs.Issuer.Registry)
	a, _ := openApp(t, svc, cs.Issuer.PKI, []*pkcs11.Library{cs.Lib}, func(c *flow.Config) { c.TriesReader = nil })
	ctx := context.Background()

	cardToken := func() flow.FoundToken {
		t.Helper()
		found, err := a.FindCredentials(ctx)
		if err != nil {
			t.Fatal(err)
		}
		for _, tok := range found.Tokens {
			if tok.MyNumberCard {
				return tok
			}
		}
		t.Fatalf("no My Number card among %+v", found.Tokens)
		return flow.FoundToken{}
	}
	before := cardToken()
	switch {
	case before.SignatureCert != nil || before.CertKept:
		t.Errorf("the signature certificate is known before any PIN on a new card")
	case !before.TriesExact || before.PIN.TriesLeft != vcard.SignaturePINTries:
		t.Errorf("tries %+v (exact %v); want the exact %d read over PC/SC", before.PIN, before.TriesExact, vcard.SignaturePINTries)
	case before.CACert == nil || before.AuthCert == nil:
		t.Errorf("CA certificate %v, authentication certificate %v: both are readable without a PIN", before.CACert != nil, before.AuthCert != nil)
	}

	r := &recorder{pin: vcard.SignaturePIN}
	proc, doc := form(t, a, service.ProcMoveOut, card.SignatureCredential().Cert)
	if _, rec, err := a.SignAndSubmit(ctx, flow.SignRequest{Procedure: proc.Procedure, Form: doc, Credential: before.Choice()}, "", r.callbacks()); err != nil || rec == nil {
		t.Fatalf("sign and submit with the card: %v", err)
	}
	// One PIN entry: the card sees it twice, at the login and at the
	// signature key's context-specific login, and spends no try.
	if st, sig := card.Stats(), tries(card); r.pinCalls != 1 || st.SignatureVerifies != 2 || st.Signatures != 1 || sig != vcard.SignaturePINTries {
		t.Fatalf("PIN asked %d times; the card saw %d PIN verifications, made %d signatures and has %d tries left; want 1, 2, 1, %d",
			r.pinCalls, st.SignatureVerifies, st.Signatures, sig, vcard.SignaturePINTries)
	}

	after := cardToken()
	if !after.CertKept || after.SignatureCert == nil || !after.SignatureCert.Equal(card.SignatureCredential().Cert) {
		t.Fatalf("after one use: kept %v, certificate %v; want the card's signature certificate from the keyring", after.CertKept, after.SignatureCert != nil)
	}
	p := a.Precheck(ctx, after.SignatureCert, doc, &proc.Procedure)
	if !p.OK() {
		t.Errorf("pre-check from the kept certificate: %v", p)
	}
	for _, field := range []string{"name", "birth_date", "sex", "address"} {
		if l, ok := p.Line(flow.LineIdentity, field); !ok || l.Level != flow.Green {
			t.Errorf("identity %s: %+v", field, l)
		}
	}
	if st := card.Stats(); st.SignatureVerifies != 2 {
		t.Errorf("the pre-check from the keyring made the card verify a PIN (%d verifications)", st.SignatureVerifies)
	}
	if err := a.ForgetCertificate(ctx, after.Label, after.Serial); err != nil {
		t.Fatal(err)
	}
	if again := cardToken(); again.SignatureCert != nil {
		t.Errorf("the certificate is still known after it was forgotten")
	}
}

func TestAnOfficialNoticeFromTheServiceIsVerifiedInThreeParts(t *testing.T) {
	w := getWorld(t)
	svc := startService(t, w.pki, w.reg)
	a, _ := openApp(t, svc, w.pki, nil)
	ctx := context.Background()
	rep, err := a.VerifyNotice(ctx, noticeFrom(t, a, svc, w))
	if err != nil {
		t.Fatal(err)
	}
	if rep.Integrity.Level != flow.Green || rep.Certificate.Level != flow.Green || rep.Revocation.Level == flow.Red || !rep.OK() {
		t.Fatalf("notice: integrity %+v, certificate %+v, revocation %+v", rep.Integrity, rep.Certificate, rep.Revocation)
	}
	if m := rep.Certificate.Message.Ja; !strings.Contains(m, "LGPKI") || !strings.Contains(m, rep.Official) {
		t.Errorf("the certificate answer says %q, want the LGPKI official who signed", m)
	}
	// Offline and without the service's VA, revocation is not known: amber,
	// with what to do.
	if rep.Revocation.Level != flow.Amber || rep.Revocation.Todo.IsZero() {
		t.Errorf("offline, the revocation answer is %+v, want amber with what to do", rep.Revocation)
	}
	// Said for a notice: no promise that the service checks it on arrival.
	if m := rep.Revocation.Message.Ja + rep.Revocation.Todo.Ja; strings.Contains(m, "受付時") || !strings.Contains(m, "職員の証明書") {
		t.Errorf("the revocation answer of a notice says %q, want words written for a notice", m)
	}
	if rep.Domain != certcheck.DomainLGPKI || rep.Official == "" {
		t.Errorf("signed in domain %q by %q; want an LGPKI official", rep.Domain, rep.Official)
	}

	t.Run("an altered copy fails on integrity alone, its certificate still shown apart", func(t *testing.T) {
		data, err := os.ReadFile(rep.Path)
		if err != nil {
			t.Fatal(err)
		}
		i := bytes.Index(data, []byte("12月10日"))
		if i < 0 {
			t.Fatal("the notice's text is not in the package as stored")
		}
		copy(data[i:], "11")
		altered := filepath.Join(fsxtest.TempDir(t), "altered.asice")
		if err := os.WriteFile(altered, data, 0o600); err != nil {
			t.Fatal(err)
		}
		rep, err := a.VerifyNotice(ctx, flow.NoticeRef{Path: altered})
		if err != nil {
			t.Fatal(err)
		}
		if rep.Integrity.Level != flow.Red || rep.Integrity.Todo.IsZero() || rep.Certificate.Level != flow.Green || rep.OK() {
			t.Errorf("altered notice: integrity %+v, certificate %+v", rep.Integrity, rep.Certificate)
		}
	})
}

func TestANoticeSignedWithARevokedOfficialCertificateIsRedOnRevocationAlone(t *testing.T) {
	w := getWorld(t)
	official, err := w.pki.IssueOfficial("千代田区長")
	if err != nil {
		t.Fatal(err)
	}
	w.reg.Record(w.pki.LGPKIRoot, w.pki.LGPKIOrg.Cert)
	w.reg.Record(w.pki.LGPKIOrg, official.Cert)
	if err := w.reg.Revoke(w.pki.LGPKIOrg, official.Cert.SerialNumber, pki.ReasonKeyCompromise, time.Now().Add(-time.Hour)); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	svc, err := service.Start(ctx, service.Config{PKI: w.pki, Registry: w.reg, Official: official})
	if err != nil {
		cancel()
		t.Fatal(err)
	}
	t.Cleanup(func() { svc.Close(); cancel() })
	a, _ := openApp(t, svc, w.pki, nil, func(c *flow.Config) { c.ServiceVA = svc.VACert() })
	rep, err := a.VerifyNotice(ctx, noticeFrom(t, a, svc, w))
	if err != nil {
		t.Fatal(err)
	}
	if rep.Integrity.Level != flow.Green || rep.Certificate.Level != flow.Green || !strings.Contains(rep.Certificate.Message.Ja, "LGPKI") {
		t.Errorf("integrity %+v, certificate %+v; want both green, the certificate an LGPKI official's", rep.Integrity, rep.Certificate)
	}
	if r := rep.Revocation; r.Level != flow.Red || !strings.Contains(r.Message.Ja, "失効しています") || r.Todo.IsZero() {
		t.Errorf("the revocation answer is %+v, want red saying it is revoked, with what to do", r)
	}
	if rep.OK() {
		t.Error("a notice signed with a revoked certificate is judged OK")
	}
}

// noticeFrom files an anonymous application at svc, has the service
// complete it with a notice, and returns where to fetch the notice.
func noticeFrom(t *testing.T, a *flow.App, svc *service.Service, w *world) flow.NoticeRef {
	t.Helper()
	ctx := context.Background()
	proc, doc := form(t, a, service.ProcBulkyWaste, w.resident.Cert)
	rec, err := a.Submit(ctx, flow.SubmitRequest{Procedure: &proc.Procedure, Form: doc}, flow.Callbacks{})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := svc.Advance(ctx, rec.ArrivalNumber, service.SandboxAdvance{Status: submit.StatusCompleted,
		Notice: &service.SandboxNotice{TitleJA: "粗大ごみ収集日のお知らせ", TitleEN: "Collection date", BodyJA: "12月10日に収集します。"}}); err != nil {
		t.Fatal(err)
	}
	st, err := a.RefreshStatus(ctx, rec.ArrivalNumber)
	if err != nil || len(st.Notices) != 1 {
		t.Fatalf("status %+v, %v; want one notice", st, err)
	}
	return flow.NoticeRef{Arrival: rec.ArrivalNumber, ID: st.Notices[0].ID}
}

func TestTheClockIsComparedWithTheServicesDate(t *testing.T) {
	w := getWorld(t)
	svc := startService(t, w.pki, w.reg)
	ctx := context.Background()
	tests := []struct {
		name string
		off  time.Duration
		want flow.Level
	}{
		{"a clock within a minute is green", 0, flow.Green},
		{"a clock seven minutes slow is amber", -7 * time.Minute, flow.Amber},
		{"a clock twenty minutes fast is red and stops signing", 20 * time.Minute, flow.Red},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			a, _ := openApp(t, svc, w.pki, nil, func(c *flow.Config) {
				c.Now = func() time.Time { return time.Now().Add(tc.off) }
			})
			proc, doc := form(t, a, service.ProcMoveOut, w.resident.Cert)
			p := a.Precheck(ctx, w.resident.Cert, doc, &proc.Procedure)
			l, ok := p.Line(flow.LineClock, "")
			if !ok || l.Level != tc.want {
				t.Fatalf("clock line %+v (skew %s); want %s", l, p.ClockSkew, tc.want)
			}
			if p.OK() != (tc.want != flow.Red) {
				t.Errorf("OK %v with a %s clock line", p.OK(), l.Level)
			}
		})
	}
}

func tries(card *vcard.Card) int {
	sig, _ := card.TriesLeft()
	return sig
}
