package signer

import (
	"bytes"
	"context"
	"encoding/pem"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/shinsei-app/shinsei/internal/fsx/fsxtest"
	"github.com/shinsei-app/shinsei/sandbox/pki"
)

// twoSignatures builds a power of attorney signed by principal and an
// application signed by proxy that carries it.
func twoSignatures(t *testing.T, principal, proxy *pki.Credential) (poa, app string) {
	t.Helper()
	dir := fsxtest.TempDir(t)
	poa = filepath.Join(dir, "POA.asice")
	letter := writeFile(t, dir, "power-of-attorney.json", []byte(`{"type":"power-of-attorney","procedure":"move-out-notification"}`))
	res, err := Build(context.Background(), poa, []File{{Path: letter}}, credential(principal), BuildOptions{Supporting: true})
	if err != nil {
		t.Fatal(err)
	}
	if res.Files[0].Form {
		t.Fatalf("a supporting document is marked as the form: %+v", res.Files)
	}
	app = filepath.Join(dir, "app.asice")
	files := sampleFiles(t, dir)
	res, err = Build(context.Background(), app, files, credential(proxy), BuildOptions{Carry: []string{poa}})
	if err != nil {
		t.Fatal(err)
	}
	last := res.Files[len(res.Files)-1]
	if len(res.Files) != len(files)+1 || res.Files[0].Manifests[0] != "META-INF/ASiCManifest002.xml" ||
		last.Name != "power-of-attorney.json" || last.Form || !slices.Equal(last.Manifests, []string{"META-INF/ASiCManifest001.xml", "META-INF/ASiCManifest002.xml"}) {
		t.Fatalf("build result %+v: want the new files under the second manifest, then the carried file under both", res.Files)
	}
	return poa, app
}

func TestAPackageCarryingAPowerOfAttorneyHoldsTwoSignaturesEachOverItsOwnManifest(t *testing.T) {
	f := testFixtures(t)
	_, app := twoSignatures(t, f.resident, f.other)
	var names []string
	for _, e := range readEntries(t, app) {
		names = append(names, e.Name)
	}
	for _, want := range []string{"META-INF/ASiCManifest001.xml", "META-INF/signature001.p7s", "META-INF/ASiCManifest002.xml", "META-INF/signature002.p7s", "power-of-attorney.json"} {
		if !slices.Contains(names, want) {
			t.Fatalf("entries %q: no %s", names, want)
		}
	}
	if slices.Contains(names, "META-INF/ASiCManifest.xml") {
		t.Fatalf("entries %q: the carried manifest kept its old name", names)
	}
	r, err := Verify(context.Background(), app, f.opts())
	if err != nil {
		t.Fatal(err)
	}
	if r.Outcome() != OutcomeValid || len(r.Signatures) != 2 {
		t.Fatalf("outcome %s, %d signatures, integrity %+v", r.Outcome(), len(r.Signatures), r.Integrity)
	}
	principal, proxy := r.Signatures[0], r.Signatures[1]
	if !principal.Signer.Equal(f.resident.Cert) || !slices.Equal(principal.Covers, []string{"power-of-attorney.json"}) ||
		principal.Manifest != "META-INF/ASiCManifest001.xml" || principal.Name != "META-INF/signature001.p7s" {
		t.Fatalf("the first signature is not the principal's over the power of attorney alone: %+v", principal)
	}
	if !proxy.Signer.Equal(f.other.Cert) || !slices.Contains(proxy.Covers, "form.xml") || !slices.Contains(proxy.Covers, "power-of-attorney.json") {
		t.Fatalf("the second signature is not the proxy's over the application and the power of attorney: %+v", proxy)
	}
	if !r.Signer.Equal(f.other.Cert) {
		t.Fatalf("the report's signer is not the form's signer (the proxy)")
	}
	for _, fr := range r.Files {
		if fr.Form != (fr.Name == "form.xml") {
			t.Fatalf("files %+v: only form.xml is the form", r.Files)
		}
	}
}

