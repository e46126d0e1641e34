package pki

import (
	"bytes"
	"crypto/x509"
	"os/exec"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/shinsei-app/shinsei/identity"
	"github.com/shinsei-app/shinsei/internal/testenv/tool"
)

var (
	testPKIOnce sync.Once
	testPKI     *PKI
	testPKIErr  error
)

func pki(t *testing.T) *PKI {
	t.Helper()
	testPKIOnce.Do(func() { testPKI, testPKIErr = New(time.Now()) })
	if testPKIErr != nil {
		t.Fatal(testPKIErr)
	}
	return testPKI
}

func TestRootGenerationsShareTheSubjectButNotTheKey(t *testing.T) {
	p := pki(t)
	if !bytes.Equal(p.JPKISign.Cert.RawSubject, p.JPKISignOld.Cert.RawSubject) {
		t.Fatal("the two JPKI root generations must have the same subject name")
	}
	if bytes.Equal(p.JPKISign.Cert.SubjectKeyId, p.JPKISignOld.Cert.SubjectKeyId) {
		t.Fatal("the two JPKI root generations must have different key identifiers")
	}
	if !p.JPKISignOld.Cert.NotAfter.Before(p.Now) {
		t.Fatal("the old generation should already be expired")
	}
}

func TestResidentCertificateLooksLikeAJPKISignatureCertificate(t *testing.T) {
	p := pki(t)
	cred, err := p.IssueResident(SampleResident(), ResidentOptions{})
	if err != nil {
		t.Fatal(err)
	}
	c := cred.Cert
	if c.SignatureAlgorithm != x509.SHA256WithRSA || c.PublicKey.(interface{ Size() int }).Size() != 256 {
		t.Fatalf("want RSA-2048 sha256WithRSA, got %v", c.SignatureAlgorithm)
	}
	if c.KeyUsage != x509.KeyUsageDigitalSignature|x509.KeyUsageContentCommitment {
		t.Fatalf("key usage %v", c.KeyUsage)
	}
	if !bytes.Equal(c.AuthorityKeyId, p.JPKISign.Cert.SubjectKeyId) {
		t.Fatal("authority key identifier must name the current root's key")
	}
	if len(c.CRLDistributionPoints) != 0 {
		t.Fatalf("the CRL distribution point must be a directory name only, got URLs %v", c.CRLDistributionPoints)
	}
	if _, err := c.Verify(x509.VerifyOptions{Roots: pool(p.JPKISign.Cert), KeyUsages: []x509.ExtKeyUsage{x509.ExtKeyUsageAny}}); err != nil {
		t.Fatalf("does not chain to the current root: %v", err)
	}
	var crit []string
	for _, e := range c.Extensions {
		if e.Critical {
			crit = append(crit, e.Id.String())
		}
	}
	if strings.Join(crit, ",") != "2.5.29.15" {
		t.Fatalf("critical extensions %v, want only keyUsage", crit)
	}
}

func TestOpenSSLReadsTheFourAttributesAsOtherNames(t *testing.T) {
	tool.OpenSSL(t)
	cred, err := pki(t).IssueResident(SampleResident(), ResidentOptions{})
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command("openssl", "x509", "-inform", "DER", "-noout", "-ext", "subjectAltName")
	cmd.Stdin = bytes.NewReader(cred.Cert.Raw)
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("openssl x509: %v", err)
	}
	for _, oid := range []string{identity.OIDJPKIName.String(), identity.OIDJPKIBirthDate.String(), identity.OIDJPKIAddress.String()} {
		if !strings.Contains(string(out), "othername: "+oid) {
			t.Errorf("openssl does not show otherName %s", oid)
		}
	}
}

func TestCorporateCertificateCarriesTheCriticalRegistrarExtension(t *testing.T) {
	cred, err := pki(t).IssueCorporate(SampleCorporation())
	if err != nil {
		t.Fatal(err)
	}
	if len(cred.Cert.UnhandledCriticalExtensions) != 1 || !cred.Cert.UnhandledCriticalExtensions[0].Equal(identity.OIDRegistrar) {
		t.Fatalf("unhandled critical extensions %v", cred.Cert.UnhandledCriticalExtensions)
	}
	der, err := cred.PKCS12("correct horse")
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command("openssl", "pkcs12", "-info", "-noout", "-passin", "pass:correct horse")
	cmd.Stdin = bytes.NewReader(der)
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("openssl cannot read the PKCS#12 file: %v\n%s", err, out)
	}
}

func TestOfficialCertificateChainsThroughTheOrganizationCA(t *testing.T) {
	p := pki(t)
	cred, err := p.IssueOfficial("千代田区長")
	if err != nil {
		t.Fatal(err)
	}
	if len(cred.Intermediates) != 1 || cred.Root != p.LGPKIRoot.Cert {
		t.Fatalf("chain: %d intermediates, root %v", len(cred.Intermediates), cred.Root.Subject)
	}
	_, err = cred.Cert.Verify(x509.VerifyOptions{Roots: pool(cred.Root), Intermediates: pool(cred.Intermediates...),
		KeyUsages: []x509.ExtKeyUsage{x509.ExtKeyUsageAny}})
	if err != nil {
		t.Fatal(err)
	}
}

func pool(certs ...*x509.Certificate) *x509.CertPool {
	p := x509.NewCertPool()
	for _, c := range certs {
		p.AddCert(c)
	}
	return p
}
