package signer

import (
	"bytes"
	"context"
	"crypto"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"golang.org/x/crypto/cryptobyte"
	cbasn1 "golang.org/x/crypto/cryptobyte/asn1"

	"github.com/shinsei-app/shinsei/internal/fsx/fsxtest"
)

func FuzzReadPackage(f *testing.F) {
	fx := testFixtures(f)
	dir := fsxtest.TempDir(f)
	pkg := filepath.Join(dir, "small.asice")
	files := []File{{Path: writeFile(f, dir, "form.xml", []byte("<form/>"))}, {Path: writeFile(f, dir, "a.txt", []byte("attachment"))}}
	if _, err := Build(context.Background(), pkg, files, credential(fx.resident), BuildOptions{}); err != nil {
		f.Fatal(err)
	}
	good, err := os.ReadFile(pkg)
	if err != nil {
		f.Fatal(err)
	}
	entries := readEntries(f, pkg)
	f.Add(good)
	f.Add(good[:len(good)-30])
	f.Add(zipBytes(f, remove(signatureName)(entries)))
	f.Add(zipBytes(f, add(entry{Name: "META-INF/extra", Data: []byte("x")})(entries)))
	f.Add(zipBytes(f, nil))
	// Several manifests and signatures, as other producers write them.
	form := entry{"form.xml", []byte("<form/>")}
	m1 := foreignManifest(defaultNS, "META-INF/signature001.p7s", crypto.SHA512, true, form)
	m2 := foreignManifest(otherPrefixes, "META-INF/signature002.p7s", crypto.SHA384, true, form)
	s1, err := signDetached(m1, credential(fx.resident), essAttribute(fx.resident.Cert))
	if err != nil {
		f.Fatal(err)
	}
	s2, err := signDetached(m2, credential(fx.corporate), essAttribute(fx.corporate.Cert))
	if err != nil {
		f.Fatal(err)
	}
	several := []entry{form, {"META-INF/ASiCManifest001.xml", m1}, {"META-INF/signature001.p7s", s1},
		{"META-INF/ASiCManifest002.xml", m2}, {"META-INF/signature002.p7s", s2}, {mimetypeName, []byte(mimetypeASiCE)}}
	f.Add(zipBytes(f, several))
	f.Add(zipBytes(f, append(several[:4:4], entry{"META-INF/timestamp.tst", s2})))
	f.Add(zipBytes(f, append(several, entry{"META-INF/ASiCManifest003.xml", m1})))
	archive := foreignManifest(prefixed, "META-INF/timestamp001.tst", crypto.SHA256, false, entry{"META-INF/signature001.p7s", s1}, form)
	f.Add(zipBytes(f, append(several, entry{"META-INF/ASiCArchiveManifest.xml", archive}, entry{"META-INF/timestamp001.tst", s2})))
	// A package archived twice: a chain of archive time-stamps.
	tsaCert, _ := testTSAs(f)
	tsa := TSA{URL: tsaServer(f, tsaCert, nil).URL}
	for range 2 {
		if _, err := ArchivePackage(context.Background(), pkg, tsa); err != nil {
			f.Fatal(err)
		}
	}
	archived, err := os.ReadFile(pkg)
	if err != nil {
		f.Fatal(err)
	}
	f.Add(archived)
	opts := fx.opts()
	f.Fuzz(func(t *testing.T, data []byte) {
		r, err := verifyPackage(context.Background(), bytes.NewReader(data), int64(len(data)), opts)
		if err != nil {
			if !errors.Is(err, ErrMalformed) && !errors.Is(err, ErrTooLarge) {
				t.Fatalf("an error that is neither ErrMalformed nor ErrTooLarge: %v", err)
			}
			return
		}
		if r.Integrity.OK != (r.Integrity.Reason == "") || r.Integrity.OK && r.Decided() && (r.Signer == nil || len(r.Files) == 0) {
			t.Fatalf("inconsistent report %+v", r)
		}
		for _, s := range r.Signatures {
			if s.Integrity.OK != (s.Integrity.Reason == "") || !s.Integrity.OK && r.Integrity.OK && (s.Kind != KindArchiveTimestamp || r.Decided()) {
				t.Fatalf("a failed signature in an intact report: %+v", r)
			}
		}
		for _, fr := range r.Files {
			if r.Integrity.OK && fr.Status != StatusOK && fr.Status != StatusNotValidated {
				t.Fatalf("file %q is %s in an intact report", fr.Name, fr.Status)
			}
		}
		if r.Outcome() == OutcomeValid && (!r.Integrity.OK || !r.Certificate.OK || !r.Decided()) {
			t.Fatalf("valid outcome of %+v", r)
		}
	})
}

