//go:build cgo

package sandbox

import (
	"context"
	"crypto/x509"
	"encoding/pem"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"github.com/shinsei-app/shinsei/pkcs11"
)

// Sandbox credentials' secrets. They are fixed and printed on purpose: the
// sandbox is for trying Shinsei out and for tests, never for real use.
const (
	// KitTokenLabel is the label of the SoftHSM token that stands in for
	// the signature side of a My Number card, so Shinsei treats it as one.
	KitTokenLabel = pkcs11.JPKISignatureLabel
	// KitPIN is the token's signature password (6–16 of A–Z, 0–9).
	KitPIN = "SANDBOX1"
	// KitSOPIN is the token's security officer PIN.
	KitSOPIN = "SANDBOXSO1"
	// KitP12Password protects the corporate and official .p12 files.
	KitP12Password = "sandbox"
)

// Kit is a directory of sandbox credentials ready for Shinsei:
//
//	roots/*.pem              every sandbox root (the trust anchors to configure)
//	resident.pem             the sample resident's signature certificate
//	corporate.p12            the sample company's registry certificate (KitP12Password)
//	official.p12             an LGPKI-like 職責 certificate (KitP12Password)
//	corporate.pem            the company's certificate alone
//	corporate-revoked.pem    another certificate of the company, revoked (keyCompromise)
//	crl/registrar.crl        the registrar's CRL, which lists it
//	softhsm/softhsm2.conf    SoftHSM config; its token holds the resident's key
//	                         with CKA_ALWAYS_AUTHENTICATE, like the card (KitPIN)
type Kit struct {
	Dir                           string
	PKI                           *PKI
	Resident, Corporate, Official *Credential
	// CorporateRevoked is revoked in Registry and on the registrar's CRL.
	CorporateRevoked *Credential
	Registry         *Registry
	// SoftHSMConf is the config to put in SOFTHSM2_CONF.
	SoftHSMConf string
}

// NewKit issues the sample credentials from a fresh PKI into dir and
// provisions the resident's key onto a SoftHSM token. SoftHSM reads its
// config once per process, so NewKit sets SOFTHSM2_CONF and must run before
// anything else in the process opens the SoftHSM module.
func NewKit(ctx context.Context, dir string, now time.Time) (*Kit, error) {
	p, err := NewPKI(now)
	if err != nil {
		return nil, err
	}
	k := &Kit{Dir: dir, PKI: p}
	if k.Resident, err = p.IssueResident(SampleResident(), ResidentOptions{}); err != nil {
		return nil, err
	}
	if k.Corporate, err = p.IssueCorporate(SampleCorporation()); err != nil {
		return nil, err
	}
	if k.Official, err = p.IssueOfficial("千代田区長"); err != nil {
		return nil, err
	}
	if k.CorporateRevoked, err = p.IssueCorporate(SampleCorporation()); err != nil {
		return nil, err
	}
	k.Registry = NewRegistry()
	k.Registry.Record(p.Registrar, k.Corporate.Cert)
	k.Registry.Record(p.Registrar, k.CorporateRevoked.Cert)
	if err := k.Registry.Revoke(p.Registrar, k.CorporateRevoked.Cert.SerialNumber, ReasonKeyCompromise, now.Add(-time.Hour)); err != nil {
		return nil, err
	}
	if err := k.writeFiles(); err != nil {
		return nil, fmt.Errorf("sandbox: write kit: %w", err)
	}
	if err := k.provision(ctx); err != nil {
		return nil, err
	}
	return k, nil
}

func (k *Kit) writeFiles() error {
	if err := os.MkdirAll(filepath.Join(k.Dir, "roots"), 0o700); err != nil {
		return err
	}
	names := []string{"jpki-sign", "jpki-sign-old", "registrar", "lgpki-root", "private"}
	for i, root := range k.PKI.Roots() {
		if err := writePEM(filepath.Join(k.Dir, "roots", names[i]+".pem"), root); err != nil {
			return err
		}
	}
	if err := writePEM(filepath.Join(k.Dir, "lgpki-org.pem"), k.PKI.LGPKIOrg.Cert); err != nil {
		return err
	}
	for name, cert := range map[string]*x509.Certificate{"resident.pem": k.Resident.Cert,
		"corporate.pem": k.Corporate.Cert, "corporate-revoked.pem": k.CorporateRevoked.Cert} {
		if err := writePEM(filepath.Join(k.Dir, name), cert); err != nil {
			return err
		}
	}
	crl, err := k.Registry.CRL(k.PKI.Registrar, k.PKI.Now, CRLValidity)
	if err != nil {
		return err
	}
	if err := os.MkdirAll(filepath.Join(k.Dir, "crl"), 0o700); err != nil {
		return err
	}
	if err := os.WriteFile(filepath.Join(k.Dir, "crl", "registrar.crl"), crl, 0o644); err != nil {
		return err
	}
	for name, cred := range map[string]*Credential{"corporate.p12": k.Corporate, "official.p12": k.Official} {
		der, err := cred.PKCS12(KitP12Password)
		if err != nil {
			return err
		}
		if err := os.WriteFile(filepath.Join(k.Dir, name), der, 0o600); err != nil {
			return err
		}
	}
	return nil
}

func writePEM(path string, certs ...*x509.Certificate) error {
	var out []byte
	for _, c := range certs {
		out = append(out, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: c.Raw})...)
	}
	return os.WriteFile(path, out, 0o644)
}

func (k *Kit) provision(ctx context.Context) error {
	conf, err := WriteSoftHSMConfig(filepath.Join(k.Dir, "softhsm"))
	if err != nil {
		return err
	}
	k.SoftHSMConf = conf
	if err := os.Setenv("SOFTHSM2_CONF", conf); err != nil {
		return fmt.Errorf("sandbox: %w", err)
	}
	var module string
	for _, m := range pkcs11.FindModules() {
		if m.Name == "SoftHSM" {
			module = m.Path
		}
	}
	if module == "" {
		return fmt.Errorf("sandbox: SoftHSM is not installed (Debian: apt-get install softhsm2): %w", pkcs11.ErrModuleNotLoadable)
	}
	lib, err := pkcs11.Open(module)
	if err != nil {
		return err
	}
	defer lib.Close()
	return ProvisionToken(ctx, lib, TokenSpec{Label: KitTokenLabel, SOPIN: KitSOPIN, UserPIN: KitPIN,
		Keys: []KeySpec{{ID: []byte{0x02}, Label: "Digital Signature Key", Key: k.Resident.Key, Cert: k.Resident.Cert,
			Chain: []*x509.Certificate{k.Resident.Root}, AlwaysAuthenticate: true}}})
}
