package diagnosis_test

import (
	"archive/zip"
	"bytes"
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/json"
	"encoding/pem"
	"errors"
	"fmt"
	"math/big"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/shinsei-app/shinsei/diagnosis"
	"github.com/shinsei-app/shinsei/i18n"
	"github.com/shinsei-app/shinsei/internal/testenv"
	"github.com/shinsei-app/shinsei/pkcs11"
)

// quick diagnoses with no PKCS#11 module, an in-memory keyring and the
// given changes, so a test looks at one section.
func quick(t *testing.T, change func(*diagnosis.Options)) *diagnosis.Report {
	t.Helper()
	opts := diagnosis.Options{Modules: []pkcs11.ModuleFile{}, Keyring: &fakeKeyring{}, Timeout: 5 * time.Second}
	if change != nil {
		change(&opts)
	}
	return diagnosis.Run(context.Background(), opts)
}

// fakeKeyring is a keyring in memory that can fail, hang or answer wrong.
type fakeKeyring struct {
	setErr error
	hang   chan struct{}
	wrong  bool
	stored map[string]string
}

func (k *fakeKeyring) Set(service, user, secret string) error {
	if k.hang != nil {
		<-k.hang
	}
	if k.setErr != nil {
		return k.setErr
	}
	if k.stored == nil {
		k.stored = make(map[string]string)
	}
	k.stored[service+"/"+user] = secret
	return nil
}

func (k *fakeKeyring) Get(service, user string) (string, error) {
	s, ok := k.stored[service+"/"+user]
	if !ok {
		return "", errors.New("secret not found in keyring")
	}
	if k.wrong {
		return s + "x", nil
	}
	return s, nil
}

func (k *fakeKeyring) Delete(service, user string) error {
	delete(k.stored, service+"/"+user)
	return nil
}

func TestKeyringIsProbedWithAnEntryItRemoves(t *testing.T) {
	hang := make(chan struct{})
	defer close(hang)
	cases := []struct {
		name    string
		keyring *fakeKeyring
		timeout time.Duration
		status  diagnosis.Status
		errText string
	}{
		{"a working keyring is available and keeps nothing", &fakeKeyring{}, time.Second, diagnosis.StatusOK, ""},
		{"a keyring that refuses the entry fails with its error", &fakeKeyring{setErr: errors.New("The name org.freedesktop.secrets was not provided")}, time.Second, diagnosis.StatusFail, "org.freedesktop.secrets"},
		{"a keyring that does not answer fails after the timeout", &fakeKeyring{hang: hang}, 100 * time.Millisecond, diagnosis.StatusFail, "no answer"},
		{"a keyring that reads back another value fails", &fakeKeyring{wrong: true}, time.Second, diagnosis.StatusFail, "differs"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r := quick(t, func(o *diagnosis.Options) { o.Keyring, o.Timeout = c.keyring, c.timeout })
			k := r.Keyring
			if k.Status != c.status || k.Available != (c.status == diagnosis.StatusOK) || !strings.Contains(k.Error, c.errText) {
				t.Errorf("got %s, available %v, error %q; want %s with %q", k.Status, k.Available, k.Error, c.status, c.errText)
			}
			if c.status == diagnosis.StatusFail && (k.Hint.Ja == "" || !strings.Contains(k.Detail.En, "gnome-keyring") || strings.Contains(k.Hint.Ja, "apt-get")) {
				t.Errorf("hint %+v, detail %+v: the help desk's detail does not say what to install, or the resident's hint does", k.Hint, k.Detail)
			}
			if c.keyring.hang == nil && len(c.keyring.stored) != 0 {
				t.Errorf("the probe left %d entries", len(c.keyring.stored))
			}
		})
	}
}

// newCert makes a certificate signed by parent (self-signed when nil).
func newCert(t *testing.T, tmpl *x509.Certificate, parent *x509.Certificate, parentKey *ecdsa.PrivateKey) (*x509.Certificate, *ecdsa.PrivateKey) {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	if tmpl.SerialNumber == nil {
		tmpl.SerialNumber = big.NewInt(time.Now().UnixNano())
	}
	if parent == nil {
		parent, parentKey = tmpl, key
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, parent, &key.PublicKey, parentKey)
	if err != nil {
		t.Fatal(err)
	}
	c, err := x509.ParseCertificate(der)
	if err != nil {
		t.Fatal(err)
	}
	return c, key
}

