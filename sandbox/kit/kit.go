//go:build cgo

package kit

import (
	"context"
	"crypto/x509"
	"encoding/pem"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"github.com/shinsei-app/shinsei/internal/fsx"
	"github.com/shinsei-app/shinsei/pkcs11"
	"github.com/shinsei-app/shinsei/sandbox/pki"
	"github.com/shinsei-app/shinsei/sandbox/softhsm"
)

// TokenLabel is the label of the SoftHSM token that stands in for the
// signature side of a My Number card, so Shinsei treats it as one.
const TokenLabel = pkcs11.JPKISignatureLabel

// SoftHSMModuleEnv names an environment variable that, when set, is the
// SoftHSM module New uses instead of searching the usual places: a
// SoftHSM installed elsewhere (on Windows, for instance), or a path that
// does not exist to try the kit without SoftHSM.
const SoftHSMModuleEnv = "SHINSEI_SOFTHSM_MODULE"

// ErrNoSoftHSM reports that the SoftHSM module could not be found or
// loaded, so the resident's key could not be put on a token. Kit.TokenErr
// wraps it (with pkcs11.ErrModuleNotLoadable).
var ErrNoSoftHSM = errors.New("kit: SoftHSM is not available")

// Options change where NewWith puts the resident's key.
type Options struct {
	// SoftHSMModule is the SoftHSM module's path; empty means the one
	// named by $SHINSEI_SOFTHSM_MODULE, else the first SoftHSM found in
	// the usual places (pkcs11.FindModules).
	SoftHSMModule string
	// SoftHSMOptional lets the kit be made on a computer without SoftHSM
	// (Windows, or Linux and macOS without the package): when the module
	// cannot be found or loaded, the resident's key is only in
	// resident.p12 and Kit.TokenErr says why. Other failures to provision
	// the token are still errors.
	SoftHSMOptional bool
	// PKIDir, when set, keeps the sandbox PKI across runs: the PKI saved
	// there is used (a fresh one is made and saved there, keys 0600, when
	// it holds none), and the credentials of a kit already in the kit's
	// directory that this PKI issued are kept rather than issued anew. So
	// a sandbox restarted on the same directories still trusts, and still
	// knows, what was signed before.
	PKIDir string
}

// Kit is a directory of sandbox credentials ready for Shinsei:
//
//	roots/*.pem              every sandbox root (the trust anchors to configure)
//	resident.pem             the sample resident's signature certificate
//	resident.p12             the same with its key (P12Password): the
//	                         practice credential where SoftHSM is missing
//	proxy.p12                a second resident (高橋　一郎, a relative) who files
//	                         for the resident as proxy (代理申請) (P12Password)
//	corporate.p12            the sample company's registry certificate (P12Password)
//	official.p12             an LGPKI-like 職責 certificate (P12Password)
//	corporate.pem            the company's certificate alone
//	corporate-revoked.pem    another certificate of the company, revoked (keyCompromise)
//	corporate-revoked.p12    the same with its key (P12Password), to see a revoked
//	                         certificate refused
//	crl/registrar.crl        the registrar's CRL, which lists it
//	softhsm/softhsm2.conf    SoftHSM config; its token holds the resident's key
//	                         with CKA_ALWAYS_AUTHENTICATE, like the card (PIN);
//	                         absent when the kit was made without SoftHSM
type Kit struct {
	Dir                           string
	PKI                           *pki.PKI
	Resident, Corporate, Official *pki.Credential
	// CorporateRevoked is revoked in Registry and on the registrar's CRL.
	CorporateRevoked *pki.Credential
	// Proxy is a second resident, a relative of Resident, who files for
	// Resident as proxy (ProxyResident).
	Proxy    *pki.Credential
	Registry *pki.Registry
	// ResidentP12 is the path of resident.p12, the resident's key and
	// certificate protected by P12Password.
	ResidentP12 string
	// SoftHSMModule is the module whose token (TokenLabel, PIN)
	// holds the resident's key, SoftHSMConf the config to put in
	// SOFTHSM2_CONF. Both are empty when TokenErr is set.
	SoftHSMModule, SoftHSMConf string
	// TokenErr is why the resident's key is not on a token (it wraps
	// ErrNoSoftHSM); nil when it is. Only Options.SoftHSMOptional
	// makes a kit without a token.
	TokenErr error
}

