package pcsc

import (
	"context"
	"fmt"

	"github.com/shinsei-app/shinsei/pkcs11"
)

// selectSignCert selects EF 0001, the signature certificate. Selecting it
// needs no PIN (reading it does).
var selectSignCert = []byte{0x00, 0xA4, 0x02, 0x0C, 0x02, 0x00, 0x01}

// HasSignatureCertificate tells whether the My Number card behind tok
// (PolicyJPKISignature) holds a signature certificate, without a PIN: it
// selects the certificate's file, which a card issued to a child under 15
// does not have (6A82). It never reads the certificate nor sends a PIN.
// Like TriesLeft it may select the JPKI application, so call it before a
// login. Errors are TriesLeft's.
func (t JPKITries) HasSignatureCertificate(ctx context.Context, tok pkcs11.TokenInfo) (bool, error) {
	if tok.Policy != pkcs11.PolicyJPKISignature {
		return false, fmt.Errorf("%w: token %q", ErrNotJPKI, tok.Label)
	}
	has := false
	_, err := t.onCard(ctx, tok, false, func(card *Card) (err error) {
		has, err = hasFile(ctx, card, selectSignCert)
		return err
	})
	return has, err
}

// hasFile selects a file of the JPKI application (and first the
// application when the file is not found) and tells whether it exists.
func hasFile(ctx context.Context, card transmitter, selectFile []byte) (bool, error) {
	sw, err := status(ctx, card, selectFile)
	if err != nil {
		return false, err
	}
	if sw == 0x9000 {
		return true, nil
	}
	if sw, err = status(ctx, card, selectJPKI); err != nil {
		return false, err
	}
	if sw != 0x9000 {
		return false, fmt.Errorf("%w: SELECT of the JPKI application answered %04X", ErrNotJPKI, sw)
	}
	if sw, err = status(ctx, card, selectFile); err != nil {
		return false, err
	}
	switch sw {
	case 0x9000:
		return true, nil
	case 0x6A82:
		return false, nil
	}
	return false, fmt.Errorf("%w: SELECT of the certificate file answered %04X", ErrNotJPKI, sw)
}
