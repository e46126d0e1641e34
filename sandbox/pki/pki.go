package pki

import (
	"crypto"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/asn1"
	"fmt"
	"math/big"
	"time"
)

// CA is a certificate authority of the sandbox: its certificate and key.
type CA struct {
	Cert *x509.Certificate
	Key  *rsa.PrivateKey
	// Parent is the issuer of Cert, nil for a self-signed root.
	Parent *CA
}

// Credential is an end-entity certificate with its private key and the
// certificates between it and its root (nearest first, root excluded).
type Credential struct {
	Cert          *x509.Certificate
	Key           *rsa.PrivateKey
	Intermediates []*x509.Certificate
	Root          *x509.Certificate
}

// Signer returns the credential's key as a crypto.Signer.
func (c *Credential) Signer() crypto.Signer { return c.Key }

// PKI holds every sandbox certificate authority.
type PKI struct {
	// Now is the time the PKI was made for; validity periods are relative to it.
	Now time.Time
	// JPKISign is the current JPKI-like root for digital signature
	// ("2023 generation"); JPKISignOld is the previous generation with the
	// same subject name and another key, already expired, like the real 2015 root.
	JPKISign, JPKISignOld *CA
	// Registrar is a commercial-registry-like self-signed registrar certificate.
	Registrar *CA
	// LGPKIRoot is the LGPKI-like root; LGPKIOrg issues 職責 certificates and
	// LGPKIApp issues server certificates.
	LGPKIRoot, LGPKIOrg, LGPKIApp *CA
	// Private is a private CA as a company or a service might run.
	Private *CA
}

// Subject names of the sandbox authorities. They copy the structure of the
// real ones and say "Sandbox" so that no one mistakes them for the real thing.
var (
	JPKISignSubject = pkix.Name{Country: []string{"JP"}, Organization: []string{"JPKI Sandbox"},
		OrganizationalUnit: []string{"JPKI for digital signature", "Japan Agency for Local Authority Information Systems"}}
	RegistrarSubject = pkix.Name{Country: []string{"JP"}, Organization: []string{"Japanese Government"},
		OrganizationalUnit: []string{"Ministry of Justice"}, CommonName: "Registrar of Tokyo Legal Affairs Bureau (Sandbox)"}
)

// New makes a fresh sandbox PKI with validity periods around now. It
// generates seven RSA-2048 keys, so it takes a moment; tests make it once.
func New(now time.Time) (*PKI, error) {
	p := &PKI{Now: now}
	year := 365 * 24 * time.Hour
	var err error
	if p.JPKISign, err = NewRoot(JPKISignSubject, now.Add(-3*year), now.Add(7*year)); err != nil {
		return nil, err
	}
	// The old generation expired a month ago, as the real 2015 root did in 2025.
	if p.JPKISignOld, err = NewRoot(JPKISignSubject, now.Add(-10*year), now.Add(-30*24*time.Hour)); err != nil {
		return nil, err
	}
	if p.Registrar, err = NewRoot(RegistrarSubject, now.Add(-year), now.Add(2*year)); err != nil {
		return nil, err
	}
	lgpki := func(ou string) pkix.Name {
		return pkix.Name{Country: []string{"JP"}, Organization: []string{"LGPKI Sandbox"}, OrganizationalUnit: []string{ou}}
	}
	if p.LGPKIRoot, err = NewRoot(lgpki("Root CA"), now.Add(-5*year), now.Add(10*year)); err != nil {
		return nil, err
	}
	if p.LGPKIOrg, err = p.LGPKIRoot.newSubCA(lgpki("Organization CA"), now.Add(-2*year), now.Add(5*year)); err != nil {
		return nil, err
	}
	if p.LGPKIApp, err = p.LGPKIRoot.newSubCA(lgpki("Application CA"), now.Add(-2*year), now.Add(5*year)); err != nil {
		return nil, err
	}
	p.Private, err = NewRoot(pkix.Name{Country: []string{"JP"}, Organization: []string{"Shinsei Sandbox"}, CommonName: "Shinsei Sandbox Private CA"},
		now.Add(-year), now.Add(5*year))
	if err != nil {
		return nil, err
	}
	return p, nil
}

// Roots returns every self-signed sandbox root certificate.
func (p *PKI) Roots() []*x509.Certificate {
	return []*x509.Certificate{p.JPKISign.Cert, p.JPKISignOld.Cert, p.Registrar.Cert, p.LGPKIRoot.Cert, p.Private.Cert}
}

// NewRoot makes a self-signed root CA with a fresh RSA-2048 key, for
// authorities the sandbox keeps outside the PKI (the virtual card's
// authentication authority).
func NewRoot(subject pkix.Name, notBefore, notAfter time.Time) (*CA, error) {
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		return nil, fmt.Errorf("pki: generate CA key: %w", err)
	}
	tmpl := caTemplate(subject, notBefore, notAfter)
	cert, err := CreateCertificate(tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		return nil, err
	}
	return &CA{Cert: cert, Key: key}, nil
}

func (ca *CA) newSubCA(subject pkix.Name, notBefore, notAfter time.Time) (*CA, error) {
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		return nil, fmt.Errorf("pki: generate CA key: %w", err)
	}
	cert, err := CreateCertificate(caTemplate(subject, notBefore, notAfter), ca.Cert, &key.PublicKey, ca.Key)
	if err != nil {
		return nil, err
	}
	return &CA{Cert: cert, Key: key, Parent: ca}, nil
}