// HasToken reports whether the resident's key is on a SoftHSM token
// standing in for a My Number card; without one, resident.p12 is the
// resident's credential.
func (k *Kit) HasToken() bool { return k.TokenErr == nil && k.SoftHSMModule != "" }

// New issues the sample credentials from a fresh PKI into dir and
// provisions the resident's key onto a SoftHSM token; it fails without
// SoftHSM. SoftHSM reads its config once per process, so New sets
// SOFTHSM2_CONF and must run before anything else in the process opens
// the SoftHSM module.
func New(ctx context.Context, dir string, now time.Time) (*Kit, error) {
	return NewWith(ctx, dir, now, Options{})
}

// NewWith is New with options: another SoftHSM module, or a kit
// that does without SoftHSM.
func NewWith(ctx context.Context, dir string, now time.Time, opts Options) (*Kit, error) {
	p, err := kitPKI(opts.PKIDir, now)
	if err != nil {
		return nil, err
	}
	k := &Kit{Dir: dir, PKI: p}
	if opts.PKIDir == "" || !k.readCredentials() {
		if err := k.issue(); err != nil {
			return nil, err
		}
	}
	k.Registry = pki.NewRegistry()
	k.Registry.Record(p.Registrar, k.Corporate.Cert)
	k.Registry.Record(p.Registrar, k.CorporateRevoked.Cert)
	if err := k.Registry.Revoke(p.Registrar, k.CorporateRevoked.Cert.SerialNumber, pki.ReasonKeyCompromise, now.Add(-time.Hour)); err != nil {
		return nil, err
	}
	if err := k.writeFiles(); err != nil {
		return nil, fmt.Errorf("kit: write kit: %w", err)
	}
	module, err := findSoftHSM(opts.SoftHSMModule)
	if err == nil {
		err = k.provision(ctx, module)
	}
	switch {
	case err == nil:
	case opts.SoftHSMOptional && errors.Is(err, ErrNoSoftHSM):
		k.TokenErr = err
	default:
		return nil, err
	}
	return k, nil
}

// kitPKI is the PKI saved in dir (made and saved when there is none), or
// a fresh one without dir.
func kitPKI(dir string, now time.Time) (*pki.PKI, error) {
	if dir == "" {
		return pki.New(now)
	}
	return pki.LoadOrCreate(dir, now)
}

// issue issues the kit's credentials from its PKI.
func (k *Kit) issue() error {
	p := k.PKI
	var err error
	if k.Resident, err = p.IssueResident(pki.SampleResident(), pki.ResidentOptions{}); err != nil {
		return err
	}
	if k.Corporate, err = p.IssueCorporate(pki.SampleCorporation()); err != nil {
		return err
	}
	if k.Official, err = p.IssueOfficial("千代田区長"); err != nil {
		return err
	}
	if k.Proxy, err = p.IssueResident(ProxyResident(), pki.ResidentOptions{}); err != nil {
		return err
	}
	k.CorporateRevoked, err = p.IssueCorporate(pki.SampleCorporation())
	return err
}

// ProxyResident is the kit's second resident, a relative of the sample
// resident, who files for the resident as proxy (proxy.p12).
func ProxyResident() pki.Resident {
	return pki.Resident{Name: "高橋　一郎", Sex: "1", BirthDate: "319830301", Address: "東京都千代田区霞が関二丁目１番２号"}
}