func TestATamperedPowerOfAttorneyInsideTheApplicationBreaksBothSignatures(t *testing.T) {
	f := testFixtures(t)
	_, app := twoSignatures(t, f.resident, f.other)
	bad := rewrite(t, app, func(es []entry) []entry {
		for i := range es {
			if es[i].Name == "power-of-attorney.json" {
				es[i].Data = bytes.Replace(es[i].Data, []byte("move-out"), []byte("move-in!"), 1)
			}
		}
		return es
	})
	r, err := Verify(context.Background(), bad, f.opts())
	if err != nil {
		t.Fatal(err)
	}
	if r.Integrity.OK || r.Integrity.Reason != ReasonFileDigestMismatch {
		t.Fatalf("integrity %+v, want %s", r.Integrity, ReasonFileDigestMismatch)
	}
}

func TestBuildRefusesWhatCannotBeCarried(t *testing.T) {
	f := testFixtures(t)
	poa, _ := twoSignatures(t, f.resident, f.other)
	dir := fsxtest.TempDir(t)
	tampered := rewrite(t, poa, func(es []entry) []entry {
		for i := range es {
			if es[i].Name == "power-of-attorney.json" {
				es[i].Data = append(es[i].Data, ' ')
			}
		}
		return es
	})
	form := writeFile(t, dir, "form.json", []byte(`{}`))
	clash := writeFile(t, dir, "power-of-attorney.json", []byte(`{}`))
	for _, tc := range []struct {
		name  string
		files []File
		carry []string
	}{
		{"a tampered power of attorney", []File{{Path: form}}, []string{tampered}},
		{"a file of the application with the name of a carried file", []File{{Path: form}, {Path: clash}}, []string{poa}},
		{"the same package carried twice", []File{{Path: form}}, []string{poa, poa}},
		{"a package that does not exist", []File{{Path: form}}, []string{filepath.Join(dir, "missing.asice")}},
		{"a folder", []File{{Path: form}}, []string{dir}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			out := filepath.Join(dir, "out.asice")
			_, err := Build(context.Background(), out, tc.files, credential(f.other), BuildOptions{Carry: tc.carry})
			if !errors.Is(err, ErrInvalidFile) {
				t.Fatalf("err %v, want ErrInvalidFile", err)
			}
			if _, err := os.Stat(out); !errors.Is(err, os.ErrNotExist) {
				t.Fatalf("a package was left at %s", out)
			}
		})
	}
}

func TestOpenSSLVerifiesEachSignatureOfATwoSignaturePackageAlone(t *testing.T) {
	requireOpenSSL(t)
	f := testFixtures(t)
	_, app := twoSignatures(t, f.resident, f.other)
	entries := readEntries(t, app)
	dir := fsxtest.TempDir(t)
	root := writeFile(t, dir, "root.pem", pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: f.resident.Root.Raw}))
	for _, n := range []string{"001", "002"} {
		sig := writeFile(t, dir, "signature"+n+".p7s", entryData(t, entries, "META-INF/signature"+n+".p7s"))
		manifest := writeFile(t, dir, "ASiCManifest"+n+".xml", entryData(t, entries, "META-INF/ASiCManifest"+n+".xml"))
		args := []string{"cms", "-verify", "-binary", "-inform", "DER", "-in", sig, "-content", manifest,
			"-CAfile", root, "-purpose", "any", "-out", os.DevNull}
		if out := run(t, "openssl", args...); !strings.Contains(string(out), "Verification successful") {
			t.Fatalf("openssl, signature %s: %s", n, out)
		}
		other := "002"
		if n == "002" {
			other = "001"
		}
		args[8] = writeFile(t, dir, "other.xml", entryData(t, entries, "META-INF/ASiCManifest"+other+".xml"))
		if out, err := runErr("openssl", args...); err == nil {
			t.Fatalf("openssl accepted signature %s over the other manifest: %s", n, out)
		}
	}
}