func caTemplate(name string, notBefore, notAfter time.Time) *x509.Certificate {
	return &x509.Certificate{Subject: pkix.Name{Organization: []string{"Diag Test"}, CommonName: name},
		NotBefore: notBefore, NotAfter: notAfter, IsCA: true, BasicConstraintsValid: true,
		KeyUsage: x509.KeyUsageCertSign | x509.KeyUsageCRLSign}
}

func pemFile(t *testing.T, dir, name string, certs ...*x509.Certificate) string {
	t.Helper()
	var b []byte
	for _, c := range certs {
		b = append(b, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: c.Raw})...)
	}
	path := filepath.Join(dir, name)
	if err := os.WriteFile(path, b, 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

func TestTrustAnchorFilesAreListedWithFingerprintsAndExpiry(t *testing.T) {
	dir := t.TempDir()
	now := time.Now()
	ca, caKey := newCert(t, caTemplate("Diag Root", now.Add(-time.Hour), now.Add(365*24*time.Hour)), nil, nil)
	old, _ := newCert(t, caTemplate("Diag Old Root", now.Add(-2*365*24*time.Hour), now.Add(-24*time.Hour)), nil, nil)
	leaf, _ := newCert(t, &x509.Certificate{Subject: pkix.Name{CommonName: "Hanako Takahashi"}, NotBefore: now.Add(-time.Hour),
		NotAfter: now.Add(24 * time.Hour)}, ca, caKey)
	cases := []struct {
		name     string
		files    []string
		shared   string // a file of the shared JPKI roots, when the case needs one
		personal bool
		status   diagnosis.Status
		check    func(t *testing.T, a diagnosis.AnchorsReport)
	}{
		{"no anchor configured is skipped", nil, "", false, diagnosis.StatusSkipped, nil},
		{"a valid CA is listed with its subject and fingerprint", []string{pemFile(t, dir, "ca.pem", ca)}, "", false, diagnosis.StatusOK, func(t *testing.T, a diagnosis.AnchorsReport) {
			c := a.Files[0].Certificates[0]
			if c.Subject != ca.Subject.String() || len(c.SHA256) != 64 || c.DaysLeft < 364 {
				t.Errorf("got %+v", c)
			}
		}},
		{"an expired root warns", []string{pemFile(t, dir, "old.pem", old)}, "", false, diagnosis.StatusWarn, nil},
		{"a missing file fails and says what is missing, its name redacted", []string{filepath.Join(dir, "missing.pem")}, "", false, diagnosis.StatusFail, func(t *testing.T, a diagnosis.AnchorsReport) {
			if !strings.Contains(a.Files[0].Error, "[redacted].pem: no such file") || strings.Contains(a.Files[0].Error, "missing") {
				t.Errorf("error %q", a.Files[0].Error)
			}
		}},
		{"a holder's certificate as anchor warns and hides its subject", []string{pemFile(t, dir, "leaf.pem", leaf)}, "", false, diagnosis.StatusWarn, func(t *testing.T, a diagnosis.AnchorsReport) {
			if c := a.Files[0].Certificates[0]; c.Subject != "" {
				t.Errorf("subject %q shown", c.Subject)
			}
		}},
		{"with personal data a holder's subject is shown", []string{pemFile(t, dir, "leaf2.pem", leaf)}, "", true, diagnosis.StatusWarn, func(t *testing.T, a diagnosis.AnchorsReport) {
			if c := a.Files[0].Certificates[0]; c.Subject != leaf.Subject.String() {
				t.Errorf("subject %q, want the holder's", c.Subject)
			}
		}},
		{"the real JPKI root is recognised by its pinned fingerprint", nil, "sign_ca_2023.pem", false, diagnosis.StatusOK, func(t *testing.T, a diagnosis.AnchorsReport) {
			if len(a.Files[0].Certificates) == 0 || !strings.Contains(a.Files[0].Certificates[0].Pinned, "2023") {
				t.Errorf("got %+v", a.Files[0])
			}
		}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			files := c.files
			if c.shared != "" {
				files = []string{filepath.Join(testenv.SharedDir(t, "SHINSEI_JPKI_ROOTS_DIR", "jpki-roots"), c.shared)}
			}
			r := quick(t, func(o *diagnosis.Options) { o.Anchors, o.IncludePersonal = files, c.personal })
			if r.Anchors.Status != c.status {
				t.Fatalf("status %s, want %s: %+v", r.Anchors.Status, c.status, r.Anchors)
			}
			if c.status != diagnosis.StatusOK && c.status != diagnosis.StatusSkipped && r.Anchors.Hint.En == "" {
				t.Error("no hint")
			}
			if c.check != nil {
				c.check(t, r.Anchors)
			}
		})
	}
}

