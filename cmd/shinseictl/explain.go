package main

import (
	"errors"
	"fmt"

	"github.com/shinsei-app/shinsei/explain"
	"github.com/shinsei-app/shinsei/flow"
	"github.com/shinsei-app/shinsei/pkcs11"
)

// silent is an exit code whose explanation was already printed (a report
// that says NOT VALID).
type silent int

func (s silent) Error() string { return fmt.Sprintf("exit %d", int(s)) }

func errSilent(code int) error { return silent(code) }

// explainErr gives every error its exit code and hint from the one table
// (package explain). A *failure of the command line's own (a flag, an
// operand) keeps its own.
func explainErr(err error) *failure {
	var f *failure
	if errors.As(err, &f) {
		return f
	}
	e := explain.Of(err)
	return &failure{code: int(e.Class), err: shown(err), hint: e.CommandHint().En}
}

// shown is the error as the command line prints it: the core package's
// own words under flow's wrapping, with the tries left after a wrong PIN.
func shown(err error) error {
	err = flow.Cause(err)
	var pinErr *pkcs11.PINError
	if errors.As(err, &pinErr) && pinErr.Status.TriesLeft > 1 {
		return fmt.Errorf("%w (%d tries left)", err, pinErr.Status.TriesLeft)
	}
	return err
}
