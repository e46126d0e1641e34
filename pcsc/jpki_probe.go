package pcsc

import (
	"context"
	"fmt"

	"github.com/shinsei-app/shinsei/pkcs11"
)

// SignatureProbe is what JPKITries.ProbeSignature reads of a My Number
// card before its signature PIN is asked.
type SignatureProbe struct {
	// HasSignatureCertificate: the card holds a signature certificate
	// (as HasSignatureCertificate tells).
	HasSignatureCertificate bool
	// TriesLeft is the signature PIN's tries left (as TriesLeft reads
	// them), or -1 when the card holds no signature certificate.
	TriesLeft int
	// Readers is the state of every reader, read before the card was
	// connected to: a later reading that differs (Context.States) means
	// a card may have been put in, taken out or changed in between.
	Readers []ReaderState
}

// ProbeSignature reads, through one PC/SC context and one transaction
// on the card behind tok (PolicyJPKISignature), what HasSignatureCertificate
// and TriesLeft read, and the state of every reader. It never sends a PIN
// and spends no try. Like TriesLeft it may select the JPKI application,
// so call it before a login. Errors are TriesLeft's.
func (t JPKITries) ProbeSignature(ctx context.Context, tok pkcs11.TokenInfo) (SignatureProbe, error) {
	p := SignatureProbe{TriesLeft: -1}
	if tok.Policy != pkcs11.PolicyJPKISignature {
		return p, fmt.Errorf("%w: token %q", ErrNotJPKI, tok.Label)
	}
	readers, err := t.onCard(ctx, tok, true, func(card *Card) (err error) {
		p.HasSignatureCertificate, err = hasFile(ctx, card, selectSignCert)
		if err != nil || !p.HasSignatureCertificate {
			return err
		}
		p.TriesLeft, err = readTries(ctx, card, selectSignPIN)
		return err
	})
	p.Readers = readers
	return p, err
}
