//go:build cgo

package pkcs11_test

import (
	"bytes"
	"context"
	"crypto"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"errors"
	"fmt"
	"os"
	"slices"
	"strings"
	"sync/atomic"
	"testing"

	p11 "github.com/miekg/pkcs11"

	"github.com/shinsei-app/shinsei/internal/testenv"
	"github.com/shinsei-app/shinsei/pkcs11"
	"github.com/shinsei-app/shinsei/pkcs11/pkcs11test"
	"github.com/shinsei-app/shinsei/sandbox/softhsm"
)

func TestMain(m *testing.M) { os.Exit(testenv.Main(m)) }

const (
	userPIN = "SHINSEI2026"
	soPIN   = "so-pin-2026"
)

// world is a module to run the behaviour suite on.
type world struct {
	lib    *pkcs11.Library
	fake   *pkcs11test.Module // nil on SoftHSM
	logins int                // C_Login calls on the fake when the last token was provisioned
}

// The fake sets tokens up like SoftHSM, so provisioning code runs on it.
var _ pkcs11.Provisioner = (*pkcs11test.Module)(nil)

var backends = []struct {
	name string
	open func(t *testing.T) *world
}{
	{"fake", func(t *testing.T) *world {
		fake := pkcs11test.New()
		lib, err := pkcs11.OpenModule(fake)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { lib.Close() })
		return &world{lib: lib, fake: fake}
	}},
	{"softhsm", func(t *testing.T) *world { return &world{lib: testenv.SoftHSM(t)} }},
}

var labels atomic.Int64

// provision adds a token standing in for the signature side of a My Number
// card: key 01 without and key 02 with CKA_ALWAYS_AUTHENTICATE, each with
// its certificate, and a CA certificate. An empty label picks a new one.
func (w *world) provision(t *testing.T, label string) string {
	t.Helper()
	if label == "" {
		label = fmt.Sprintf("shinsei test %d", labels.Add(1))
	}
	creds := pkcs11.TestCredentials()
	err := softhsm.Provision(context.Background(), w.lib, softhsm.TokenSpec{
		Label: label, SOPIN: soPIN, UserPIN: userPIN,
		Keys: []softhsm.KeySpec{
			{ID: []byte{1}, Label: "User Authentication Key", Key: creds[0].Key, Cert: creds[0].Cert},
			{ID: []byte{2}, Label: "Digital Signature Key", Key: creds[1].Key, Cert: creds[1].Cert,
				Chain: []*x509.Certificate{creds[2].Cert}, AlwaysAuthenticate: true},
		},
	})
	if err != nil {
		t.Fatal(err)
	}
	if w.fake != nil {
		w.logins = w.fake.LoginCalls()
	}
	return label
}

// open opens a token treated as a My Number card signature token.
func (w *world) open(t *testing.T, sel pkcs11.Selector) *pkcs11.Token {
	t.Helper()
	tok, err := w.lib.OpenToken(context.Background(), sel, pkcs11.WithPINPolicy(pkcs11.PolicyJPKISignature))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { tok.Close() })
	return tok
}

// assertLogins checks the number of C_Login calls since the last token was
// provisioned, where they can be counted.
func (w *world) assertLogins(t *testing.T, want int) {
	t.Helper()
	if w.fake == nil {
		return
	}
	if got := w.fake.LoginCalls() - w.logins; got != want {
		t.Errorf("C_Login was called %d times, want %d", got, want)
	}
}

// prompter answers PIN prompts and records them.
type prompter struct {
	pin     string
	confirm bool
	calls   int
	req     pkcs11.PINRequest
	given   []byte // the buffer handed to Login
}

func (p *prompter) prompt(_ context.Context, req pkcs11.PINRequest) (pkcs11.PINAnswer, error) {
	p.calls++
	p.req = req
	p.given = []byte(p.pin)
	return pkcs11.PINAnswer{PIN: p.given, ConfirmFinalTry: p.confirm}, nil
}

func (p *prompter) assertWiped(t *testing.T) {
	t.Helper()
	if slices.ContainsFunc(p.given, func(b byte) bool { return b != 0 }) {
		t.Error("the PIN buffer given to Login was not zeroed")
	}
}