func TestTheServiceIsCheckedForReachTrustAndClock(t *testing.T) {
	var skew time.Duration
	var code int
	var page bool
	// The service answers its catalogue under /api/v1; anything else is
	// a 404, or with page set a large web page at every address.
	srv := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if skew != 0 {
			w.Header().Set("Date", time.Now().Add(skew).UTC().Format(http.TimeFormat))
		}
		switch {
		case code != 0:
			w.WriteHeader(code)
		case page:
			w.Header().Set("Content-Type", "text/html")
			w.Write(bytes.Repeat([]byte("x"), 2<<20))
		case r.URL.Path == "/api/v1/procedures":
			w.Header().Set("Content-Type", "application/json")
			w.Write([]byte(`[{"id": "move-out-notification", "auth_level": "signature"}]`))
		default:
			http.NotFound(w, r)
		}
	}))
	defer srv.Close()
	closed := httptest.NewTLSServer(http.NotFoundHandler())
	closedURL := closed.URL
	closed.Close()
	plain := httptest.NewServer(srv.Config.Handler)
	defer plain.Close()
	anchor := pemFile(t, t.TempDir(), "service.pem", srv.Certificate())
	withCreds := strings.Replace(srv.URL, "https://", "https://resident:hunter2@", 1) + "/?token=abcdef"

	cases := []struct {
		name    string
		url     string
		anchors []string
		skew    time.Duration
		code    int
		status  diagnosis.Status
		check   func(t *testing.T, s diagnosis.ServiceReport)
	}{
		{"no URL skips the section", "", nil, 0, 0, diagnosis.StatusSkipped, nil},
		{"a service whose chain verifies against the anchor is ok, with its chain and the clock skew", srv.URL, []string{anchor}, 0, 0, diagnosis.StatusOK, func(t *testing.T, s diagnosis.ServiceReport) {
			if !s.Verified || s.VerifiedAgainst != "configured anchors" || len(s.Chain) == 0 || s.ClockSkewSeconds == nil || *s.ClockSkewSeconds != 0 {
				t.Errorf("got %+v", s)
			}
			if !s.Reachable || s.APIURL != srv.URL+"/api/v1/procedures" || !strings.Contains(s.Summary.En, "the service's API answers") {
				t.Errorf("the catalogue answered, yet reachable %v at %q: %q", s.Reachable, s.APIURL, s.Summary.En)
			}
		}},
		{"the URL given with the API prefix asks the same catalogue", srv.URL + "/api/v1/", []string{anchor}, 0, 0, diagnosis.StatusOK, func(t *testing.T, s diagnosis.ServiceReport) {
			if !s.Reachable || s.APIURL != srv.URL+"/api/v1/procedures" {
				t.Errorf("reachable %v at %q", s.Reachable, s.APIURL)
			}
		}},
		{"a URL that answers 404 is not reachable: it is not the service's API", srv.URL + "/not-the-service", []string{anchor}, 0, 0, diagnosis.StatusFail, func(t *testing.T, s diagnosis.ServiceReport) {
			if s.Reachable || !s.Answered || s.HTTPStatus != http.StatusNotFound || !strings.Contains(s.Summary.En, "not the service's API") ||
				strings.Contains(s.Summary.En, "Reachable") || !strings.Contains(s.Hint.En, "service URL") || s.Hint.Ja == "" {
				t.Errorf("got %+v", s)
			}
		}},
		{"a web page where the catalogue should be is not the service's API", srv.URL, []string{anchor}, 0, -1, diagnosis.StatusFail, func(t *testing.T, s diagnosis.ServiceReport) {
			if s.Reachable || !s.Answered || s.HTTPStatus != http.StatusOK || !strings.Contains(s.Summary.En, "not the service's API") {
				t.Errorf("got %+v", s)
			}
		}},
		{"without the anchor the chain does not verify and the section fails", srv.URL, nil, 0, 0, diagnosis.StatusFail, func(t *testing.T, s diagnosis.ServiceReport) {
			if s.Verified || s.VerifyError == "" || len(s.Chain) == 0 || !s.Reachable {
				t.Errorf("got %+v", s)
			}
		}},
		{"a clock an hour behind the service fails", srv.URL, []string{anchor}, time.Hour, 0, diagnosis.StatusFail, func(t *testing.T, s diagnosis.ServiceReport) {
			if s.ClockSkewSeconds == nil || *s.ClockSkewSeconds < 3590 || !strings.Contains(s.Hint.En, "clock") {
				t.Errorf("got skew %v, hint %q", s.ClockSkewSeconds, s.Hint.En)
			}
		}},
		{"a clock three minutes ahead warns", srv.URL, []string{anchor}, -3 * time.Minute, 0, diagnosis.StatusWarn, func(t *testing.T, s diagnosis.ServiceReport) {
			if s.ClockSkewSeconds == nil || *s.ClockSkewSeconds > -170 {
				t.Errorf("got skew %v", s.ClockSkewSeconds)
			}
		}},
		{"a service answering 503 warns and is not reachable", srv.URL, []string{anchor}, 0, http.StatusServiceUnavailable, diagnosis.StatusWarn, func(t *testing.T, s diagnosis.ServiceReport) {
			if s.Reachable || !strings.Contains(s.Summary.En, "not available") {
				t.Errorf("got %+v", s)
			}
		}},
		{"an unreachable service fails with a hint", closedURL, nil, 0, 0, diagnosis.StatusFail, func(t *testing.T, s diagnosis.ServiceReport) {
			if s.Reachable || s.Error == "" || s.Hint.Ja == "" {
				t.Errorf("got %+v", s)
			}
		}},
		{"plain http warns", plain.URL, nil, 0, 0, diagnosis.StatusWarn, nil},
		{"credentials and the query are never reported", withCreds, []string{anchor}, 0, 0, diagnosis.StatusOK, func(t *testing.T, s diagnosis.ServiceReport) {
			js, _ := json.Marshal(s)
			if bytes.Contains(js, []byte("hunter2")) || bytes.Contains(js, []byte("abcdef")) || bytes.Contains(js, []byte("resident")) {
				t.Errorf("the report holds the URL's credentials: %s", s.URL)
			}
		}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			skew, code, page = c.skew, max(c.code, 0), c.code == -1
			r := quick(t, func(o *diagnosis.Options) { o.ServiceURL, o.Anchors = c.url, c.anchors })
			if r.Service.Status != c.status {
				t.Fatalf("status %s, want %s: %+v", r.Service.Status, c.status, r.Service)
			}
			if c.check != nil {
				c.check(t, r.Service)
			}
		})
	}
}

