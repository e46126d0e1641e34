package certcheck_test

import (
	"crypto/x509"
	"encoding/pem"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/shinsei-app/shinsei/certcheck"
	"github.com/shinsei-app/shinsei/internal/fsx/fsxtest"
	"github.com/shinsei-app/shinsei/internal/testenv/tool"
)

func crlRunOpenSSL(t testing.TB, dir string, args ...string) (string, error) {
	t.Helper()
	cmd := exec.Command(tool.OpenSSL(t), args...)
	cmd.Dir = dir
	out, err := cmd.CombinedOutput()
	return string(out), err
}

func crlMustOpenSSL(t testing.TB, dir string, args ...string) string {
	t.Helper()
	out, err := crlRunOpenSSL(t, dir, args...)
	if err != nil {
		t.Fatalf("openssl %s: %v\n%s", strings.Join(args, " "), err, out)
	}
	return out
}

func crlReadPEMCert(t testing.TB, path string) *x509.Certificate {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := pem.Decode(data)
	if b == nil {
		t.Fatalf("%s: no PEM block", path)
	}
	c, err := x509.ParseCertificate(b.Bytes)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

const crlOpenSSLConf = `
[ ca ]
default_ca = CA_default
[ CA_default ]
dir = .
database = ./index.txt
new_certs_dir = ./newcerts
certificate = ./ca.pem
private_key = ./ca.key
serial = ./serial
crlnumber = ./crlnumber
default_md = sha256
default_days = 30
default_crl_days = 7
policy = policy_any
unique_subject = no
copy_extensions = none
[ policy_any ]
commonName = supplied
[ req ]
distinguished_name = req_dn
prompt = no
[ req_dn ]
CN = unused
[ v3_ca ]
basicConstraints = critical,CA:TRUE
keyUsage = critical,keyCertSign,cRLSign
subjectKeyIdentifier = hash
[ ee_ext ]
basicConstraints = critical,CA:FALSE
keyUsage = critical,digitalSignature,nonRepudiation
crlDistributionPoints = URI:%s
authorityKeyIdentifier = keyid
[ crl_ext ]
authorityKeyIdentifier = keyid:always
`

// TestCRLAgreesWithOpenSSL builds a CA with openssl ca, revokes one
// certificate for keyCompromise and puts another on hold, generates the CRL
// with openssl, and checks that CRLSource says what openssl verify
// -crl_check says, from the file and from the distribution point.
func TestCRLAgreesWithOpenSSL(t *testing.T) {
	tool.OpenSSL(t)
	dir := fsxtest.TempDir(t)
	srv := newCRLServer(t)
	dpURL := srv.URL + "/openssl-ca.crl"
	if err := os.WriteFile(filepath.Join(dir, "ca.cnf"), []byte(fmt.Sprintf(crlOpenSSLConf, dpURL)), 0o600); err != nil {
		t.Fatal(err)
	}
	for name, content := range map[string]string{"index.txt": "", "serial": "1000\n", "crlnumber": "01\n"} {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(content), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.Mkdir(filepath.Join(dir, "newcerts"), 0o700); err != nil {
		t.Fatal(err)
	}
	crlMustOpenSSL(t, dir, "req", "-config", "ca.cnf", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", "ca.key", "-out", "ca.pem",
		"-days", "365", "-subj", "/C=JP/O=Shinsei CRL Test/CN=openssl test CA", "-extensions", "v3_ca")
	names := []string{"revoked", "held", "good"}
	for _, n := range names {
		crlMustOpenSSL(t, dir, "req", "-config", "ca.cnf", "-new", "-newkey", "rsa:2048", "-nodes", "-keyout", n+".key", "-out", n+".csr", "-subj", "/C=JP/CN="+n)
		crlMustOpenSSL(t, dir, "ca", "-config", "ca.cnf", "-batch", "-notext", "-extensions", "ee_ext", "-in", n+".csr", "-out", n+".pem")
	}
	crlMustOpenSSL(t, dir, "ca", "-config", "ca.cnf", "-revoke", "revoked.pem", "-crl_reason", "keyCompromise")
	crlMustOpenSSL(t, dir, "ca", "-config", "ca.cnf", "-revoke", "held.pem", "-crl_hold", "holdInstructionReject")
	crlMustOpenSSL(t, dir, "ca", "-config", "ca.cnf", "-gencrl", "-crlexts", "crl_ext", "-out", "crl.pem")
	crlMustOpenSSL(t, dir, "crl", "-in", "crl.pem", "-outform", "DER", "-out", "crl.der")
	text := crlMustOpenSSL(t, dir, "crl", "-in", "crl.pem", "-noout", "-text")
	for _, want := range []string{"Key Compromise", "Certificate Hold"} {
		if !strings.Contains(text, want) {
			t.Fatalf("openssl crl -text does not show %q:\n%s", want, text)
		}
	}
	crlDER, err := os.ReadFile(filepath.Join(dir, "crl.der"))
	if err != nil {
		t.Fatal(err)
	}
	srv.serve("/openssl-ca.crl", crlDER)
	ca := crlReadPEMCert(t, filepath.Join(dir, "ca.pem"))

	fromFile, err := certcheck.NewCRLSource(t.Context(), certcheck.CRLOptions{Files: []string{filepath.Join(dir, "crl.pem")}, Offline: true})
	if err != nil {
		t.Fatal(err)
	}
	fromURL, err := certcheck.NewCRLSource(t.Context(), certcheck.CRLOptions{CacheDir: fsxtest.TempDir(t)})
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name   string
		cert   string
		status certcheck.Status
		reason string
	}{
		{"a certificate openssl revoked for keyCompromise is revoked with that reason", "revoked", certcheck.StatusRevoked, "keyCompromise"},
		{"a certificate openssl put on hold is on hold", "held", certcheck.StatusOnHold, "certificateHold"},
		{"a certificate openssl did not revoke is good", "good", certcheck.StatusGood, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			out, verr := crlRunOpenSSL(t, dir, "verify", "-crl_check", "-CAfile", "ca.pem", "-CRLfile", "crl.pem", tt.cert+".pem")
			opensslRevoked := verr != nil && strings.Contains(out, "certificate revoked")
			opensslOK := verr == nil && strings.Contains(out, ": OK")
			if !opensslRevoked && !opensslOK {
				t.Fatalf("openssl verify gave neither OK nor revoked: %v\n%s", verr, out)
			}
			if opensslOK != (tt.status == certcheck.StatusGood) {
				t.Fatalf("the table disagrees with openssl verify: %s", out)
			}
			cert := crlReadPEMCert(t, filepath.Join(dir, tt.cert+".pem"))
			q := certcheck.Query{Cert: cert, Issuer: ca, Path: []*x509.Certificate{cert, ca}, Roots: []*x509.Certificate{ca}, At: time.Now()}
			for src, s := range map[string]*certcheck.CRLSource{"file": fromFile, "distribution point": fromURL} {
				r, ok := s.Check(t.Context(), q)
				if !ok || r.Status != tt.status || r.Reason != tt.reason {
					t.Errorf("from the %s: got ok=%v %s %q (%s), openssl verify says %q", src, ok, r.Status, r.Reason, r.Detail, strings.TrimSpace(out))
				}
				if r.Status != certcheck.StatusGood && r.RevokedAt.IsZero() {
					t.Errorf("from the %s: no revocation time", src)
				}
			}
			res := certcheck.Check(t.Context(), cert, certcheck.Options{Roots: []*x509.Certificate{ca}, Sources: []certcheck.Source{fromFile}, RequireRevocation: true})
			wantOutcome := map[certcheck.Status]certcheck.Outcome{certcheck.StatusGood: certcheck.Good,
				certcheck.StatusRevoked: certcheck.Bad, certcheck.StatusOnHold: certcheck.Bad}[tt.status]
			if res.Outcome != wantOutcome {
				t.Errorf("Check: %s/%s, want %s", res.Outcome, res.Reason, wantOutcome)
			}
		})
	}
}

