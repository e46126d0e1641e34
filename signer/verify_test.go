package signer

import (
	"archive/zip"
	"bytes"
	"context"
	"crypto/x509"
	"encoding/json"
	"encoding/pem"
	"errors"
	"fmt"
	"hash/crc32"
	"io"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/digitorus/pkcs7"
	"github.com/shinsei-app/shinsei/internal/fsx/fsxtest"
	"software.sslmate.com/src/go-pkcs12"
)

func TestTamperedPackagesAreRejected(t *testing.T) {
	f := testFixtures(t)
	pkg := buildSample(t, f.resident)
	manifest := entryData(t, readEntries(t, pkg), manifestName)
	resign := func(t *testing.T, sign func() ([]byte, error)) func([]entry) []entry {
		sig, err := sign()
		if err != nil {
			t.Fatal(err)
		}
		return replace(signatureName, func([]byte) []byte { return sig })
	}
	for _, tc := range []struct {
		name   string
		edit   func(t *testing.T) func([]entry) []entry
		reason string
	}{
		{"a changed form byte is a file digest mismatch", func(*testing.T) func([]entry) []entry {
			return replace("form.xml", flipLast)
		}, ReasonFileDigestMismatch},
		{"a changed attachment is a file digest mismatch", func(*testing.T) func([]entry) []entry {
			return replace("photos/id.jpg", func(b []byte) []byte { return append(b, 0) })
		}, ReasonFileDigestMismatch},
		{"a changed manifest is a manifest digest mismatch", func(*testing.T) func([]entry) []entry {
			return replace(manifestName, func(b []byte) []byte { return bytes.Replace(b, []byte("image/jpeg"), []byte("image/png"), 1) })
		}, ReasonManifestDigestMismatch},
		{"a changed signature byte is an invalid signature", func(*testing.T) func([]entry) []entry {
			return replace(signatureName, flipLast)
		}, ReasonSignatureInvalid},
		{"an added file is unsigned", func(*testing.T) func([]entry) []entry {
			return add(entry{Name: "extra.pdf", Data: []byte("%PDF")})
		}, ReasonFileUnsigned},
		{"an extra META-INF file is unsigned", func(*testing.T) func([]entry) []entry {
			return add(entry{Name: "META-INF/manifest.xml", Data: []byte("<x/>")})
		}, ReasonFileUnsigned},
		{"a removed file is missing", func(*testing.T) func([]entry) []entry {
			return remove("住民票.pdf")
		}, ReasonFileMissing},
		{"a signing-certificate-v2 naming another certificate is a mismatch", func(t *testing.T) func([]entry) []entry {
			return resign(t, func() ([]byte, error) {
				return signDetached(manifest, credential(f.resident), essAttribute(f.other.Cert))
			})
		}, ReasonSigningCertificateV2Mismatch},
		{"a plain CMS signature without signing-certificate-v2 is not enough for a package", func(t *testing.T) func([]entry) []entry {
			return resign(t, func() ([]byte, error) { return plainCMS(manifest, credential(f.resident)) })
		}, ReasonSigningCertificateV2Missing},
		{"a signed manifest that is not XML is invalid", func(t *testing.T) func([]entry) []entry {
			bad := []byte("not xml")
			sig := resign(t, func() ([]byte, error) {
				return signDetached(bad, credential(f.resident), essAttribute(f.resident.Cert))
			})
			return func(es []entry) []entry { return sig(replace(manifestName, func([]byte) []byte { return bad })(es)) }
		}, ReasonManifestInvalid},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r, err := Verify(context.Background(), rewrite(t, pkg, tc.edit(t)), f.opts())
			if err != nil {
				t.Fatal(err)
			}
			if r.Integrity.OK || r.Integrity.Reason != tc.reason {
				t.Fatalf("integrity %+v, want %s", r.Integrity, tc.reason)
			}
			// A manifest that cannot be read names no signature to check.
			if !r.Certificate.OK && tc.reason != ReasonManifestInvalid {
				t.Fatalf("the certificate check must stay independent: %+v", r.Certificate)
			}
			if r.Outcome() != OutcomeInvalid {
				t.Fatalf("outcome %s, want %s", r.Outcome(), OutcomeInvalid)
			}
		})
	}
}

