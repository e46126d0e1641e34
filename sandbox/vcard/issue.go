package vcard

import (
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/hex"
	"fmt"
	"math/big"
	"time"

	"github.com/shinsei-app/shinsei/sandbox/pki"
)

// Secrets of the sandbox's virtual My Number cards. They are fixed and
// printed on purpose: the sandbox is for trying Shinsei out and for tests.
const (
	// SignaturePIN is the signature password (6–16 of A–Z, 0–9).
	SignaturePIN = "SANDBOX1"
	// AuthPIN is the user authentication PIN (4 digits).
	AuthPIN = "1234"
)

// Scenario is a situation residents meet with their My Number card, which
// the virtual card reproduces.
type Scenario string

// Scenarios of the virtual card.
const (
	// ScenarioHealthy is a card in order: 5 signature tries, 3
	// authentication tries, a valid certificate matching the sample form.
	ScenarioHealthy Scenario = "healthy"
	// ScenarioFinalTry is a card with one signature PIN try left.
	ScenarioFinalTry Scenario = "final-try"
	// ScenarioLocked is a card whose signature PIN is locked (reset only at
	// a municipal office).
	ScenarioLocked Scenario = "locked"
	// ScenarioExpired holds a signature certificate that expired yesterday.
	ScenarioExpired Scenario = "expired"
	// ScenarioRevoked holds a normal-looking signature certificate that the
	// sandbox marks revoked (see Card.RevokedSerial and
	// Issuer.Registry).
	ScenarioRevoked Scenario = "revoked"
	// ScenarioAddressChanged holds a certificate whose address differs from
	// the sample form's (SampleResident), an identity mismatch.
	ScenarioAddressChanged Scenario = "address-changed"
	// ScenarioOldGeneration holds a certificate issued under the previous,
	// expired root generation (same subject name, another key).
	ScenarioOldGeneration Scenario = "old-generation"
	// ScenarioNoSignatureCert is a card without a signature certificate,
	// as issued to a child under 15: EF 0001 does not exist.
	ScenarioNoSignatureCert Scenario = "no-signature-certificate"
	// ScenarioRemovedDuringSigning is a healthy card that leaves its slot
	// when asked for its first signature; it can be inserted again.
	ScenarioRemovedDuringSigning Scenario = "removed-during-signing"
)

// Scenarios lists every scenario in a stable order.
func Scenarios() []Scenario {
	return []Scenario{ScenarioHealthy, ScenarioFinalTry, ScenarioLocked, ScenarioExpired, ScenarioRevoked,
		ScenarioAddressChanged, ScenarioOldGeneration, ScenarioNoSignatureCert, ScenarioRemovedDuringSigning}
}

// Description says in a sentence what the scenario reproduces.
func (s Scenario) Description() string {
	switch s {
	case ScenarioHealthy:
		return "a card in order, its certificate matching the sample form"
	case ScenarioFinalTry:
		return "the signature password has one try left"
	case ScenarioLocked:
		return "the signature password is locked"
	case ScenarioExpired:
		return "the signature certificate has expired"
	case ScenarioRevoked:
		return "the signature certificate is revoked"
	case ScenarioAddressChanged:
		return "the certificate's address differs from the form's"
	case ScenarioOldGeneration:
		return "the certificate was issued under the previous root generation"
	case ScenarioNoSignatureCert:
		return "the card holds no signature certificate (a child's card)"
	case ScenarioRemovedDuringSigning:
		return "the card is pulled out during the signature"
	}
	return "unknown scenario"
}

// ParseScenario returns the scenario named s.
func ParseScenario(s string) (Scenario, error) {
	for _, sc := range Scenarios() {
		if string(sc) == s {
			return sc, nil
		}
	}
	return "", fmt.Errorf("vcard: unknown card scenario %q", s)
}

// MovedAddress is the address ScenarioAddressChanged's certificate carries.
const MovedAddress = "東京都新宿区西新宿二丁目８番１号"

// Issuer issues virtual My Number cards from a sandbox PKI, adding the
// authority for user authentication certificates the PKI does not have.
type Issuer struct {
	PKI *pki.PKI
	// AuthCA issues the cards' user authentication certificates ("JPKI for
	// user authentication").
	AuthCA *pki.CA
	// Registry, when set, records the signature certificates issued and
	// revokes ScenarioRevoked's, for responders started on it.
	Registry *pki.Registry
}

