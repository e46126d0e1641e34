package signer

import (
	"archive/zip"
	"bytes"
	"context"
	"crypto"
	"crypto/x509"
	"encoding/base64"
	"encoding/pem"
	"fmt"
	"hash/crc32"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/shinsei-app/shinsei/internal/fsx/fsxtest"
	"github.com/shinsei-app/shinsei/sandbox/pki"
)

// The containers of these tests are made as other producers make them:
// manifests Shinsei did not write (other names, prefixes, digests),
// signatures and time-stamp tokens by openssl, entries in other orders.

// pemSigner is a credential as openssl reads it.
type pemSigner struct{ cert, key, chain string }

func pemCredential(t testing.TB, dir, name string, c *pki.Credential) pemSigner {
	t.Helper()
	der, err := x509.MarshalPKCS8PrivateKey(c.Key)
	if err != nil {
		t.Fatal(err)
	}
	s := pemSigner{
		cert: writeFile(t, dir, name+".pem", pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: c.Cert.Raw})),
		key:  writeFile(t, dir, name+"-key.pem", pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der})),
	}
	if len(c.Intermediates) > 0 {
		var chain []byte
		for _, ic := range c.Intermediates {
			chain = append(chain, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: ic.Raw})...)
		}
		s.chain = writeFile(t, dir, name+"-chain.pem", chain)
	}
	return s
}

// opensslCAdES signs data with openssl cms -sign -cades, detached, in DER.
func opensslCAdES(t testing.TB, s pemSigner, md string, data []byte) []byte {
	t.Helper()
	dir := fsxtest.TempDir(t)
	in := writeFile(t, dir, "manifest.xml", data)
	out := filepath.Join(dir, "sig.p7s")
	args := []string{"cms", "-sign", "-binary", "-cades", "-md", md, "-outform", "DER", "-in", in, "-signer", s.cert, "-inkey", s.key, "-out", out}
	if s.chain != "" {
		args = append(args, "-certfile", s.chain)
	}
	run(t, "openssl", args...)
	sig, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	return sig
}

// opensslTimestamp returns an RFC 3161 token over data made by openssl ts
// with a time-stamp authority of its own.
func opensslTimestamp(t testing.TB, data []byte) []byte {
	t.Helper()
	dir := fsxtest.TempDir(t)
	in := writeFile(t, dir, "manifest.xml", data)
	writeFile(t, dir, "serial", []byte("01\n"))
	cnf := writeFile(t, dir, "tsa.cnf", []byte(fmt.Sprintf(`[ tsa ]
default_tsa = tsa1
[ tsa1 ]
serial = %s
crypto_device = builtin
default_policy = 1.2.3.4.1
digests = sha256, sha384, sha512
accuracy = secs:1
ordering = no
tsa_name = no
ess_cert_id_chain = no
ess_cert_id_alg = sha256
signer_digest = sha256
`, filepath.Join(dir, "serial"))))
	run(t, "openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-subj", "/CN=Test TSA",
		"-days", "2", "-keyout", filepath.Join(dir, "tsa.key"), "-out", filepath.Join(dir, "tsa.pem"),
		"-addext", "extendedKeyUsage=critical,timeStamping")
	run(t, "openssl", "ts", "-query", "-data", in, "-sha256", "-cert", "-out", filepath.Join(dir, "req.tsq"))
	run(t, "openssl", "ts", "-reply", "-config", cnf, "-queryfile", filepath.Join(dir, "req.tsq"), "-signer", filepath.Join(dir, "tsa.pem"),
		"-inkey", filepath.Join(dir, "tsa.key"), "-token_out", "-out", filepath.Join(dir, "token.tst"))
	tst, err := os.ReadFile(filepath.Join(dir, "token.tst"))
	if err != nil {
		t.Fatal(err)
	}
	return tst
}

// manifestStyle is how a producer spells an ASiCManifest.
type manifestStyle int