func caTemplate(subject pkix.Name, notBefore, notAfter time.Time) *x509.Certificate {
	return &x509.Certificate{
		Subject:               subject,
		NotBefore:             notBefore,
		NotAfter:              notAfter,
		KeyUsage:              x509.KeyUsageCertSign | x509.KeyUsageCRLSign,
		BasicConstraintsValid: true,
		IsCA:                  true,
	}
}

// Issue signs an end-entity certificate from tmpl for a fresh RSA-2048 key.
// tmpl's serial number is filled in when it is nil.
func (ca *CA) Issue(tmpl *x509.Certificate) (*Credential, error) {
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		return nil, fmt.Errorf("pki: generate key: %w", err)
	}
	return ca.IssueForKey(tmpl, key)
}

// IssueForKey is Issue for a key the caller already has.
func (ca *CA) IssueForKey(tmpl *x509.Certificate, key *rsa.PrivateKey) (*Credential, error) {
	cert, err := CreateCertificate(tmpl, ca.Cert, &key.PublicKey, ca.Key)
	if err != nil {
		return nil, err
	}
	return ca.credential(cert, key), nil
}

// credential is cert (issued by ca) and its key, with ca's chain up to
// the root.
func (ca *CA) credential(cert *x509.Certificate, key *rsa.PrivateKey) *Credential {
	cred := &Credential{Cert: cert, Key: key}
	for c := ca; c != nil; c = c.Parent {
		if c.Parent == nil {
			cred.Root = c.Cert
		} else {
			cred.Intermediates = append(cred.Intermediates, c.Cert)
		}
	}
	return cred
}

// CreateCertificate signs tmpl with signer as parent (SHA-256 with RSA),
// giving it a random 127-bit serial number when it has none, and parses
// the result.
func CreateCertificate(tmpl, parent *x509.Certificate, pub crypto.PublicKey, signer crypto.Signer) (*x509.Certificate, error) {
	if tmpl.SerialNumber == nil {
		serial, err := rand.Int(rand.Reader, new(big.Int).Lsh(big.NewInt(1), 127))
		if err != nil {
			return nil, fmt.Errorf("pki: serial number: %w", err)
		}
		tmpl.SerialNumber = serial
	}
	tmpl.SignatureAlgorithm = x509.SHA256WithRSA
	der, err := x509.CreateCertificate(rand.Reader, tmpl, parent, pub, signer)
	if err != nil {
		return nil, fmt.Errorf("pki: create certificate %q: %w", tmpl.Subject.String(), err)
	}
	return x509.ParseCertificate(der)
}

// directoryNameCRLDP encodes a CRL distribution point extension whose only
// name is a directoryName, as JPKI certificates carry (no HTTP location).
func directoryNameCRLDP(name pkix.Name) (pkix.Extension, error) {
	rdn, err := asn1.Marshal(name.ToRDNSequence())
	if err != nil {
		return pkix.Extension{}, fmt.Errorf("pki: encode CRL DP name: %w", err)
	}
	dirName := asn1.RawValue{Class: asn1.ClassContextSpecific, Tag: 4, IsCompound: true, Bytes: rdn}
	fullName := asn1.RawValue{Class: asn1.ClassContextSpecific, Tag: 0, IsCompound: true, Bytes: mustMarshal(dirName)}
	dpName := asn1.RawValue{Class: asn1.ClassContextSpecific, Tag: 0, IsCompound: true, Bytes: mustMarshal(fullName)}
	dp := asn1.RawValue{Tag: asn1.TagSequence, IsCompound: true, Bytes: mustMarshal(dpName)}
	value, err := asn1.Marshal([]asn1.RawValue{dp})
	if err != nil {
		return pkix.Extension{}, fmt.Errorf("pki: encode CRL DP: %w", err)
	}
	return pkix.Extension{Id: asn1.ObjectIdentifier{2, 5, 29, 31}, Value: value}, nil
}

func mustMarshal(v any) []byte {
	b, err := asn1.Marshal(v)
	if err != nil {
		panic(fmt.Sprintf("pki: asn1 marshal of a fixed structure: %v", err))
	}
	return b
}

// IssueOfficial issues an LGPKI-like 職責証明書 for the holder of a post
// (for example "千代田区長"), used to sign official notices.
func (p *PKI) IssueOfficial(post string) (*Credential, error) {
	return p.LGPKIOrg.Issue(&x509.Certificate{
		Subject: pkix.Name{Country: []string{"JP"}, Organization: []string{"LGPKI Sandbox"},
			OrganizationalUnit: []string{"Chiyoda City"}, CommonName: post},
		NotBefore: p.Now.Add(-30 * 24 * time.Hour),
		NotAfter:  p.Now.Add(2 * 365 * 24 * time.Hour),
		KeyUsage:  x509.KeyUsageDigitalSignature | x509.KeyUsageContentCommitment,
	})
}

// IssuePrivate issues a signing certificate from the private CA.
func (p *PKI) IssuePrivate(commonName string) (*Credential, error) {
	return p.Private.Issue(&x509.Certificate{
		Subject:   pkix.Name{Country: []string{"JP"}, Organization: []string{"Shinsei Sandbox"}, CommonName: commonName},
		NotBefore: p.Now.Add(-30 * 24 * time.Hour),
		NotAfter:  p.Now.Add(365 * 24 * time.Hour),
		KeyUsage:  x509.KeyUsageDigitalSignature | x509.KeyUsageContentCommitment,
	})
}
