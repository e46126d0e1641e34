//go:build cgo

package softhsm

import (
	"context"
	"crypto/rsa"
	"crypto/x509"
	"encoding/asn1"
	"errors"
	"fmt"
	"math/big"
	"os"
	"path/filepath"

	p11 "github.com/miekg/pkcs11"

	"github.com/shinsei-app/shinsei/pkcs11"
)

// WriteConfig writes a softhsm2.conf into dir, with the token
// directory inside dir and file storage, and returns its path. The config
// offers only CKM_RSA_PKCS (slots.mechanisms), so like a My Number card the
// tokens refuse hash-and-sign mechanisms such as CKM_SHA256_RSA_PKCS.
//
// SoftHSM reads the file named by SOFTHSM2_CONF at C_Initialize, that is
// at the process's first pkcs11.Open of the module: set the variable
// before.
func WriteConfig(dir string) (confPath string, err error) {
	tokens := filepath.Join(dir, "tokens")
	if err := os.MkdirAll(tokens, 0o700); err != nil {
		return "", fmt.Errorf("softhsm: softhsm config: %w", err)
	}
	conf := filepath.Join(dir, "softhsm2.conf")
	text := fmt.Sprintf(`# SoftHSM standing in for a My Number card (written by the Shinsei sandbox)
directories.tokendir = %s
objectstore.backend = file
log.level = ERROR
slots.removable = false
slots.mechanisms = CKM_RSA_PKCS
`, tokens)
	if err := os.WriteFile(conf, []byte(text), 0o600); err != nil {
		return "", fmt.Errorf("softhsm: softhsm config: %w", err)
	}
	return conf, nil
}

// TokenSpec describes a token for Provision.
type TokenSpec struct {
	// Label is at most 32 bytes.
	Label string
	// SOPIN and UserPIN are the security officer's and the user's PINs.
	SOPIN, UserPIN string
	Keys           []KeySpec
}

// KeySpec is a key pair with its certificate; the private key, public key
// and certificate objects share ID.
type KeySpec struct {
	ID    []byte
	Label string
	Key   *rsa.PrivateKey
	Cert  *x509.Certificate
	// Chain is stored as extra certificate objects without CKA_ID,
	// marked as authority certificates.
	Chain []*x509.Certificate
	// AlwaysAuthenticate sets CKA_ALWAYS_AUTHENTICATE on the private key,
	// as on the My Number card signature key.
	AlwaysAuthenticate bool
}

// Provision initializes a token on the first empty slot of lib's
// module and fills it as spec says: C_InitToken, C_InitPIN, then the
// private key (sensitive, not extractable, CKA_SIGN), the public key and
// the certificates.
//
// SoftHSM always offers one empty slot. Within a process the initialized
// token keeps that slot number and a new empty slot appears at once, so
// Provision can be called again; another process finds the token
// under a slot number derived from its serial. Either way, select tokens by
// label or serial.
func Provision(ctx context.Context, lib *pkcs11.Library, spec TokenSpec) error {
	m, err := lib.Provisioner()
	if err == nil {
		err = provision(ctx, m, spec)
	}
	if err != nil {
		return fmt.Errorf("softhsm: provision token %q: %w", spec.Label, err)
	}
	return nil
}

