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

// listCounter counts the calls that make OpenSC look for cards in every
// reader: C_GetSlotList and C_GetSlotInfo.
type listCounter struct {
	*pkcs11test.Module
	lists atomic.Int32
}

func (m *listCounter) Initialize(...p11.InitializeOption) error { return nil }
func (m *listCounter) Finalize() error                          { return nil }
func (m *listCounter) GetSlotList(present bool) ([]uint, error) {
	m.lists.Add(1)
	return m.Module.GetSlotList(present)
}
func (m *listCounter) GetSlotInfo(id uint) (p11.SlotInfo, error) {
	m.lists.Add(1)
	return m.Module.GetSlotInfo(id)
}

func TestATokenIsOpenedAgainWhereItWasFoundOnlyWhileItIsStillThere(t *testing.T) {
	ctx := context.Background()
	found := func(t *testing.T, lib *pkcs11.Library) pkcs11.Found {
		t.Helper()
		tok, err := lib.OpenToken(ctx, pkcs11.Selector{Label: pkcs11.JPKISignatureLabel})
		if err != nil {
			t.Fatal(err)
		}
		defer tok.Close()
		return tok.Found()
	}
	t.Run("the same token in its slot is opened without listing any slot, with its reader", func(t *testing.T) {
		fake, lib := myNumberCard(t, 0)
		f := found(t, lib)
		m := &listCounter{Module: fake}
		again, _ := pkcs11.OpenModule(m)
		tok, err := again.OpenTokenAt(ctx, f, pkcs11.Selector{Label: pkcs11.JPKISignatureLabel})
		if err != nil {
			t.Fatal(err)
		}
		defer tok.Close()
		if n := m.lists.Load(); n != 0 {
			t.Errorf("%d C_GetSlotList or C_GetSlotInfo calls, want none", n)
		}
		if info := tok.Info(); info.Label != pkcs11.JPKISignatureLabel || info.Reader == "" || info.Reader != f.Token().Reader {
			t.Errorf("opened %q in reader %q, want the signature token in %q", info.Label, info.Reader, f.Token().Reader)
		}
		if err := tok.Login(ctx, (&prompter{pin: userPIN}).prompt); err != nil {
			t.Errorf("login on the token opened again: %v", err)
		}
	})
	t.Run("a selector the token does not match is not opened there", func(t *testing.T) {
		_, lib := myNumberCard(t, 0)
		f := found(t, lib)
		if _, err := lib.OpenTokenAt(ctx, f, pkcs11.Selector{Label: pkcs11.JPKIAuthLabel}); !errors.Is(err, pkcs11.ErrNoToken) {
			t.Errorf("got %v, want ErrNoToken", err)
		}
	})
	t.Run("another token in the slot is not opened", func(t *testing.T) {
		_, lib := myNumberCard(t, 0)
		f := found(t, lib)
		other := pkcs11test.New(pkcs11test.Token{Label: "Other token", Serial: "X1", PIN: userPIN},
			pkcs11test.Token{Label: "Another", Serial: "X2", PIN: userPIN})
		olib, err := pkcs11.OpenModule(other)
		if err != nil {
			t.Fatal(err)
		}
		defer olib.Close()
		if _, err := olib.OpenTokenAt(ctx, f, pkcs11.Selector{}); !errors.Is(err, pkcs11.ErrNoToken) {
			t.Errorf("got %v, want ErrNoToken", err)
		}
	})
	t.Run("a token taken out is not opened", func(t *testing.T) {
		fake, lib := myNumberCard(t, 0)
		f := found(t, lib)
		fake.RemoveCard()
		if tok, err := lib.OpenTokenAt(ctx, f, pkcs11.Selector{}); err == nil {
			tok.Close()
			t.Errorf("opened a token taken out")
		}
	})
}
