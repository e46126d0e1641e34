package signer

import (
	"archive/zip"
	"bytes"
	"context"
	"crypto"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/x509"
	"encoding/asn1"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/digitorus/pkcs7"
	"github.com/shinsei-app/shinsei/internal/fsx/fsxtest"
)

func TestBuiltPackagesVerify(t *testing.T) {
	f := testFixtures(t)
	p12, err := f.corporate.PKCS12("correct horse")
	if err != nil {
		t.Fatal(err)
	}
	company, err := LoadPKCS12(p12, []byte("correct horse"))
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name     string
		cred     Credential
		chainLen int
	}{
		{"a resident's package verifies against the JPKI root", credential(f.resident), 2},
		{"a company's package signed with its .p12 verifies against the registrar", *company, 2},
		{"an official's package verifies through the organization CA", credential(f.official), 3},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := fsxtest.TempDir(t)
			files := sampleFiles(t, dir)
			out := filepath.Join(dir, "application.asice")
			res, err := Build(context.Background(), out, files, tc.cred, BuildOptions{})
			if err != nil {
				t.Fatal(err)
			}
			r, err := Verify(context.Background(), out, f.opts())
			if err != nil {
				t.Fatal(err)
			}
			if !r.OK() || r.Format != FormatCAdESBES {
				t.Fatalf("report %+v", r)
			}
			if !r.Signer.Equal(tc.cred.Cert) || len(r.Chain) != tc.chainLen {
				t.Fatalf("signer or chain wrong: chain of %d", len(r.Chain))
			}
			if r.SigningTime == nil || time.Since(*r.SigningTime) > time.Minute {
				t.Fatalf("signing time %v", r.SigningTime)
			}
			if len(r.Files) != len(files) || len(res.Files) != len(files) {
				t.Fatalf("files %+v", r.Files)
			}
			for i, fr := range r.Files {
				data, err := os.ReadFile(files[i].Path)
				if err != nil {
					t.Fatal(err)
				}
				sum := sha256.Sum256(data)
				if !reflect.DeepEqual(fr, res.Files[i]) || fr.Status != StatusOK || fr.SHA256 != hex.EncodeToString(sum[:]) ||
					fr.Size != int64(len(data)) || fr.Form != (i == 0) {
					t.Errorf("file %d: verified %+v, built %+v", i, fr, res.Files[i])
				}
			}
			if fi, err := os.Stat(out); err != nil || fi.Size() != res.Size {
				t.Fatalf("size %d, stat %v", res.Size, err)
			}
		})
	}
}

func TestThePackageHasTheASiCELayout(t *testing.T) {
	pkg := buildSample(t, testFixtures(t).resident)
	raw, err := os.ReadFile(pkg)
	if err != nil {
		t.Fatal(err)
	}
	if string(raw[30:38]) != "mimetype" || string(raw[38:38+len(mimetypeASiCE)]) != mimetypeASiCE {
		t.Fatalf("the package does not start with the mimetype entry: %q", raw[:80])
	}
	zr, err := zip.NewReader(bytes.NewReader(raw), int64(len(raw)))
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, f := range zr.File {
		names = append(names, f.Name)
		off, err := f.DataOffset()
		if err != nil {
			t.Fatal(err)
		}
		local := raw[off-30-int64(len(f.Name)):]
		le := binary.LittleEndian
		if le.Uint32(local) != 0x04034b50 || le.Uint16(local[6:])&0x8 != 0 || le.Uint16(local[8:]) != zip.Store ||
			le.Uint32(local[14:]) != f.CRC32 || le.Uint32(local[22:]) != uint32(f.UncompressedSize64) || len(f.Extra) != 0 {
			t.Errorf("%s: the local header must be stored, carry CRC and sizes, and have no data descriptor or extra field", f.Name)
		}
	}
	want := "mimetype form.xml 住民票.pdf photos/id.jpg META-INF/ASiCManifest.xml META-INF/signature001.p7s"
	if strings.Join(names, " ") != want {
		t.Fatalf("entries %v, want %s", names, want)
	}
	entries := readEntries(t, pkg)
	manifest := string(entryData(t, entries, manifestName))
	for _, s := range []string{`xmlns:asic="http://uri.etsi.org/02918/v1.2.1#"`,
		`<asic:SigReference URI="META-INF/signature001.p7s" MimeType="application/pkcs7-signature"/>`,
		`<asic:DataObjectReference URI="form.xml" MimeType="application/xml" Rootfile="true">`,
		`URI="%E4%BD%8F%E6%B0%91%E7%A5%A8.pdf" MimeType="application/pdf">`,
		`<ds:DigestMethod Algorithm="http://www.w3.org/2001/04/xmlenc#sha256"/>`} {
		if !strings.Contains(manifest, s) {
			t.Errorf("manifest lacks %s:\n%s", s, manifest)
		}
	}

	p7, err := pkcs7.Parse(entryData(t, entries, signatureName))
	if err != nil {
		t.Fatal(err)
	}
	si := p7.Signers[0]
	if !si.DigestAlgorithm.Algorithm.Equal(pkcs7.OIDDigestAlgorithmSHA256) ||
		!si.DigestEncryptionAlgorithm.Algorithm.Equal(pkcs7.OIDEncryptionAlgorithmRSASHA256) {
		t.Fatalf("digest %v, signature algorithm %v; want SHA-256 and sha256WithRSAEncryption",
			si.DigestAlgorithm.Algorithm, si.DigestEncryptionAlgorithm.Algorithm)
	}
	if len(p7.Content) != 0 || len(p7.Certificates) != 2 {
		t.Fatalf("want a detached signature carrying the chain, got %d content bytes, %d certificates", len(p7.Content), len(p7.Certificates))
	}
	var ess struct{ Certs []asn1.RawValue }
	if err := p7.UnmarshalSignedAttribute(oidSigningCertificateV2, &ess); err != nil {
		t.Fatal(err)
	}
	var first asn1.RawValue
	if _, err := asn1.Unmarshal(ess.Certs[0].Bytes, &first); err != nil || first.Tag != asn1.TagOctetString {
		t.Fatalf("ESSCertIDv2 must start with certHash, hashAlgorithm being the SHA-256 default: tag %d, %v", first.Tag, err)
	}
}