func TestModulesThatCannotBeUsedFailWithWhatToInstall(t *testing.T) {
	notModule := filepath.Join(t.TempDir(), "not-a-module.so")
	os.WriteFile(notModule, []byte("not a library"), 0o600)
	cases := []struct {
		name    string
		modules []pkcs11.ModuleFile
	}{
		{"no module found fails", []pkcs11.ModuleFile{}},
		{"a file that is not a module fails", []pkcs11.ModuleFile{{Path: notModule}}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r := quick(t, func(o *diagnosis.Options) { o.Modules = c.modules })
			if r.Modules.Status != diagnosis.StatusFail || !strings.Contains(r.Modules.Detail.En, "opensc-pkcs11") || r.Modules.Hint.Ja == "" ||
				strings.Contains(r.Modules.Hint.Ja+r.Modules.Summary.Ja, "PKCS#11") || strings.Contains(r.Modules.Hint.Ja, "apt-get") {
				t.Errorf("got %+v", r.Modules.Check)
			}
			if r.Tokens.Status != diagnosis.StatusSkipped {
				t.Errorf("tokens %s, want skipped", r.Tokens.Status)
			}
			if failed := r.Failed(); len(failed) == 0 || failed[0].ID != diagnosis.SectionModules {
				t.Errorf("Failed() = %+v, want the modules first", failed)
			}
		})
	}
}