func provision(ctx context.Context, m pkcs11.Provisioner, spec TokenSpec) error {
	if len(spec.Label) > 32 {
		return errors.New("label longer than 32 bytes")
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	slot, err := emptySlot(m)
	if err != nil {
		return err
	}
	if err := m.InitToken(slot, spec.SOPIN, spec.Label); err != nil {
		return fmt.Errorf("C_InitToken: %w", err)
	}
	sh, err := m.OpenSession(slot, p11.CKF_SERIAL_SESSION|p11.CKF_RW_SESSION)
	if err != nil {
		return fmt.Errorf("C_OpenSession: %w", err)
	}
	defer m.CloseSession(sh)
	steps := []struct {
		op  string
		run func() error
	}{
		{"C_Login(CKU_SO)", func() error { return m.Login(sh, p11.CKU_SO, spec.SOPIN) }},
		{"C_InitPIN", func() error { return m.InitPIN(sh, spec.UserPIN) }},
		{"C_Logout", func() error { return m.Logout(sh) }},
		{"C_Login(CKU_USER)", func() error { return m.Login(sh, p11.CKU_USER, spec.UserPIN) }},
	}
	for _, s := range steps {
		if err := s.run(); err != nil {
			return fmt.Errorf("%s: %w", s.op, err)
		}
	}
	defer m.Logout(sh)
	for _, k := range spec.Keys {
		if err := ctx.Err(); err != nil {
			return err
		}
		for _, tmpl := range keyTemplates(k) {
			if _, err := m.CreateObject(sh, tmpl); err != nil {
				return fmt.Errorf("key %x: C_CreateObject: %w", k.ID, err)
			}
		}
	}
	return nil
}

func emptySlot(m pkcs11.Module) (uint, error) {
	slots, err := m.GetSlotList(true)
	if err != nil {
		return 0, fmt.Errorf("C_GetSlotList: %w", err)
	}
	for _, s := range slots {
		ti, err := m.GetTokenInfo(s)
		if err != nil {
			return 0, fmt.Errorf("C_GetTokenInfo: %w", err)
		}
		if ti.Flags&p11.CKF_TOKEN_INITIALIZED == 0 {
			return s, nil
		}
	}
	return 0, errors.New("no empty slot")
}

func keyTemplates(k KeySpec) [][]*p11.Attribute {
	object := func(class uint, id []byte, label string, attrs ...*p11.Attribute) []*p11.Attribute {
		return append([]*p11.Attribute{
			p11.NewAttribute(p11.CKA_CLASS, class),
			p11.NewAttribute(p11.CKA_TOKEN, true),
			p11.NewAttribute(p11.CKA_ID, id),
			p11.NewAttribute(p11.CKA_LABEL, label),
		}, attrs...)
	}
	key := *k.Key // a copy: Precompute must not write to the caller's key
	key.Precompute()
	e := big.NewInt(int64(key.E)).Bytes()
	tmpls := [][]*p11.Attribute{
		object(p11.CKO_PRIVATE_KEY, k.ID, k.Label,
			p11.NewAttribute(p11.CKA_KEY_TYPE, p11.CKK_RSA),
			p11.NewAttribute(p11.CKA_PRIVATE, true),
			p11.NewAttribute(p11.CKA_SENSITIVE, true),
			p11.NewAttribute(p11.CKA_EXTRACTABLE, false),
			p11.NewAttribute(p11.CKA_SIGN, true),
			p11.NewAttribute(p11.CKA_ALWAYS_AUTHENTICATE, k.AlwaysAuthenticate),
			p11.NewAttribute(p11.CKA_MODULUS, key.N.Bytes()),
			p11.NewAttribute(p11.CKA_PUBLIC_EXPONENT, e),
			p11.NewAttribute(p11.CKA_PRIVATE_EXPONENT, key.D.Bytes()),
			p11.NewAttribute(p11.CKA_PRIME_1, key.Primes[0].Bytes()),
			p11.NewAttribute(p11.CKA_PRIME_2, key.Primes[1].Bytes()),
			p11.NewAttribute(p11.CKA_EXPONENT_1, key.Precomputed.Dp.Bytes()),
			p11.NewAttribute(p11.CKA_EXPONENT_2, key.Precomputed.Dq.Bytes()),
			p11.NewAttribute(p11.CKA_COEFFICIENT, key.Precomputed.Qinv.Bytes())),
		object(p11.CKO_PUBLIC_KEY, k.ID, k.Label,
			p11.NewAttribute(p11.CKA_KEY_TYPE, p11.CKK_RSA),
			p11.NewAttribute(p11.CKA_PRIVATE, false),
			p11.NewAttribute(p11.CKA_VERIFY, true),
			p11.NewAttribute(p11.CKA_MODULUS, key.N.Bytes()),
			p11.NewAttribute(p11.CKA_PUBLIC_EXPONENT, e)),
	}
	if k.Cert != nil {
		tmpls = append(tmpls, object(p11.CKO_CERTIFICATE, k.ID, k.Label, certAttributes(k.Cert, 1)...))
	}
	for _, c := range k.Chain {
		tmpls = append(tmpls, object(p11.CKO_CERTIFICATE, nil, c.Subject.CommonName, certAttributes(c, 2)...))
	}
	return tmpls
}

// certAttributes describes an X.509 certificate object; category is 1 for
// the token user's own certificate, 2 for an authority.
func certAttributes(c *x509.Certificate, category uint) []*p11.Attribute {
	serial, _ := asn1.Marshal(c.SerialNumber) // a *big.Int always marshals
	return []*p11.Attribute{
		p11.NewAttribute(p11.CKA_CERTIFICATE_TYPE, p11.CKC_X_509),
		p11.NewAttribute(p11.CKA_CERTIFICATE_CATEGORY, category),
		p11.NewAttribute(p11.CKA_PRIVATE, false),
		p11.NewAttribute(p11.CKA_SUBJECT, c.RawSubject),
		p11.NewAttribute(p11.CKA_ISSUER, c.RawIssuer),
		p11.NewAttribute(p11.CKA_SERIAL_NUMBER, serial),
		p11.NewAttribute(p11.CKA_VALUE, c.Raw),
	}
}