func TestConformanceApartFromIntegrityIsAWarning(t *testing.T) {
	f := testFixtures(t)
	pkg := buildSample(t, f.resident)
	for _, tc := range []struct {
		name   string
		edit   func([]entry) []entry
		reason string
	}{
		{"a wrong mimetype is a warning", replace(mimetypeName, func([]byte) []byte { return []byte("application/zip") }), ReasonMimetypeInvalid},
		{"a mimetype that is not the first entry is a warning", func(es []entry) []entry { return append(es[1:], es[0]) }, ReasonMimetypeInvalid},
		{"a missing mimetype is a warning", remove(mimetypeName), ReasonMimetypeInvalid},
		{"a directory entry is a warning", add(entry{Name: "photos/"}), ConformanceDirectoryEntry},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r, err := Verify(context.Background(), rewrite(t, pkg, tc.edit), f.opts())
			if err != nil {
				t.Fatal(err)
			}
			if !r.Integrity.OK || !r.Certificate.OK || r.Outcome() != OutcomeValid {
				t.Fatalf("integrity %+v, certificate %+v: conformance must not fail the signature", r.Integrity, r.Certificate)
			}
			if len(r.Conformance) != 1 || r.Conformance[0].Reason != tc.reason {
				t.Fatalf("conformance %+v, want one %s", r.Conformance, tc.reason)
			}
		})
	}
	t.Run("what Shinsei writes has no conformance remark", func(t *testing.T) {
		r, err := Verify(context.Background(), pkg, f.opts())
		if err != nil || r.Outcome() != OutcomeValid || len(r.Conformance) != 0 || len(r.Signatures) != 1 {
			t.Fatalf("report %+v, %v", r, err)
		}
	})
}

func TestWithoutSignatureOrManifestNoSignerIsChecked(t *testing.T) {
	f := testFixtures(t)
	pkg := buildSample(t, f.resident)
	for _, tc := range []struct{ name, remove, reason string }{
		{"a package without a signature says so", signatureName, ReasonSignatureMissing},
		{"a package without a manifest has an invalid manifest", manifestName, ReasonManifestInvalid},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r, err := Verify(context.Background(), rewrite(t, pkg, remove(tc.remove)), f.opts())
			if err != nil {
				t.Fatal(err)
			}
			if r.Integrity.Reason != tc.reason || r.Certificate.Reason != ReasonCertificateNotChecked || r.Signer != nil {
				t.Fatalf("integrity %+v, certificate %+v", r.Integrity, r.Certificate)
			}
		})
	}
}

func TestRawDamageIsReported(t *testing.T) {
	f := testFixtures(t)
	pkg := buildSample(t, f.resident)
	entries := readEntries(t, pkg)
	for _, tc := range []struct {
		name   string
		damage func(raw []byte, form int)
		reason string
	}{
		{"a form byte flipped in place is a file digest mismatch", func(raw []byte, form int) { raw[form] ^= 1 }, ReasonFileDigestMismatch},
		{"a stale CRC with intact content is a corrupt file", nil, ReasonFileCorrupt},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var raw []byte
			if tc.damage != nil {
				var err error
				if raw, err = os.ReadFile(pkg); err != nil {
					t.Fatal(err)
				}
				tc.damage(raw, bytes.Index(raw, entryData(t, entries, "form.xml")))
			} else {
				raw = zipWithCRC(t, entries, "form.xml")
			}
			r, err := verifyPackage(context.Background(), bytes.NewReader(raw), int64(len(raw)), f.opts())
			if err != nil {
				t.Fatal(err)
			}
			if r.Integrity.Reason != tc.reason || r.Files[0].Status == StatusOK {
				t.Fatalf("integrity %+v, files %+v", r.Integrity, r.Files)
			}
		})
	}
}

