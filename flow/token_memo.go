package flow

import (
	"context"
	"slices"
	"sync"

	"github.com/shinsei-app/shinsei/pcsc"
	"github.com/shinsei-app/shinsei/pkcs11"
)

// Finding a token costs OpenSC a search for cards in every reader at each
// C_GetSlotList (miekg/pkcs11 calls it twice) and C_GetSlotInfo: a few
// milliseconds each, more than a signature. So the App remembers where a
// My Number card's signature token was opened for a login, with the state
// of every reader pcscd read just then, and opens it there again the next
// time (pkcs11.Library.OpenTokenAt: one C_GetTokenInfo, which must show
// the same label and serial). Before any PIN is asked, the card's probe
// (pcsc.JPKITries.ProbeSignature) reads the readers' state again: when a
// card was put in or taken out of any reader since — the card changed, a
// second card that the choice would match, a reader plugged in or out —
// the token is closed and looked for again in every slot, as the first
// time. Tokens whose readers cannot be read that way (no PC/SC, not a My
// Number card) are always looked for in every slot.

// knownCard is where a card's signature token was opened for a login.
type knownCard struct {
	path    string // the library's path (libraryEntry.path)
	found   pkcs11.Found
	readers []pcsc.ReaderState
}

// signatureCardProbe is a TriesReader that can also read, in one PC/SC
// transaction, what a My Number card shows before its signature PIN
// (pcsc.JPKITries).
type signatureCardProbe interface {
	ProbeSignature(ctx context.Context, tok pkcs11.TokenInfo) (pcsc.SignatureProbe, error)
}

// knownCardFor returns the card remembered for choice, if any.
func (a *App) knownCardFor(choice CredentialChoice) *knownCard {
	a.cardMu.Lock()
	defer a.cardMu.Unlock()
	k := a.card
	if k == nil || choice.Module != "" && choice.Module != k.path {
		return nil
	}
	return k
}

// rememberCard remembers where tok was opened, with the readers' state
// read before the card was probed.
func (a *App) rememberCard(e libraryEntry, tok *pkcs11.Token, readers []pcsc.ReaderState) {
	a.cardMu.Lock()
	defer a.cardMu.Unlock()
	a.card = &knownCard{path: e.path, found: tok.Found(), readers: readers}
}

// forgetCard forgets the card remembered, if it is k (nil: any).
func (a *App) forgetCard(k *knownCard) {
	a.cardMu.Lock()
	defer a.cardMu.Unlock()
	if k == nil || a.card == k {
		a.card = nil
	}
}

// openKnownCard opens the remembered card's token again in its slot, or
// returns nil.
func (a *App) openKnownCard(ctx context.Context, choice CredentialChoice, tries pkcs11.TriesReader) (*pkcs11.Token, *knownCard) {
	k := a.knownCardFor(choice)
	if k == nil {
		return nil, nil
	}
	libs, _, err := a.libraries(ctx)
	if err != nil {
		return nil, nil
	}
	i := slices.IndexFunc(libs, func(e libraryEntry) bool { return e.path == k.path })
	if i < 0 {
		a.forgetCard(k)
		return nil, nil
	}
	tok, err := libs[i].lib.OpenTokenAt(ctx, k.found, choice.Token, pkcs11.WithTriesReaderAtLogin(tries))
	if err != nil {
		a.forgetCard(k)
		return nil, nil
	}
	return tok, k
}

// probeCard reads what tok's card shows before its signature PIN, in one
// PC/SC transaction; ok is false when it cannot be read so (the token is
// not a My Number card's signature token, no PC/SC, the tries reader is
// another).
func (a *App) probeCard(ctx context.Context, tok *pkcs11.Token) (p pcsc.SignatureProbe, ok bool) {
	info := tok.Info()
	if info.Policy != pkcs11.PolicyJPKISignature {
		return p, false
	}
	probe, is := a.triesReader().(signatureCardProbe)
	if !is {
		return p, false
	}
	p, err := probe.ProbeSignature(ctx, info)
	return p, err == nil
}

// probedTries is a TriesReader that answers its first reading with the
// tries a card's probe read just before (Token.Login's, which comes right
// after it, before the prompt) and reads every later one again through
// its TriesReader (after a refused PIN).
type probedTries struct {
	pkcs11.TriesReader
	mu sync.Mutex
	n  int // -1: none kept
}

func (p *probedTries) keep(n int) {
	p.mu.Lock()
	p.n = n
	p.mu.Unlock()
}

// TriesLeft returns the tries kept, once, or reads them.
func (p *probedTries) TriesLeft(ctx context.Context, tok pkcs11.TokenInfo) (int, error) {
	p.mu.Lock()
	n := p.n
	p.n = -1
	p.mu.Unlock()
	if n >= 0 {
		return n, nil
	}
	return p.TriesReader.TriesLeft(ctx, tok)
}