// JPKIAuthSubject is the subject of the sandbox's authority for user
// authentication certificates.
var JPKIAuthSubject = pkix.Name{Country: []string{"JP"}, Organization: []string{"JPKI Sandbox"},
	OrganizationalUnit: []string{"JPKI for user authentication", "Japan Agency for Local Authority Information Systems"}}

// NewIssuer makes an issuer on p, generating the authentication
// authority's key. reg may be nil.
func NewIssuer(p *pki.PKI, reg *pki.Registry) (*Issuer, error) {
	year := 365 * 24 * time.Hour
	auth, err := pki.NewRoot(JPKIAuthSubject, p.Now.Add(-3*year), p.Now.Add(7*year))
	if err != nil {
		return nil, err
	}
	return &Issuer{PKI: p, AuthCA: auth, Registry: reg}, nil
}

// Issue makes a card for scenario s, with fresh RSA-2048 keys,
// SignaturePIN and AuthPIN.
func (ci *Issuer) Issue(s Scenario) (*Card, error) {
	p := ci.PKI
	resident := pki.SampleResident()
	var opts pki.ResidentOptions
	contents := Contents{SignaturePIN: SignaturePIN, AuthPIN: AuthPIN, SignatureCA: p.JPKISign.Cert}
	switch s {
	case ScenarioHealthy, ScenarioRevoked, ScenarioNoSignatureCert, ScenarioRemovedDuringSigning:
	case ScenarioFinalTry:
		contents.SignatureTries = 1
	case ScenarioLocked:
		contents.SignatureTries = -1
	case ScenarioExpired:
		opts.NotBefore = p.Now.Add(-2 * 365 * 24 * time.Hour)
		opts.NotAfter = p.Now.Add(-24 * time.Hour)
	case ScenarioAddressChanged:
		resident.Address = MovedAddress
	case ScenarioOldGeneration:
		opts.OldGeneration = true
		contents.SignatureCA = p.JPKISignOld.Cert
	default:
		return nil, fmt.Errorf("vcard: unknown card scenario %q", s)
	}
	sig, err := p.IssueResident(resident, opts)
	if err != nil {
		return nil, err
	}
	auth, err := ci.issueAuth(sig)
	if err != nil {
		return nil, err
	}
	contents.SignatureKey, contents.AuthKey = sig.Key, auth.Key
	contents.AuthCert, contents.AuthCA = auth.Cert, ci.AuthCA.Cert
	if s != ScenarioNoSignatureCert {
		contents.SignatureCert = sig.Cert
	}
	card, err := New(contents)
	if err != nil {
		return nil, err
	}
	card.scenario, card.auth = s, auth
	if s != ScenarioNoSignatureCert {
		card.signature = sig
	}
	ca := p.JPKISign
	if opts.OldGeneration {
		ca = p.JPKISignOld
	}
	if ci.Registry != nil && card.signature != nil {
		ci.Registry.Record(ca, sig.Cert)
	}
	if s == ScenarioRevoked {
		card.revoked = new(big.Int).Set(sig.Cert.SerialNumber)
		if ci.Registry != nil {
			if err := ci.Registry.Revoke(ca, sig.Cert.SerialNumber, pki.ReasonKeyCompromise, p.Now.Add(-24*time.Hour)); err != nil {
				return nil, err
			}
		}
	}
	if s == ScenarioRemovedDuringSigning {
		card.PullOutOnNextSignature()
	}
	return card, nil
}

// issueAuth issues a user authentication certificate valid as long as the
// signature certificate sig: it carries no personal data, as the real one.
func (ci *Issuer) issueAuth(sig *pki.Credential) (*pki.Credential, error) {
	id := make([]byte, 11)
	if _, err := rand.Read(id); err != nil {
		return nil, fmt.Errorf("vcard: identifier: %w", err)
	}
	return ci.AuthCA.Issue(&x509.Certificate{
		Subject: pkix.Name{Country: []string{"JP"}, Locality: []string{"Tokyo-to", "Chiyoda-ku"},
			CommonName: "SANDBOX-AUTH-" + hex.EncodeToString(id)},
		NotBefore:   sig.Cert.NotBefore,
		NotAfter:    sig.Cert.NotAfter,
		KeyUsage:    x509.KeyUsageDigitalSignature,
		ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageClientAuth},
	})
}
