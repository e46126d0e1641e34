//go:build cgo && linux

package diagnosis_test

import (
	"archive/zip"
	"bytes"
	"context"
	"crypto/x509"
	"encoding/json"
	"encoding/pem"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"

	"github.com/shinsei-app/shinsei/diagnosis"
	"github.com/shinsei-app/shinsei/i18n"
	"github.com/shinsei-app/shinsei/internal/testenv"
	"github.com/shinsei-app/shinsei/pkcs11"
	"github.com/shinsei-app/shinsei/sandbox/kit"
	"github.com/shinsei-app/shinsei/sandbox/pki"
	"github.com/shinsei-app/shinsei/sandbox/softhsm"
	"github.com/shinsei-app/shinsei/sandbox/vcard"
	"github.com/shinsei-app/shinsei/submit"
)

// These tests run Diagnose on the real stack: the virtual My Number card
// behind vpcd, a private pcscd and OpenSC, and a SoftHSM token that holds
// the sample resident's signature certificate, as the sandbox kit's does.

func TestMain(m *testing.M) { os.Exit(testenv.CardMain(m)) }

var kitToken struct {
	sync.Mutex
	cert *x509.Certificate
}

// kitTokenCert provisions, once per process, a SoftHSM token labelled as
// the kit's (like a card's signature token) holding the card's signature
// key and certificate, readable without a PIN; it returns the certificate.
func kitTokenCert(t *testing.T, card *vcard.Card) *x509.Certificate {
	t.Helper()
	kitToken.Lock()
	defer kitToken.Unlock()
	if kitToken.cert != nil {
		return kitToken.cert
	}
	cred := card.SignatureCredential()
	err := softhsm.Provision(context.Background(), testenv.SoftHSM(t), softhsm.TokenSpec{
		Label: kit.TokenLabel, SOPIN: kit.SOPIN, UserPIN: kit.PIN,
		Keys: []softhsm.KeySpec{{ID: []byte{2}, Label: "Digital Signature Key", Key: cred.Key, Cert: cred.Cert,
			Chain: []*x509.Certificate{cred.Root}, AlwaysAuthenticate: true}},
	})
	if err != nil {
		t.Fatal(err)
	}
	kitToken.cert = cred.Cert
	return cred.Cert
}

// modules are OpenSC's and SoftHSM's, as found on this computer.
func modules(t *testing.T) []pkcs11.ModuleFile {
	t.Helper()
	var mods []pkcs11.ModuleFile
	for _, m := range pkcs11.FindModules() {
		if m.Name == "OpenSC" || m.Name == "SoftHSM" {
			mods = append(mods, m)
		}
	}
	if len(mods) != 2 {
		t.Fatalf("found %v; install OpenSC and SoftHSM (Debian: apt-get install opensc-pkcs11 softhsm2)", mods)
	}
	return mods
}

// openSC is OpenSC's module alone.
func openSC(t *testing.T) []pkcs11.ModuleFile {
	t.Helper()
	for _, m := range modules(t) {
		if m.Name == "OpenSC" {
			return []pkcs11.ModuleFile{m}
		}
	}
	return nil
}

// forbidden is what a redacted report must never contain, with what it is
// (never the value itself in a failure message).
type forbidden struct {
	what string
	re   *regexp.Regexp
}

// personalPatterns are the sandbox card's PINs, the sample resident's
// name, address and birth date, in UTF-8 and as JSON \u escapes, and the
// serial numbers and subject identifiers of the holder's certificates, in
// hex and decimal. PINs are matched as whole words, so that "SANDBOX-…"
// identifiers and longer numbers do not count.
func personalPatterns(holder ...*x509.Certificate) []forbidden {
	lit := func(what, s string) forbidden { return forbidden{what, regexp.MustCompile(regexp.QuoteMeta(s))} }
	esc := func(what, s string) forbidden {
		var b strings.Builder
		for _, r := range s {
			fmt.Fprintf(&b, `\\u%04x`, r)
		}
		return forbidden{what + " as JSON escapes", regexp.MustCompile(`(?i)` + b.String())}
	}
	p := []forbidden{
		{"the signature PIN", regexp.MustCompile(`(?i)\b` + vcard.SignaturePIN + `\b`)},
		{"the authentication PIN", regexp.MustCompile(`\b` + vcard.AuthPIN + `\b`)},
	}
	for _, s := range []string{"高橋", "髙橋", "花子", "霞が関", "千代田区", "東京都", "二丁目"} {
		p = append(p, lit("a part of the name or address", s), esc("a part of the name or address", s))
	}
	for _, s := range []string{"19850415", "1985-04-15", "1985/04/15", "昭和60", "S60.4.15"} {
		p = append(p, lit("the birth date", s))
	}
	for _, s := range []string{"Chiyoda-ku", "Tokyo-to"} {
		p = append(p, lit("a locality of a holder's subject", s))
	}
	p = append(p, esc("the era", "昭和"))
	for _, c := range holder {
		n := c.SerialNumber
		p = append(p, forbidden{"a serial number in hex", regexp.MustCompile(`(?i)` + n.Text(16))},
			lit("a serial number in decimal", n.String()),
			lit("a holder's subject identifier", c.Subject.CommonName))
	}
	return p
}