func FuzzVerifyCMS(f *testing.F) {
	fx := testFixtures(f)
	content := []byte("<asic:ASiCManifest/>")
	cades, err := signDetached(content, credential(fx.official), essAttribute(fx.official.Cert))
	if err != nil {
		f.Fatal(err)
	}
	plain, err := plainCMS(content, credential(fx.resident))
	if err != nil {
		f.Fatal(err)
	}
	f.Add(cades)
	f.Add(plain)
	f.Add(cades[:len(cades)/3])
	// What other producers write: OCSP as RevocationInfoChoice other,
	// unsigned time-stamps, BER indefinite lengths.
	parts := splitSignedData(f, cades)
	parts.version = 5
	parts.crls = append(parts.crls, otherOCSP())
	parts.signerInfos[0] = withUnsigned(f, parts.signerInfos[0], oidSignatureTimeStamp)
	other := parts.join()
	f.Add(other)
	var inner cryptobyte.String
	if in := cryptobyte.String(other); in.ReadASN1(&inner, cbasn1.SEQUENCE) {
		f.Add(append(append([]byte{0x30, 0x80}, inner...), 0, 0))
	}
	opts := fx.opts()
	f.Fuzz(func(t *testing.T, sig []byte) {
		r, err := VerifyDetached(context.Background(), sig, bytes.NewReader(content), opts)
		if err != nil {
			if !errors.Is(err, ErrMalformed) {
				t.Fatalf("an error that is not ErrMalformed: %v", err)
			}
			return
		}
		if r.Integrity.OK != (r.Integrity.Reason == "") || r.Integrity.OK && r.Signer == nil {
			t.Fatalf("inconsistent report %+v", r)
		}
	})
}

func FuzzParseManifest(f *testing.F) {
	form, att := entry{"form.xml", []byte("<form/>")}, entry{"添付/a b.pdf", []byte("%PDF")}
	for _, style := range []manifestStyle{prefixed, otherPrefixes, defaultNS} {
		for _, h := range []crypto.Hash{crypto.SHA256, crypto.SHA384, crypto.SHA512} {
			f.Add(foreignManifest(style, "META-INF/signature001.p7s", h, true, form, att))
		}
	}
	f.Add(foreignManifest(prefixed, "META-INF/timestamp.tst", crypto.SHA256, false, att))
	f.Add(foreignManifest(prefixed, "META-INF/timestamp.tst", crypto.SHA512, false, entry{"META-INF/signature001.p7s", []byte{0x30}}, form))
	f.Fuzz(func(t *testing.T, data []byte) {
		m, err := parseManifest(data)
		if err != nil {
			return
		}
		if !isSignatureName(m.SigRef) && !isTimestampName(m.SigRef) || len(m.Entries) == 0 {
			t.Fatalf("accepted a manifest naming %q with %d entries", m.SigRef, len(m.Entries))
		}
		roots, seen := 0, map[string]bool{}
		for _, e := range m.Entries {
			sealed := isTimestampName(m.SigRef) && !strings.EqualFold(e.Name, mimetypeName)
			if checkName(e.Name) != nil || reserved(e.Name) && !sealed || seen[nameKey(e.Name)] || len(e.Digest) != e.Hash.Size() {
				t.Fatalf("accepted entry %+v", e)
			}
			seen[nameKey(e.Name)] = true
			if e.Root {
				roots++
			}
		}
		if roots > 1 {
			t.Fatalf("accepted %d forms", roots)
		}
	})
}
