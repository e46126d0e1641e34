package signer

import (
	"bytes"
	"context"
	"testing"
)

// resigned replaces a package's manifest with change(manifest) and signs
// the new manifest with the same key, as an attacker holding a signed
// package and a certificate of their own could: the signature verifies,
// so only the reader's strictness refuses what is ambiguous.
func resigned(t *testing.T, f *fixtures, pkg string, change func([]byte) []byte) string {
	t.Helper()
	manifest := change(entryData(t, readEntries(t, pkg), manifestName))
	sig, err := signDetached(manifest, credential(f.resident), essAttribute(f.resident.Cert))
	if err != nil {
		t.Fatal(err)
	}
	return rewrite(t, pkg, func(es []entry) []entry {
		es = replace(manifestName, func([]byte) []byte { return manifest })(es)
		return replace(signatureName, func([]byte) []byte { return sig })(es)
	})
}

func TestAnAmbiguousManifestIsRefusedEvenWhenSigned(t *testing.T) {
	f := testFixtures(t)
	pkg := buildSample(t, f.resident)
	root := []byte(` Rootfile="true"`)
	tests := []struct {
		name   string
		change func([]byte) []byte
		ok     bool
	}{
		{"the same manifest signed again is accepted", func(b []byte) []byte { return b }, true},
		{"a DOCTYPE before the manifest is refused", func(b []byte) []byte {
			return bytes.Replace(b, []byte("?>\n"), []byte("?>\n<!DOCTYPE asic:ASiCManifest>\n"), 1)
		}, false},
		{"an ENTITY declaration is refused", func(b []byte) []byte {
			return bytes.Replace(b, []byte("?>\n"), []byte(`?>`+"\n"+`<!DOCTYPE m [<!ENTITY form "form.xml">]>`+"\n"), 1)
		}, false},
		{"a second file marked as the form is refused", func(b []byte) []byte {
			i := bytes.Index(b, []byte(`MimeType="application/pdf"`))
			if i < 0 || !bytes.Contains(b, root) {
				t.Fatal("the sample manifest is not as expected")
			}
			return append(b[:i:i], append(append([]byte(nil), root[1:]...), append([]byte(" "), b[i:]...)...)...)
		}, false},
		{"a second top-level manifest element is refused", func(b []byte) []byte {
			i := bytes.Index(b, []byte("<asic:ASiCManifest"))
			return append(append([]byte(nil), b...), b[i:]...)
		}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r, err := Verify(context.Background(), resigned(t, f, pkg, tt.change), f.opts())
			if err != nil {
				t.Fatal(err)
			}
			if tt.ok != r.Integrity.OK || !tt.ok && r.Integrity.Reason != ReasonManifestInvalid {
				t.Errorf("integrity %+v, want OK %v (or %s)", r.Integrity, tt.ok, ReasonManifestInvalid)
			}
		})
	}
}
