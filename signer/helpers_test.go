package signer

import (
	"archive/zip"
	"bytes"
	"context"
	"crypto/x509"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/shinsei-app/shinsei/internal/fsx/fsxtest"
	"github.com/shinsei-app/shinsei/internal/testenv/tool"
	"github.com/shinsei-app/shinsei/sandbox/pki"
)

// fixtures are made once per test binary: RSA key generation is slow.
type fixtures struct {
	pki *pki.PKI
	// resident, corporate and official are valid signers; old is a
	// resident issued under the expired root generation; other is a
	// second resident.
	resident, corporate, official, old, other *pki.Credential
}

var (
	fixOnce sync.Once
	fix     fixtures
	fixErr  error
)

func testFixtures(t testing.TB) *fixtures {
	t.Helper()
	fixOnce.Do(func() {
		if fix.pki, fixErr = pki.New(time.Now()); fixErr != nil {
			return
		}
		issue := func(c **pki.Credential, f func() (*pki.Credential, error)) {
			if fixErr == nil {
				*c, fixErr = f()
			}
		}
		p := fix.pki
		issue(&fix.resident, func() (*pki.Credential, error) {
			return p.IssueResident(pki.SampleResident(), pki.ResidentOptions{})
		})
		issue(&fix.other, func() (*pki.Credential, error) {
			return p.IssueResident(pki.SampleResident(), pki.ResidentOptions{})
		})
		issue(&fix.old, func() (*pki.Credential, error) {
			return p.IssueResident(pki.SampleResident(), pki.ResidentOptions{OldGeneration: true})
		})
		issue(&fix.corporate, func() (*pki.Credential, error) { return p.IssueCorporate(pki.SampleCorporation()) })
		issue(&fix.official, func() (*pki.Credential, error) { return p.IssueOfficial("千代田区長") })
	})
	if fixErr != nil {
		t.Fatal(fixErr)
	}
	return &fix
}

// credential turns a sandbox credential into a signer credential whose
// chain ends with the root.
func credential(c *pki.Credential) Credential {
	return Credential{Signer: c.Key, Cert: c.Cert, Chain: append(append([]*x509.Certificate{}, c.Intermediates...), c.Root)}
}

func (f *fixtures) opts() VerifyOptions { return VerifyOptions{Roots: f.pki.Roots()} }

func writeFile(t testing.TB, dir, name string, data []byte) string {
	t.Helper()
	p := filepath.Join(dir, name)
	if err := os.WriteFile(p, data, 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

// sampleFiles writes a form and two attachments and returns them.
func sampleFiles(t testing.TB, dir string) []File {
	return []File{
		{Path: writeFile(t, dir, "form.xml", []byte(`<?xml version="1.0"?><申請><氏名>高橋　花子</氏名></申請>`))},
		{Path: writeFile(t, dir, "住民票.pdf", bytes.Repeat([]byte("%PDF-1.7 sample "), 5000))},
		{Name: "photos/id.jpg", Path: writeFile(t, dir, "id.jpg", []byte{0xff, 0xd8, 0xff, 0xe0, 1, 2, 3})},
	}
}

// buildSample builds a package of sampleFiles signed by c.
func buildSample(t testing.TB, c *pki.Credential) string {
	t.Helper()
	dir := fsxtest.TempDir(t)
	out := filepath.Join(dir, "application.asice")
	if _, err := Build(context.Background(), out, sampleFiles(t, dir), credential(c), BuildOptions{}); err != nil {
		t.Fatal(err)
	}
	return out
}

// entry is one ZIP entry, read back or to be written.
type entry struct {
	Name string
	Data []byte
}

func readEntries(t testing.TB, pkg string) []entry {
	t.Helper()
	zr, err := zip.OpenReader(pkg)
	if err != nil {
		t.Fatal(err)
	}
	defer zr.Close()
	var out []entry
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
		out = append(out, entry{f.Name, data})
	}
	return out
}

func entryData(t testing.TB, entries []entry, name string) []byte {
	t.Helper()
	for _, e := range entries {
		if e.Name == name {
			return e.Data
		}
	}
	t.Fatalf("no entry %s", name)
	return nil
}

// zipBytes writes entries as stored, well-formed ZIP entries.
func zipBytes(t testing.TB, entries []entry) []byte {
	t.Helper()
	var b bytes.Buffer
	zw := zip.NewWriter(&b)
	for _, e := range entries {
		if err := writeSmall(zw, e.Name, e.Data, time.Now()); err != nil {
			t.Fatal(err)
		}
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// rewrite writes a copy of pkg with its entries changed by edit.
func rewrite(t testing.TB, pkg string, edit func([]entry) []entry) string {
	t.Helper()
	out := filepath.Join(fsxtest.TempDir(t), "rewritten.asice")
	if err := os.WriteFile(out, zipBytes(t, edit(readEntries(t, pkg))), 0o600); err != nil {
		t.Fatal(err)
	}
	return out
}

func requireOpenSSL(t testing.TB) {
	t.Helper()
	tool.OpenSSL(t)
}

func run(t testing.TB, name string, args ...string) []byte {
	t.Helper()
	out, err := exec.Command(name, args...).CombinedOutput()
	if err != nil {
		t.Fatalf("%s %v: %v\n%s", name, args, err, out)
	}
	return out
}

// assertOnly fails if dir holds anything but the named files.
func assertOnly(t testing.TB, dir string, names ...string) {
	t.Helper()
	des, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	want := make(map[string]bool)
	for _, n := range names {
		want[n] = true
	}
	for _, de := range des {
		if !want[de.Name()] {
			t.Errorf("left behind: %s", de.Name())
		}
	}
}