// zipWithCRC writes entries with a wrong CRC for the entry named bad.
func zipWithCRC(t *testing.T, entries []entry, bad string) []byte {
	var b bytes.Buffer
	zw := zip.NewWriter(&b)
	for _, e := range entries {
		crc := crc32.ChecksumIEEE(e.Data)
		if e.Name == bad {
			crc ^= 1
		}
		w, err := zw.CreateRaw(storedHeader(e.Name, int64(len(e.Data)), crc, time.Now()))
		if err != nil {
			t.Fatal(err)
		}
		w.Write(e.Data)
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

func replace(name string, change func([]byte) []byte) func([]entry) []entry {
	return func(es []entry) []entry {
		for i := range es {
			if es[i].Name == name {
				es[i].Data = change(bytes.Clone(es[i].Data))
			}
		}
		return es
	}
}

func add(e entry) func([]entry) []entry {
	return func(es []entry) []entry { return append(es, e) }
}

func remove(name string) func([]entry) []entry {
	return func(es []entry) []entry {
		var out []entry
		for _, e := range es {
			if e.Name != name {
				out = append(out, e)
			}
		}
		return out
	}
}

func flipLast(b []byte) []byte { b[len(b)-1] ^= 1; return b }

// plainCMS signs content the way a CMS tool without CAdES would.
func plainCMS(content []byte, cred Credential) ([]byte, error) {
	sd, err := pkcs7.NewSignedData(content)
	if err != nil {
		return nil, err
	}
	sd.SetDigestAlgorithm(pkcs7.OIDDigestAlgorithmSHA256)
	if err := sd.AddSignerChain(cred.Cert, cred.Signer, cred.Chain, pkcs7.SignerInfoConfig{}); err != nil {
		return nil, err
	}
	sd.Detach()
	return sd.Finish()
}

func TestCertificateProblemsAreReportedApartFromIntegrity(t *testing.T) {
	f := testFixtures(t)
	good := buildSample(t, f.resident)
	for _, tc := range []struct {
		name   string
		pkg    string
		opts   VerifyOptions
		reason string
	}{
		{"a certificate past notAfter is expired though the package is intact", good,
			VerifyOptions{Roots: f.pki.Roots(), At: f.resident.Cert.NotAfter.Add(time.Hour)}, "expired"},
		{"a certificate before notBefore is not yet valid", good,
			VerifyOptions{Roots: f.pki.Roots(), At: f.resident.Cert.NotBefore.Add(-time.Hour)}, "not-yet-valid"},
		{"a resident under the expired root generation is expired", buildSample(t, f.old), f.opts(), "expired"},
		{"without anchors the chain is untrusted", good, VerifyOptions{}, "untrusted"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r, err := Verify(context.Background(), tc.pkg, tc.opts)
			if err != nil {
				t.Fatal(err)
			}
			if !r.Integrity.OK {
				t.Fatalf("integrity must stay OK: %+v", r.Integrity)
			}
			if r.Certificate.OK || r.Certificate.Reason != tc.reason || r.Chain != nil {
				t.Fatalf("certificate %+v, want %s", r.Certificate, tc.reason)
			}
			if strings.Contains(r.Certificate.Detail, "SANDBOX") {
				t.Fatalf("the detail names the subject: %s", r.Certificate.Detail)
			}
			t.Log(r.Certificate.Detail)
		})
	}
}

func TestTheReportPrintsAsJSON(t *testing.T) {
	f := testFixtures(t)
	r, err := Verify(context.Background(), buildSample(t, f.resident), f.opts())
	if err != nil {
		t.Fatal(err)
	}
	out, err := json.Marshal(r)
	if err != nil {
		t.Fatal(err)
	}
	var back struct {
		Format    string
		Integrity Check
		Signer    struct{ Subject, SHA256 string }
		Chain     []struct{ Subject string }
		Files     []FileResult
	}
	if err := json.Unmarshal(out, &back); err != nil {
		t.Fatal(err)
	}
	if back.Format != FormatCAdESBES || !back.Integrity.OK || !strings.Contains(back.Signer.Subject, "SANDBOX") ||
		len(back.Chain) != 2 || len(back.Files) != 3 || !back.Files[0].Form {
		t.Fatalf("%s", out)
	}
}

func TestOpenSSLVerifiesThePackageSignature(t *testing.T) {
	requireOpenSSL(t)
	f := testFixtures(t)
	entries := readEntries(t, buildSample(t, f.resident))
	dir := fsxtest.TempDir(t)
	sig := writeFile(t, dir, "signature001.p7s", entryData(t, entries, signatureName))
	manifest := writeFile(t, dir, "ASiCManifest.xml", entryData(t, entries, manifestName))
	root := writeFile(t, dir, "root.pem", pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: f.resident.Root.Raw}))
	args := []string{"cms", "-verify", "-binary", "-inform", "DER", "-in", sig, "-content", manifest,
		"-CAfile", root, "-purpose", "any", "-out", os.DevNull}
	if out := run(t, "openssl", args...); !strings.Contains(string(out), "Verification successful") {
		t.Fatalf("openssl: %s", out)
	}
	writeFile(t, dir, "ASiCManifest.xml", append(entryData(t, entries, manifestName), ' '))
	if out, err := runErr("openssl", args...); err == nil {
		t.Fatalf("openssl accepted a changed manifest: %s", out)
	}
}

