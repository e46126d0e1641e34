package signer

import (
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"testing"

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
	opts := fx.opts()
	f.Fuzz(func(t *testing.T, data []byte) {
		r, err := verifyPackage(context.Background(), bytes.NewReader(data), int64(len(data)), opts)
		if err != nil {
			if !errors.Is(err, ErrMalformed) && !errors.Is(err, ErrTooLarge) {
				t.Fatalf("an error that is neither ErrMalformed nor ErrTooLarge: %v", err)
			}
			return
		}
		if r.Integrity.OK != (r.Integrity.Reason == "") || r.Integrity.OK && (r.Signer == nil || len(r.Files) == 0) {
			t.Fatalf("inconsistent report %+v", r)
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
