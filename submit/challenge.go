package submit

import (
	"errors"
	"fmt"

	"github.com/shinsei-app/shinsei/signer"
)

// SignChallenge returns the CertificateLogin for a challenge: a detached
// CAdES-BES signature (signer.SignDetached) over the challenge's UTF-8
// bytes. A PKCS#11 key may ask for its PIN here.
func SignChallenge(ch Challenge, cred signer.Credential) (*CertificateLogin, error) {
	if ch.Challenge == "" {
		return nil, errors.New("submit: empty challenge")
	}
	der, err := signer.SignDetached([]byte(ch.Challenge), cred)
	if err != nil {
		return nil, fmt.Errorf("submit: sign the challenge: %w", err)
	}
	return &CertificateLogin{Challenge: ch.Challenge, Signature: der}, nil
}