func TestVerifyDetachedAcceptsOpenSSLSignatures(t *testing.T) {
	requireOpenSSL(t)
	f := testFixtures(t)
	dir := fsxtest.TempDir(t)
	content := []byte("申請書の内容\n")
	in := writeFile(t, dir, "form.txt", content)
	cert := writeFile(t, dir, "cert.pem", pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: f.resident.Cert.Raw}))
	der, err := x509.MarshalPKCS8PrivateKey(f.resident.Key)
	if err != nil {
		t.Fatal(err)
	}
	key := writeFile(t, dir, "key.pem", pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der}))
	for _, tc := range []struct {
		name   string
		cades  bool
		format string
	}{
		{"a CAdES signature made by openssl verifies as CAdES-BES", true, FormatCAdESBES},
		{"a plain CMS signature made by openssl verifies as plain CMS", false, FormatCMS},
	} {
		t.Run(tc.name, func(t *testing.T) {
			out := filepath.Join(dir, "sig.p7s")
			args := []string{"cms", "-sign", "-binary", "-md", "sha256", "-outform", "DER", "-in", in,
				"-signer", cert, "-inkey", key, "-out", out}
			if tc.cades {
				args = append(args, "-cades")
			}
			run(t, "openssl", args...)
			sig, err := os.ReadFile(out)
			if err != nil {
				t.Fatal(err)
			}
			r, err := VerifyDetached(context.Background(), sig, bytes.NewReader(content), f.opts())
			if err != nil {
				t.Fatal(err)
			}
			if !r.OK() || r.Format != tc.format {
				t.Fatalf("report %+v", r)
			}
			if !tc.cades && !strings.Contains(r.Integrity.Detail, "plain CMS") {
				t.Fatalf("the report must say the signature is plain CMS: %+v", r.Integrity)
			}
			r, err = VerifyDetached(context.Background(), sig, strings.NewReader("other content"), f.opts())
			if err != nil || r.Integrity.Reason != ReasonContentDigestMismatch || !r.Certificate.OK {
				t.Fatalf("other content: %+v, %v", r, err)
			}
		})
	}
}

func TestVerifyDetachedRefusesWhatItCannotRead(t *testing.T) {
	f := testFixtures(t)
	content := []byte("content")
	sig, err := signDetached(content, credential(f.resident), essAttribute(f.resident.Cert))
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name string
		sig  []byte
	}{
		{"an empty signature is malformed", nil},
		{"a truncated signature is malformed", sig[:len(sig)/2]},
		{"text is malformed", []byte("-----BEGIN PKCS7-----")},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := VerifyDetached(context.Background(), tc.sig, bytes.NewReader(content), f.opts())
			if !errors.Is(err, ErrMalformed) {
				t.Fatalf("got %v, want ErrMalformed", err)
			}
		})
	}
	t.Run("content over the cap is too large", func(t *testing.T) {
		if testing.Short() {
			t.Skip("reads 256 MiB")
		}
		_, err := VerifyDetached(context.Background(), sig, io.LimitReader(zeros{}, MaxDetachedContent+1), f.opts())
		if !errors.Is(err, ErrTooLarge) {
			t.Fatalf("got %v, want ErrTooLarge", err)
		}
	})
}

type zeros struct{}

func (zeros) Read(p []byte) (int, error) { clear(p); return len(p), nil }

