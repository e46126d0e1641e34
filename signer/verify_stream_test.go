package signer

import (
	"bytes"
	"context"
	"testing"
)

func TestVerifyDetachedStreamAgreesWithVerifyDetached(t *testing.T) {
	f := testFixtures(t)
	content := bytes.Repeat([]byte("申請書 "), 10000)
	sig, err := SignDetached(content, credential(f.official))
	if err != nil {
		t.Fatal(err)
	}
	tampered := append([]byte{}, content...)
	tampered[len(tampered)/2] ^= 1
	for _, tc := range []struct {
		name    string
		content []byte
		ok      bool
	}{
		{"the signed content verifies", content, true},
		{"content with one bit changed does not", tampered, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			want, err := VerifyDetached(context.Background(), sig, bytes.NewReader(tc.content), f.opts())
			if err != nil {
				t.Fatal(err)
			}
			got, err := VerifyDetachedStream(context.Background(), sig, bytes.NewReader(tc.content), f.opts())
			if err != nil {
				t.Fatal(err)
			}
			if got.Integrity != want.Integrity || got.Certificate.OK != want.Certificate.OK || got.Format != want.Format {
				t.Fatalf("stream %+v %+v %s, in memory %+v %+v %s", got.Integrity, got.Certificate, got.Format, want.Integrity, want.Certificate, want.Format)
			}
			if got.Integrity.OK != tc.ok || (tc.ok && got.Format != FormatCAdESBES) {
				t.Fatalf("integrity %+v format %s, want ok=%v", got.Integrity, got.Format, tc.ok)
			}
		})
	}
}
