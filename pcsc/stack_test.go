//go:build cgo && linux

package pcsc_test

import (
	"bytes"
	"context"
	"crypto"
	"crypto/rand"
	"crypto/sha256"
	"crypto/x509"
	"encoding/pem"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"

	"github.com/shinsei-app/shinsei/identity"
	"github.com/shinsei-app/shinsei/internal/testenv"
	"github.com/shinsei-app/shinsei/internal/testenv/tool"
	"github.com/shinsei-app/shinsei/pcsc"
	"github.com/shinsei-app/shinsei/pkcs11"
	"github.com/shinsei-app/shinsei/sandbox/pki"
	"github.com/shinsei-app/shinsei/sandbox/vcard"
	"github.com/shinsei-app/shinsei/signer"
)

// These tests run the real Linux stack: the sandbox's virtual My Number
// card → vpcd → a private pcscd → OpenSC's JPKI driver → opensc-pkcs11.so
// → package pkcs11, with pcsc.JPKITries reading the exact tries left. One
// stack serves the whole test binary; each test inserts the card of its
// scenario.

func TestMain(m *testing.M) { os.Exit(testenv.CardMain(m)) }

var ctx = context.Background()

// prompter answers PIN prompts and records them. It never prints the PIN.
type prompter struct {
	pin     string
	confirm bool
	calls   int
	req     pkcs11.PINRequest
}

func (p *prompter) prompt(_ context.Context, req pkcs11.PINRequest) (pkcs11.PINAnswer, error) {
	p.calls++
	p.req = req
	return pkcs11.PINAnswer{PIN: []byte(p.pin), ConfirmFinalTry: p.confirm}, nil
}

func rightPIN() *prompter { return &prompter{pin: vcard.SignaturePIN} }

// open opens one of the card's tokens with the exact tries read through
// PC/SC.
func open(t testing.TB, cs *testenv.CardStack, label string) *pkcs11.Token {
	t.Helper()
	tok, err := cs.Lib.OpenToken(ctx, pkcs11.Selector{Label: label}, pkcs11.WithTriesReader(pcsc.JPKITries{}))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { tok.Close() })
	return tok
}

// listed returns the PIN status OpenSC's flags alone give for label.
func listed(t *testing.T, cs *testenv.CardStack, label string) pkcs11.PINStatus {
	t.Helper()
	tokens, err := cs.Lib.Tokens(ctx)
	if err != nil {
		t.Fatal(err)
	}
	for _, tok := range tokens {
		if tok.Label == label {
			return tok.PIN
		}
	}
	t.Fatalf("OpenSC does not list %q", label)
	return pkcs11.PINStatus{}
}

// signatureCert logs in and returns the signature certificate (CKA_ID 02),
// readable only after the signature PIN.
func signatureCert(t *testing.T, tok *pkcs11.Token) *x509.Certificate {
	t.Helper()
	if err := tok.Login(ctx, rightPIN().prompt); err != nil {
		t.Fatal(err)
	}
	certs, err := tok.Certificates(ctx)
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range certs {
		if bytes.Equal(c.ID, []byte{2}) {
			return c.Cert
		}
	}
	t.Fatalf("no signature certificate among %d certificates", len(certs))
	return nil
}

// verifies is the number of VERIFY commands with a PIN the card received.
func verifies(card *vcard.Card) int {
	st := card.Stats()
	return st.SignatureVerifies + st.AuthVerifies
}

var (
	fresh    = pkcs11.PINStatus{TriesLeft: 5}
	final    = pkcs11.PINStatus{FinalTry: true, TriesLeft: 1}
	locked   = pkcs11.PINStatus{Locked: true, TriesLeft: 0}
	unknown  = pkcs11.PINStatus{TriesLeft: -1}
	document = []byte("申請書 (test form)")
)