func TestErrorLogKeepsTheLastErrorsRedacted(t *testing.T) {
	t.Setenv("HOME", "/home/hanako")
	cases := []struct {
		name     string
		err      string
		gone     []string
		kept     []string
		contains string
	}{
		{"a Japanese name and address are removed", "identity: 高橋　花子 (東京都千代田区霞が関二丁目１番２号) does not match", []string{"高橋", "花子", "霞が関"}, []string{"identity:", "does not match"}, ""},
		{"a birth date is removed and a timestamp kept", "born 1985-04-15 or 1985/04/15; checked at 2026-04-01T09:00:00Z", []string{"1985"}, []string{"2026-04-01T09:00:00Z"}, ""},
		{"a My Number and a decimal serial are removed", "number 123456789012 serial 98765432109876543210", []string{"123456789012", "98765432109876543210"}, []string{"number", "serial"}, ""},
		{"a hex serial is removed and a PC/SC code kept", "serial 3f2a9b8c7d6e5f401122 and 3F:2A:9B:8C:7D:6E:5F:40:11:22; pcsc: SCardConnect: 0x8010000C", []string{"3f2a9b8c7d6e5f401122", "3F:2A"}, []string{"0x8010000C"}, ""},
		{"an e-mail address is removed", "mail hanako.takahashi@example.jp refused", []string{"hanako.takahashi"}, []string{"refused"}, ""},
		{"a subject's personal names are removed", "certcheck: CN=Hanako Takahashi,SERIALNUMBER=ABC123,O=Example,C=JP is not trusted", []string{"Hanako", "ABC123"}, []string{"O=Example", "is not trusted"}, ""},
		{"the home directory becomes ~ and what is below it is redacted", "open /home/hanako/certs/root.pem: no such file", []string{"/home/hanako", "certs", "root"}, []string{"~/[redacted]/[redacted].pem: no such file"}, ""},
		{"a long message is cut", strings.Repeat("too long ", 300), nil, nil, "…"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			l, err := diagnosis.OpenErrorLog("", 0)
			if err != nil {
				t.Fatal(err)
			}
			l.Record("check", errors.New(c.err))
			got := l.Entries()[0].Message
			for _, s := range c.gone {
				if strings.Contains(got, s) {
					t.Errorf("%q still holds %q", got, s)
				}
			}
			for _, s := range append(c.kept, c.contains) {
				if !strings.Contains(got, s) {
					t.Errorf("%q lost %q", got, s)
				}
			}
			if len(got) > 600 {
				t.Errorf("a message of %d bytes was kept", len(got))
			}
		})
	}

	t.Run("the file keeps the newest errors, is private, and survives a damaged file", func(t *testing.T) {
		path := filepath.Join(t.TempDir(), "shinsei", "last-errors.json")
		l, err := diagnosis.OpenErrorLog(path, 3)
		if err != nil {
			t.Fatal(err)
		}
		for i := range 5 {
			if err := l.Record("sign", errors.New(strings.Repeat("x", i+1))); err != nil {
				t.Fatal(err)
			}
		}
		again, err := diagnosis.OpenErrorLog(path, 3)
		if err != nil {
			t.Fatal(err)
		}
		entries := again.Entries()
		if len(entries) != 3 || entries[0].Message != "xxx" || entries[2].Message != "xxxxx" || entries[2].Command != "sign" {
			t.Errorf("entries %+v, want the last three", entries)
		}
		if fi, err := os.Stat(path); err != nil || fi.Mode().Perm() != 0o600 {
			t.Errorf("file mode %v (%v), want 0600", fi.Mode(), err)
		}
		os.WriteFile(path, []byte("{not json"), 0o600)
		damaged, err := diagnosis.OpenErrorLog(path, 3)
		if err == nil {
			t.Error("a damaged file was read without an error")
		}
		if err := damaged.Record("submit", errors.New("network")); err != nil {
			t.Fatal(err)
		}
		if e, err := diagnosis.OpenErrorLog(path, 3); err != nil || len(e.Entries()) != 1 {
			t.Errorf("after replacing the damaged file: %v entries, %v", len(e.Entries()), err)
		}
	})
}

