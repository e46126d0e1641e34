//go:build cgo

package pkcs11_test

import (
	"context"
	"errors"
	"sync/atomic"
	"testing"

	p11 "github.com/miekg/pkcs11"

	"github.com/shinsei-app/shinsei/pkcs11"
	"github.com/shinsei-app/shinsei/pkcs11/pkcs11test"
)

// slotCounter counts C_GetSlotInfo calls: OpenSC looks for cards in every
// reader at each of them.
type slotCounter struct {
	*pkcs11test.Module
	slotInfos atomic.Int32
}

// Initialize and Finalize do nothing: myNumberCard's Library did both.
func (m *slotCounter) Initialize(...p11.InitializeOption) error { return nil }
func (m *slotCounter) Finalize() error                          { return nil }

func (m *slotCounter) GetSlotInfo(id uint) (p11.SlotInfo, error) {
	m.slotInfos.Add(1)
	return m.Module.GetSlotInfo(id)
}

func TestOpeningATokenReadsTheSlotOfTheTokensItMatchesOnly(t *testing.T) {
	ctx := context.Background()
	cases := []struct {
		name      string
		sel       pkcs11.Selector
		slotInfos int32
		ambiguous bool
	}{
		{"the signature token of a card reads its own slot only", pkcs11.Selector{Label: pkcs11.JPKISignatureLabel}, 1, false},
		{"an empty selector on a card reads the signature token's slot only", pkcs11.Selector{}, 1, false},
		{"a serial both tokens of the card share reads both slots, to list them", pkcs11.Selector{Serial: "JPKI0001"}, 2, true},
		{"a label no token has reads no slot", pkcs11.Selector{Label: "absent"}, 0, false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			fake, _ := myNumberCard(t, 0)
			m := &slotCounter{Module: fake}
			lib, err := pkcs11.OpenModule(m)
			if err != nil {
				t.Fatal(err)
			}
			tok, err := lib.OpenToken(ctx, c.sel)
			var amb *pkcs11.AmbiguousTokenError
			switch {
			case c.ambiguous:
				if !errors.As(err, &amb) {
					t.Fatalf("got %v, want an *AmbiguousTokenError", err)
				}
				for _, ti := range amb.Candidates {
					if ti.Reader == "" {
						t.Errorf("candidate %q listed without its reader", ti.Label)
					}
				}
			case c.slotInfos == 0:
				if !errors.Is(err, pkcs11.ErrNoToken) {
					t.Fatalf("got %v, want ErrNoToken", err)
				}
			default:
				if err != nil {
					t.Fatal(err)
				}
				defer tok.Close()
				if info := tok.Info(); info.Label != pkcs11.JPKISignatureLabel || info.Reader == "" {
					t.Errorf("opened %q in reader %q, want the signature token with its reader", info.Label, info.Reader)
				}
			}
			if got := m.slotInfos.Load(); got != c.slotInfos {
				t.Errorf("%d C_GetSlotInfo calls, want %d", got, c.slotInfos)
			}
		})
	}
	t.Run("listing the tokens gives each its reader", func(t *testing.T) {
		_, lib := myNumberCard(t, 0)
		infos, err := lib.Tokens(ctx)
		if err != nil || len(infos) != 2 {
			t.Fatalf("%d tokens (%v), want 2", len(infos), err)
		}
		for _, ti := range infos {
			if ti.Reader == "" {
				t.Errorf("token %q listed without its reader", ti.Label)
			}
		}
	})
}

func TestATokenOpenedToLogInReadsTheTriesOnceJustBeforeThePrompt(t *testing.T) {
	ctx := context.Background()
	cases := []struct {
		name   string
		failed int
		reader *triesReader
		want   pkcs11.PINStatus // what the prompt is told, or Login refuses on
	}{
		{"a fresh card is prompted with its five tries", 0, &triesReader{n: 5}, pkcs11.PINStatus{TriesLeft: 5}},
		{"the final try the reader reads needs a confirmation before any C_Login", 0, &triesReader{n: 1}, pkcs11.PINStatus{FinalTry: true, TriesLeft: 1}},
		{"a PIN the reader reads locked is refused before the prompt", 0, &triesReader{n: 0}, pkcs11.PINStatus{Locked: true, TriesLeft: 0}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			fake, lib := myNumberCard(t, c.failed)
			tok, err := lib.OpenToken(ctx, pkcs11.Selector{}, pkcs11.WithTriesReaderAtLogin(c.reader))
			if err != nil {
				t.Fatal(err)
			}
			defer tok.Close()
			if c.reader.calls != 0 {
				t.Errorf("the tries were read %d times at the opening, want 0", c.reader.calls)
			}
			if got := tok.Info().PIN; got != (pkcs11.PINStatus{TriesLeft: -1}) {
				t.Errorf("status when opened %+v, want the flags alone", got)
			}
			p := &prompter{pin: userPIN}
			err = tok.Login(ctx, p.prompt)
			if c.reader.calls != 1 || c.reader.seen.Reader == "" {
				t.Errorf("the tries were read %d times (reader %q), want once, with the token's reader", c.reader.calls, c.reader.seen.Reader)
			}
			switch {
			case c.want.Locked:
				if !errors.Is(err, pkcs11.ErrPINLocked) || p.calls != 0 || fake.LoginCalls() != 0 {
					t.Errorf("login on a locked PIN: %v after %d prompts and %d C_Login calls", err, p.calls, fake.LoginCalls())
				}
			case c.want.FinalTry:
				if !errors.Is(err, pkcs11.ErrFinalTryNotConfirmed) || p.req.Status != c.want || fake.LoginCalls() != 0 {
					t.Errorf("login on the final try: %v, prompt told %+v, %d C_Login calls", err, p.req.Status, fake.LoginCalls())
				}
			default:
				if err != nil || p.req.Status != c.want {
					t.Errorf("login: %v, prompt told %+v", err, p.req.Status)
				}
			}
		})
	}
}
