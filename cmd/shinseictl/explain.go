package main

import (
	"context"
	"errors"
	"fmt"

	"github.com/shinsei-app/shinsei/pkcs11"
	"github.com/shinsei-app/shinsei/signer"
)

// silent is an exit code whose explanation was already printed (a report
// that says NOT VALID).
type silent int

func (s silent) Error() string { return fmt.Sprintf("exit %d", int(s)) }

func errSilent(code int) error { return silent(code) }

// explain gives every error its exit code and a hint that says what to do.
// Errors that are already failures keep theirs.
func explain(err error) *failure {
	var f *failure
	if errors.As(err, &f) {
		return f
	}
	if f := explainService(err); f != nil {
		return f
	}
	var pinErr *pkcs11.PINError
	switch {
	case errors.As(err, &pinErr):
		hint := "check the PIN and try again; Shinsei never retries by itself"
		switch {
		case pinErr.Status.Locked:
			hint = "the PIN is now locked; a My Number card is unlocked only at the municipal office"
		case pinErr.Status.FinalTry:
			hint = "ONE try is left: the next wrong PIN locks the card; make sure of the PIN before trying again"
		}
		return &failure{code: exitNegative, err: err, hint: hint}
	case errors.Is(err, pkcs11.ErrPINLocked):
		return &failure{code: exitNegative, err: err, hint: "no PIN was tried; a locked My Number card is unlocked only at the municipal office (bring the card and ID)"}
	case errors.Is(err, pkcs11.ErrFinalTryNotConfirmed):
		return &failure{code: exitNegative, err: err, hint: "no PIN was tried; to spend the final try, run in a terminal and confirm, or add --allow-final-try"}
	case errors.Is(err, pkcs11.ErrPINFormat):
		return &failure{code: exitUsage, err: err, hint: "no PIN was tried and no try was spent; enter the PIN in the format shown"}
	case errors.Is(err, pkcs11.ErrModuleNotLoadable):
		return &failure{code: exitEnvironment, err: err, hint: "install OpenSC (Debian: apt-get install opensc-pkcs11) or the JPKI user software, or give the right --module PATH"}
	case errors.Is(err, pkcs11.ErrNoToken), errors.Is(err, pkcs11.ErrAmbiguousToken):
		return &failure{code: exitEnvironment, err: err, hint: "insert the card (or choose one with --token LABEL; 'shinseictl tokens' lists them)"}
	case errors.Is(err, pkcs11.ErrCardRemoved):
		return &failure{code: exitEnvironment, err: err, hint: "the card was removed or the reader disconnected; insert it again and sign again (nothing was written)"}
	case errors.Is(err, pkcs11.ErrKeyNotFound):
		return &failure{code: exitEnvironment, err: err, hint: "choose the key with --key-id HEX; 'shinseictl tokens' lists the certificates and their IDs"}
	case errors.Is(err, signer.ErrWrongPassword):
		return &failure{code: exitNegative, err: err, hint: "check the password given with the certificate file and try again"}
	case errors.Is(err, signer.ErrNotPKCS12):
		return &failure{code: exitUsage, err: err, hint: "give the .p12/.pfx file issued with the certificate"}
	case errors.Is(err, signer.ErrInvalidFile):
		return &failure{code: exitUsage, err: err, hint: "check the form and attachment files: they must exist, be regular files, and the form must not be empty"}
	case errors.Is(err, signer.ErrMalformed), errors.Is(err, signer.ErrTooLarge):
		return &failure{code: exitUsage, err: err, hint: "the file is not a readable signed package or signature; ask the sender for it again"}
	case errors.Is(err, context.Canceled):
		return &failure{code: exitEnvironment, err: err, hint: "interrupted; nothing was written"}
	}
	return &failure{code: exitEnvironment, err: err}
}