func TestTheReaderRefusesHostilePackages(t *testing.T) {
	f := testFixtures(t)
	good := readEntries(t, buildSample(t, f.resident))
	raw := func(t *testing.T, write func(zw *zip.Writer)) []byte {
		var b bytes.Buffer
		zw := zip.NewWriter(&b)
		write(zw)
		if err := zw.Close(); err != nil {
			t.Fatal(err)
		}
		return b.Bytes()
	}
	withEntry := func(fh *zip.FileHeader, data []byte) func(t *testing.T) []byte {
		return func(t *testing.T) []byte {
			return raw(t, func(zw *zip.Writer) {
				for _, e := range good {
					writeSmall(zw, e.Name, e.Data, time.Now())
				}
				w, err := zw.CreateHeader(fh)
				if err != nil {
					t.Fatal(err)
				}
				w.Write(data)
			})
		}
	}
	symlink := &zip.FileHeader{Name: "link"}
	symlink.SetMode(fs.ModeSymlink | 0o777)
	for _, tc := range []struct {
		name string
		pkg  func(t *testing.T) []byte
		want error
	}{
		{"a file that is not a ZIP is malformed", func(*testing.T) []byte { return []byte("%PDF-1.7 not a zip") }, ErrMalformed},
		{"an empty file is malformed", func(*testing.T) []byte { return nil }, ErrMalformed},
		{"a truncated package is malformed", func(t *testing.T) []byte { b := zipBytes(t, good); return b[:len(b)/2] }, ErrMalformed},
		{"a small deflated entry that expands hugely is refused", withEntry(&zip.FileHeader{Name: "bomb.bin", Method: zip.Deflate},
			make([]byte, 64<<20)), ErrTooLarge},
		{"too many entries are refused", func(t *testing.T) []byte {
			return raw(t, func(zw *zip.Writer) {
				for i := range maxEntries + 1 {
					writeSmall(zw, fmt.Sprintf("f%d", i), nil, time.Now())
				}
			})
		}, ErrTooLarge},
		{"a ZIP directory too large to read is refused", func(t *testing.T) []byte {
			return raw(t, func(zw *zip.Writer) {
				for i := range maxDirectoryRead/60000 + 1 {
					zw.CreateHeader(&zip.FileHeader{Name: fmt.Sprintf("f%d", i), Comment: strings.Repeat("c", 60000)})
				}
			})
		}, ErrTooLarge},
		{"a signature entry over its cap is refused", func(t *testing.T) []byte {
			return zipBytes(t, replace(signatureName, func([]byte) []byte { return make([]byte, maxMetaSize+1) })(append([]entry(nil), good...)))
		}, ErrTooLarge},
		{"more manifests than the reader verifies are refused", func(t *testing.T) []byte {
			es := append([]entry(nil), good...)
			for i := range maxManifests + 1 {
				es = append(es, entry{Name: fmt.Sprintf("META-INF/ASiCManifest%03d.xml", i), Data: entryData(t, good, manifestName)})
			}
			return zipBytes(t, es)
		}, ErrTooLarge},
		{"a symbolic link is refused", withEntry(symlink, []byte("/etc/passwd")), ErrMalformed},
		{"an empty directory entry is ignored", withEntry(&zip.FileHeader{Name: "photos/"}, nil), nil},
		{"a directory entry with content is refused", func(t *testing.T) []byte {
			return raw(t, func(zw *zip.Writer) {
				for _, e := range good {
					writeSmall(zw, e.Name, e.Data, time.Now())
				}
				zw.CreateRaw(storedHeader("dir/", 1, 0, time.Now()))
			})
		}, ErrMalformed},
		{"a duplicate name is refused", withEntry(&zip.FileHeader{Name: "form.xml"}, []byte("x")), ErrMalformed},
		{"names differing only in case are refused", withEntry(&zip.FileHeader{Name: "FORM.XML"}, []byte("x")), ErrMalformed},
		{"a non-UTF-8 name is refused", withEntry(&zip.FileHeader{Name: "\x82\xa0.pdf"}, []byte("x")), ErrMalformed},
	} {
		t.Run(tc.name, func(t *testing.T) {
			b := tc.pkg(t)
			r, err := verifyPackage(context.Background(), bytes.NewReader(b), int64(len(b)), f.opts())
			if tc.want == nil {
				if err != nil || !r.OK() {
					t.Fatalf("got %+v, %v", r, err)
				}
				return
			}
			if !errors.Is(err, tc.want) {
				t.Fatalf("got %v, want %v", err, tc.want)
			}
			t.Log(err)
		})
	}
	for _, name := range []string{"../evil.sh", "a/../../evil.sh", "/etc/cron.d/evil", `..\evil.bat`, "C:/evil.bat", "C:evil.bat", "a//b", "./a"} {
		t.Run("the entry name "+name+" is refused", func(t *testing.T) {
			b := withEntry(&zip.FileHeader{Name: name}, []byte("x"))(t)
			_, err := verifyPackage(context.Background(), bytes.NewReader(b), int64(len(b)), f.opts())
			if !errors.Is(err, ErrMalformed) {
				t.Fatalf("got %v, want ErrMalformed", err)
			}
			t.Log(err)
		})
	}
}