// cardSigner signs like the My Number card: PKCS#1 v1.5 over a DigestInfo
// it builds from a SHA-256 digest it is given.
type cardSigner struct {
	key   *rsa.PrivateKey
	calls int
}

func (c *cardSigner) Public() crypto.PublicKey { return &c.key.PublicKey }

func (c *cardSigner) Sign(_ io.Reader, digest []byte, opts crypto.SignerOpts) ([]byte, error) {
	c.calls++
	if opts.HashFunc() != crypto.SHA256 || len(digest) != sha256.Size {
		return nil, errors.New("the card only signs SHA-256 digests")
	}
	return rsa.SignPKCS1v15(rand.Reader, c.key, crypto.SHA256, digest)
}

func TestACardThatOnlySignsDigestsCanSign(t *testing.T) {
	f := testFixtures(t)
	card := &cardSigner{key: f.resident.Key}
	cred := credential(f.resident)
	cred.Signer = card
	dir := fsxtest.TempDir(t)
	out := filepath.Join(dir, "application.asice")
	if _, err := Build(context.Background(), out, sampleFiles(t, dir), cred, BuildOptions{}); err != nil {
		t.Fatal(err)
	}
	r, err := Verify(context.Background(), out, f.opts())
	if err != nil || !r.OK() || card.calls != 1 {
		t.Fatalf("report %+v, err %v, %d signing calls", r, err, card.calls)
	}
}

