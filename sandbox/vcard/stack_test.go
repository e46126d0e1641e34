//go:build cgo && linux

package vcard_test

import (
	"bytes"
	"context"
	"errors"
	"os"
	"slices"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/shinsei-app/shinsei/pcsc"
	"github.com/shinsei-app/shinsei/sandbox/pki"
	"github.com/shinsei-app/shinsei/sandbox/vcard"
)

func TestCardStackNamesTheDebianPackageOfAMissingPart(t *testing.T) {
	ctx := context.Background()
	cases := []struct {
		name string
		opts vcard.StackOptions
		pkg  string
	}{
		{"a missing pcscd asks for pcscd", vcard.StackOptions{Pcscd: "/nonexistent/pcscd"}, "apt-get install pcscd"},
		{"a missing vpcd driver asks for vsmartcard-vpcd", vcard.StackOptions{VpcdDriver: "/nonexistent/libifdvpcd.so"}, "apt-get install vsmartcard-vpcd"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := vcard.StartStack(ctx, c.opts)
			if !errors.Is(err, vcard.ErrStackPart) || !strings.Contains(err.Error(), c.pkg) {
				t.Errorf("got %v, want ErrStackPart naming %q", err, c.pkg)
			}
		})
	}
}

// TestCardStackServesTheCardToPCSCClientsAndStopsByPID is the only test in
// this binary that uses PC/SC: libpcsclite reads PCSCLITE_CSOCK_NAME once
// per process.
func TestCardStackServesTheCardToPCSCClientsAndStopsByPID(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	stack, err := vcard.StartStack(ctx, vcard.StackOptions{})
	if err != nil {
		t.Fatal(err)
	}
	defer stack.Close()
	pid, dir := stack.PID(), stack.Dir
	if pid <= 0 || syscall.Kill(pid, 0) != nil {
		t.Fatalf("pcscd (pid %d) is not running", pid)
	}
	if fi, err := os.Stat(stack.Socket); err != nil || fi.Mode().Perm() != 0o600 {
		t.Errorf("pcscd's socket: %v, %v; want a private socket", fi, err)
	}
	for _, kv := range stack.Env() {
		k, v, _ := strings.Cut(kv, "=")
		t.Setenv(k, v)
	}

	p, err := pki.New(time.Now())
	if err != nil {
		t.Fatal(err)
	}
	issuer, err := vcard.NewIssuer(p, nil)
	if err != nil {
		t.Fatal(err)
	}
	card, err := issuer.Issue(vcard.ScenarioFinalTry)
	if err != nil {
		t.Fatal(err)
	}
	stack.Slot.Insert(card)

	pc, err := pcsc.Establish(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer pc.Close()
	reader := vcard.ReaderName + " 00 00"
	var conn *pcsc.Card
	for conn == nil {
		readers, err := pc.Readers(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if slices.Contains(readers, reader) {
			conn, err = pc.Connect(ctx, reader)
			if err != nil && !errors.Is(err, pcsc.ErrNoCard) {
				t.Fatal(err)
			}
		}
		if conn == nil {
			select {
			case <-ctx.Done():
				t.Fatalf("the card did not appear in %q among %q", reader, readers)
			case <-time.After(50 * time.Millisecond):
			}
		}
	}
	if !bytes.Equal(conn.ATR(), vcard.JPKIATR) {
		t.Errorf("ATR % X", conn.ATR())
	}
	err = conn.Transaction(ctx, func() error {
		for _, cmd := range [][]byte{
			{0x00, 0xA4, 0x04, 0x0C, 0x0A, 0xD3, 0x92, 0xF0, 0x00, 0x26, 0x01, 0x00, 0x00, 0x00, 0x01},
			{0x00, 0xA4, 0x02, 0x0C, 0x02, 0x00, 0x1B},
		} {
			if resp, err := conn.Transmit(ctx, cmd); err != nil || !bytes.Equal(resp, []byte{0x90, 0x00}) {
				t.Fatalf("% X: % X, %v", cmd[:4], resp, err)
			}
		}
		resp, err := conn.Transmit(ctx, []byte{0x00, 0x20, 0x00, 0x80})
		if err != nil || !bytes.Equal(resp, []byte{0x63, 0xC1}) {
			t.Errorf("VERIFY without data: % X, %v; want 63C1", resp, err)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	conn.Close()

	if err := stack.Close(); err != nil {
		t.Fatal(err)
	}
	if err := syscall.Kill(pid, 0); !errors.Is(err, syscall.ESRCH) {
		t.Errorf("pcscd (pid %d) still runs after Close: %v", pid, err)
	}
	if _, err := os.Stat(dir); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("the private directory is left: %v", err)
	}
}
