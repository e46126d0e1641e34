package service

import (
	"archive/zip"
	"bytes"
	"hash/crc32"
	"io"
	"net/http"
	"testing"

	"github.com/shinsei-app/shinsei/sandbox/pki"
	"github.com/shinsei-app/shinsei/signer"
	"github.com/shinsei-app/shinsei/submit"
)

// withManifest returns pkg with its manifest replaced by change(manifest)
// and signed again by cred, the mimetype kept first and stored: a package
// whose signature verifies and whose manifest says what change made it.
func withManifest(tb testing.TB, pkg []byte, cred *pki.Credential, change func([]byte) []byte) []byte {
	tb.Helper()
	zr, err := zip.NewReader(bytes.NewReader(pkg), int64(len(pkg)))
	if err != nil {
		tb.Fatal(err)
	}
	var out bytes.Buffer
	zw := zip.NewWriter(&out)
	var manifest []byte
	for _, f := range zr.File {
		rc, err := f.Open()
		if err != nil {
			tb.Fatal(err)
		}
		data, err := io.ReadAll(rc)
		rc.Close()
		if err != nil {
			tb.Fatal(err)
		}
		switch f.Name {
		case "META-INF/ASiCManifest.xml":
			manifest = change(data)
			data = manifest
		case "META-INF/signature001.p7s":
			continue // written last, over the new manifest
		}
		var w io.Writer
		if f.Name == "mimetype" {
			w, err = zw.CreateRaw(&zip.FileHeader{Name: f.Name, Method: zip.Store, CRC32: crc32.ChecksumIEEE(data),
				CompressedSize64: uint64(len(data)), UncompressedSize64: uint64(len(data))})
		} else {
			w, err = zw.CreateHeader(&zip.FileHeader{Name: f.Name, Method: zip.Deflate})
		}
		if err != nil {
			tb.Fatal(err)
		}
		if _, err := w.Write(data); err != nil {
			tb.Fatal(err)
		}
	}
	sig, err := signer.SignDetached(manifest, signerCred(cred))
	if err != nil {
		tb.Fatal(err)
	}
	w, err := zw.Create("META-INF/signature001.p7s")
	if err != nil {
		tb.Fatal(err)
	}
	if _, err := w.Write(sig); err != nil {
		tb.Fatal(err)
	}
	if err := zw.Close(); err != nil {
		tb.Fatal(err)
	}
	return out.Bytes()
}

func TestAmbiguousContentIsRefusedAndNotStored(t *testing.T) {
	e := newSvcEnv(t)
	c := e.creds
	form := mustJSON(t, sampleForm(ProcMoveOut, nil))
	// The applicant's name given twice: which one would count is the
	// decoder's choice.
	twice := bytes.Replace(form, []byte(`"name":"髙橋　花子"`), []byte(`"name":"佐藤　次郎","name":"髙橋　花子"`), 1)
	if bytes.Equal(twice, form) {
		t.Fatal("the sample form is not as expected")
	}
	twiceCase := bytes.Replace(form, []byte(`"procedure":`), []byte(`"Procedure":"other","procedure":`), 1)
	plain := makePackage(t, c.resident, sampleForm(ProcMoveOut, nil), []byte("添付"))
	tests := []struct {
		name        string
		proc        string
		contentType string
		body        []byte
		status      int
		reason      submit.Reason
	}{
		{"a signed form with the applicant's name twice", ProcMoveOut, submit.MediaASiCE, makePackage(t, c.resident, twice), 422, submit.ReasonFormInvalid},
		{"a signed form with a key twice but for its case", ProcMoveOut, submit.MediaASiCE, makePackage(t, c.resident, twiceCase), 422, submit.ReasonFormInvalid},
		{"an unsigned form with a field twice", ProcBulkyWaste, submit.MediaJSON,
			bytes.Replace(mustJSON(t, sampleForm(ProcBulkyWaste, nil)), []byte(`"place":`), []byte(`"place":"裏口","place":`), 1), 400, submit.ReasonBadRequest},
		{"a manifest with a DOCTYPE", ProcMoveOut, submit.MediaASiCE, withManifest(t, plain, c.resident, func(b []byte) []byte {
			return bytes.Replace(b, []byte("?>\n"), []byte("?>\n<!DOCTYPE asic:ASiCManifest>\n"), 1)
		}), 422, submit.ReasonSignatureInvalid},
		{"a manifest with an ENTITY declaration", ProcMoveOut, submit.MediaASiCE, withManifest(t, plain, c.resident, func(b []byte) []byte {
			return bytes.Replace(b, []byte("?>\n"), []byte(`?>`+"\n"+`<!DOCTYPE m [<!ENTITY x "form.json">]>`+"\n"), 1)
		}), 422, submit.ReasonSignatureInvalid},
		{"a manifest marking the attachment as a second form", ProcMoveOut, submit.MediaASiCE, withManifest(t, plain, c.resident, func(b []byte) []byte {
			return bytes.Replace(b, []byte(`MimeType="text/plain"`), []byte(`MimeType="text/plain" Rootfile="true"`), 1)
		}), 422, submit.ReasonSignatureInvalid},
	}
	for _, tt := range tests {
		t.Run(tt.name+" is refused", func(t *testing.T) {
			r := e.submitApp(tt.proc, newKey(), "", tt.contentType, tt.body)
			if r.status != tt.status {
				t.Fatalf("status %d, want %d: %s", r.status, tt.status, r.body)
			}
			if p := r.problem(t); p.Reason != tt.reason {
				t.Errorf("refused as %s (%s), want %s", p.Reason, p.Detail, tt.reason)
			}
		})
	}
	t.Run("the crafted package with the manifest untouched is accepted", func(t *testing.T) {
		r := e.submitApp(ProcMoveOut, newKey(), "", submit.MediaASiCE, withManifest(t, plain, c.resident, func(b []byte) []byte { return b }))
		if r.status != http.StatusCreated {
			t.Fatalf("status %d: %s", r.status, r.body)
		}
	})
	if n := len(e.stored()); n != 1 {
		t.Errorf("%d applications stored, want only the untouched one", n)
	}
	t.Run("a login with the ID twice is refused", func(t *testing.T) {
		r := e.do(testRequest{method: http.MethodPost, path: "/sessions", contentType: submit.MediaJSON,
			body: []byte(`{"account_id":"R0000000001","account_id":"R0000000002","password":"x"}`)})
		if p := r.problem(t); r.status != 400 || p.Reason != submit.ReasonBadRequest {
			t.Errorf("got %d %s", r.status, p.Reason)
		}
	})
}