func TestBuildRejectsBadInput(t *testing.T) {
	f := testFixtures(t)
	for _, tc := range []struct {
		name  string
		files func(dir string) []File
	}{
		{"no files at all are refused", func(string) []File { return nil }},
		{"an empty form is refused", func(dir string) []File { return []File{{Path: writeFile(t, dir, "form.xml", nil)}} }},
		{"a missing form is refused", func(dir string) []File { return []File{{Path: filepath.Join(dir, "absent.xml")}} }},
		{"a missing attachment is refused", func(dir string) []File {
			return []File{{Path: writeFile(t, dir, "form.xml", []byte("x"))}, {Path: filepath.Join(dir, "absent.pdf")}}
		}},
		{"a directory is refused", func(dir string) []File {
			sub := filepath.Join(dir, "sub")
			if err := os.Mkdir(sub, 0o700); err != nil {
				t.Fatal(err)
			}
			return []File{{Path: writeFile(t, dir, "form.xml", []byte("x"))}, {Path: sub}}
		}},
		{"two files with the same name are refused", func(dir string) []File {
			return []File{{Path: writeFile(t, dir, "form.xml", []byte("x"))}, {Name: "a.pdf", Path: writeFile(t, dir, "1.pdf", []byte("1"))},
				{Name: "A.PDF", Path: writeFile(t, dir, "2.pdf", []byte("2"))}}
		}},
		{"names differing only in Unicode normalization collide", func(dir string) []File {
			return []File{{Path: writeFile(t, dir, "form.xml", []byte("x"))}, {Name: "が.pdf", Path: writeFile(t, dir, "1.pdf", []byte("1"))},
				{Name: "か\u3099.pdf", Path: writeFile(t, dir, "2.pdf", []byte("2"))}}
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := fsxtest.TempDir(t)
			files := tc.files(dir)
			before, _ := os.ReadDir(dir)
			out := filepath.Join(dir, "application.asice")
			_, err := Build(context.Background(), out, files, credential(f.resident), BuildOptions{})
			if !errors.Is(err, ErrInvalidFile) {
				t.Fatalf("got %v, want ErrInvalidFile", err)
			}
			after, _ := os.ReadDir(dir)
			if len(after) != len(before) {
				t.Fatalf("Build left files behind: %v", after)
			}
		})
	}
	for _, name := range []string{"../escape.pdf", "/etc/passwd", `dir\file.pdf`, "C:/x.pdf", "a//b.pdf", "./a.pdf",
		"mimetype", "MIMETYPE", "META-INF/manifest.xml", "meta-inf/x", "bad\xff.pdf", "tab\tname.pdf", ""} {
		t.Run("the name "+strings.ToValidUTF8(name, "?")+" is refused", func(t *testing.T) {
			dir := fsxtest.TempDir(t)
			form := writeFile(t, dir, "form.xml", []byte("x"))
			attachment := File{Name: name, Path: writeFile(t, dir, "a.pdf", []byte("a"))}
			if name == "" {
				attachment.Path = "" // base name "."
			}
			out := filepath.Join(dir, "application.asice")
			_, err := Build(context.Background(), out, []File{{Path: form}, attachment}, credential(f.resident), BuildOptions{})
			if !errors.Is(err, ErrInvalidFile) {
				t.Fatalf("got %v, want ErrInvalidFile", err)
			}
			assertOnly(t, dir, "form.xml", "a.pdf")
		})
	}
}

func TestBuildRefusesToOverwriteAnInput(t *testing.T) {
	dir := fsxtest.TempDir(t)
	form := writeFile(t, dir, "form.xml", []byte("x"))
	_, err := Build(context.Background(), form, []File{{Path: form}}, credential(testFixtures(t).resident), BuildOptions{})
	if !errors.Is(err, ErrInvalidFile) {
		t.Fatalf("got %v", err)
	}
	if data, _ := os.ReadFile(form); string(data) != "x" {
		t.Fatal("the form was overwritten")
	}
}

type failingSigner struct{ crypto.Signer }

func (failingSigner) Sign(io.Reader, []byte, crypto.SignerOpts) ([]byte, error) {
	return nil, errors.New("card removed")
}

func TestBuildLeavesNothingWhenSigningFails(t *testing.T) {
	f := testFixtures(t)
	cred := credential(f.resident)
	cred.Signer = failingSigner{f.resident.Key}
	dir := fsxtest.TempDir(t)
	files := sampleFiles(t, dir)
	_, err := Build(context.Background(), filepath.Join(dir, "application.asice"), files, cred, BuildOptions{})
	if err == nil || !strings.Contains(err.Error(), "card removed") {
		t.Fatalf("got %v", err)
	}
	assertOnly(t, dir, "form.xml", "住民票.pdf", "id.jpg")
}

func TestBuildRefusesAKeyThatDoesNotMatchTheCertificate(t *testing.T) {
	f := testFixtures(t)
	cred := credential(f.resident)
	cred.Signer = f.other.Key
	dir := fsxtest.TempDir(t)
	files := sampleFiles(t, dir)
	before := dirNames(t, dir)
	_, err := Build(context.Background(), filepath.Join(dir, "a.asice"), files, cred, BuildOptions{})
	if !errors.Is(err, ErrKeyMismatch) {
		t.Fatalf("err = %v, want ErrKeyMismatch", err)
	}
	if after := dirNames(t, dir); !slices.Equal(after, before) {
		t.Fatalf("the output directory holds %q after the refusal, want only the inputs %q", after, before)
	}
}

func TestBuildRefusesAChainThatDoesNotFollowFromTheCertificate(t *testing.T) {
	f := testFixtures(t)
	for _, tc := range []struct {
		name  string
		chain func(Credential) []*x509.Certificate
	}{
		{"the root before the intermediates", func(c Credential) []*x509.Certificate {
			r := slices.Clone(c.Chain)
			slices.Reverse(r)
			return r
		}},
		{"another holder's issuer first", func(Credential) []*x509.Certificate { return credential(f.corporate).Chain }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			cred := credential(f.official)
			cred.Chain = tc.chain(cred)
			dir := fsxtest.TempDir(t)
			files := sampleFiles(t, dir)
			before := dirNames(t, dir)
			if _, err := Build(context.Background(), filepath.Join(dir, "a.asice"), files, cred, BuildOptions{}); err == nil || !strings.Contains(err.Error(), "did not issue") {
				t.Fatalf("err = %v, want the chain refused", err)
			}
			if after := dirNames(t, dir); !slices.Equal(after, before) {
				t.Fatalf("the output directory holds %q after the refusal, want only the inputs %q", after, before)
			}
		})
	}
}