func TestVirtualMyNumberCardThroughOpenSC(t *testing.T) {
	cs := testenv.Cards(t)
	cases := []struct {
		name     string
		scenario vcard.Scenario
		run      func(t *testing.T, cs *testenv.CardStack, card *vcard.Card)
	}{
		{"a healthy card signs twice after one PIN entry and openssl verifies the signature", vcard.ScenarioHealthy, func(t *testing.T, cs *testenv.CardStack, card *vcard.Card) {
			if got := listed(t, cs, pkcs11.JPKISignatureLabel); got != unknown {
				t.Errorf("OpenSC's flags give %+v, want nothing known", got)
			}
			tok := open(t, cs, pkcs11.JPKISignatureLabel)
			if got := tok.Info().PIN; got != fresh {
				t.Errorf("status read through PC/SC %+v, want %+v", got, fresh)
			}
			p := rightPIN()
			if err := tok.Login(ctx, p.prompt); err != nil {
				t.Fatal(err)
			}
			if p.req.Status != fresh || p.req.Policy != pkcs11.PolicyJPKISignature {
				t.Errorf("the prompt was told %+v, policy %v", p.req.Status, p.req.Policy)
			}
			key, err := tok.Signer(ctx, nil)
			if err != nil {
				t.Fatal(err)
			}
			if !key.Info().AlwaysAuthenticate || !bytes.Equal(key.Info().ID, []byte{2}) {
				t.Errorf("key %x, always authenticate %v; want 02 with user consent", key.Info().ID, key.Info().AlwaysAuthenticate)
			}
			digest := sha256.Sum256(document)
			var sig []byte
			for range 2 {
				if sig, err = key.Sign(rand.Reader, digest[:], crypto.SHA256); err != nil {
					t.Fatal(err)
				}
			}
			opensslVerify(t, key.Info().Certificate, document, sig)
			st := card.Stats()
			// One C_Login and one context-specific login per signature,
			// all from the one entry.
			if p.calls != 1 || st.SignatureVerifies != 3 || st.AuthVerifies != 0 || st.Signatures != 2 {
				t.Errorf("%d prompts, card stats %+v; want 1 prompt, 3 signature VERIFYs, 2 signatures", p.calls, st)
			}
			if auth := open(t, cs, pkcs11.JPKIAuthLabel); auth.Info().PIN != (pkcs11.PINStatus{TriesLeft: 3}) {
				t.Errorf("authentication PIN %+v, want 3 tries left", auth.Info().PIN)
			}
		}},
		{"a wrong signature password reports 4 tries left and spends exactly one try", vcard.ScenarioHealthy, func(t *testing.T, cs *testenv.CardStack, card *vcard.Card) {
			tok := open(t, cs, pkcs11.JPKISignatureLabel)
			var pinErr *pkcs11.PINError
			err := tok.Login(ctx, (&prompter{pin: "WRONG2026"}).prompt)
			if !errors.As(err, &pinErr) {
				t.Fatalf("got %v, want a *PINError", err)
			}
			if want := (pkcs11.PINStatus{CountLow: true, TriesLeft: 4}); pinErr.Status != want {
				t.Errorf("status after the wrong PIN %+v, want %+v", pinErr.Status, want)
			}
			if sig, _ := card.TriesLeft(); sig != 4 || verifies(card) != 1 {
				t.Errorf("card has %d tries left after %d VERIFYs, want 4 after 1", sig, verifies(card))
			}
			if got := listed(t, cs, pkcs11.JPKISignatureLabel); got != (pkcs11.PINStatus{CountLow: true, TriesLeft: -1}) {
				t.Errorf("OpenSC's flags give %+v, want count low only", got)
			}
		}},
		{"one try left is reported as final before any login and an unconfirmed answer never reaches the card", vcard.ScenarioFinalTry, func(t *testing.T, cs *testenv.CardStack, card *vcard.Card) {
			if got := listed(t, cs, pkcs11.JPKISignatureLabel); got != final {
				t.Errorf("OpenSC's flags give %+v, want %+v", got, final)
			}
			tok := open(t, cs, pkcs11.JPKISignatureLabel)
			if got := tok.Info().PIN; got != final {
				t.Errorf("status before login %+v, want %+v", got, final)
			}
			p := rightPIN()
			if err := tok.Login(ctx, p.prompt); !errors.Is(err, pkcs11.ErrFinalTryNotConfirmed) {
				t.Fatalf("got %v, want ErrFinalTryNotConfirmed", err)
			}
			if p.req.Status != final || verifies(card) != 0 {
				t.Errorf("the prompt was told %+v; the card got %d VERIFYs, want none", p.req.Status, verifies(card))
			}
			p.confirm = true
			if err := tok.Login(ctx, p.prompt); err != nil {
				t.Fatal(err)
			}
			if st, err := tok.Status(ctx); err != nil || st != fresh || verifies(card) != 1 {
				t.Errorf("after the confirmed right PIN: %+v (%v) after %d VERIFYs, want %+v after 1", st, err, verifies(card), fresh)
			}
		}},
		{"a locked card is still listed, reported locked, and neither the prompt nor the card is asked for a PIN", vcard.ScenarioLocked, func(t *testing.T, cs *testenv.CardStack, card *vcard.Card) {
			if got := listed(t, cs, pkcs11.JPKISignatureLabel); got != locked {
				t.Errorf("OpenSC's flags give %+v, want %+v", got, locked)
			}
			tok := open(t, cs, pkcs11.JPKISignatureLabel)
			p := rightPIN()
			p.confirm = true
			if err := tok.Login(ctx, p.prompt); !errors.Is(err, pkcs11.ErrPINLocked) {
				t.Errorf("got %v, want ErrPINLocked", err)
			}
			if p.calls != 0 || verifies(card) != 0 {
				t.Errorf("%d prompts, %d VERIFYs; want none", p.calls, verifies(card))
			}
			if auth := open(t, cs, pkcs11.JPKIAuthLabel); auth.Info().PIN != (pkcs11.PINStatus{TriesLeft: 3}) {
				t.Errorf("the authentication PIN %+v, want untouched", auth.Info().PIN)
			}
		}},
		{"reading statuses, tokens, keys and certificates never spends a try", vcard.ScenarioHealthy, func(t *testing.T, cs *testenv.CardStack, card *vcard.Card) {
			for range 3 {
				for _, label := range []string{pkcs11.JPKISignatureLabel, pkcs11.JPKIAuthLabel} {
					tok := open(t, cs, label)
					if _, err := tok.Status(ctx); err != nil {
						t.Fatal(err)
					}
					if _, err := tok.Certificates(ctx); err != nil {
						t.Fatal(err)
					}
					if _, err := tok.Keys(ctx); err != nil {
						t.Fatal(err)
					}
					if _, err := tok.Signer(ctx, nil); !errors.Is(err, pkcs11.ErrNotLoggedIn) {
						t.Errorf("Signer before login: %v", err)
					}
					tok.Close()
				}
				listed(t, cs, pkcs11.JPKISignatureLabel)
			}
			st := card.Stats()
			if verifies(card) != 0 || st.TriesQueries == 0 {
				t.Errorf("card stats %+v; want tries read without any VERIFY carrying a PIN", st)
			}
			if sig, auth := card.TriesLeft(); sig != 5 || auth != 3 {
				t.Errorf("tries left %d and %d, want 5 and 3", sig, auth)
			}
		}},
		{"an expired certificate is read after login and fails path validation as expired", vcard.ScenarioExpired, func(t *testing.T, cs *testenv.CardStack, card *vcard.Card) {
			cert := signatureCert(t, open(t, cs, pkcs11.JPKISignatureLabel))
			if !cert.NotAfter.Before(time.Now()) {
				t.Errorf("NotAfter %v is not past", cert.NotAfter)
			}
			_, err := cert.Verify(x509.VerifyOptions{Roots: pool(cs.Issuer.PKI.JPKISign.Cert), KeyUsages: []x509.ExtKeyUsage{x509.ExtKeyUsageAny}})
			var inv x509.CertificateInvalidError
			if !errors.As(err, &inv) || inv.Reason != x509.Expired {
				t.Errorf("validation says %v, want expired", err)
			}
		}},
		{"a revoked certificate looks normal on the card and the sandbox marks its serial revoked", vcard.ScenarioRevoked, func(t *testing.T, cs *testenv.CardStack, card *vcard.Card) {
			cert := signatureCert(t, open(t, cs, pkcs11.JPKISignatureLabel))
			if card.RevokedSerial() == nil || cert.SerialNumber.Cmp(card.RevokedSerial()) != 0 {
				t.Fatal("the certificate read is not the one marked revoked")
			}
			if _, err := cert.Verify(x509.VerifyOptions{Roots: pool(cs.Issuer.PKI.JPKISign.Cert), KeyUsages: []x509.ExtKeyUsage{x509.ExtKeyUsageAny}}); err != nil {
				t.Errorf("the revoked certificate should still validate as a path: %v", err)
			}
			if st, rev := cs.Issuer.Registry.Status(cs.Issuer.PKI.JPKISign, cert.SerialNumber); st != pki.CertRevoked {
				t.Errorf("the sandbox registry says %v (%v), want revoked", st, rev.Reason)
			}
		}},
		{"an old-generation certificate chains only to the previous root of the same name", vcard.ScenarioOldGeneration, func(t *testing.T, cs *testenv.CardStack, card *vcard.Card) {
			cert := signatureCert(t, open(t, cs, pkcs11.JPKISignatureLabel))
			old, cur := cs.Issuer.PKI.JPKISignOld.Cert, cs.Issuer.PKI.JPKISign.Cert
			if !bytes.Equal(cert.RawIssuer, old.RawSubject) || !bytes.Equal(cert.RawIssuer, cur.RawSubject) {
				t.Error("the issuer name should be the one both generations share")
			}
			if !bytes.Equal(cert.AuthorityKeyId, old.SubjectKeyId) || bytes.Equal(cert.AuthorityKeyId, cur.SubjectKeyId) {
				t.Error("the authority key identifier should name the previous generation's key")
			}
			if err := cert.CheckSignatureFrom(old); err != nil {
				t.Errorf("not signed by the previous generation: %v", err)
			}
			if err := cert.CheckSignatureFrom(cur); err == nil {
				t.Error("signed by the current generation too")
			}
		}},
		{"a changed address is an identity mismatch with the sample form and the name still matches", vcard.ScenarioAddressChanged, func(t *testing.T, cs *testenv.CardStack, card *vcard.Card) {
			cert := signatureCert(t, open(t, cs, pkcs11.JPKISignatureLabel))
			person, err := identity.FromJPKI(cert)
			if err != nil {
				t.Fatal(err)
			}
			sample := pki.SampleResident()
			r := identity.MatchPerson(person, identity.Applicant{Name: sample.Name, Address: sample.Address})
			addr, _ := r.Field(identity.FieldAddress)
			name, _ := r.Field(identity.FieldName)
			if r.OK() || addr.Outcome != identity.OutcomeMismatch || name.Outcome == identity.OutcomeMismatch {
				t.Errorf("outcomes: overall %s, address %s, name %s; want an address mismatch only", r.Overall, addr.Outcome, name.Outcome)
			}
		}},
		{"a card without a signature certificate logs in but gives ErrNoCertificate and signs nothing", vcard.ScenarioNoSignatureCert, func(t *testing.T, cs *testenv.CardStack, card *vcard.Card) {
			tok := open(t, cs, pkcs11.JPKISignatureLabel)
			if err := tok.Login(ctx, rightPIN().prompt); err != nil {
				t.Fatal(err)
			}
			certs, err := tok.Certificates(ctx)
			if err != nil {
				t.Fatal(err)
			}
			for _, c := range certs {
				if bytes.Equal(c.ID, []byte{2}) {
					t.Error("a signature certificate is listed")
				}
			}
			if _, err := tok.Signer(ctx, nil); !errors.Is(err, pkcs11.ErrNoCertificate) {
				t.Errorf("got %v, want ErrNoCertificate", err)
			}
			if card.Stats().Signatures != 0 {
				t.Error("the card signed")
			}
		}},
		{"pulling the card out while a package is signed gives ErrCardRemoved, leaves no package, and signing after re-insertion works", vcard.ScenarioRemovedDuringSigning, func(t *testing.T, cs *testenv.CardStack, card *vcard.Card) {
			dir := t.TempDir()
			form := filepath.Join(dir, "form.xml")
			if err := os.WriteFile(form, document, 0o600); err != nil {
				t.Fatal(err)
			}
			out := filepath.Join(dir, "application.asice")
			build := func(tok *pkcs11.Token) error {
				if err := tok.Login(ctx, rightPIN().prompt); err != nil {
					t.Fatal(err)
				}
				key, err := tok.Signer(ctx, nil)
				if err != nil {
					t.Fatal(err)
				}
				cred := signer.Credential{Signer: key, Cert: key.Info().Certificate}
				_, err = signer.Build(ctx, out, []signer.File{{Path: form}}, cred, signer.BuildOptions{})
				return err
			}
			tok := open(t, cs, pkcs11.JPKISignatureLabel)
			if err := build(tok); !errors.Is(err, pkcs11.ErrCardRemoved) {
				t.Fatalf("got %v, want ErrCardRemoved", err)
			}
			if _, err := os.Stat(out); !errors.Is(err, os.ErrNotExist) {
				t.Errorf("a package was left behind: %v", err)
			}
			if _, err := tok.Status(ctx); !errors.Is(err, pkcs11.ErrCardRemoved) {
				t.Errorf("status after removal: %v, want ErrCardRemoved", err)
			}
			if err := tok.Close(); err != nil {
				t.Errorf("Close after removal: %v", err)
			}
			cs.Reinsert(t, card)
			tok = open(t, cs, pkcs11.JPKISignatureLabel)
			if tok.Info().PIN != fresh {
				t.Errorf("after re-insertion %+v, want %+v", tok.Info().PIN, fresh)
			}
			if err := build(tok); err != nil {
				t.Fatal(err)
			}
			report, err := signer.Verify(ctx, out, signer.VerifyOptions{Roots: []*x509.Certificate{cs.Issuer.PKI.JPKISign.Cert}})
			if err != nil || !report.OK() {
				t.Errorf("the package does not verify: %v, integrity %+v, certificate %+v", err, report.Integrity, report.Certificate)
			}
			if st := card.Stats(); st.SignatureVerifies != 4 || st.Signatures != 1 {
				t.Errorf("card stats %+v; want 2 VERIFYs per attempt and 1 signature", st)
			}
		}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			card := cs.Insert(t, c.scenario)
			c.run(t, cs, card)
		})
	}
}

func pool(certs ...*x509.Certificate) *x509.CertPool {
	p := x509.NewCertPool()
	for _, c := range certs {
		p.AddCert(c)
	}
	return p
}

// opensslVerify checks sig over data with openssl dgst, as an independent
// implementation.
func opensslVerify(t *testing.T, cert *x509.Certificate, data, sig []byte) {
	t.Helper()
	openssl := tool.OpenSSL(t)
	dir := t.TempDir()
	pub, err := x509.MarshalPKIXPublicKey(cert.PublicKey)
	if err != nil {
		t.Fatal(err)
	}
	files := map[string][]byte{
		"pub.pem":  pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: pub}),
		"data":     data,
		"data.sig": sig,
	}
	for name, b := range files {
		if err := os.WriteFile(filepath.Join(dir, name), b, 0o600); err != nil {
			t.Fatal(err)
		}
	}
	cmd := exec.Command(openssl, "dgst", "-sha256", "-verify", "pub.pem", "-signature", "data.sig", "data")
	cmd.Dir = dir
	if out, err := cmd.CombinedOutput(); err != nil || !bytes.Contains(out, []byte("Verified OK")) {
		t.Errorf("openssl: %v: %s", err, out)
	}
}
