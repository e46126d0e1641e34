//go:build cgo

package softhsm_test

import (
	"context"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"crypto/x509/pkix"
	"errors"
	"math/big"
	"os"
	"sync"
	"testing"
	"time"

	p11 "github.com/miekg/pkcs11"

	"github.com/shinsei-app/shinsei/internal/testenv"
	"github.com/shinsei-app/shinsei/pkcs11"
	"github.com/shinsei-app/shinsei/sandbox/softhsm"
)

func TestMain(m *testing.M) { os.Exit(testenv.Main(m)) }

// testKey is an RSA-2048 key with a self-signed certificate and a
// self-signed "CA" certificate of the same key, made once.
var testKey = sync.OnceValues(func() (*rsa.PrivateKey, [2]*x509.Certificate) {
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		panic(err)
	}
	var certs [2]*x509.Certificate
	for i, cn := range []string{"Sandbox signer", "Sandbox CA"} {
		tmpl := &x509.Certificate{
			SerialNumber: big.NewInt(int64(i + 1)),
			Subject:      pkix.Name{CommonName: cn},
			NotBefore:    time.Now().Add(-time.Hour),
			NotAfter:     time.Now().Add(time.Hour),
		}
		der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
		if err == nil {
			certs[i], err = x509.ParseCertificate(der)
		}
		if err != nil {
			panic(err)
		}
	}
	return key, certs
})

func spec(label string) softhsm.TokenSpec {
	key, certs := testKey()
	return softhsm.TokenSpec{
		Label: label, SOPIN: "so-pin-2026", UserPIN: "SHINSEI2026",
		Keys: []softhsm.KeySpec{{
			ID: []byte{2}, Label: "Digital Signature Key", Key: key, Cert: certs[0],
			Chain: []*x509.Certificate{certs[1]}, AlwaysAuthenticate: true,
		}},
	}
}

// session opens a raw user session on the SoftHSM token labelled label.
func session(t *testing.T, m pkcs11.Module, label string) (uint, p11.SessionHandle) {
	t.Helper()
	slots, err := m.GetSlotList(true)
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range slots {
		if ti, err := m.GetTokenInfo(s); err != nil || ti.Label != label {
			continue
		}
		sh, err := m.OpenSession(s, p11.CKF_SERIAL_SESSION)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { m.CloseSession(sh) })
		if err := m.Login(sh, p11.CKU_USER, "SHINSEI2026"); err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { m.Logout(sh) })
		return s, sh
	}
	t.Fatalf("no token %q", label)
	return 0, 0
}

func find(t *testing.T, m pkcs11.Module, sh p11.SessionHandle, tmpl ...*p11.Attribute) []p11.ObjectHandle {
	t.Helper()
	if err := m.FindObjectsInit(sh, tmpl); err != nil {
		t.Fatal(err)
	}
	defer m.FindObjectsFinal(sh)
	hs, _, err := m.FindObjects(sh, 100)
	if err != nil {
		t.Fatal(err)
	}
	return hs
}

func TestSoftHSM(t *testing.T) {
	ctx := context.Background()
	lib := testenv.SoftHSM(t)
	m := lib.Module()
	if err := softhsm.Provision(ctx, lib, spec("sandbox card")); err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		name string
		run  func(t *testing.T)
	}{
		{"the written config offers only CKM_RSA_PKCS, so C_SignInit with CKM_SHA256_RSA_PKCS fails as on the card", func(t *testing.T) {
			slot, sh := session(t, m, "sandbox card")
			mechs, err := m.GetMechanismList(slot)
			if err != nil || len(mechs) != 1 || mechs[0].Mechanism != p11.CKM_RSA_PKCS {
				t.Fatalf("mechanisms %v (%v), want only CKM_RSA_PKCS", mechs, err)
			}
			key := find(t, m, sh, p11.NewAttribute(p11.CKA_CLASS, p11.CKO_PRIVATE_KEY))[0]
			err = m.SignInit(sh, []*p11.Mechanism{p11.NewMechanism(p11.CKM_SHA256_RSA_PKCS, nil)}, key)
			if !errors.Is(err, p11.Error(p11.CKR_MECHANISM_INVALID)) {
				t.Errorf("C_SignInit(CKM_SHA256_RSA_PKCS): got %v, want CKR_MECHANISM_INVALID", err)
			}
		}},
		{"the key, its public key and its certificate share the CKA_ID and the chain is stored as an authority certificate", func(t *testing.T) {
			_, sh := session(t, m, "sandbox card")
			if n := len(find(t, m, sh, p11.NewAttribute(p11.CKA_ID, []byte{2}))); n != 3 {
				t.Errorf("%d objects with CKA_ID 02, want private key, public key and certificate", n)
			}
			_, certs := testKey()
			ca := find(t, m, sh, p11.NewAttribute(p11.CKA_CLASS, p11.CKO_CERTIFICATE), p11.NewAttribute(p11.CKA_CERTIFICATE_CATEGORY, uint(2)))
			if len(ca) != 1 {
				t.Fatalf("%d authority certificates, want 1", len(ca))
			}
			attrs, err := m.GetAttributeValue(sh, ca[0], []*p11.Attribute{p11.NewAttribute(p11.CKA_VALUE, nil), p11.NewAttribute(p11.CKA_ID, nil)})
			if err != nil || string(attrs[0].Value) != string(certs[1].Raw) || len(attrs[1].Value) != 0 {
				t.Errorf("authority certificate object: %v", err)
			}
		}},
		{"the private key is sensitive and cannot be read out", func(t *testing.T) {
			_, sh := session(t, m, "sandbox card")
			key := find(t, m, sh, p11.NewAttribute(p11.CKA_CLASS, p11.CKO_PRIVATE_KEY))[0]
			_, err := m.GetAttributeValue(sh, key, []*p11.Attribute{p11.NewAttribute(p11.CKA_PRIVATE_EXPONENT, nil)})
			if !errors.Is(err, p11.Error(p11.CKR_ATTRIBUTE_SENSITIVE)) {
				t.Errorf("reading CKA_PRIVATE_EXPONENT: got %v, want CKR_ATTRIBUTE_SENSITIVE", err)
			}
		}},
		{"a second token provisioned in the same process takes the empty slot SoftHSM adds after C_InitToken", func(t *testing.T) {
			if err := softhsm.Provision(ctx, lib, spec("sandbox card 2")); err != nil {
				t.Fatal(err)
			}
			tokens, err := lib.Tokens(ctx)
			if err != nil {
				t.Fatal(err)
			}
			labels := map[string]bool{}
			for _, ti := range tokens {
				labels[ti.Label] = true
			}
			if !labels["sandbox card"] || !labels["sandbox card 2"] {
				t.Errorf("tokens %v, want both provisioned tokens", labels)
			}
			slots, err := m.GetSlotList(true)
			if err != nil || len(slots) != len(tokens)+1 {
				t.Errorf("%d slots for %d tokens (%v), want one empty slot more", len(slots), len(tokens), err)
			}
		}},
		{"a label longer than 32 bytes is refused before anything is written", func(t *testing.T) {
			if err := softhsm.Provision(ctx, lib, spec("申請書に署名するための長いラベル")); err == nil {
				t.Error("a 48-byte label was accepted")
			}
		}},
	}
	for _, c := range cases {
		t.Run(c.name, c.run)
	}
}