// TestCRLRejections: every way a CRL can be unusable gives an unknown
// status — never good — with a detail that says which way, and no serial.
func TestCRLRejections(t *testing.T) {
	p := testPKI(t)
	ca, other := p.Private, p.Registrar
	srv := newCRLServer(t)
	now := time.Now()
	fresh := func(entries ...x509.RevocationListEntry) []byte {
		return crlMake(t, ca, now.Add(-time.Hour), now.Add(24*time.Hour), entries...)
	}
	forged := fresh()
	forged[len(forged)-1] ^= 0x01
	big := crlMakeN(t, ca, 3000)

	closed, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	refused := "http://" + closed.Addr().String() + "/gone.crl"
	closed.Close()

	tests := []struct {
		name    string
		setup   func(path string) string // serves the case, returns the DP URL
		opts    certcheck.CRLOptions
		detail  string
		maxTime time.Duration
	}{
		{"a CRL whose signature was altered is rejected", func(p string) string { return srv.serve(p, forged) },
			certcheck.CRLOptions{}, "CRL signature does not verify", 0},
		{"a CRL past its nextUpdate is stale", func(p string) string {
			return srv.serve(p, crlMake(t, ca, now.Add(-48*time.Hour), now.Add(-24*time.Hour)))
		}, certcheck.CRLOptions{}, "nextUpdate", 0},
		{"a CRL from another issuer at the distribution point is rejected", func(p string) string {
			return srv.serve(p, crlMake(t, other, now.Add(-time.Hour), now.Add(time.Hour)))
		}, certcheck.CRLOptions{}, "issued by", 0},
		{"a CRL over the size limit is refused, not truncated", func(p string) string { return srv.serve(p, big) },
			certcheck.CRLOptions{FetchOptions: certcheck.FetchOptions{MaxSize: 16 << 10}}, "larger than the size limit", 0},
		{"a CRL streamed without a length over the size limit is refused", func(p string) string {
			return srv.handle(p, func(w http.ResponseWriter, r *http.Request) {
				for i := 0; i < len(big); i += 4096 {
					w.Write(big[i:min(i+4096, len(big))])
					w.(http.Flusher).Flush()
				}
			})
		}, certcheck.CRLOptions{FetchOptions: certcheck.FetchOptions{MaxSize: 16 << 10}}, "larger than the size limit", 0},
		{"a server slower than the fetch timeout gives unknown within the deadline", func(p string) string {
			return srv.handle(p, func(w http.ResponseWriter, r *http.Request) {
				select {
				case <-r.Context().Done():
				case <-time.After(10 * time.Second):
				}
				panic(http.ErrAbortHandler) // silent to the end: no (empty) reply
			})
		}, certcheck.CRLOptions{FetchOptions: certcheck.FetchOptions{FetchTimeout: 300 * time.Millisecond}}, "deadline exceeded", 3 * time.Second},
		{"a redirect loop stops at the redirect limit", func(p string) string {
			return srv.handle(p, func(w http.ResponseWriter, r *http.Request) { http.Redirect(w, r, p, http.StatusFound) })
		}, certcheck.CRLOptions{}, "stopped after 3 redirects", 0},
		{"garbage bytes are not a CRL", func(p string) string { return srv.serve(p, []byte("<html>not a CRL</html>")) },
			certcheck.CRLOptions{}, "malformed CRL", 0},
		{"a distribution point answering 404 gives unknown", func(p string) string { return srv.URL + p },
			certcheck.CRLOptions{}, "HTTP 404", 0},
		{"a refused connection gives unknown", func(string) string { return refused },
			certcheck.CRLOptions{}, "refused", 0},
		{"offline, a distribution point is not fetched", func(p string) string { return srv.serve(p, fresh()) },
			certcheck.CRLOptions{Offline: true}, "offline", 0},
	}
	for i, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			url := tt.setup(fmt.Sprintf("/case-%d.crl", i))
			cert := crlIssue(t, ca, "rejection case", url)
			src, err := certcheck.NewCRLSource(t.Context(), tt.opts)
			if err != nil {
				t.Fatal(err)
			}
			hitsBefore := srv.hits.Load()
			start := time.Now()
			r, ok := src.Check(t.Context(), crlQuery(cert, ca))
			elapsed := time.Since(start)
			if !ok || r.Status != certcheck.StatusUnknown {
				t.Fatalf("got ok=%v %s (%s), want unknown", ok, r.Status, r.Detail)
			}
			t.Logf("detail: %s", r.Detail)
			// Windows words it "Connection refused." or "actively refused it".
			if !strings.Contains(strings.ToLower(r.Detail), strings.ToLower(tt.detail)) {
				t.Errorf("detail %q does not say %q", r.Detail, tt.detail)
			}
			if crlMentionsSerial(r.Detail, cert) {
				t.Errorf("detail shows the serial number: %q", r.Detail)
			}
			if tt.maxTime > 0 && elapsed > tt.maxTime {
				t.Errorf("took %v, want under %v", elapsed, tt.maxTime)
			}
			if tt.opts.Offline && srv.hits.Load() != hitsBefore {
				t.Errorf("offline source made %d requests", srv.hits.Load()-hitsBefore)
			}
			res := certcheck.Check(t.Context(), cert, certcheck.Options{Roots: p.Roots(), Sources: []certcheck.Source{src}, RequireRevocation: true})
			if res.Outcome != certcheck.Indeterminate {
				t.Errorf("hard-fail Check gave %s/%s, want indeterminate", res.Outcome, res.Reason)
			}
		})
	}
}