const (
	prefixed      manifestStyle = iota // <asic:ASiCManifest xmlns:asic=… xmlns:ds=…>
	otherPrefixes                      // <ns2:ASiCManifest xmlns:ns2=… xmlns:ns3=…>, as JAXB writes
	defaultNS                          // <ASiCManifest xmlns=…>, ds declared on each element
)

var digestURIs = map[crypto.Hash]string{
	crypto.SHA256: sha256DigestURI,
	crypto.SHA384: "http://www.w3.org/2001/04/xmldsig-more#sha384",
	crypto.SHA512: "http://www.w3.org/2001/04/xmlenc#sha512",
}

// foreignManifest writes an ASiCManifest naming sigRef and files (the
// first marked as Rootfile when root), their digests with h.
func foreignManifest(style manifestStyle, sigRef string, h crypto.Hash, root bool, files ...entry) []byte {
	asic, ds, decl := "asic:", "ds:", fmt.Sprintf(` xmlns:asic=%q xmlns:ds=%q`, asicNS, dsNS)
	dsDecl := ""
	switch style {
	case otherPrefixes:
		asic, ds, decl = "ns2:", "ns3:", fmt.Sprintf(` xmlns:ns2=%q xmlns:ns3=%q`, asicNS, dsNS)
	case defaultNS:
		asic, ds, decl, dsDecl = "", "", fmt.Sprintf(` xmlns=%q`, asicNS), fmt.Sprintf(` xmlns=%q`, dsNS)
	}
	var b strings.Builder
	fmt.Fprintf(&b, "<?xml version=\"1.0\" encoding=\"UTF-8\"?><%sASiCManifest%s>\n", asic, decl)
	fmt.Fprintf(&b, "<%sSigReference URI=%q MimeType=\"application/pkcs7-signature\"/>\n", asic, sigRef)
	for i, f := range files {
		hh := h.New()
		hh.Write(f.Data)
		rf := ""
		if root && i == 0 {
			rf = ` Rootfile="true"`
		}
		fmt.Fprintf(&b, "<%sDataObjectReference URI=%q MimeType=\"application/octet-stream\"%s>", asic, f.Name, rf)
		fmt.Fprintf(&b, "<%sDigestMethod%s Algorithm=%q/>", ds, dsDecl, digestURIs[h])
		fmt.Fprintf(&b, "<%sDigestValue%s>%s</%sDigestValue>", ds, dsDecl, base64.StdEncoding.EncodeToString(hh.Sum(nil)), ds)
		fmt.Fprintf(&b, "</%sDataObjectReference>\n", asic)
	}
	fmt.Fprintf(&b, "</%sASiCManifest>\n", asic)
	return []byte(b.String())
}