// dirNames lists the names in dir, sorted.
func dirNames(t *testing.T, dir string) []string {
	t.Helper()
	es, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	names := make([]string, len(es))
	for i, e := range es {
		names[i] = e.Name()
	}
	slices.Sort(names)
	return names
}

func TestBuildStopsWhenCancelledMidHash(t *testing.T) {
	dir := fsxtest.TempDir(t)
	form := writeFile(t, dir, "form.xml", []byte("x"))
	big := writeFile(t, dir, "big.bin", make([]byte, 8*chunkSize))
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var calls int
	progress := func(done, total int64) {
		calls++
		if done > chunkSize {
			cancel()
		}
	}
	_, err := Build(ctx, filepath.Join(dir, "application.asice"), []File{{Path: form}, {Path: big}},
		credential(testFixtures(t).resident), BuildOptions{Progress: progress})
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("got %v, want context.Canceled", err)
	}
	if calls > 4 {
		t.Fatalf("Build went on for %d chunks after cancellation", calls)
	}
	assertOnly(t, dir, "form.xml", "big.bin")
}

func TestBuildReportsProgressUpToTheTotal(t *testing.T) {
	dir := fsxtest.TempDir(t)
	files := []File{{Path: writeFile(t, dir, "form.xml", []byte("x"))}, {Path: writeFile(t, dir, "a.bin", make([]byte, 3*chunkSize+5))}}
	var last, total int64
	_, err := Build(context.Background(), filepath.Join(dir, "application.asice"), files, credential(testFixtures(t).resident),
		BuildOptions{Progress: func(d, t int64) { last, total = d, t }})
	if err != nil || last != 3*chunkSize+6 || total != last {
		t.Fatalf("progress ended at %d of %d: %v", last, total, err)
	}
}

// TestAPreparedPackageIsSignedLaterOrLeavesNothing: Prepare copies and
// hashes the files without a credential into a temporary file only; Sign
// puts a valid package in place, and Abort, a key that does not match or
// a cancelled signature leave only the inputs.
func TestAPreparedPackageIsSignedLaterOrLeavesNothing(t *testing.T) {
	f := testFixtures(t)
	cancelled, cancel := context.WithCancel(context.Background())
	cancel()
	for _, tc := range []struct {
		name string
		end  func(p *Prepared) error // nil error: the package is signed
	}{
		{"signed, it is in place and verifies", func(p *Prepared) error {
			_, err := p.Sign(context.Background(), credential(f.resident), SignOptions{})
			return err
		}},
		{"aborted, nothing is left", func(p *Prepared) error { p.Abort(); return ErrInvalidFile }},
		{"signed with a key that is not the certificate's, nothing is left", func(p *Prepared) error {
			cred := credential(f.resident)
			cred.Signer = f.other.Key
			_, err := p.Sign(context.Background(), cred, SignOptions{})
			return err
		}},
		{"signed once cancelled, nothing is left", func(p *Prepared) error {
			_, err := p.Sign(cancelled, credential(f.resident), SignOptions{})
			return err
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := fsxtest.TempDir(t)
			files := sampleFiles(t, dir)
			before := dirNames(t, dir)
			out := filepath.Join(dir, "a.asice")
			p, err := Prepare(context.Background(), out, files, BuildOptions{})
			if err != nil {
				t.Fatal(err)
			}
			if _, err := os.Stat(out); !errors.Is(err, fs.ErrNotExist) || len(dirNames(t, dir)) != len(before)+1 {
				t.Fatalf("prepared: %v, the folder holds %q; want only a temporary file beside the inputs", err, dirNames(t, dir))
			}
			if err := tc.end(p); err != nil {
				if after := dirNames(t, dir); !slices.Equal(after, before) {
					t.Fatalf("%v: the folder holds %q, want only the inputs %q", err, after, before)
				}
				return
			}
			rep, err := Verify(context.Background(), out, f.opts())
			if err != nil || rep.Outcome() != OutcomeValid || len(rep.Files) != len(files) {
				t.Fatalf("the signed package: %v, %+v", err, rep)
			}
			p.Abort() // after Sign, nothing to do
			if len(dirNames(t, dir)) != len(before)+1 {
				t.Errorf("the folder holds %q, want the inputs and the package", dirNames(t, dir))
			}
		})
	}
}