func findPersonal(t *testing.T, where string, data []byte, pats []forbidden) {
	t.Helper()
	for _, f := range pats {
		if f.re.Match(data) {
			t.Errorf("%s contains %s", where, f.what)
		}
	}
}

// bundleFiles unzips a bundle into name → content.
func bundleFiles(t *testing.T, zipped []byte) map[string][]byte {
	t.Helper()
	zr, err := zip.NewReader(bytes.NewReader(zipped), int64(len(zipped)))
	if err != nil {
		t.Fatal(err)
	}
	files := make(map[string][]byte)
	for _, f := range zr.File {
		rc, err := f.Open()
		if err != nil {
			t.Fatal(err)
		}
		data, err := io.ReadAll(rc)
		rc.Close()
		if err != nil {
			t.Fatal(err)
		}
		files[f.Name] = data
	}
	return files
}

func writePEM(t *testing.T, path string, certs ...*x509.Certificate) string {
	t.Helper()
	var b []byte
	for _, c := range certs {
		b = append(b, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: c.Raw})...)
	}
	if err := os.WriteFile(path, b, 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

func TestDiagnoseBundleHoldsNoPersonalDataUnlessAskedFor(t *testing.T) {
	cs := testenv.Cards(t)
	card := cs.Insert(t, vcard.ScenarioHealthy)
	kitCert := kitTokenCert(t, card)
	authCert := card.AuthCredential().Cert
	before := card.Stats()

	srv := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.Write([]byte(`{"procedures": [{"id": "move-out-notification"}]}`))
	}))
	defer srv.Close()
	dir := t.TempDir()
	anchors := []string{
		writePEM(t, filepath.Join(dir, "jpki-sign.pem"), cs.Issuer.PKI.JPKISign.Cert),
		writePEM(t, filepath.Join(dir, "service-ca.pem"), srv.Certificate()),
	}
	// An error recorded by the app that quotes personal data, as a careless
	// message might: it must come out redacted.
	log, err := diagnosis.OpenErrorLog(filepath.Join(dir, "last-errors.json"), 0)
	if err != nil {
		t.Fatal(err)
	}
	person := pki.SampleResident()
	log.Record("check", errors.New("identity: the form's applicant "+person.Name+" ("+person.Address+", born 1985-04-15) differs"))
	log.Record("sign", errors.New("pkcs11: certificate serial "+kitCert.SerialNumber.String()+" of "+kitCert.Subject.String()))

	opts := diagnosis.Options{Modules: modules(t), Anchors: anchors, ServiceURL: srv.URL + "/api/v1",
		Keyring: &submit.MemoryKeyring{}, Errors: log}
	holder := []*x509.Certificate{kitCert, authCert, card.SignatureCredential().Cert}

	for _, personal := range []bool{false, true} {
		name := "redacted by default"
		if personal {
			name = "with personal data the holders' subjects are shown and nothing else personal"
		}
		t.Run(name, func(t *testing.T) {
			opts.IncludePersonal = personal
			r := diagnosis.Run(context.Background(), opts)
			if failed := r.Failed(); len(failed) != 0 {
				t.Errorf("sections failed: %+v\n%s", failed, r.Text(i18n.English))
			}
			var zipped bytes.Buffer
			if err := r.WriteBundle(&zipped); err != nil {
				t.Fatal(err)
			}
			files := bundleFiles(t, zipped.Bytes())
			for _, want := range []string{"report.json", "report.txt", "report-ja.txt", "environment.txt"} {
				if len(files[want]) == 0 {
					t.Errorf("the bundle has no %s", want)
				}
			}
			js, err := json.Marshal(r)
			if err != nil {
				t.Fatal(err)
			}
			outputs := map[string][]byte{"the JSON": js, "the English text": []byte(r.Text(i18n.English)),
				"the Japanese text": []byte(r.Text(i18n.Japanese))}
			for name, data := range files {
				outputs["the bundle's "+name] = data
			}
			pats := personalPatterns(holder...)
			if personal {
				// The subjects are asked for; the attributes in the
				// certificates, the PINs and the serial numbers are not.
				var kept []forbidden
				for _, p := range pats {
					if p.what != "a holder's subject identifier" && p.what != "a locality of a holder's subject" {
						kept = append(kept, p)
					}
				}
				pats = kept
			}
			for where, data := range outputs {
				if personal && strings.HasPrefix(where, "the bundle's certs/holder-") {
					continue // the holder's certificate, as asked for
				}
				findPersonal(t, where, data, pats)
			}
			holderCerts := 0
			for name := range files {
				if strings.HasPrefix(name, "certs/holder-") {
					holderCerts++
				}
			}
			subject := kitCert.Subject.String()
			if personal {
				if !bytes.Contains(js, []byte(subject)) || !strings.Contains(r.Text(i18n.English), subject) {
					t.Error("the holder's subject is not in the report")
				}
				if holderCerts != 2 {
					t.Errorf("%d holder certificates in the bundle, want 2 (the kit token's and the authentication certificate)", holderCerts)
				}
			} else if holderCerts != 0 {
				t.Errorf("%d holder certificates in the redacted bundle", holderCerts)
			}
			if !r.Service.Verified || r.Service.ClockSkewSeconds == nil {
				t.Errorf("service: verified %v, skew %v; want verified against the anchor, with a skew", r.Service.Verified, r.Service.ClockSkewSeconds)
			}
			if len(r.LastErrors.Entries) != 2 {
				t.Errorf("%d last errors, want 2", len(r.LastErrors.Entries))
			}
		})
	}
	if after := card.Stats(); after.SignatureVerifies != before.SignatureVerifies || after.AuthVerifies != before.AuthVerifies {
		t.Errorf("the diagnosis sent a PIN: card stats %+v, before %+v", after, before)
	}
}