func TestPathsAndSecretsInErrorsAreRedactedBeforeTheyAreKept(t *testing.T) {
	t.Setenv("HOME", "/home/takahashi_hanako")
	cases := []struct {
		name string
		err  error
		want string // the message kept, exactly
	}{
		{"a package below the home directory keeps only its extension",
			errors.New("open /home/takahashi_hanako/申請/hanako-1985-04-15.asice: permission denied"),
			"open ~/[redacted]/[redacted].asice: permission denied"},
		{"a path inside an *os.PathError is redacted",
			fmt.Errorf("sign: %w", &os.PathError{Op: "open", Path: "/home/takahashi_hanako/Documents/takahashi_hanako/hanako-1985-04-15.asice", Err: os.ErrNotExist}),
			"sign: open ~/[redacted]/[redacted]/[redacted].asice: file does not exist"},
		{"a path outside the home directory keeps only its first folder",
			errors.New(`verify: "/media/takahashi_hanako/USB/hanako-1985-04-15.asice" is damaged`),
			`verify: "/media/[redacted]/[redacted]/[redacted].asice" is damaged`},
		{"a file at the root keeps only its extension",
			errors.New("open /hanako-1985-04-15.asice: no such file"),
			"open /[redacted].asice: no such file"},
		{"another user's home is redacted too",
			errors.New("open /home/suzuki_ichiro/form.json: no such file"),
			"open /home/[redacted]/[redacted].json: no such file"},
		{"a Windows path is redacted",
			errors.New(`open C:\Users\takahashi_hanako\hanako-1985-04-15.p12: Access is denied.`),
			`open C:\[redacted]\[redacted]\[redacted].p12: Access is denied.`},
		{"a file name alone keeps only its extension",
			errors.New("sign: hanako-1985-04-15.asice already exists"),
			"sign: [redacted].asice already exists"},
		{"a relative path keeps only its extension",
			errors.New("sign: takahashi_hanako/hanako-1985-04-15.asice: no such file"),
			"sign: [redacted]/[redacted].asice: no such file"},
		{"a file name without a known extension is redacted whole",
			errors.New("open /home/takahashi_hanako/hanako.takahashi: no such file"),
			"open ~/[redacted]: no such file"},
		{"the system's module and socket paths are kept",
			errors.New("pkcs11: load /usr/lib/x86_64-linux-gnu/opensc-pkcs11.so: pcsc: /run/pcscd/pcscd.comm: refused"),
			"pkcs11: load /usr/lib/x86_64-linux-gnu/opensc-pkcs11.so: pcsc: /run/pcscd/pcscd.comm: refused"},
		{"a URL and a media type are no paths",
			errors.New("submit: https://shinsei.example.lg.jp/api/v1/procedures answered text/html, want application/json"),
			"submit: https://shinsei.example.lg.jp/api/v1/procedures answered text/html, want application/json"},
		{"a PIN quoted after the word PIN is redacted",
			errors.New("pkcs11: the token refused PIN SANDBOX1"),
			"pkcs11: the token refused PIN [redacted]"},
		{"a password quoted after a colon or in quotes is redacted",
			errors.New(`signer: password: sandbox; passphrase "hunter2"`),
			`signer: password: [redacted]; passphrase "[redacted]"`},
		{"a Japanese password is redacted",
			errors.New("パスワード：ABCD1234 が違います"),
			"[redacted][redacted] [redacted]"},
		{"the words that follow PIN in ordinary messages stay",
			errors.New("pkcs11: incorrect PIN (4 tries left); pkcs11: PIN locked; the password is too short; the user authentication PIN is 4 digits; use --pin-stdin"),
			"pkcs11: incorrect PIN (4 tries left); pkcs11: PIN locked; the password is too short; the user authentication PIN is 4 digits; use --pin-stdin"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			l, err := diagnosis.OpenErrorLog("", 0)
			if err != nil {
				t.Fatal(err)
			}
			l.Record("sign", c.err)
			if got := l.Entries()[0].Message; got != c.want {
				t.Errorf("kept %q\nwant %q", got, c.want)
			}
			// The report redacts the entries again: a second pass changes
			// nothing.
			r := quick(t, func(o *diagnosis.Options) { o.Errors = l })
			if got := r.LastErrors.Entries[0].Message; got != c.want {
				t.Errorf("redacted again, %q\nwant %q", got, c.want)
			}
		})
	}
}