func login(t *testing.T, tok *pkcs11.Token) {
	t.Helper()
	p := &prompter{pin: userPIN}
	if err := tok.Login(context.Background(), p.prompt); err != nil {
		t.Fatal(err)
	}
}

func signAndVerify(t *testing.T, key *pkcs11.Key, h crypto.Hash) {
	t.Helper()
	hh := h.New()
	hh.Write([]byte("申請書"))
	digest := hh.Sum(nil)
	sig, err := key.Sign(rand.Reader, digest, h)
	if err != nil {
		t.Fatalf("%v: %v", h, err)
	}
	if err := rsa.VerifyPKCS1v15(key.Public().(*rsa.PublicKey), h, digest, sig); err != nil {
		t.Errorf("%v: %v", h, err)
	}
	if cert := key.Info().Certificate; cert == nil || !cert.PublicKey.(*rsa.PublicKey).Equal(key.Public()) {
		t.Error("the key's certificate does not carry its public key")
	}
}

var suite = []struct {
	name string
	run  func(t *testing.T, w *world)
}{
	{"provisioned tokens are listed with label, serial and a clean PIN status", func(t *testing.T, w *world) {
		label := w.provision(t, "")
		tokens, err := w.lib.Tokens(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		i := slices.IndexFunc(tokens, func(ti pkcs11.TokenInfo) bool { return ti.Label == label })
		if i < 0 {
			t.Fatalf("token %q not listed", label)
		}
		got := tokens[i]
		if got.Serial == "" || got.Manufacturer == "" || got.MaxPINLen == 0 {
			t.Errorf("incomplete token info %+v", got)
		}
		if got.PIN != (pkcs11.PINStatus{TriesLeft: -1}) || got.Policy != pkcs11.PolicyGeneric {
			t.Errorf("PIN status %+v, policy %v; want clean and generic", got.PIN, got.Policy)
		}
	}},
	{"a token is selected by label and by serial", func(t *testing.T, w *world) {
		label := w.provision(t, "")
		byLabel := w.open(t, pkcs11.Selector{Label: label})
		serial := byLabel.Info().Serial
		bySerial := w.open(t, pkcs11.Selector{Serial: serial})
		if bySerial.Info().Label != label {
			t.Errorf("serial %s selected %q, want %q", serial, bySerial.Info().Label, label)
		}
		if byLabel.Info().Policy != pkcs11.PolicyJPKISignature {
			t.Errorf("policy %v, want the one set by WithPINPolicy", byLabel.Info().Policy)
		}
	}},
	{"two tokens with the same label are ambiguous and the error lists both", func(t *testing.T, w *world) {
		label := w.provision(t, "")
		w.provision(t, label)
		_, err := w.lib.OpenToken(context.Background(), pkcs11.Selector{Label: label})
		var amb *pkcs11.AmbiguousTokenError
		if !errors.Is(err, pkcs11.ErrAmbiguousToken) || !errors.As(err, &amb) || len(amb.Candidates) != 2 {
			t.Fatalf("got %v, want an ambiguity between two tokens", err)
		}
		a, b := amb.Candidates[0].Serial, amb.Candidates[1].Serial
		if a == b || !strings.Contains(err.Error(), a) || !strings.Contains(err.Error(), b) {
			t.Errorf("error %q should list both serials", err)
		}
		if tok := w.open(t, pkcs11.Selector{Label: label, Serial: b}); tok.Info().Serial != b {
			t.Errorf("label and serial selected serial %s, want %s", tok.Info().Serial, b)
		}
	}},
	{"an unknown label or serial gives ErrNoToken", func(t *testing.T, w *world) {
		w.provision(t, "")
		for _, sel := range []pkcs11.Selector{{Label: "no such token"}, {Serial: "0000000000000000"}} {
			if _, err := w.lib.OpenToken(context.Background(), sel); !errors.Is(err, pkcs11.ErrNoToken) {
				t.Errorf("%v: got %v, want ErrNoToken", sel, err)
			}
		}
	}},
	{"a key without CKA_ALWAYS_AUTHENTICATE signs after one login and the signature verifies", func(t *testing.T, w *world) {
		tok := w.open(t, pkcs11.Selector{Label: w.provision(t, "")})
		login(t, tok)
		key, err := tok.Signer(context.Background(), []byte{1})
		if err != nil {
			t.Fatal(err)
		}
		if key.Info().AlwaysAuthenticate {
			t.Error("key 01 reports CKA_ALWAYS_AUTHENTICATE")
		}
		signAndVerify(t, key, crypto.SHA256)
		w.assertLogins(t, 1)
	}},
	{"the signature key 02 with CKA_ALWAYS_AUTHENTICATE is the default and signs twice after one prompt", func(t *testing.T, w *world) {
		tok := w.open(t, pkcs11.Selector{Label: w.provision(t, "")})
		p := &prompter{pin: userPIN}
		if err := tok.Login(context.Background(), p.prompt); err != nil {
			t.Fatal(err)
		}
		key, err := tok.Signer(context.Background(), nil)
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(key.Info().ID, []byte{2}) || !key.Info().AlwaysAuthenticate {
			t.Fatalf("default key %x (always authenticate %v), want 02 with CKA_ALWAYS_AUTHENTICATE", key.Info().ID, key.Info().AlwaysAuthenticate)
		}
		signAndVerify(t, key, crypto.SHA256)
		signAndVerify(t, key, crypto.SHA256)
		if p.calls != 1 {
			t.Errorf("the PIN was asked %d times, want once", p.calls)
		}
		w.assertLogins(t, 3) // the user login, then one context-specific login per signature
	}},
	{"every supported hash gives a signature that verifies", func(t *testing.T, w *world) {
		tok := w.open(t, pkcs11.Selector{Label: w.provision(t, "")})
		login(t, tok)
		key, err := tok.Signer(context.Background(), nil)
		if err != nil {
			t.Fatal(err)
		}
		for _, h := range []crypto.Hash{crypto.SHA1, crypto.SHA224, crypto.SHA256, crypto.SHA384, crypto.SHA512} {
			signAndVerify(t, key, h)
		}
	}},
	{"a lower-case signature password is accepted after upper-casing", func(t *testing.T, w *world) {
		tok := w.open(t, pkcs11.Selector{Label: w.provision(t, "")})
		p := &prompter{pin: strings.ToLower(userPIN)}
		if err := tok.Login(context.Background(), p.prompt); err != nil {
			t.Fatal(err)
		}
		key, err := tok.Signer(context.Background(), nil)
		if err != nil {
			t.Fatal(err)
		}
		signAndVerify(t, key, crypto.SHA256)
		p.assertWiped(t)
	}},
	{"a malformed signature password is refused without any login", func(t *testing.T, w *world) {
		tok := w.open(t, pkcs11.Selector{Label: w.provision(t, "")})
		ctx := context.Background()
		before, err := tok.Status(ctx)
		if err != nil {
			t.Fatal(err)
		}
		for _, bad := range []string{"SHIN5", "SHINSEI-2026", "SHINSEI2026SHINSEI", "申請2026"} {
			p := &prompter{pin: bad}
			err := tok.Login(ctx, p.prompt)
			if !errors.Is(err, pkcs11.ErrPINFormat) || !strings.Contains(err.Error(), "6 to 16 characters") {
				t.Errorf("got %v, want ErrPINFormat saying what is expected", err)
			}
			if err != nil && strings.Contains(err.Error(), bad) {
				t.Error("the error repeats the PIN")
			}
			p.assertWiped(t)
		}
		w.assertLogins(t, 0)
		if after, err := tok.Status(ctx); err != nil || after != before {
			t.Errorf("PIN status went from %+v to %+v (%v)", before, after, err)
		}
		login(t, tok)
	}},
	{"a wrong PIN gives a PINError whose status shows COUNT_LOW and is not retried", func(t *testing.T, w *world) {
		tok := w.open(t, pkcs11.Selector{Label: w.provision(t, "")})
		ctx := context.Background()
		p := &prompter{pin: "WRONG2026"}
		err := tok.Login(ctx, p.prompt)
		var pinErr *pkcs11.PINError
		var code p11.Error
		if !errors.Is(err, pkcs11.ErrPINIncorrect) || !errors.As(err, &pinErr) || !errors.As(err, &code) || code != p11.CKR_PIN_INCORRECT {
			t.Fatalf("got %v, want a *PINError wrapping CKR_PIN_INCORRECT", err)
		}
		if want := (pkcs11.PINStatus{CountLow: true, TriesLeft: -1}); pinErr.Status != want {
			t.Errorf("status after the failure %+v, want %+v", pinErr.Status, want)
		}
		if p.calls != 1 {
			t.Errorf("the PIN was asked %d times, want once", p.calls)
		}
		w.assertLogins(t, 1)
		login(t, tok)
		if st, err := tok.Status(ctx); err != nil || st.CountLow {
			t.Errorf("status after the right PIN %+v (%v), want COUNT_LOW cleared", st, err)
		}
	}},
	{"signing needs a login first", func(t *testing.T, w *world) {
		tok := w.open(t, pkcs11.Selector{Label: w.provision(t, "")})
		if _, err := tok.Signer(context.Background(), nil); !errors.Is(err, pkcs11.ErrNotLoggedIn) {
			t.Errorf("got %v, want ErrNotLoggedIn", err)
		}
	}},
	{"an unknown key ID gives ErrKeyNotFound", func(t *testing.T, w *world) {
		tok := w.open(t, pkcs11.Selector{Label: w.provision(t, "")})
		login(t, tok)
		if _, err := tok.Signer(context.Background(), []byte{9}); !errors.Is(err, pkcs11.ErrKeyNotFound) {
			t.Errorf("got %v, want ErrKeyNotFound", err)
		}
	}},
	{"keys are listed with their certificates and the chain certificate is readable", func(t *testing.T, w *world) {
		tok := w.open(t, pkcs11.Selector{Label: w.provision(t, "")})
		login(t, tok)
		ctx := context.Background()
		creds := pkcs11.TestCredentials()
		keys, err := tok.Keys(ctx)
		if err != nil {
			t.Fatal(err)
		}
		slices.SortFunc(keys, func(a, b pkcs11.KeyInfo) int { return bytes.Compare(a.ID, b.ID) })
		if len(keys) != 2 {
			t.Fatalf("%d keys, want 2", len(keys))
		}
		for i, k := range keys {
			if k.Algorithm != x509.RSA || k.AlwaysAuthenticate != (i == 1) || k.Certificate == nil || !k.Certificate.Equal(creds[i].Cert) {
				t.Errorf("key %x: %+v", k.ID, k)
			}
		}
		certs, err := tok.Certificates(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if !slices.ContainsFunc(certs, func(c pkcs11.Certificate) bool { return len(c.ID) == 0 && c.Cert.Equal(creds[2].Cert) }) {
			t.Errorf("the CA certificate is not among the %d certificates", len(certs))
		}
	}},
	{"RSA-PSS, a missing hash and unknown hashes are refused", func(t *testing.T, w *world) {
		tok := w.open(t, pkcs11.Selector{Label: w.provision(t, "")})
		login(t, tok)
		key, err := tok.Signer(context.Background(), nil)
		if err != nil {
			t.Fatal(err)
		}
		digest := make([]byte, 32)
		for _, opts := range []crypto.SignerOpts{&rsa.PSSOptions{Hash: crypto.SHA256}, crypto.Hash(0), crypto.SHA3_256} {
			if _, err := key.Sign(rand.Reader, digest, opts); !errors.Is(err, errors.ErrUnsupported) {
				t.Errorf("%T %v: got %v, want errors.ErrUnsupported", opts, opts, err)
			}
		}
		if _, err := key.Sign(rand.Reader, digest[:20], crypto.SHA256); err == nil {
			t.Error("a digest of the wrong length was signed")
		}
		w.assertLogins(t, 1) // nothing reached the token
	}},
}

func TestTokenBehaviour(t *testing.T) {
	for _, b := range backends {
		t.Run(b.name, func(t *testing.T) {
			for _, c := range suite {
				t.Run(c.name, func(t *testing.T) { c.run(t, b.open(t)) })
			}
		})
	}
}