// readCredentials reads the credentials of a kit already in k.Dir, and
// reports whether all of them were there and issued by k.PKI.
func (k *Kit) readCredentials() bool {
	for name, dst := range map[string]**pki.Credential{"resident.p12": &k.Resident, "corporate.p12": &k.Corporate,
		"official.p12": &k.Official, "corporate-revoked.p12": &k.CorporateRevoked, "proxy.p12": &k.Proxy} {
		data, err := os.ReadFile(filepath.Join(k.Dir, name))
		if err != nil {
			return false
		}
		if *dst, err = k.PKI.CredentialFromPKCS12(data, P12Password); err != nil {
			return false
		}
	}
	return true
}

// findSoftHSM returns the SoftHSM module to use: the one asked for, the
// one named by SoftHSMModuleEnv, else the first found. It only looks for
// the file; whether it loads is seen when provisioning.
func findSoftHSM(module string) (string, error) {
	if module == "" {
		module = os.Getenv(SoftHSMModuleEnv)
	}
	if module != "" {
		return module, nil
	}
	for _, m := range pkcs11.FindModules() {
		if m.Name == "SoftHSM" {
			return m.Path, nil
		}
	}
	return "", fmt.Errorf("%w: not installed (Debian: apt-get install softhsm2; elsewhere set %s to its module): %w",
		ErrNoSoftHSM, SoftHSMModuleEnv, pkcs11.ErrModuleNotLoadable)
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
	crl, err := k.Registry.CRL(k.PKI.Registrar, k.PKI.Now, pki.CRLValidity)
	if err != nil {
		return err
	}
	if err := os.MkdirAll(filepath.Join(k.Dir, "crl"), 0o700); err != nil {
		return err
	}
	if err := os.WriteFile(filepath.Join(k.Dir, "crl", "registrar.crl"), crl, 0o644); err != nil {
		return err
	}
	k.ResidentP12 = filepath.Join(k.Dir, "resident.p12")
	for name, cred := range map[string]*pki.Credential{"resident.p12": k.Resident, "corporate.p12": k.Corporate, "official.p12": k.Official,
		"corporate-revoked.p12": k.CorporateRevoked, "proxy.p12": k.Proxy} {
		der, err := cred.PKCS12(P12Password)
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

// provision puts the resident's key on a new token of the SoftHSM module
// at module. A module that does not load gives an error wrapping
// ErrNoSoftHSM; SoftHSMModule and SoftHSMConf are set only on success.
func (k *Kit) provision(ctx context.Context, module string) error {
	dir := filepath.Join(k.Dir, "softhsm")
	// A token of an earlier run in this directory would be a second
	// token with the same label: the new one replaces it.
	if err := fsx.RemoveAll(dir); err != nil {
		return fmt.Errorf("kit: %w", err)
	}
	conf, err := softhsm.WriteConfig(dir)
	if err != nil {
		return err
	}
	prev, had := os.LookupEnv("SOFTHSM2_CONF")
	if err := os.Setenv("SOFTHSM2_CONF", conf); err != nil {
		return fmt.Errorf("kit: %w", err)
	}
	lib, err := pkcs11.Open(module)
	if err != nil {
		// Nothing read the config: leave the process and the kit as
		// they were.
		if had {
			_ = os.Setenv("SOFTHSM2_CONF", prev)
		} else {
			_ = os.Unsetenv("SOFTHSM2_CONF")
		}
		_ = fsx.RemoveAll(dir)
		return fmt.Errorf("%w: %w", ErrNoSoftHSM, err)
	}
	defer lib.Close()
	err = softhsm.Provision(ctx, lib, softhsm.TokenSpec{Label: TokenLabel, SOPIN: SOPIN, UserPIN: PIN,
		Keys: []softhsm.KeySpec{{ID: []byte{0x02}, Label: "Digital Signature Key", Key: k.Resident.Key, Cert: k.Resident.Cert,
			Chain: []*x509.Certificate{k.Resident.Root}, AlwaysAuthenticate: true}}})
	if err != nil {
		return err
	}
	k.SoftHSMModule, k.SoftHSMConf = module, conf
	return nil
}