func TestTheBundleHoldsNoPathNamesOrPINsFromTheErrors(t *testing.T) {
	// A log written by an older version, before it redacted paths and
	// secrets: the report redacts it again as it reads it.
	path := filepath.Join(t.TempDir(), "last-errors.json")
	raw := []map[string]any{
		{"time": time.Now().UTC().Format(time.RFC3339), "command": "sign", "message": "open /home/takahashi_hanako/hanako-1985-04-15.asice: permission denied"},
		{"time": time.Now().UTC().Format(time.RFC3339), "command": "sign", "message": "pkcs11: the token refused PIN SANDBOX1"},
	}
	data, _ := json.Marshal(raw)
	if err := os.WriteFile(path, data, 0o600); err != nil {
		t.Fatal(err)
	}
	l, err := diagnosis.OpenErrorLog(path, 0)
	if err != nil {
		t.Fatal(err)
	}
	r := quick(t, func(o *diagnosis.Options) { o.Errors = l })
	var buf bytes.Buffer
	if err := r.WriteBundle(&buf); err != nil {
		t.Fatal(err)
	}
	zr, err := zip.NewReader(bytes.NewReader(buf.Bytes()), int64(buf.Len()))
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range zr.File {
		rc, _ := f.Open()
		var b bytes.Buffer
		b.ReadFrom(rc)
		rc.Close()
		for _, leak := range []string{"takahashi", "hanako", "1985", "SANDBOX1"} {
			if strings.Contains(b.String(), leak) {
				t.Errorf("%s holds %q", f.Name, leak)
			}
		}
		if f.Name == "report.txt" && !strings.Contains(b.String(), "[redacted].asice") {
			t.Errorf("report.txt lost the kind of file:\n%s", b.String())
		}
	}
}

func TestTheLastErrorsAreAVerdictApartFromTheComputersState(t *testing.T) {
	t.Run("an earlier diagnosis is never kept among the last errors", func(t *testing.T) {
		l, _ := diagnosis.OpenErrorLog("", 0)
		// What the command line's diag returns when a part fails.
		l.Record(diagnosis.DiagCommand, errors.New("diag: Card readers (PC/SC), OS keyring do not work"))
		if e := l.Entries(); len(e) != 0 {
			t.Fatalf("the diagnosis' own verdict was kept: %+v", e)
		}
		first := quick(t, func(o *diagnosis.Options) { o.Errors = l })
		second := quick(t, func(o *diagnosis.Options) { o.Errors = l })
		if second.LastErrors.Status != diagnosis.StatusOK || len(second.LastErrors.Entries) != 0 || second.Status() != first.Status() {
			t.Errorf("the second run: last errors %+v, overall %s after %s", second.LastErrors, second.Status(), first.Status())
		}
	})
	t.Run("recent errors do not turn a working computer amber", func(t *testing.T) {
		var r diagnosis.Report
		for _, c := range []*diagnosis.Check{&r.System.Check, &r.Modules.Check, &r.PCSC.Check, &r.Tokens.Check, &r.Certificates.Check,
			&r.Anchors.Check, &r.Service.Check, &r.Keyring.Check} {
			c.Status = diagnosis.StatusOK
		}
		r.LastErrors.Status = diagnosis.StatusWarn
		if r.Status() != diagnosis.StatusOK || r.History().Status != diagnosis.StatusWarn || len(r.Failed()) != 0 {
			t.Errorf("overall %s, history %s; want ok apart from warn", r.Status(), r.History().Status)
		}
		en := r.Text(i18n.English)
		for _, want := range []string{"Overall: ok", "Past errors: warn (not part of the overall verdict)"} {
			if !strings.Contains(en, want) {
				t.Errorf("the text lacks %q:\n%s", want, en)
			}
		}
	})
	t.Run("an entry an older version kept for the diagnosis is not shown", func(t *testing.T) {
		path := filepath.Join(t.TempDir(), "last-errors.json")
		os.WriteFile(path, []byte(`[{"time": "`+time.Now().UTC().Format(time.RFC3339)+`", "command": "diag", "message": "diag: OS keyring do not work"}]`), 0o600)
		l, err := diagnosis.OpenErrorLog(path, 0)
		if err != nil {
			t.Fatal(err)
		}
		if r := quick(t, func(o *diagnosis.Options) { o.Errors = l }); r.LastErrors.Status != diagnosis.StatusOK || len(r.LastErrors.Entries) != 0 {
			t.Errorf("last errors %+v", r.LastErrors)
		}
	})
}

