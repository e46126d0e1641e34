package pki

import (
	"bytes"
	"crypto/rsa"
	"crypto/x509"
	"encoding/pem"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"time"

	"software.sslmate.com/src/go-pkcs12"
)

// ErrNoSavedPKI: the directory holds no PKI that Save wrote. It wraps
// fs.ErrNotExist.
var ErrNoSavedPKI = fmt.Errorf("pki: no saved sandbox PKI: %w", fs.ErrNotExist)

// authorities names each CA of p in a saved PKI, parents first.
func (p *PKI) authorities() []struct {
	name string
	ca   **CA
} {
	return []struct {
		name string
		ca   **CA
	}{{"jpki-sign", &p.JPKISign}, {"jpki-sign-old", &p.JPKISignOld}, {"registrar", &p.Registrar},
		{"lgpki-root", &p.LGPKIRoot}, {"lgpki-org", &p.LGPKIOrg}, {"lgpki-app", &p.LGPKIApp}, {"private", &p.Private}}
}

// Save writes every authority of p into dir: its certificate (NAME.pem)
// and its key (NAME.key, PKCS#8, readable by the owner only), so that a
// sandbox restarted on dir keeps trusting what it issued before (Load).
func (p *PKI) Save(dir string) error {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return fmt.Errorf("pki: save: %w", err)
	}
	for _, a := range p.authorities() {
		ca := *a.ca
		key, err := x509.MarshalPKCS8PrivateKey(ca.Key)
		if err != nil {
			return fmt.Errorf("pki: save %s: %w", a.name, err)
		}
		if err := writeFile(filepath.Join(dir, a.name+".key"), pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: key}), 0o600); err != nil {
			return err
		}
		if err := writeFile(filepath.Join(dir, a.name+".pem"), pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: ca.Cert.Raw}), 0o644); err != nil {
			return err
		}
	}
	return nil
}

// writeFile writes data to a temporary file in path's directory with
// perm, and renames it into place.
func writeFile(path string, data []byte, perm os.FileMode) error {
	tmp := path + ".tmp"
	_ = os.Remove(tmp)
	f, err := os.OpenFile(tmp, os.O_WRONLY|os.O_CREATE|os.O_EXCL, perm)
	if err != nil {
		return fmt.Errorf("pki: save: %w", err)
	}
	_, err = f.Write(data)
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(tmp, path)
	}
	if err != nil {
		_ = os.Remove(tmp)
		return fmt.Errorf("pki: save: %w", err)
	}
	return nil
}

// Load reads the PKI Save wrote into dir, for issuing from now on at now
// (PKI.Now). Each key must match its certificate, and each sub-CA's
// certificate must be signed by its parent. ErrNoSavedPKI when dir holds
// none.
func Load(dir string, now time.Time) (*PKI, error) {
	p := &PKI{Now: now}
	for _, a := range p.authorities() {
		certPEM, err := os.ReadFile(filepath.Join(dir, a.name+".pem"))
		if errors.Is(err, fs.ErrNotExist) && a.name == "jpki-sign" {
			return nil, ErrNoSavedPKI
		}
		if err != nil {
			return nil, fmt.Errorf("pki: load %s: %w", a.name, err)
		}
		keyPEM, err := os.ReadFile(filepath.Join(dir, a.name+".key"))
		if err != nil {
			return nil, fmt.Errorf("pki: load %s: %w", a.name, err)
		}
		ca, err := parseCA(certPEM, keyPEM)
		if err != nil {
			return nil, fmt.Errorf("pki: load %s: %w", a.name, err)
		}
		*a.ca = ca
	}
	for _, sub := range []*CA{p.LGPKIOrg, p.LGPKIApp} {
		if err := sub.Cert.CheckSignatureFrom(p.LGPKIRoot.Cert); err != nil {
			return nil, fmt.Errorf("pki: load: %s is not issued by the LGPKI root: %w", sub.Cert.Subject, err)
		}
		sub.Parent = p.LGPKIRoot
	}
	return p, nil
}

func parseCA(certPEM, keyPEM []byte) (*CA, error) {
	cb, _ := pem.Decode(certPEM)
	kb, _ := pem.Decode(keyPEM)
	if cb == nil || kb == nil {
		return nil, errors.New("not PEM")
	}
	cert, err := x509.ParseCertificate(cb.Bytes)
	if err != nil {
		return nil, err
	}
	k, err := x509.ParsePKCS8PrivateKey(kb.Bytes)
	if err != nil {
		return nil, err
	}
	key, ok := k.(*rsa.PrivateKey)
	if !ok || !key.PublicKey.Equal(cert.PublicKey) {
		return nil, errors.New("the key does not match the certificate")
	}
	return &CA{Cert: cert, Key: key}, nil
}

// CAs lists every authority of p.
func (p *PKI) CAs() []*CA {
	var out []*CA
	for _, a := range p.authorities() {
		out = append(out, *a.ca)
	}
	return out
}

// CredentialFromPKCS12 reads a credential that one of p's authorities
// issued from a PKCS#12 file (as Credential.PKCS12 writes it), with its
// chain rebuilt from p; an error when none of them issued it.
func (p *PKI) CredentialFromPKCS12(data []byte, password string) (*Credential, error) {
	k, cert, _, err := pkcs12.DecodeChain(data, password)
	if err != nil {
		return nil, fmt.Errorf("pki: read PKCS#12: %w", err)
	}
	key, ok := k.(*rsa.PrivateKey)
	if !ok {
		return nil, errors.New("pki: read PKCS#12: not an RSA key")
	}
	for _, ca := range p.CAs() {
		if bytes.Equal(ca.Cert.RawSubject, cert.RawIssuer) && cert.CheckSignatureFrom(ca.Cert) == nil {
			return ca.credential(cert, key), nil
		}
	}
	return nil, fmt.Errorf("pki: read PKCS#12: %s is not issued by this PKI", cert.Subject)
}

// LoadOrCreate is Load, or, when dir holds no saved PKI, a fresh one for
// now, saved there.
func LoadOrCreate(dir string, now time.Time) (*PKI, error) {
	p, err := Load(dir, now)
	if !errors.Is(err, ErrNoSavedPKI) {
		return p, err
	}
	if p, err = New(now); err != nil {
		return nil, err
	}
	return p, p.Save(dir)
}
