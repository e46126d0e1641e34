package service

import (
	"bytes"
	"context"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/asn1"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/digitorus/pkcs7"

	"github.com/shinsei-app/shinsei/internal/fsx/fsxtest"
	"github.com/shinsei-app/shinsei/sandbox/pki"
	"github.com/shinsei-app/shinsei/signer"
	"github.com/shinsei-app/shinsei/submit"
)

// testCredentials are the PKI and the credentials the service tests sign
// with, made once per test binary.
type testCredentials struct {
	pki *pki.PKI
	// resident is SampleResident; other is a second resident.
	resident, other *pki.Credential
	// expired is SampleResident's certificate that expired yesterday.
	expired *pki.Credential
	// corporate is SampleCorporation's registry certificate.
	corporate *pki.Credential
	// official is the LGPKI 職責 certificate that signs notices.
	official *pki.Credential
	// private is from the private CA, which the service does not trust.
	private *pki.Credential
}

var (
	credsOnce sync.Once
	credsVal  *testCredentials
	credsErr  error
)

// otherResident is the second sample resident.
func otherResident() pki.Resident {
	return pki.Resident{Name: "佐藤　次郎", Sex: "1", BirthDate: "419900101", Address: "東京都千代田区九段南一丁目２番１号"}
}

func testCreds(tb testing.TB) *testCredentials {
	tb.Helper()
	credsOnce.Do(func() {
		p, err := pki.New(time.Now())
		if err != nil {
			credsErr = err
			return
		}
		c := &testCredentials{pki: p}
		steps := []func() error{
			func() (err error) {
				c.resident, err = p.IssueResident(pki.SampleResident(), pki.ResidentOptions{})
				return
			},
			func() (err error) { c.other, err = p.IssueResident(otherResident(), pki.ResidentOptions{}); return },
			func() (err error) {
				c.expired, err = p.IssueResident(pki.SampleResident(), pki.ResidentOptions{
					NotBefore: p.Now.Add(-400 * 24 * time.Hour), NotAfter: p.Now.Add(-24 * time.Hour)})
				return
			},
			func() (err error) { c.corporate, err = p.IssueCorporate(pki.SampleCorporation()); return },
			func() (err error) { c.official, err = p.IssueOfficial("千代田区長"); return },
			func() (err error) { c.private, err = p.IssuePrivate("Shinsei Sandbox Private Signer"); return },
		}
		for _, step := range steps {
			if credsErr = step(); credsErr != nil {
				return
			}
		}
		credsVal = c
	})
	if credsErr != nil {
		tb.Fatal(credsErr)
	}
	return credsVal
}

// testEnv is one running service with its own registry and database.
type testEnv struct {
	tb     testing.TB
	creds  *testCredentials
	svc    *Service
	reg    *pki.Registry
	client *http.Client
	api    string
	dbPath string
	clock  *testClock
	logs   *bytes.Buffer
}

// testClock is a settable clock; zero offset is the real time.
type testClock struct{ offset atomic.Int64 }

func (c *testClock) now() time.Time          { return time.Now().Add(time.Duration(c.offset.Load())) }
func (c *testClock) advance(d time.Duration) { c.offset.Add(int64(d)) }

