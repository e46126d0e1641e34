//go:build cgo && linux

package flow_test

import (
	"context"
	"crypto/x509"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	p11 "github.com/miekg/pkcs11"

	"github.com/shinsei-app/shinsei/flow"
	"github.com/shinsei-app/shinsei/internal/fsx/fsxtest"
	"github.com/shinsei-app/shinsei/internal/testenv"
	"github.com/shinsei-app/shinsei/pkcs11"
	"github.com/shinsei-app/shinsei/sandbox"
	"github.com/shinsei-app/shinsei/sandbox/kit"
	"github.com/shinsei-app/shinsei/sandbox/pki"
	"github.com/shinsei-app/shinsei/sandbox/service"
	"github.com/shinsei-app/shinsei/sandbox/softhsm"
	"github.com/shinsei-app/shinsei/submit"
)

// The use cases run here against real parts: the reference service on
// loopback (sandbox/service), a SoftHSM token holding a resident's
// signature key with CKA_ALWAYS_AUTHENTICATE like the card, PKCS#12 files
// from the sandbox PKI, the fake module for the final try and a locked
// PIN, and the virtual My Number card behind pcscd and OpenSC. The
// keyring is in memory. TestMain (diagnose_card_test.go) starts the card
// stack and configures SoftHSM.

// flowTokenLabel is the SoftHSM token that stands in for a resident's
// card here (the diagnostics tests use the kit's label). Like the card's,
// its signature certificate is readable only after the PIN.
const flowTokenLabel = "Shinsei flow resident"

// flowPIN is that token's PIN.
const flowPIN = "FLOWPIN1"

// world is the sandbox PKI with the people and company of the tests.
type world struct {
	pki                            *pki.PKI
	reg                            *pki.Registry
	resident, revoked, other, corp *pki.Credential
	// corpP12 and revokedP12 are PKCS#12 files (kit.P12Password);
	// p12File writes one for a test.
	corpP12, revokedP12 []byte
}

var (
	worldOnce sync.Once
	theWorld  *world
	worldErr  error
)

// getWorld makes the PKI, issues the credentials, writes the .p12 files
// and provisions the SoftHSM token, once per process.
func getWorld(t testing.TB) *world {
	t.Helper()
	worldOnce.Do(func() { theWorld, worldErr = makeWorld(t) })
	if worldErr != nil {
		t.Fatal(worldErr)
	}
	return theWorld
}

func makeWorld(t testing.TB) (*world, error) {
	p, err := pki.New(time.Now())
	if err != nil {
		return nil, err
	}
	w := &world{pki: p, reg: pki.NewRegistry()}
	if w.resident, err = p.IssueResident(pki.SampleResident(), pki.ResidentOptions{}); err != nil {
		return nil, err
	}
	if w.revoked, err = p.IssueResident(pki.SampleResident(), pki.ResidentOptions{}); err != nil {
		return nil, err
	}
	if w.corp, err = p.IssueCorporate(pki.SampleCorporation()); err != nil {
		return nil, err
	}
	for _, c := range []*pki.Credential{w.resident, w.revoked} {
		w.reg.Record(p.JPKISign, c.Cert)
	}
	w.reg.Record(p.Registrar, w.corp.Cert)
	if err := w.reg.Revoke(p.JPKISign, w.revoked.Cert.SerialNumber, pki.ReasonKeyCompromise, time.Now().Add(-time.Hour)); err != nil {
		return nil, err
	}
	if w.corpP12, err = w.corp.PKCS12(kit.P12Password); err != nil {
		return nil, err
	}
	if w.revokedP12, err = w.revoked.PKCS12(kit.P12Password); err != nil {
		return nil, err
	}
	lib := testenv.SoftHSM(t)
	err = softhsm.Provision(context.Background(), lib, softhsm.TokenSpec{
		Label: flowTokenLabel, SOPIN: "FLOWSOPIN1", UserPIN: flowPIN,
		Keys: []softhsm.KeySpec{{ID: []byte{2}, Label: "Digital Signature Key", Key: w.resident.Key,
			Chain: []*x509.Certificate{w.resident.Root}, AlwaysAuthenticate: true}},
	})
	if err != nil {
		return nil, err
	}
	return w, addPrivateCertificate(lib, flowTokenLabel, flowPIN, []byte{2}, w.resident.Cert)
}

// addPrivateCertificate stores cert on the token as a private object, so
// that like a My Number card's signature certificate it can be read only
// after the PIN.
func addPrivateCertificate(lib *pkcs11.Library, label, pin string, id []byte, cert *x509.Certificate) error {
	m, err := lib.Provisioner()
	if err != nil {
		return err
	}
	slots, err := m.GetSlotList(true)
	if err != nil {
		return err
	}
	for _, slot := range slots {
		ti, err := m.GetTokenInfo(slot)
		if err != nil || strings.TrimRight(ti.Label, " ") != label {
			continue
		}
		sh, err := m.OpenSession(slot, p11.CKF_SERIAL_SESSION|p11.CKF_RW_SESSION)
		if err != nil {
			return err
		}
		defer m.CloseSession(sh)
		if err := m.Login(sh, p11.CKU_USER, pin); err != nil {
			return err
		}
		defer m.Logout(sh)
		_, err = m.CreateObject(sh, []*p11.Attribute{
			p11.NewAttribute(p11.CKA_CLASS, p11.CKO_CERTIFICATE),
			p11.NewAttribute(p11.CKA_TOKEN, true),
			p11.NewAttribute(p11.CKA_PRIVATE, true),
			p11.NewAttribute(p11.CKA_ID, id),
			p11.NewAttribute(p11.CKA_LABEL, "Digital Signature Certificate"),
			p11.NewAttribute(p11.CKA_CERTIFICATE_TYPE, p11.CKC_X_509),
			p11.NewAttribute(p11.CKA_SUBJECT, cert.RawSubject),
			p11.NewAttribute(p11.CKA_ISSUER, cert.RawIssuer),
			p11.NewAttribute(p11.CKA_VALUE, cert.Raw),
		})
		return err
	}
	return errors.New("the token to add the certificate to is not there")
}

