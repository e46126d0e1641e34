package pcsc

import (
	"context"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"crypto/x509/pkix"
	"errors"
	"math/big"
	"testing"
	"time"

	"github.com/shinsei-app/shinsei/sandbox/vcard"
)

// cardTransmitter lets readTries talk to a virtual card directly.
type cardTransmitter struct{ card *vcard.Card }

func (c cardTransmitter) Transmit(_ context.Context, apdu []byte) ([]byte, error) {
	return c.card.Transmit(apdu), nil
}

// notJPKI answers every command "file not found".
type notJPKI struct{}

func (notJPKI) Transmit(context.Context, []byte) ([]byte, error) { return []byte{0x6A, 0x82}, nil }

func virtualCard(t *testing.T, sigTries int) *vcard.Card {
	t.Helper()
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "test"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour)}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	cert, err := x509.ParseCertificate(der)
	if err != nil {
		t.Fatal(err)
	}
	card, err := vcard.New(vcard.Contents{
		SignatureKey: key, AuthKey: key, SignatureCert: cert, SignatureCA: cert, AuthCert: cert, AuthCA: cert,
		SignaturePIN: "SECRET1", AuthPIN: "4321", SignatureTries: sigTries,
	})
	if err != nil {
		t.Fatal(err)
	}
	return card
}

func TestReadTriesNeverSendsAPIN(t *testing.T) {
	ctx := context.Background()
	cases := []struct {
		name      string
		sigTries  int
		selectPIN []byte
		prepare   func(c *vcard.Card)
		want      int
	}{
		{"a card just powered on gets the application selected first", 0, selectSignPIN, nil, 5},
		{"the authentication PIN has its own count", 0, selectAuthPIN, nil, 3},
		{"with the application already selected the PIN file is selected directly", 2, selectSignPIN, func(c *vcard.Card) {
			c.Transmit(selectJPKI)
		}, 2},
		{"a locked PIN reads as zero tries", -1, selectSignPIN, nil, 0},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			card := virtualCard(t, c.sigTries)
			if c.prepare != nil {
				c.prepare(card)
			}
			got, err := readTries(ctx, cardTransmitter{card}, c.selectPIN)
			if err != nil || got != c.want {
				t.Errorf("got %d, %v; want %d", got, err, c.want)
			}
			if st := card.Stats(); st.SignatureVerifies+st.AuthVerifies != 0 || st.TriesQueries != 1 {
				t.Errorf("card stats %+v; want one VERIFY without data and none with a PIN", st)
			}
		})
	}
	t.Run("a card without the JPKI application gives ErrNotJPKI", func(t *testing.T) {
		if _, err := readTries(ctx, notJPKI{}, selectSignPIN); !errors.Is(err, ErrNotJPKI) {
			t.Errorf("got %v, want ErrNotJPKI", err)
		}
	})
}

func TestReaderForMatchesOpenSCsSlotDescription(t *testing.T) {
	long := "Vendor Reader With A Very Long Name [CCID Interface] (0123456789ABCDEF) 00 00"
	cases := []struct {
		name, slot string
		readers    []string
		want       string
		err        error
	}{
		{"the reader of the same name is found", "Shinsei Sandbox Reader 00 00",
			[]string{"Shinsei Sandbox Reader 00 00", "Shinsei Sandbox Reader 00 01"}, "Shinsei Sandbox Reader 00 00", nil},
		{"a name cut to OpenSC's 64 bytes is found by its beginning", long[:64], []string{long}, long, nil},
		{"a short name is not matched by its beginning", "Shinsei Sandbox Reader", []string{"Shinsei Sandbox Reader 00 00"}, "", ErrNoReader},
		{"no reader gives ErrNoReader", "Shinsei Sandbox Reader 00 00", nil, "", ErrNoReader},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got, err := readerFor(c.slot, c.readers)
			if got != c.want || !errors.Is(err, c.err) {
				t.Errorf("got %q, %v; want %q, %v", got, err, c.want, c.err)
			}
		})
	}
}
