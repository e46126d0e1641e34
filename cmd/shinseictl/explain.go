package main

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/shinsei-app/shinsei/flow"
	"github.com/shinsei-app/shinsei/pkcs11"
	"github.com/shinsei-app/shinsei/signer"
)

// silent is an exit code whose explanation was already printed (a report
// that says NOT VALID).
type silent int

func (s silent) Error() string { return fmt.Sprintf("exit %d", int(s)) }

func errSilent(code int) error { return silent(code) }

// fromFlow turns an error of a flow use case into what the command line
// has always shown: the core package's error as that package words it
// (flow's context is for the app and its logs), the tries left after a
// wrong PIN, and flow's own errors as the command line's failures. A
// *failure the command's prompts returned passes through.
func fromFlow(err error) error {
	var (
		f      *failure
		pinErr *pkcs11.PINError
	)
	switch {
	case err == nil:
		return nil
	case errors.As(err, &f):
		return f
	case errors.As(err, &pinErr):
		if n := pinErr.Status.TriesLeft; n > 1 {
			return fmt.Errorf("%w (%d tries left)", pinErr, n)
		}
		return pinErr
	case errors.Is(err, flow.ErrNoModule):
		return &failure{code: exitEnvironment, err: errors.New("no PKCS#11 module found"),
			hint: "install OpenSC (Debian: apt-get install opensc-pkcs11), give --module PATH, or sign with --p12 FILE"}
	case peel(err) == pkcs11.ErrNoCertificate: // flow's check, not the card's own report
		return &failure{code: exitEnvironment, err: errors.New("sign: the token has no certificate for the signature key"),
			hint: "a My Number card issued to a minor under 15 has no signature certificate; use a card with one"}
	}
	return peel(err)
}

// peel returns the first error in err's tree that is not flow's wrapping
// ("flow: …"); err itself when all of it is flow's.
func peel(err error) error {
	if err == nil || !isFlow(err) {
		return err
	}
	var inner []error
	switch u := err.(type) {
	case interface{ Unwrap() error }:
		inner = []error{u.Unwrap()}
	case interface{ Unwrap() []error }:
		inner = u.Unwrap()
	}
	for _, e := range inner {
		if p := peel(e); p != nil && !isFlow(p) {
			return p
		}
	}
	return err
}

func isFlow(err error) bool { return strings.HasPrefix(err.Error(), "flow: ") }

// reworded is an error shown in other words, still wrapping it.
type reworded struct {
	msg string
	err error
}

func (r reworded) Error() string { return r.msg }
func (r reworded) Unwrap() error { return r.err }

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
