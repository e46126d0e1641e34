package flow

import (
	"errors"
	"fmt"
	"strings"

	"github.com/shinsei-app/shinsei/submit"
)

// Errors of the use cases. Errors of the core packages (pkcs11, signer,
// certcheck, identity, submit) are returned wrapped, so errors.Is and
// errors.As find them; Explain turns any of them into words for the user.
var (
	// ErrNoService: the use case needs the service and none is configured.
	ErrNoService = errors.New("flow: no service is configured")
	// ErrNoDataDir: the use case keeps files and no data directory is
	// configured.
	ErrNoDataDir = errors.New("flow: no data directory is configured")
	// ErrNoCallback: a callback the use case needs (PIN, Secret,
	// ConfirmSign) is not set.
	ErrNoCallback = errors.New("flow: a callback the use case needs is not set")
	// ErrDeclined: the user did not confirm signing. Nothing was signed
	// or written.
	ErrDeclined = errors.New("flow: signing was not confirmed")
	// ErrPrecheckFailed is matched by *PrecheckError: something in the
	// pre-check is red, so nothing was signed.
	ErrPrecheckFailed = errors.New("flow: the pre-check found a problem")
	// ErrFormInvalid is matched by *FormError: the form does not fit the
	// procedure's schema.
	ErrFormInvalid = errors.New("flow: the form is not complete or not valid")
	// ErrNoCredential: the credential choice names neither a token nor a
	// PKCS#12 file, or names both.
	ErrNoCredential = errors.New("flow: no signing credential was chosen")
	// ErrNoModule: no PKCS#11 module is configured or found.
	ErrNoModule = errors.New("flow: no PKCS#11 module found")
	// ErrWrongLevel: what is submitted does not fit the procedure's level
	// (an unsigned form for a procedure that needs a signature, or a
	// signed package for one that takes the form itself).
	ErrWrongLevel = errors.New("flow: the submission does not fit the procedure's authentication level")
	// ErrNoAccount: the procedure needs a login and no account is given or
	// kept in the keyring.
	ErrNoAccount = errors.New("flow: no account to log in with")
	// ErrPasswordTooShort: a new account password is shorter than allowed.
	ErrPasswordTooShort = errors.New("flow: the password is too short")
	// ErrPasswordTooLong: a new account password is longer than allowed
	// (submit.MaxPasswordLen).
	ErrPasswordTooLong = errors.New("flow: the password is too long")
	// ErrPasswordUnusable: a new account password holds a control or
	// invisible character, or nothing but spaces.
	ErrPasswordUnusable = errors.New("flow: the password holds control or invisible characters or only spaces")
	// ErrPasswordGuessable: a new account password is common, repetitive
	// or otherwise easy to guess (submit.CheckPassword).
	ErrPasswordGuessable = errors.New("flow: the password is too easy to guess")
	// ErrUserType: a registration's user type is neither resident nor
	// company, and the certificate does not tell it.
	ErrUserType = errors.New("flow: the user type (resident or company) is not known")
	// ErrNotQueued: the application could not be copied into the outbox
	// (the data directory cannot be written); nothing was sent.
	ErrNotQueued = errors.New("flow: the application could not be put in the outbox; nothing was sent")
	// ErrSecondPrompt guards the rule that a PIN is asked once per
	// signature: a second prompt in one use is refused.
	ErrSecondPrompt = errors.New("flow: the PIN was asked for a second time (refused)")
	// ErrNoticeNotFound: the application has no notice with that ID.
	ErrNoticeNotFound = errors.New("flow: no such notice for the application")
)

// Error is what a use case returns when a step fails: the operation and
// its cause, modelled on os.PathError and net.OpError. Callers tell errors
// apart with errors.Is and errors.As on the cause (a sentinel of flow or of
// a core package, or one of their typed errors), never by the text.
type Error struct {
	// Op names the step that failed ("register", "form", "login as ID",
	// the credential used, …); it holds no PIN, password or personal data.
	Op string
	// Err is the cause.
	Err error
}

// Error returns "flow: OP: cause".
func (e *Error) Error() string { return "flow: " + e.Op + ": " + e.Err.Error() }

// Unwrap returns the cause.
func (e *Error) Unwrap() error { return e.Err }

// Cause returns the error under every flow.Error wrapping of err: what a
// core package (or flow's own sentinel) said, for a surface that shows the
// cause in its own words. err itself when it is not a flow.Error.
func Cause(err error) error {
	for {
		fe, ok := err.(*Error)
		if !ok || fe.Err == nil {
			return err
		}
		err = fe.Err
	}
}

// PrecheckError reports a pre-check with a red line; nothing was signed.
// It matches ErrPrecheckFailed.
type PrecheckError struct {
	// Precheck is the pre-check with its red lines.
	Precheck *Precheck
}

// Error names the red lines by ID only (their texts may hold personal
// data).
func (e *PrecheckError) Error() string {
	var ids []string
	if e.Precheck != nil {
		for _, l := range e.Precheck.Reds() {
			id := string(l.ID)
			if l.Field != "" {
				id += ":" + l.Field
			}
			ids = append(ids, id)
		}
	}
	return fmt.Sprintf("flow: the pre-check found a problem (%s); nothing was signed", strings.Join(ids, ", "))
}

// Unwrap returns ErrPrecheckFailed.
func (e *PrecheckError) Unwrap() error { return ErrPrecheckFailed }

// LevelError reports a submission that does not fit its procedure's
// authentication level. It matches ErrWrongLevel.
type LevelError struct {
	// Procedure and Level are the procedure's.
	Procedure string
	Level     submit.AuthLevel
	// Signed is set when a signed package was given for a procedure that
	// takes the form itself; unset, an unsigned form was given for one
	// that needs a signature.
	Signed bool
}

// Error says which of the two it is.
func (e *LevelError) Error() string {
	if e.Signed {
		return fmt.Sprintf("%v: procedure %s takes the form itself, unsigned (level %s)", ErrWrongLevel, e.Procedure, e.Level)
	}
	return fmt.Sprintf("%v: procedure %s needs a signed package (level %s)", ErrWrongLevel, e.Procedure, e.Level)
}

// Unwrap returns ErrWrongLevel.
func (e *LevelError) Unwrap() error { return ErrWrongLevel }

// FormError reports a form that does not fit its procedure's schema.
// It matches ErrFormInvalid.
type FormError struct {
	// Problems are the fields that are missing or not valid.
	Problems []FieldProblem
}

// Error names the fields concerned, never their values.
func (e *FormError) Error() string {
	var names []string
	for _, p := range e.Problems {
		names = append(names, p.Field)
	}
	return fmt.Sprintf("flow: the form is not valid (%s)", strings.Join(names, ", "))
}

// Unwrap returns ErrFormInvalid.
func (e *FormError) Unwrap() error { return ErrFormInvalid }
