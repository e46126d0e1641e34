package pades

import (
	"bytes"
	"context"
	"errors"
	"testing"
	"time"
)

// FuzzVerify feeds the PDF signature reader arbitrary files: it must
// return a report or one of its typed errors, never panic or hang.
func FuzzVerify(f *testing.F) {
	field := "/AcroForm << /SigFlags 3 /Fields [<< /FT /Sig /T (Official) /V << /Type /Sig /Filter /Adobe.PPKLite " +
		"/SubFilter /adbe.pkcs7.detached /ByteRange [0 100 200 50] /Contents <3082000130> >> >>] >>"
	f.Add(rawPDF("", ""))
	f.Add(rawPDF(field, ""))
	f.Add(rawPDF(field, "/Prev 9"))
	f.Add(rawPDF("/OpenAction 2 0 R", "/Size 5"))
	f.Add([]byte("%PDF-1.7\n1 0 obj [[[[ ] ] ] ]\nendobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		rep, err := Verify(ctx, bytes.NewReader(data), int64(len(data)), Options{})
		if err == nil {
			if rep == nil || len(rep.Signatures) == 0 {
				t.Fatal("no error and no signature")
			}
			_ = rep.Outcome()
			return
		}
		for _, want := range []error{ErrMalformed, ErrTooLarge, ErrEncrypted, ErrActiveContent, ErrNoSignature, ErrByteRange} {
			if errors.Is(err, want) {
				return
			}
		}
		t.Fatalf("untyped error: %v", err)
	})
}
