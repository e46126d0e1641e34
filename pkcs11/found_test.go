//go:build cgo

package pkcs11_test

import (
	"context"
	"errors"
	"testing"

	"github.com/shinsei-app/shinsei/internal/testenv"
	"github.com/shinsei-app/shinsei/pkcs11"
)

func TestATokenIsOpenedAgainWhereItWasFoundWithoutReadingIt(t *testing.T) {
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
	t.Run("the token in its slot is opened without listing any slot nor reading the token, with its reader", func(t *testing.T) {
		fake, lib := myNumberCard(t, 0)
		f := found(t, lib)
		m := &testenv.CountingModule{Module: fake}
		again, _ := pkcs11.OpenModule(m)
		tok, err := again.OpenTokenAt(ctx, f, pkcs11.Selector{Label: pkcs11.JPKISignatureLabel}, pkcs11.WithTriesReaderAtLogin(&triesReader{n: 5}))
		if err != nil {
			t.Fatal(err)
		}
		defer tok.Close()
		if info := tok.Info(); info.Label != pkcs11.JPKISignatureLabel || info.Reader == "" || info.Reader != f.Token().Reader {
			t.Errorf("opened %q in reader %q, want the signature token in %q", info.Label, info.Reader, f.Token().Reader)
		}
		if err := tok.Login(ctx, (&prompter{pin: userPIN}).prompt); err != nil {
			t.Errorf("login on the token opened again: %v", err)
		}
		if l, i := m.Lists.Load(), m.Infos.Load(); l != 0 || i != 0 {
			t.Errorf("%d C_GetSlotList or C_GetSlotInfo and %d C_GetTokenInfo calls up to the login, want none", l, i)
		}
	})
	t.Run("the PIN status seen when it was found does not count: the login takes the tries read just before", func(t *testing.T) {
		// Found on its final try; the right PIN was entered since.
		_, lib := myNumberCard(t, 4)
		f := found(t, lib)
		if st := f.Token().PIN; !st.FinalTry {
			t.Fatalf("found with %+v, want the final try", st)
		}
		if err := openCard(t, lib, pkcs11.Selector{Label: pkcs11.JPKISignatureLabel}).Login(ctx, (&prompter{pin: userPIN, confirm: true}).prompt); err != nil {
			t.Fatal(err)
		}
		r := &triesReader{n: 5}
		tok, err := lib.OpenTokenAt(ctx, f, pkcs11.Selector{}, pkcs11.WithTriesReaderAtLogin(r))
		if err != nil {
			t.Fatal(err)
		}
		defer tok.Close()
		p := &prompter{pin: userPIN} // no confirmation of a final try
		if err := tok.Login(ctx, p.prompt); err != nil {
			t.Fatalf("login: %v", err)
		}
		if st := p.req.Status; st != (pkcs11.PINStatus{TriesLeft: 5}) || r.calls != 1 {
			t.Errorf("the prompt showed %+v after %d readings of the tries, want 5 tries left, read once", st, r.calls)
		}
	})
	t.Run("a selector the token does not match is not opened there", func(t *testing.T) {
		_, lib := myNumberCard(t, 0)
		f := found(t, lib)
		if _, err := lib.OpenTokenAt(ctx, f, pkcs11.Selector{Label: pkcs11.JPKIAuthLabel}); !errors.Is(err, pkcs11.ErrNoToken) {
			t.Errorf("got %v, want ErrNoToken", err)
		}
	})
	t.Run("a token taken out is not opened", func(t *testing.T) {
		fake, lib := myNumberCard(t, 0)
		f := found(t, lib)
		fake.RemoveCard()
		if tok, err := lib.OpenTokenAt(ctx, f, pkcs11.Selector{}); !errors.Is(err, pkcs11.ErrCardRemoved) {
			if err == nil {
				tok.Close()
			}
			t.Errorf("got %v, want ErrCardRemoved", err)
		}
	})
}

func TestTheFirstLoginTakesTheFlagsReadAtTheOpeningWithTheTriesReadJustBefore(t *testing.T) {
	ctx := context.Background()
	cases := []struct {
		name   string
		failed int // tries the token's flags show spent when it is opened
		reader *triesReader
		infos  int32
		want   pkcs11.PINStatus
	}{
		{"the count read: no C_GetTokenInfo again", 0, &triesReader{n: 5}, 0, pkcs11.PINStatus{TriesLeft: 5}},
		{"the reader fails: the flags are read again", 0, &triesReader{n: -1, err: errors.New("no PC/SC")}, 1, pkcs11.PINStatus{TriesLeft: -1}},
		{"the final try the flags showed at the opening still counts", 4, &triesReader{n: 5}, 0, pkcs11.PINStatus{FinalTry: true, TriesLeft: 1}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			fake, _ := myNumberCard(t, c.failed)
			m := &testenv.CountingModule{Module: fake}
			lib, _ := pkcs11.OpenModule(m)
			tok, err := lib.OpenToken(ctx, pkcs11.Selector{Label: pkcs11.JPKISignatureLabel}, pkcs11.WithTriesReaderAtLogin(c.reader))
			if err != nil {
				t.Fatal(err)
			}
			defer tok.Close()
			before := m.Infos.Load()
			p := &prompter{pin: userPIN, confirm: true}
			if err := tok.Login(ctx, p.prompt); err != nil {
				t.Fatal(err)
			}
			if n := m.Infos.Load() - before; n != c.infos || c.reader.calls != 1 {
				t.Errorf("%d C_GetTokenInfo and %d tries readings at Login, want %d and 1", n, c.reader.calls, c.infos)
			}
			if p.req.Status != c.want {
				t.Errorf("the prompt was told %+v, want %+v", p.req.Status, c.want)
			}
		})
	}
}
