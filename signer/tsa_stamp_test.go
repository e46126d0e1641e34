package signer

import (
	"context"
	"crypto/sha256"
	"errors"
	"sync/atomic"
	"testing"
	"time"

	"github.com/digitorus/timestamp"
	"golang.org/x/crypto/cryptobyte"
	cbasn1 "golang.org/x/crypto/cryptobyte/asn1"
)

func TestStampSignatureAsksForATokenOverTheSignatureValueOnly(t *testing.T) {
	f := testFixtures(t)
	good, _ := testTSAs(t)
	var asked atomic.Int32
	tsa := TSA{URL: tsaServer(t, good, func() time.Time { asked.Add(1); return time.Now() }).URL}
	cred := credential(f.resident)
	sig, err := signDetached([]byte("form"), cred, essAttribute(cred.Cert))
	if err != nil {
		t.Fatal(err)
	}
	// The outer ContentInfo with an indefinite length: BER that is read
	// but never rewritten.
	var ci cryptobyte.String
	if in := cryptobyte.String(sig); !in.ReadASN1(&ci, cbasn1.SEQUENCE) {
		t.Fatal("the signature is not a SEQUENCE")
	}
	ber := append(append([]byte{0x30, 0x80}, ci...), 0, 0)
	if _, err := parseSignature(ber); err != nil {
		t.Fatalf("the BER form must still be a readable signature: %v", err)
	}

	t.Run("a DER signature gets a token over its signature value", func(t *testing.T) {
		stamped, err := StampSignature(context.Background(), sig, tsa)
		if err != nil {
			t.Fatal(err)
		}
		value, token := signatureAndToken(t, stamped)
		ts, err := timestamp.Parse(token)
		if err != nil {
			t.Fatal(err)
		}
		if sum := sha256.Sum256(value); string(ts.HashedMessage) != string(sum[:]) {
			t.Fatal("the token is not over the signature value")
		}
	})
	t.Run("a BER signature is refused before the authority is asked", func(t *testing.T) {
		before := asked.Load()
		if _, err := StampSignature(context.Background(), ber, tsa); !errors.Is(err, ErrMalformed) {
			t.Fatalf("want ErrMalformed, got %v", err)
		}
		if n := asked.Load() - before; n != 0 {
			t.Fatalf("the authority was asked %d times for a signature that cannot carry its token", n)
		}
	})
}

// signatureAndToken returns the signature value and the first
// signature-time-stamp token of sig, read by the CMS parser.
func signatureAndToken(t *testing.T, sig []byte) (value, token []byte) {
	t.Helper()
	p7, err := parseSignature(sig)
	if err != nil {
		t.Fatal(err)
	}
	for _, a := range p7.Signers[0].UnauthenticatedAttributes {
		if a.Type.Equal(oidSignatureTimeStampToken) {
			return p7.Signers[0].EncryptedDigest, a.Value.Bytes
		}
	}
	t.Fatal("no signature-time-stamp attribute")
	return nil, nil
}