// startService starts the reference service on loopback over p and reg
// for the test, without the responders.
func startService(t testing.TB, p *pki.PKI, reg *pki.Registry) *service.Service {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	w, err := sandbox.Start(ctx, sandbox.Options{PKI: p, Registry: reg, NoResponders: true,
		Service: service.Config{Limits: service.Limits{IPRequests: 100000, IPFailures: 1000}}})
	if err != nil {
		cancel()
		t.Fatal(err)
	}
	t.Cleanup(func() { w.Close(); cancel() })
	return w.Service
}

// openApp opens an App on the service with the world's roots as anchors,
// the given PKCS#11 libraries and a fresh data directory and keyring.
func openApp(t testing.TB, svc *service.Service, p *pki.PKI, libs []*pkcs11.Library, change ...func(*flow.Config)) (*flow.App, *flow.Config) {
	t.Helper()
	cfg := flow.Config{
		ServiceURL:     svc.URL(),
		ServiceAnchors: []*x509.Certificate{svc.CACert()},
		TrustAnchors:   p.Roots(),
		Libraries:      libs,
		TriesReader:    testenv.NoTries{},
		DataDir:        fsxtest.TempDir(t),
		Keyring:        &submit.MemoryKeyring{},
		Offline:        true,
		Retry:          submit.RetryPolicy{Attempts: 2, Base: 10 * time.Millisecond, Max: 20 * time.Millisecond},
	}
	for _, c := range change {
		c(&cfg)
	}
	a, err := flow.Open(context.Background(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { a.Close() })
	return a, &cfg
}

// recorder is a set of callbacks that answer as a user would and count
// what they were asked.
type recorder struct {
	mu                            sync.Mutex
	pin                           string
	confirmFinal, decline         bool
	secrets                       map[flow.SecretKind]string
	pinCalls, secretCalls, okCall int
	pinRequests                   []pkcs11.PINRequest
	prechecks                     []*flow.Precheck
	progress                      map[flow.Stage]int
	onProgress                    func(flow.Stage, int64, int64)
}

func (r *recorder) callbacks() flow.Callbacks {
	return flow.Callbacks{
		PIN: func(_ context.Context, req pkcs11.PINRequest) (pkcs11.PINAnswer, error) {
			r.mu.Lock()
			defer r.mu.Unlock()
			r.pinCalls++
			r.pinRequests = append(r.pinRequests, req)
			return pkcs11.PINAnswer{PIN: []byte(r.pin), ConfirmFinalTry: r.confirmFinal}, nil
		},
		Secret: func(_ context.Context, req flow.SecretRequest) ([]byte, error) {
			r.mu.Lock()
			defer r.mu.Unlock()
			r.secretCalls++
			s, ok := r.secrets[req.Kind]
			if !ok {
				return nil, errors.New("the test gives no such secret")
			}
			return []byte(s), nil
		},
		ConfirmSign: func(_ context.Context, p *flow.Precheck) (bool, error) {
			r.mu.Lock()
			defer r.mu.Unlock()
			r.okCall++
			r.prechecks = append(r.prechecks, p)
			return !r.decline, nil
		},
		Progress: func(s flow.Stage, done, total int64) {
			r.mu.Lock()
			if r.progress == nil {
				r.progress = map[flow.Stage]int{}
			}
			r.progress[s]++
			f := r.onProgress
			r.mu.Unlock()
			if f != nil {
				f(s, done, total)
			}
		},
	}
}

// residentToken chooses the SoftHSM token standing in for the card.
func residentToken() flow.CredentialChoice {
	return flow.CredentialChoice{Token: pkcs11.Selector{Label: flowTokenLabel}}
}

// form makes a complete form for the procedure, the applicant block
// pre-filled from cert (or left as the schema's empty block for nil).
func form(t testing.TB, a *flow.App, procedure string, cert *x509.Certificate) (*flow.ProcedureInfo, *submit.FormDocument) {
	t.Helper()
	proc, err := a.Procedure(context.Background(), procedure)
	if err != nil {
		t.Fatal(err)
	}
	doc := flow.NewForm(proc.Procedure)
	for k, v := range service.SampleFields(procedure) {
		doc.Fields[k] = v
	}
	for k, v := range doc.Fields {
		if v == nil {
			delete(doc.Fields, k)
		}
	}
	if cert != nil {
		flow.FillApplicant(doc, flow.Prefill(cert), proc.Procedure, true)
	}
	return proc, doc
}

// filesIn lists the regular files under dir, recursively.
func filesIn(t *testing.T, dir string) []string {
	t.Helper()
	var out []string
	filepath.WalkDir(dir, func(p string, d os.DirEntry, err error) error {
		if err == nil && d.Type().IsRegular() {
			out = append(out, p)
		}
		return nil
	})
	return out
}

// p12File writes a PKCS#12 file for the test and returns its path.
func p12File(t *testing.T, data []byte) string {
	t.Helper()
	path := filepath.Join(fsxtest.TempDir(t), "certificate.p12")
	if err := os.WriteFile(path, data, 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}
