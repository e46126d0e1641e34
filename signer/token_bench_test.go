//go:build cgo

package signer

import (
	"bytes"
	"context"
	"crypto/sha256"
	"os"
	"path/filepath"
	"testing"
	"time"

	p11 "github.com/miekg/pkcs11"

	"github.com/shinsei-app/shinsei/internal/fsx/fsxtest"
	"github.com/shinsei-app/shinsei/internal/testenv"
	"github.com/shinsei-app/shinsei/pkcs11"
	"github.com/shinsei-app/shinsei/sandbox/softhsm"
)

// BenchmarkSignFormVsRawCSign signs a 1 KB form end to end — package
// built, manifest hashed, CAdES signed on a SoftHSM token set up like the
// card (only CKM_RSA_PKCS, CKA_ALWAYS_AUTHENTICATE), package synced and
// renamed — and, in the same run, times the bare PKCS#11 calls one such
// signature needs (C_SignInit, the context-specific C_Login, C_Sign) on the
// same key. It reports the ratio ("x-vs-raw-C_Sign", goal ≤ 1.2) with the
// package written to tmpfs when /dev/shm exists, and the ratio with the
// package written to the test's temporary directory ("x-vs-raw-C_Sign-disk",
// where fsync dominates).
func BenchmarkSignFormVsRawCSign(b *testing.B) {
	ctx := context.Background()
	f := testFixtures(b)
	lib := testenv.SoftHSM(b)
	const label, pin = "bench card", "BENCH2026"
	err := softhsm.Provision(ctx, lib, softhsm.TokenSpec{Label: label, SOPIN: "bench-so", UserPIN: pin,
		Keys: []softhsm.KeySpec{{ID: []byte{2}, Label: "Digital Signature Key", Key: f.resident.Key,
			Cert: f.resident.Cert, AlwaysAuthenticate: true}}})
	if err != nil {
		b.Fatal(err)
	}
	tok, err := lib.OpenToken(ctx, pkcs11.Selector{Label: label})
	if err != nil {
		b.Fatal(err)
	}
	defer tok.Close()
	err = tok.Login(ctx, func(context.Context, pkcs11.PINRequest) (pkcs11.PINAnswer, error) {
		return pkcs11.PINAnswer{PIN: []byte(pin)}, nil
	})
	if err != nil {
		b.Fatal(err)
	}
	key, err := tok.Signer(ctx, []byte{2})
	if err != nil {
		b.Fatal(err)
	}
	cred := Credential{Signer: key, Cert: f.resident.Cert}
	dir := fsxtest.TempDir(b)
	form := writeFile(b, dir, "form.json", bytes.Repeat([]byte("a"), 1024))
	files := []File{{Path: form}}

	const reps = 30
	rawSign, closeRaw := rawSigner(b, lib.Module(), label, pin)
	raw := bestOf(b, reps, rawSign)
	closeRaw()
	build := func(outDir string) time.Duration {
		out := filepath.Join(outDir, "application.asice")
		return bestOf(b, reps, func() {
			if _, err := Build(ctx, out, files, cred, BuildOptions{}); err != nil {
				b.Fatal(err)
			}
		})
	}
	fast := dir
	if shm, err := os.MkdirTemp("/dev/shm", "shinsei-bench-"); err == nil {
		defer os.RemoveAll(shm)
		fast = shm
	}
	ours, oursDisk := build(fast), build(dir)
	b.ReportMetric(float64(raw.Microseconds())/1000, "raw-C_Sign-ms")
	b.ReportMetric(float64(ours.Microseconds())/1000, "sign-form-ms")
	b.ReportMetric(float64(ours)/float64(raw), "x-vs-raw-C_Sign")
	b.ReportMetric(float64(oursDisk)/float64(raw), "x-vs-raw-C_Sign-disk")
}

// rawSigner opens its own session on the token and finds the key; the
// function it returns makes one signature with the bare calls: C_SignInit,
// the context-specific C_Login, C_Sign.
func rawSigner(b *testing.B, m pkcs11.Module, label, pin string) (sign func(), done func()) {
	b.Helper()
	slots, err := m.GetSlotList(true)
	if err != nil {
		b.Fatal(err)
	}
	for _, slot := range slots {
		if ti, err := m.GetTokenInfo(slot); err != nil || ti.Label != label {
			continue
		}
		sh, err := m.OpenSession(slot, p11.CKF_SERIAL_SESSION)
		if err != nil {
			b.Fatal(err)
		}
		if err := m.FindObjectsInit(sh, []*p11.Attribute{p11.NewAttribute(p11.CKA_CLASS, p11.CKO_PRIVATE_KEY),
			p11.NewAttribute(p11.CKA_ID, []byte{2})}); err != nil {
			b.Fatal(err)
		}
		keys, _, err := m.FindObjects(sh, 1)
		m.FindObjectsFinal(sh)
		if err != nil || len(keys) != 1 {
			b.Fatalf("key not found: %v", err)
		}
		digest := sha256.Sum256([]byte("form"))
		digestInfo := append([]byte{0x30, 0x31, 0x30, 0x0d, 0x06, 0x09, 0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02, 0x01,
			0x05, 0x00, 0x04, 0x20}, digest[:]...)
		return func() {
			if err := m.SignInit(sh, []*p11.Mechanism{p11.NewMechanism(p11.CKM_RSA_PKCS, nil)}, keys[0]); err != nil {
				b.Fatal(err)
			}
			if err := m.Login(sh, p11.CKU_CONTEXT_SPECIFIC, pin); err != nil {
				b.Fatal(err)
			}
			if _, err := m.Sign(sh, digestInfo); err != nil {
				b.Fatal(err)
			}
		}, func() { m.CloseSession(sh) }
	}
	b.Fatalf("token %q not found", label)
	return nil, nil
}
