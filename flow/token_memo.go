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
// of every reader pcscd read just then. The next time, the card's probe
// (pcsc.JPKITries.ProbeSignature), which reads the tries before any PIN is
// asked, reads the readers' state again first: while no card was put in
// or taken out of any reader since, the token is opened there again
// without reading it (pkcs11.Library.OpenTokenAt: neither C_GetSlotList
// nor C_GetTokenInfo, which OpenSC answers by asking the card); when one
// was — the card changed, a second card that the choice would match, a
// reader plugged in or out — it is looked for again in every slot, as the
// first time. Tokens whose readers cannot be read that way (no PC/SC, not
// a My Number card) are always looked for in every slot.

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

// openKnownCard opens the remembered card's token again, or forgets the
// card and returns nil: the token is then looked for in every slot.
func (a *App) openKnownCard(ctx context.Context, choice CredentialChoice, tries *probedTries) (*pkcs11.Token, *knownCard) {
	k := a.knownCardFor(choice)
	if k == nil {
		return nil, nil
	}
	tok, err := a.reopenCard(ctx, k, choice, tries)
	if err != nil {
		a.forgetCard(k)
		return nil, nil
	}
	return tok, k
}

// reopenCard opens k's token in its slot when the card's probe shows
// that no card went in or out of any reader since it was found, and keeps
// the tries the probe read for Login.
func (a *App) reopenCard(ctx context.Context, k *knownCard, choice CredentialChoice, tries *probedTries) (*pkcs11.Token, error) {
	probe, ok := a.probeCard(ctx, k.found.Token())
	if !ok || !slices.Equal(probe.Readers, k.readers) || !probe.HasSignatureCertificate {
		return nil, pkcs11.ErrNoToken
	}
	libs, _, err := a.libraries(ctx)
	if err != nil {
		return nil, err
	}
	i := slices.IndexFunc(libs, func(e libraryEntry) bool { return e.path == k.path })
	if i < 0 {
		return nil, pkcs11.ErrNoToken
	}
	tok, err := libs[i].lib.OpenTokenAt(ctx, k.found, choice.Token, pkcs11.WithTriesReaderAtLogin(tries))
	if err != nil {
		return nil, err
	}
	tries.keep(probe.TriesLeft)
	return tok, nil
}

// probeCard reads what the card of tok, a token found, shows before its
// signature PIN, in one PC/SC transaction; ok is false when it cannot be
// read so (the token is not a My Number card's signature token, no PC/SC,
// the tries reader is another).
func (a *App) probeCard(ctx context.Context, tok pkcs11.TokenInfo) (p pcsc.SignatureProbe, ok bool) {
	if tok.Policy != pkcs11.PolicyJPKISignature {
		return p, false
	}
	probe, is := a.triesReader().(signatureCardProbe)
	if !is {
		return p, false
	}
	p, err := probe.ProbeSignature(ctx, tok)
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