func TestDiagnoseReadsTheExactTriesWithoutSpendingAny(t *testing.T) {
	cs := testenv.Cards(t)
	cases := []struct {
		name      string
		scenario  vcard.Scenario
		tries     int
		finalTry  bool
		locked    bool
		status    diagnosis.Status
		hintWords string
	}{
		{"a healthy card shows 5 tries of the signature password", vcard.ScenarioHealthy, 5, false, false, diagnosis.StatusOK, ""},
		{"a card on its final try shows 1 try and warns", vcard.ScenarioFinalTry, 1, true, false, diagnosis.StatusWarn, "never retries"},
		{"a locked card is a failure that sends the resident to the municipal office", vcard.ScenarioLocked, 0, false, true, diagnosis.StatusFail, "municipal office"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			card := cs.Insert(t, c.scenario)
			before := card.Stats()
			sig, auth := card.TriesLeft()
			r := diagnosis.Run(context.Background(), diagnosis.Options{Modules: openSC(t), Keyring: &submit.MemoryKeyring{}})
			var got *diagnosis.TokenReport
			for i, tok := range r.Tokens.Tokens {
				if tok.Label == pkcs11.JPKISignatureLabel && strings.HasPrefix(tok.Reader, vcard.ReaderName) {
					got = &r.Tokens.Tokens[i]
				}
			}
			if got == nil {
				t.Fatalf("the card's signature token is not in the report:\n%s", r.Text(i18n.English))
			}
			if got.PIN.TriesLeft != c.tries || !got.PIN.Exact || got.PIN.FinalTry != c.finalTry || got.PIN.Locked != c.locked {
				t.Errorf("PIN %+v; want %d tries read from the card, final try %v, locked %v", got.PIN, c.tries, c.finalTry, c.locked)
			}
			if got.Status != c.status || !strings.Contains(got.Hint.En, c.hintWords) || (c.hintWords != "" && got.Hint.Ja == "") {
				t.Errorf("verdict %s, hint %q; want %s with %q", got.Status, got.Hint.En, c.status, c.hintWords)
			}
			// The token's verdict is the tokens section's, and a failure
			// is among the parts that do not work, with the token's hint.
			if r.Tokens.Status != c.status && !(c.status == diagnosis.StatusOK && r.Tokens.Status == diagnosis.StatusWarn) {
				t.Errorf("tokens section %s, want %s", r.Tokens.Status, c.status)
			}
			failed := false
			for _, sec := range r.Failed() {
				if sec.ID == diagnosis.SectionTokens {
					failed = true
					if !strings.Contains(sec.Hint.En, "municipal office") {
						t.Errorf("the failed tokens section's hint is %q, want the locked token's", sec.Hint.En)
					}
				}
			}
			if failed != (c.status == diagnosis.StatusFail) || (c.status == diagnosis.StatusFail && r.Status() != diagnosis.StatusFail) {
				t.Errorf("tokens among the failures: %v, overall %s; want the failure only for the locked card", failed, r.Status())
			}
			if !r.PCSC.Reachable || len(r.PCSC.Readers) == 0 {
				t.Errorf("PC/SC: %+v", r.PCSC)
			}
			for _, rd := range r.PCSC.Readers {
				if strings.HasPrefix(rd.Name, vcard.ReaderName) && rd.CardPresent && rd.ATR != "3BE000FF8131FE4514" {
					t.Errorf("reader %q: ATR %s", rd.Name, rd.ATR)
				}
			}
			after := card.Stats()
			if after.SignatureVerifies != before.SignatureVerifies || after.AuthVerifies != before.AuthVerifies {
				t.Errorf("a PIN was sent: card stats %+v, before %+v", after, before)
			}
			if after.TriesQueries == before.TriesQueries {
				t.Error("the tries were not read from the card")
			}
			if s, a := card.TriesLeft(); s != sig || a != auth {
				t.Errorf("tries left changed from %d/%d to %d/%d", sig, auth, s, a)
			}
		})
	}
}