func TestDefaultErrorLogPathNeverCreatesAHome(t *testing.T) {
	t.Setenv("XDG_CACHE_HOME", "")
	cases := []struct {
		name, env, home, want string
		err                   bool
	}{
		{"the variable names the file", "/tmp/x/errors.json", "/root", "/tmp/x/errors.json", false},
		{"off turns the file off", "off", "/root", "", false},
		{"without a home directory there is no file", "", "/no-home", "", true},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Setenv(diagnosis.ErrorLogEnv, c.env)
			t.Setenv("HOME", c.home)
			got, err := diagnosis.DefaultErrorLogPath()
			if got != c.want || (err != nil) != c.err {
				t.Errorf("got %q, %v; want %q, error %v", got, err, c.want, c.err)
			}
		})
	}
}

func TestTheReportReadsTheSameInTextJSONAndTheBundle(t *testing.T) {
	t.Setenv("HTTPS_PROXY", "http://resident:hunter2@proxy.example:8080")
	l, _ := diagnosis.OpenErrorLog("", 0)
	l.Record("submit", errors.New("submit: the service refused the package"))
	var steps []string
	r := quick(t, func(o *diagnosis.Options) {
		o.Errors = l
		o.Version = "v1.2.3"
		o.Progress = func(id diagnosis.SectionID) { steps = append(steps, string(id)) }
	})
	var sections []string
	for _, s := range r.Sections() {
		sections = append(sections, string(s.ID))
	}
	if strings.Join(steps, " ") != "system modules pcsc tokens anchors service keyring last_errors" || len(sections) != 8 || r.History().ID != diagnosis.SectionErrors {
		t.Errorf("progress %v, sections %v", steps, sections)
	}
	if r.System.Version != "v1.2.3" || r.System.OS == "" || r.System.GoVersion == "" {
		t.Errorf("system %+v", r.System)
	}
	if r.LastErrors.Status != diagnosis.StatusWarn || len(r.LastErrors.Entries) != 1 {
		t.Errorf("last errors %+v", r.LastErrors)
	}
	en, ja := r.Text(i18n.English), r.Text(i18n.Japanese)
	for _, want := range []string{"[FAIL] PKCS#11 modules", "→ To use a My Number card", "service refused the package", "Overall: FAIL", "Past errors: warn", "[warn] Last errors"} {
		if !strings.Contains(en, want) {
			t.Errorf("the English text lacks %q:\n%s", want, en)
		}
	}
	for _, want := range []string{"[要対応] カードを使うためのソフトウェア", "→ マイナンバーカードを使うには", "［ヘルプデスク向け］ PKCS#11 モジュールがありません", "総合判定: 要対応"} {
		if !strings.Contains(ja, want) {
			t.Errorf("the Japanese text lacks %q:\n%s", want, ja)
		}
	}
	var buf bytes.Buffer
	if err := r.WriteBundle(&buf); err != nil {
		t.Fatal(err)
	}
	zr, err := zip.NewReader(bytes.NewReader(buf.Bytes()), int64(buf.Len()))
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, f := range zr.File {
		names = append(names, f.Name)
		rc, _ := f.Open()
		var b bytes.Buffer
		b.ReadFrom(rc)
		rc.Close()
		if bytes.Contains(b.Bytes(), []byte("hunter2")) {
			t.Errorf("%s holds the proxy's password", f.Name)
		}
		if f.Name == "report.json" {
			var back diagnosis.Report
			if err := json.Unmarshal(b.Bytes(), &back); err != nil || back.Modules.Status != diagnosis.StatusFail || back.Overall != diagnosis.StatusFail || back.LastErrors.Status != diagnosis.StatusWarn {
				t.Errorf("report.json does not read back: %v", err)
			}
		}
		if f.Name == "environment.txt" && !strings.Contains(b.String(), "HTTPS_PROXY=(set)") {
			t.Errorf("environment.txt:\n%s", b.String())
		}
	}
	if strings.Join(names, " ") != "report.json report.txt report-ja.txt environment.txt" {
		t.Errorf("bundle files %v", names)
	}
}