// lockedBuffer is a bytes.Buffer safe for the logger's goroutines.
type lockedBuffer struct {
	mu sync.Mutex
	b  *bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

// newSvcEnv starts a service on loopback with every test credential
// recorded as issued in a fresh registry; change adjusts the config.
func newSvcEnv(tb testing.TB, change ...func(*Config)) *testEnv {
	tb.Helper()
	c := testCreds(tb)
	e := &testEnv{tb: tb, creds: c, reg: pki.NewRegistry(), clock: &testClock{}, logs: &bytes.Buffer{}}
	e.dbPath = filepath.Join(fsxtest.TempDir(tb), "service.db")
	e.record(c.pki.JPKISign, c.resident, c.other, c.expired)
	e.record(c.pki.Registrar, c.corporate)
	e.record(c.pki.LGPKIOrg, c.official)
	e.record(c.pki.Private, c.private)
	cfg := Config{PKI: c.pki, Registry: e.reg, DBPath: e.dbPath, Official: c.official, Now: e.clock.now,
		Logger: slog.New(slog.NewTextHandler(&lockedBuffer{b: e.logs}, nil))}
	for _, f := range change {
		f(&cfg)
	}
	e.start(cfg)
	return e
}

func (e *testEnv) start(cfg Config) {
	e.tb.Helper()
	svc, err := Start(context.Background(), cfg)
	if err != nil {
		e.tb.Fatal(err)
	}
	e.tb.Cleanup(func() { _ = svc.Close() })
	e.svc = svc
	roots := x509.NewCertPool()
	roots.AddCert(svc.CACert())
	e.client = &http.Client{Timeout: 60 * time.Second, Transport: &http.Transport{
		TLSClientConfig: &tls.Config{RootCAs: roots, MinVersion: tls.VersionTLS12}, MaxIdleConnsPerHost: 16}}
	e.api = svc.URL() + submit.APIPrefix
}

func (e *testEnv) record(ca *pki.CA, creds ...*pki.Credential) {
	for _, c := range creds {
		e.reg.Record(ca, c.Cert)
	}
}

// response is an answer: status, headers and body.
type response struct {
	status int
	header http.Header
	body   []byte
}

// problem decodes the body as a Problem, failing when it is not one.
func (r response) problem(tb testing.TB) submit.Problem {
	tb.Helper()
	var p submit.Problem
	if err := json.Unmarshal(r.body, &p); err != nil || p.Reason == "" || p.MessageJA == "" || p.MessageEN == "" {
		tb.Fatalf("status %d: not a Problem: %s", r.status, r.body)
	}
	return p
}

// decode decodes the body into v.
func (r response) decode(tb testing.TB, v any) {
	tb.Helper()
	if err := json.Unmarshal(r.body, v); err != nil {
		tb.Fatalf("status %d: %v: %s", r.status, err, r.body)
	}
}

// testRequest is a request to send.
type testRequest struct {
	method, path, contentType string
	body                      []byte
	token                     string
	header                    map[string]string
}

// do sends a request to the API (path under /api/v1), or, for a path
// from "/sandbox", to the back office's own listener (Config.AdminAddr).
func (e *testEnv) do(r testRequest) response {
	e.tb.Helper()
	u := e.api + r.path
	if strings.HasPrefix(r.path, "/sandbox") {
		if e.svc.AdminURL() == "" {
			e.tb.Fatal("the service was started without Config.AdminAddr")
		}
		u = e.svc.AdminURL() + r.path
	}
	req, err := http.NewRequest(r.method, u, bytes.NewReader(r.body))
	if err != nil {
		e.tb.Fatal(err)
	}
	if r.contentType != "" {
		req.Header.Set("Content-Type", r.contentType)
	}
	if r.token != "" {
		req.Header.Set("Authorization", "Bearer "+r.token)
	}
	for k, v := range r.header {
		req.Header.Set(k, v)
	}
	resp, err := e.client.Do(req)
	if err != nil {
		e.tb.Fatal(err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		e.tb.Fatal(err)
	}
	return response{status: resp.StatusCode, header: resp.Header, body: body}
}

func (e *testEnv) postJSON(path string, v any, token string) response {
	e.tb.Helper()
	body, err := json.Marshal(v)
	if err != nil {
		e.tb.Fatal(err)
	}
	return e.do(testRequest{method: http.MethodPost, path: path, contentType: submit.MediaJSON, body: body, token: token})
}

// challenge gets a fresh challenge.
func (e *testEnv) challenge() string {
	e.tb.Helper()
	r := e.do(testRequest{method: http.MethodPost, path: "/challenges"})
	if r.status != http.StatusCreated {
		e.tb.Fatalf("challenge: %d %s", r.status, r.body)
	}
	var c submit.Challenge
	r.decode(e.tb, &c)
	return c.Challenge
}

// makePackage builds a package of a form (marshalled to JSON unless it
// is []byte) and attachments signed with cred's key (a crypto.Signer),
// and returns its bytes.
func makePackage(tb testing.TB, cred *pki.Credential, form any, attachments ...[]byte) []byte {
	tb.Helper()
	return makePackageWith(tb, signerCred(cred), form, attachments...)
}

// makePackageWith is makePackage for a signer credential.
func makePackageWith(tb testing.TB, sc signer.Credential, form any, attachments ...[]byte) []byte {
	tb.Helper()
	dir := fsxtest.TempDir(tb)
	data, ok := form.([]byte)
	if !ok {
		var err error
		if data, err = json.Marshal(form); err != nil {
			tb.Fatal(err)
		}
	}
	files := []signer.File{{Name: "form.json", Path: filepath.Join(dir, "form.json")}}
	if err := os.WriteFile(files[0].Path, data, 0o600); err != nil {
		tb.Fatal(err)
	}
	for i, a := range attachments {
		f := signer.File{Name: fmt.Sprintf("添付%d.txt", i+1), Path: filepath.Join(dir, fmt.Sprintf("a%d", i))}
		if err := os.WriteFile(f.Path, a, 0o600); err != nil {
			tb.Fatal(err)
		}
		files = append(files, f)
	}
	out := filepath.Join(dir, "pkg.asice")
	if _, err := signer.Build(context.Background(), out, files, sc, signer.BuildOptions{}); err != nil {
		tb.Fatal(err)
	}
	pkg, err := os.ReadFile(out)
	if err != nil {
		tb.Fatal(err)
	}
	return pkg
}

func signerCred(c *pki.Credential) signer.Credential {
	chain := append([]*x509.Certificate{}, c.Intermediates...)
	if c.Root != nil {
		chain = append(chain, c.Root)
	}
	return signer.Credential{Signer: c.Signer(), Cert: c.Cert, Chain: chain}
}

// detachedSignature is a detached CMS signature over content.
func detachedSignature(tb testing.TB, cred *pki.Credential, content []byte) []byte {
	tb.Helper()
	sd, err := pkcs7.NewSignedData(content)
	if err != nil {
		tb.Fatal(err)
	}
	sd.SetDigestAlgorithm(pkcs7.OIDDigestAlgorithmSHA256)
	if err := sd.AddSigner(cred.Cert, cred.Key, pkcs7.SignerInfoConfig{}); err != nil {
		tb.Fatal(err)
	}
	sd.Detach()
	der, err := sd.Finish()
	if err != nil {
		tb.Fatal(err)
	}
	return der
}

// register registers with a package signed by cred and returns the answer.
func (e *testEnv) register(cred *pki.Credential, ut submit.UserType, password string) response {
	e.tb.Helper()
	return e.registerReset(cred, ut, password, false)
}

// registerReset is register asking, with reset, to reset an existing
// account's password.
func (e *testEnv) registerReset(cred *pki.Credential, ut submit.UserType, password string, reset bool) response {
	e.tb.Helper()
	reg := submit.Registration{Type: "registration", Challenge: e.challenge(), UserType: ut, Password: password, ResetPassword: reset}
	pkg := makePackage(e.tb, cred, reg)
	return e.do(testRequest{method: http.MethodPost, path: "/accounts", contentType: submit.MediaASiCE, body: pkg})
}

// account registers and returns the account ID and password.
func (e *testEnv) account(cred *pki.Credential, ut submit.UserType) (id, password string) {
	e.tb.Helper()
	password = "correct horse battery " + string(ut)
	r := e.registerReset(cred, ut, password, true)
	if r.status != http.StatusCreated && r.status != http.StatusOK {
		e.tb.Fatalf("register: %d %s", r.status, r.body)
	}
	var a submit.Account
	r.decode(e.tb, &a)
	return a.AccountID, password
}

// login logs in and returns the token.
func (e *testEnv) login(id, password string) string {
	e.tb.Helper()
	r := e.postJSON("/sessions", submit.Login{AccountID: id, Password: password}, "")
	if r.status != http.StatusCreated {
		e.tb.Fatalf("login: %d %s", r.status, r.body)
	}
	var s submit.Session
	r.decode(e.tb, &s)
	return s.Token
}

// residentToken registers cred as a resident and logs in.
func (e *testEnv) residentToken(cred *pki.Credential) string {
	e.tb.Helper()
	return e.login(e.account(cred, submit.UserResident))
}

var keyCounter atomic.Int64

// newKey returns a fresh Idempotency-Key.
func newKey() string { return fmt.Sprintf("test-key-%016d", keyCounter.Add(1)) }

// submitApp posts an application.
func (e *testEnv) submitApp(proc, key, token, contentType string, body []byte) response {
	e.tb.Helper()
	h := map[string]string{}
	if key != "" {
		h[submit.HeaderIdemKey] = key
	}
	return e.do(testRequest{method: http.MethodPost, path: "/procedures/" + proc + "/applications",
		contentType: contentType, body: body, token: token, header: h})
}

// stored returns the applications the service stored.
func (e *testEnv) stored() []submit.Receipt {
	e.tb.Helper()
	recs, err := e.svc.Applications(context.Background())
	if err != nil {
		e.tb.Fatal(err)
	}
	return recs
}

// packageFiles lists the stored package files (not the incoming ones).
func (e *testEnv) packageFiles() []string {
	e.tb.Helper()
	var out []string
	root := e.dbPath + "-packages"
	err := filepath.WalkDir(root, func(path string, d os.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if !d.IsDir() {
			rel, _ := filepath.Rel(root, path)
			out = append(out, rel)
		}
		return nil
	})
	if err != nil {
		e.tb.Fatal(err)
	}
	return out
}

// ---- sample forms ----

// residentApplicant is SampleResident's applicant block as a person
// would type it: 髙 where the card holds the substitute 高, an ISO date,
// 女, and the address with hyphens.
func residentApplicant() map[string]any {
	return map[string]any{"name": "髙橋　花子", "birth_date": "1985-04-15", "sex": "女", "address": "東京都千代田区霞が関2-1-2"}
}

func otherApplicant() map[string]any {
	return map[string]any{"name": "佐藤　次郎", "birth_date": "1990-01-01", "sex": "1", "address": "東京都千代田区九段南1-2-1"}
}

func companyApplicant() map[string]any {
	return map[string]any{"corporate_name": "株式会社サンドボックス商事", "corporate_number": "0100-01-999999",
		"corporate_address": "東京都千代田区丸の内一丁目１番１号", "representative_name": "佐藤　一郎"}
}

// sampleForm is a valid form of proc with applicant block a (nil: the
// sample for the procedure's user type).
func sampleForm(proc string, a map[string]any) submit.FormDocument {
	fields := map[string]map[string]any{
		ProcBulkyWaste: {"items": "椅子 1脚、本棚 1台", "collection_date": "2026-07-01", "phone": "03-1234-5678", "place": "玄関前"},
		ProcDogRegistration: {"registration_number": "千代田第123号", "dog_name": "ポチ", "change": "所在地の変更",
			"change_date": "2026-05-01"},
		ProcMoveOut: {"new_address": "大阪府大阪市北区中之島一丁目３番２０号", "move_date": "2026-06-30", "members": json.Number("2"),
			"my_number_card": "継続利用する"},
		ProcChildAllowance: {"child_name": "高橋　太郎", "child_birth_date": "2025-12-01", "relationship": "母",
			"bank_account": "サンドボックス銀行 本店 普通 1234567"},
		ProcBidQualification: {"category": "物品", "capital": json.Number("10000000"), "employees": json.Number("42"),
			"contact_email": "keiyaku@example.jp"},
	}[proc]
	if a == nil {
		a = residentApplicant()
		if proc == ProcBidQualification {
			a = companyApplicant()
		}
	}
	if proc == ProcBulkyWaste || proc == ProcDogRegistration {
		a = map[string]any{"name": a["name"], "address": a["address"]}
	}
	return submit.FormDocument{Procedure: proc, Applicant: a, Fields: fields}
}

func mustJSON(tb testing.TB, v any) []byte {
	tb.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		tb.Fatal(err)
	}
	return b
}

// reissue issues another certificate like cred's — the same subject,
// four attributes, key usage and key — with a new serial number, sparing
// key generation.
func reissue(tb testing.TB, ca *pki.CA, cred *pki.Credential) *pki.Credential {
	tb.Helper()
	var keep []pkix.Extension
	for _, ext := range cred.Cert.Extensions {
		if ext.Id.Equal(asn1.ObjectIdentifier{2, 5, 29, 17}) || ext.Id.Equal(asn1.ObjectIdentifier{2, 5, 29, 31}) {
			keep = append(keep, ext)
		}
	}
	out, err := ca.IssueForKey(&x509.Certificate{Subject: cred.Cert.Subject, NotBefore: cred.Cert.NotBefore,
		NotAfter: cred.Cert.NotAfter, KeyUsage: cred.Cert.KeyUsage, ExtraExtensions: keep}, cred.Key)
	if err != nil {
		tb.Fatal(err)
	}
	return out
}

func pool(certs ...*x509.Certificate) *x509.CertPool {
	p := x509.NewCertPool()
	for _, c := range certs {
		p.AddCert(c)
	}
	return p
}

// p12Credential round-trips cred through a password-protected PKCS#12 file, as
// a company receives its registry certificate, and loads it as the
// client does.
func p12Credential(tb testing.TB, cred *pki.Credential) signer.Credential {
	tb.Helper()
	der, err := cred.PKCS12("company .p12 password")
	if err != nil {
		tb.Fatal(err)
	}
	loaded, err := signer.LoadPKCS12(der, []byte("company .p12 password"))
	if err != nil {
		tb.Fatal(err)
	}
	return *loaded
}