func TestVerifyStopsWhenCancelled(t *testing.T) {
	f := testFixtures(t)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := Verify(ctx, buildSample(t, f.resident), f.opts()); !errors.Is(err, context.Canceled) {
		t.Fatalf("got %v, want context.Canceled", err)
	}
}

func TestAMimetypeEntryNotStoredPlainlyIsAConformanceWarning(t *testing.T) {
	f := testFixtures(t)
	good := readEntries(t, buildSample(t, f.resident))
	for _, tc := range []struct {
		name string
		fh   *zip.FileHeader
	}{
		{"a compressed mimetype is a warning beside an intact signature", &zip.FileHeader{Name: mimetypeName, Method: zip.Deflate}},
		{"a mimetype with an extra field is a warning beside an intact signature", &zip.FileHeader{Name: mimetypeName, Method: zip.Store, Modified: time.Now()}},
		{"a mimetype with a data descriptor is a warning beside an intact signature", &zip.FileHeader{Name: mimetypeName, Method: zip.Store}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var b bytes.Buffer
			zw := zip.NewWriter(&b)
			w, err := zw.CreateHeader(tc.fh)
			if err != nil {
				t.Fatal(err)
			}
			io.WriteString(w, mimetypeASiCE)
			for _, e := range good[1:] {
				writeSmall(zw, e.Name, e.Data, time.Now())
			}
			zw.Close()
			r, err := verifyPackage(context.Background(), bytes.NewReader(b.Bytes()), int64(b.Len()), f.opts())
			if err != nil || !r.OK() || r.Outcome() != OutcomeValid || len(r.Conformance) != 1 || r.Conformance[0].Reason != ReasonMimetypeInvalid {
				t.Fatalf("got %+v, %v", r, err)
			}
		})
	}
}

func TestLoadPKCS12(t *testing.T) {
	f := testFixtures(t)
	p12, err := f.corporate.PKCS12("correct horse")
	if err != nil {
		t.Fatal(err)
	}
	t.Run("a registry .p12 loads with its key, certificate and chain", func(t *testing.T) {
		cred, err := LoadPKCS12(p12, []byte("correct horse"))
		if err != nil {
			t.Fatal(err)
		}
		if !cred.Cert.Equal(f.corporate.Cert) || len(cred.Chain) != 1 || !cred.Chain[0].Equal(f.corporate.Root) ||
			!samePublicKey(cred.Signer, f.corporate.Cert) {
			t.Fatal("the credential does not match what was exported")
		}
	})
	t.Run("certificates stored out of order come back as a chain", func(t *testing.T) {
		o := f.official
		der, err := pkcs12.Modern.Encode(o.Key, o.Root, []*x509.Certificate{o.Cert, o.Intermediates[0]}, "pw")
		if err != nil {
			t.Fatal(err)
		}
		cred, err := LoadPKCS12(der, []byte("pw"))
		if err != nil {
			t.Fatal(err)
		}
		if !cred.Cert.Equal(o.Cert) || len(cred.Chain) != 2 || !cred.Chain[0].Equal(o.Intermediates[0]) || !cred.Chain[1].Equal(o.Root) {
			t.Fatalf("chain of %d not in order", len(cred.Chain))
		}
	})
	t.Run("a wrong password is ErrWrongPassword and is not repeated", func(t *testing.T) {
		_, err := LoadPKCS12(p12, []byte("battery staple"))
		if !errors.Is(err, ErrWrongPassword) || strings.Contains(err.Error(), "staple") {
			t.Fatalf("got %v", err)
		}
	})
	for _, tc := range []struct {
		name string
		data []byte
	}{
		{"garbage is not PKCS#12", []byte("garbage")},
		{"a truncated file is not PKCS#12", p12[:len(p12)/2]},
		{"nothing is not PKCS#12", nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if _, err := LoadPKCS12(tc.data, []byte("correct horse")); !errors.Is(err, ErrNotPKCS12) {
				t.Fatalf("got %v", err)
			}
		})
	}
}

// runErr runs a command and returns its output and error.
func runErr(name string, args ...string) ([]byte, error) {
	return exec.Command(name, args...).CombinedOutput()
}
