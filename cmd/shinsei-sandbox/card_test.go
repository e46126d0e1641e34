//go:build linux && cgo

package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/shinsei-app/shinsei/pkcs11"
	"github.com/shinsei-app/shinsei/sandbox/vcard"
)

// syncBuffer is an output the command writes while the test reads it.
type syncBuffer struct {
	mu sync.Mutex
	b  strings.Builder
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// waitFor polls until cond holds, failing the test after 20 seconds.
func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

func TestCardListsEveryScenarioInJapaneseAndEnglish(t *testing.T) {
	var out syncBuffer
	if err := card(context.Background(), []string{"--list"}, strings.NewReader(""), &out); err != nil {
		t.Fatal(err)
	}
	for _, s := range vcard.Scenarios() {
		ja, en := scenarioText(s)
		if ja == "" || !strings.Contains(out.String(), string(s)) || !strings.Contains(out.String(), ja) || !strings.Contains(out.String(), en) {
			t.Errorf("scenario %s is not listed with both descriptions", s)
		}
	}
	err := card(context.Background(), []string{"--scenario", "nope"}, strings.NewReader(""), &out)
	if err == nil || !strings.Contains(err.Error(), "final-try") {
		t.Errorf("an unknown scenario gives %v; want the names to choose from", err)
	}
}

func TestCardRunsTheScenarioUntilInterruptedAndStopsEverything(t *testing.T) {
	dir := filepath.Join(os.TempDir(), fmt.Sprintf("shinsei-sandbox-card-%d", os.Getpid()))
	t.Cleanup(func() { os.RemoveAll(dir) })
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	stdin, typing := io.Pipe()
	defer typing.Close()
	var out syncBuffer
	done := make(chan error, 1)
	go func() { done <- card(ctx, []string{"--scenario", "final-try", "--dir", dir}, stdin, &out) }()
	waitFor(t, "the card to be ready", func() bool {
		select {
		case err := <-done:
			t.Fatalf("card ended: %v\n%s", err, out.String())
		default:
		}
		return strings.Contains(out.String(), "Ctrl-C")
	})
	text := out.String()
	for _, want := range []string{"PCSCLITE_CSOCK_NAME=" + filepath.Join(dir, "pcscd.comm"), "opensc-pkcs11.so",
		vcard.SignaturePIN, "署名用パスワードの残り回数が 1 回のカード", "the signature password has one try left",
		filepath.Join(dir, "jpki-sign.pem")} {
		if !strings.Contains(text, want) {
			t.Errorf("the help desk is not told %q:\n%s", want, text)
		}
	}
	m := regexp.MustCompile(`pcscd pid (\d+)`).FindStringSubmatch(text)
	if m == nil {
		t.Fatalf("no pcscd pid printed:\n%s", text)
	}
	pid, _ := strconv.Atoi(m[1])

	// The card is there for any program using the printed variable (this
	// process has it set); Enter takes it out and puts it back.
	var module string
	for _, f := range pkcs11.FindModules() {
		if f.Name == "OpenSC" {
			module = f.Path
		}
	}
	lib, err := pkcs11.Open(module)
	if err != nil {
		t.Fatal(err)
	}
	signature := func() *pkcs11.TokenInfo {
		tokens, _ := lib.Tokens(context.Background())
		for _, tok := range tokens {
			if tok.Label == pkcs11.JPKISignatureLabel {
				return &tok
			}
		}
		return nil
	}
	if tok := signature(); tok == nil || !tok.PIN.FinalTry {
		t.Errorf("signature token %+v, want one on its final try", tok)
	}
	typing.Write([]byte("\n"))
	waitFor(t, "the card to be taken out", func() bool { return signature() == nil })
	typing.Write([]byte("\n"))
	waitFor(t, "the card to be put back", func() bool { return signature() != nil })
	lib.Close()

	cancel()
	select {
	case err := <-done:
		if err != nil {
			t.Fatal(err)
		}
	case <-time.After(15 * time.Second):
		t.Fatal("card did not stop")
	}
	if err := syscall.Kill(pid, 0); err == nil {
		t.Errorf("pcscd (pid %d) still runs", pid)
	}
	if !strings.Contains(out.String(), "stopping") {
		t.Errorf("no word on stopping:\n%s", out.String())
	}
}
