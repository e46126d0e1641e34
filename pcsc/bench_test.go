//go:build cgo && linux

package pcsc_test

import (
	"crypto"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/x509"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/shinsei-app/shinsei/internal/testenv"
	"github.com/shinsei-app/shinsei/pcsc"
	"github.com/shinsei-app/shinsei/pkcs11"
	"github.com/shinsei-app/shinsei/sandbox/softhsm"
	"github.com/shinsei-app/shinsei/sandbox/vcard"
)

// bench holds the two keys the benchmark compares, set up once per test
// binary (the benchmark function runs several times).
var bench struct {
	sync.Mutex
	pair *benchPair
}

type benchPair struct {
	card, hsm *pkcs11.Key
	key       *rsa.PrivateKey
}

func benchKeys(b *testing.B) *benchPair {
	b.Helper()
	bench.Lock()
	defer bench.Unlock()
	if bench.pair != nil {
		return bench.pair
	}
	cs := testenv.Cards(b)
	card := cs.Insert(b, vcard.ScenarioHealthy)
	cardTok, err := cs.Lib.OpenToken(ctx, pkcs11.Selector{Label: pkcs11.JPKISignatureLabel})
	if err != nil {
		b.Fatal(err)
	}
	hsm := testenv.SoftHSM(b)
	cred := card.SignatureCredential()
	err = softhsm.Provision(ctx, hsm, softhsm.TokenSpec{
		Label: "bench virtual card", SOPIN: "BENCHSO1", UserPIN: vcard.SignaturePIN,
		Keys: []softhsm.KeySpec{{ID: []byte{2}, Label: "Digital Signature Key", Key: cred.Key, Cert: cred.Cert,
			Chain: []*x509.Certificate{cred.Root}, AlwaysAuthenticate: true}},
	})
	if err != nil {
		b.Fatal(err)
	}
	hsmTok, err := hsm.OpenToken(ctx, pkcs11.Selector{Label: "bench virtual card"}, pkcs11.WithPINPolicy(pkcs11.PolicyJPKISignature))
	if err != nil {
		b.Fatal(err)
	}
	bench.pair = &benchPair{card: loggedInKey(b, cardTok), hsm: loggedInKey(b, hsmTok), key: cred.Key}
	return bench.pair
}

func loggedInKey(b *testing.B, tok *pkcs11.Token) *pkcs11.Key {
	b.Helper()
	if err := tok.Login(ctx, rightPIN().prompt); err != nil {
		b.Fatal(err)
	}
	k, err := tok.Signer(ctx, nil)
	if err != nil {
		b.Fatal(err)
	}
	return k
}

// BenchmarkSignatureVirtualCardVsSoftHSM signs with the same RSA-2048 key,
// CKM_RSA_PKCS and a context-specific login per signature, through the
// whole virtual card stack (OpenSC → pcscd → vpcd → the virtual card) and
// on SoftHSM, alternately. It reports both times and their ratio, the time
// the virtual card itself spends on the RSA operation, and what the stack
// adds to it per signature (card-ms/op − rsa-ms/op). SoftHSM derives a key
// from the PIN at every login, so it is no faster than the card path.
func BenchmarkSignatureVirtualCardVsSoftHSM(b *testing.B) {
	pair := benchKeys(b)
	digest := sha256.Sum256([]byte("申請書"))
	sign := func(k *pkcs11.Key) time.Duration {
		start := time.Now()
		if _, err := k.Sign(rand.Reader, digest[:], crypto.SHA256); err != nil {
			b.Fatal(err)
		}
		return time.Since(start)
	}
	di := append([]byte{0x30, 0x31, 0x30, 0x0d, 0x06, 0x09, 0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02, 0x01, 0x05, 0x00, 0x04, 0x20}, digest[:]...)
	rsaSign := func() time.Duration {
		start := time.Now()
		if _, err := rsa.SignPKCS1v15(nil, pair.key, crypto.Hash(0), di); err != nil {
			b.Fatal(err)
		}
		return time.Since(start)
	}
	for range 3 { // warm up every path
		sign(pair.card)
		sign(pair.hsm)
		rsaSign()
	}
	var cardTime, hsmTime, rsaTime time.Duration
	b.ResetTimer()
	for range b.N {
		cardTime += sign(pair.card)
		hsmTime += sign(pair.hsm)
		rsaTime += rsaSign()
	}
	b.StopTimer()
	ms := func(d time.Duration) float64 { return d.Seconds() * 1000 / float64(b.N) }
	b.ReportMetric(ms(cardTime), "card-ms/op")
	b.ReportMetric(ms(hsmTime), "softhsm-ms/op")
	b.ReportMetric(ms(cardTime)/ms(hsmTime), "card/softhsm")
	b.ReportMetric(ms(rsaTime), "rsa-ms/op")
	b.ReportMetric(ms(cardTime)-ms(rsaTime), "stack-overhead-ms/op")
}

// BenchmarkProbeKeptContextVsEstablishedEachTime reads what a My Number
// card shows before its signature PIN (ProbeSignature: the readers' state,
// the certificate's presence, the tries) through one kept PC/SC context
// and, alternately, through a context established and released each time
// (what every reading cost before pcsc.Kept), and reports the ratio of
// their medians over 201 alternating rounds, the kept context established
// once before them (as the App's is after its first reading): a single
// reading of each, which -benchtime 1x would time, measures the machine's
// moment more than the context.
func BenchmarkProbeKeptContextVsEstablishedEachTime(b *testing.B) {
	cs := testenv.Cards(b)
	cs.Insert(b, vcard.ScenarioHealthy)
	tok := signatureToken(b, cs)
	kept := &pcsc.Kept{}
	defer kept.Close()
	probe := func(r pcsc.JPKITries) time.Duration {
		start := time.Now()
		if _, err := r.ProbeSignature(ctx, tok); err != nil {
			b.Fatal(err)
		}
		return time.Since(start)
	}
	probe(pcsc.JPKITries{Kept: kept}) // establishes it, untimed
	const rounds = 201
	var k, e []time.Duration
	for range b.N * rounds {
		k = append(k, probe(pcsc.JPKITries{Kept: kept}))
		e = append(e, probe(pcsc.JPKITries{}))
	}
	median := func(ds []time.Duration) float64 {
		slices.Sort(ds)
		return ds[len(ds)/2].Seconds() * 1000
	}
	km, em := median(k), median(e)
	b.ReportMetric(km, "kept-ms/op")
	b.ReportMetric(em, "established-ms/op")
	b.ReportMetric(km/em, "x-established")
}