// containerOf writes entries, in their order, as a package: the
// mimetype entry stored when present, everything else deflated.
func containerOf(t testing.TB, entries ...entry) string {
	t.Helper()
	var b bytes.Buffer
	zw := zip.NewWriter(&b)
	for _, e := range entries {
		if e.Name == mimetypeName {
			// Stored, sizes in the local header, no extra field.
			w, err := zw.CreateRaw(&zip.FileHeader{Name: e.Name, Method: zip.Store, CRC32: crc32.ChecksumIEEE(e.Data),
				CompressedSize64: uint64(len(e.Data)), UncompressedSize64: uint64(len(e.Data))})
			if err != nil {
				t.Fatal(err)
			}
			w.Write(e.Data)
			continue
		}
		w, err := zw.CreateHeader(&zip.FileHeader{Name: e.Name, Method: zip.Deflate, Modified: time.Now()})
		if err != nil {
			t.Fatal(err)
		}
		w.Write(e.Data)
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return writeFile(t, fsxtest.TempDir(t), "foreign.asice", b.Bytes())
}

func TestContainersOfOtherProducersAreVerifiedSignatureBySignature(t *testing.T) {
	requireOpenSSL(t)
	f := testFixtures(t)
	dir := fsxtest.TempDir(t)
	resident := pemCredential(t, dir, "resident", f.resident)
	corporate := pemCredential(t, dir, "corporate", f.corporate)
	form := entry{"申請書.xml", []byte("<申請/>")}
	att := entry{"添付/写し.pdf", []byte("%PDF-1.7 写し")}
	extra := entry{"extra.txt", []byte("added later")}
	mime := entry{mimetypeName, []byte(mimetypeASiCE)}

	type want struct {
		outcome     string
		reason      string
		signatures  []string // each signature's integrity reason, "" for intact
		conformance []string
		covered     map[string]int // how many verified manifests cover a file
		undecided   bool
	}
	for _, tc := range []struct {
		name  string
		build func(t *testing.T) []entry
		want  want
	}{
		{"two signers over their own SHA-512 manifests (default namespace), mimetype last, are both verified", func(t *testing.T) []entry {
			m1 := foreignManifest(defaultNS, "META-INF/signature001.p7s", crypto.SHA512, true, form, att)
			m2 := foreignManifest(defaultNS, "META-INF/signature002.p7s", crypto.SHA512, true, form, att)
			return []entry{form, att, {"META-INF/ASiCManifest001.xml", m1}, {"META-INF/signature001.p7s", opensslCAdES(t, resident, "sha512", m1)},
				{"META-INF/ASiCManifest002.xml", m2}, {"META-INF/signature002.p7s", opensslCAdES(t, corporate, "sha256", m2)}, mime}
		}, want{outcome: OutcomeValid, signatures: []string{"", ""}, conformance: []string{ReasonMimetypeInvalid},
			covered: map[string]int{form.Name: 2, att.Name: 2}}},
		{"a later signer covering one more file: each file covered by the manifests that name it", func(t *testing.T) []entry {
			m1 := foreignManifest(otherPrefixes, "META-INF/signature001.p7s", crypto.SHA256, true, form)
			m2 := foreignManifest(prefixed, "META-INF/signature-corp.p7s", crypto.SHA384, true, form, att)
			return []entry{mime, {"META-INF/ASiCManifest1.xml", m1}, {"META-INF/signature001.p7s", opensslCAdES(t, resident, "sha256", m1)},
				{"META-INF/ASiCManifest2.xml", m2}, {"META-INF/signature-corp.p7s", opensslCAdES(t, corporate, "sha384", m2)}, att, form}
		}, want{outcome: OutcomeValid, signatures: []string{"", ""}, covered: map[string]int{form.Name: 2, att.Name: 1}}},
		{"a file named only by a manifest whose signature fails is not covered", func(t *testing.T) []entry {
			m1 := foreignManifest(prefixed, "META-INF/signature001.p7s", crypto.SHA256, true, form)
			m2 := foreignManifest(prefixed, "META-INF/signature002.p7s", crypto.SHA256, false, extra)
			return []entry{mime, form, extra, {"META-INF/ASiCManifest001.xml", m1}, {"META-INF/signature001.p7s", opensslCAdES(t, resident, "sha256", m1)},
				{"META-INF/ASiCManifest002.xml", m2}, {"META-INF/signature002.p7s", opensslCAdES(t, corporate, "sha256", append(m2, ' '))}}
		}, want{outcome: OutcomeInvalid, reason: ReasonManifestDigestMismatch, signatures: []string{"", ReasonManifestDigestMismatch},
			covered: map[string]int{form.Name: 1, extra.Name: 0}}},
		{"a file no manifest names is unsigned", func(t *testing.T) []entry {
			m1 := foreignManifest(prefixed, "META-INF/signature001.p7s", crypto.SHA512, true, form)
			return []entry{mime, form, extra, {"META-INF/ASiCManifest.xml", m1}, {"META-INF/signature001.p7s", opensslCAdES(t, resident, "sha256", m1)}}
		}, want{outcome: OutcomeInvalid, reason: ReasonFileUnsigned, signatures: []string{""}, covered: map[string]int{form.Name: 1}}},
		{"two manifests that disagree about a file are a digest mismatch", func(t *testing.T) []entry {
			m1 := foreignManifest(prefixed, "META-INF/signature001.p7s", crypto.SHA256, true, form)
			m2 := foreignManifest(prefixed, "META-INF/signature002.p7s", crypto.SHA256, true, entry{form.Name, []byte("<other/>")})
			return []entry{mime, form, {"META-INF/ASiCManifest001.xml", m1}, {"META-INF/signature001.p7s", opensslCAdES(t, resident, "sha256", m1)},
				{"META-INF/ASiCManifest002.xml", m2}, {"META-INF/signature002.p7s", opensslCAdES(t, corporate, "sha256", m2)}}
		}, want{outcome: OutcomeInvalid, reason: ReasonFileDigestMismatch, signatures: []string{"", ""}}},
		{"a signature no manifest names is refused", func(t *testing.T) []entry {
			m1 := foreignManifest(prefixed, "META-INF/signature001.p7s", crypto.SHA256, true, form)
			return []entry{mime, form, {"META-INF/ASiCManifest.xml", m1}, {"META-INF/signature001.p7s", opensslCAdES(t, resident, "sha256", m1)},
				{"META-INF/signature002.p7s", opensslCAdES(t, corporate, "sha256", m1)}}
		}, want{outcome: OutcomeInvalid, reason: ReasonManifestInvalid, signatures: []string{""}, covered: map[string]int{form.Name: 1}}},
		{"two manifests naming one signature are refused", func(t *testing.T) []entry {
			m1 := foreignManifest(prefixed, "META-INF/signature001.p7s", crypto.SHA256, true, form)
			m2 := foreignManifest(prefixed, "META-INF/signature001.p7s", crypto.SHA256, true, form, att)
			return []entry{mime, form, att, {"META-INF/ASiCManifest001.xml", m1}, {"META-INF/ASiCManifest002.xml", m2},
				{"META-INF/signature001.p7s", opensslCAdES(t, resident, "sha256", m1)}}
		}, want{outcome: OutcomeInvalid, reason: ReasonManifestInvalid, signatures: []string{""}, covered: map[string]int{form.Name: 1}}},
		{"a time-stamp token over a manifest is reported and left undecided", func(t *testing.T) []entry {
			m1 := foreignManifest(prefixed, "META-INF/signature001.p7s", crypto.SHA256, true, form, att)
			m2 := foreignManifest(prefixed, "META-INF/timestamp001.tst", crypto.SHA256, true, form, att)
			return []entry{mime, form, att, {"META-INF/ASiCManifest001.xml", m1}, {"META-INF/signature001.p7s", opensslCAdES(t, resident, "sha256", m1)},
				{"META-INF/ASiCManifest002.xml", m2}, {"META-INF/timestamp001.tst", opensslTimestamp(t, m2)}}
		}, want{outcome: OutcomeUndecided, signatures: []string{"", ""}, covered: map[string]int{form.Name: 1, att.Name: 1}, undecided: true}},
		{"an archive time-stamp by an authority not trusted here over the signature and its manifest proves nothing and fails nothing", func(t *testing.T) []entry {
			m1 := foreignManifest(prefixed, "META-INF/signature001.p7s", crypto.SHA256, true, form)
			s1 := opensslCAdES(t, resident, "sha256", m1)
			am := foreignManifest(prefixed, "META-INF/timestamp001.tst", crypto.SHA512, false,
				entry{"META-INF/signature001.p7s", s1}, entry{"META-INF/ASiCManifest.xml", m1}, form)
			return []entry{mime, form, {"META-INF/ASiCManifest.xml", m1}, {"META-INF/signature001.p7s", s1},
				{"META-INF/ASiCArchiveManifest.xml", am}, {"META-INF/timestamp001.tst", opensslTimestamp(t, am)}}
		}, want{outcome: OutcomeValid, signatures: []string{"", ""}, covered: map[string]int{form.Name: 1}}},
		{"an archive time-stamp over a signature changed since fails the package, the signature itself intact", func(t *testing.T) []entry {
			m1 := foreignManifest(prefixed, "META-INF/signature001.p7s", crypto.SHA256, true, form)
			s1 := opensslCAdES(t, resident, "sha256", m1)
			am := foreignManifest(prefixed, "META-INF/timestamp001.tst", crypto.SHA256, false,
				entry{"META-INF/signature001.p7s", append(s1[:len(s1):len(s1)], 0)}, form)
			return []entry{mime, form, {"META-INF/ASiCManifest.xml", m1}, {"META-INF/signature001.p7s", s1},
				{"META-INF/ASiCArchiveManifest.xml", am}, {"META-INF/timestamp001.tst", opensslTimestamp(t, am)}}
		}, want{outcome: OutcomeInvalid, reason: ReasonArchiveFileChanged, signatures: []string{ReasonArchiveFileChanged, ""}, covered: map[string]int{form.Name: 1}}},
		{"a time-stamp token over other bytes than its manifest fails", func(t *testing.T) []entry {
			m1 := foreignManifest(prefixed, "META-INF/signature001.p7s", crypto.SHA256, true, form)
			m2 := foreignManifest(prefixed, "META-INF/timestamp001.tst", crypto.SHA256, true, form)
			return []entry{mime, form, {"META-INF/ASiCManifest001.xml", m1}, {"META-INF/signature001.p7s", opensslCAdES(t, resident, "sha256", m1)},
				{"META-INF/ASiCManifest002.xml", m2}, {"META-INF/timestamp001.tst", opensslTimestamp(t, append(m2, ' '))}}
		}, want{outcome: OutcomeInvalid, reason: ReasonManifestDigestMismatch, signatures: []string{"", ReasonManifestDigestMismatch}, covered: map[string]int{form.Name: 1}}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r, err := Verify(context.Background(), containerOf(t, tc.build(t)...), f.opts())
			if err != nil {
				t.Fatal(err)
			}
			w := tc.want
			if r.Outcome() != w.outcome || r.Integrity.Reason != w.reason {
				t.Fatalf("outcome %s, integrity %+v; want %s (%q)", r.Outcome(), r.Integrity, w.outcome, w.reason)
			}
			var got []string
			for _, s := range r.Signatures {
				got = append(got, s.Integrity.Reason)
			}
			if !slices.Equal(got, w.signatures) {
				t.Fatalf("signatures %+v, want integrity reasons %q", r.Signatures, w.signatures)
			}
			var conf []string
			for _, c := range r.Conformance {
				conf = append(conf, c.Reason)
			}
			if !slices.Equal(conf, w.conformance) {
				t.Fatalf("conformance %+v, want %q", r.Conformance, w.conformance)
			}
			for name, n := range w.covered {
				i := slices.IndexFunc(r.Files, func(fr FileResult) bool { return fr.Name == name })
				if i < 0 || len(r.Files[i].Manifests) != n {
					t.Fatalf("files %+v: want %q covered by %d verified manifests", r.Files, name, n)
				}
			}
			if (len(r.Undecided) > 0) != w.undecided {
				t.Fatalf("undecided %+v, want %v", r.Undecided, w.undecided)
			}
			if r.Integrity.OK && (r.Signer == nil || !r.Certificate.OK || r.Files[0].Name != form.Name || !r.Files[0].Form) {
				t.Fatalf("an intact package needs its signer checked and its form first: %+v", r)
			}
			if w.outcome == OutcomeValid && !r.Signer.Equal(f.resident.Cert) {
				t.Fatalf("the report's signer is not that of the first signature")
			}
		})
	}
}
