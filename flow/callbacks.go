package flow

import (
	"context"

	"github.com/shinsei-app/shinsei/i18n"

	"github.com/shinsei-app/shinsei/pkcs11"
	"github.com/shinsei-app/shinsei/submit"
)

// Callbacks are how a use case asks its caller — a window, a terminal,
// a test — for what only the user can give. Every callback may be called
// from the use case's goroutine only; a callback that shows something
// must hand over to its UI thread itself. Cancelling the use case's
// context is how the user cancels.
type Callbacks struct {
	// PIN asks for a token's PIN. It is called at most once per signature
	// (never again after a wrong PIN: the use case ends with the error).
	// The request says the tries left; at the final try (Status.FinalTry)
	// the answer must set ConfirmFinalTry — a UI asks for a second
	// confirmation first — or nothing is tried and the use case ends with
	// pkcs11.ErrFinalTryNotConfirmed. A locked PIN is never asked for.
	// The answer's PIN buffer is zeroed once used.
	PIN func(ctx context.Context, req pkcs11.PINRequest) (pkcs11.PINAnswer, error)
	// Secret asks for a password: a PKCS#12 file's, an account's, or a
	// new account password. The returned buffer is zeroed once used.
	Secret func(ctx context.Context, req SecretRequest) ([]byte, error)
	// ConfirmSign shows the pre-check and asks the user whether to sign.
	// It is called only when nothing in the pre-check is red; false (or an
	// error) ends the use case with nothing signed or written.
	ConfirmSign func(ctx context.Context, p *Precheck) (bool, error)
	// Progress reports the bytes done of the total in a stage: hashing the
	// form and attachments into the package, uploading it. It may be
	// called often; it must return quickly.
	Progress func(stage Stage, done, total int64)
	// Queued is told, when set, that Submit copied the application into
	// the outbox as item, for the procedure, before it is sent.
	Queued func(item submit.Item, proc submit.Procedure)
}

// Stage is a long-running part of a use case that reports progress.
type Stage string

// Stages reported through Callbacks.Progress.
const (
	// StageHashing: the form and attachments are copied into the package
	// and hashed.
	StageHashing Stage = "hashing"
	// StageUpload: the package or form is sent to the service, reported
	// as its bytes go out (from 0 again if an attempt is retried).
	StageUpload Stage = "upload"
)

// Text is the stage's name as shown next to its progress bar.
func (s Stage) Text() i18n.Text {
	switch s {
	case StageHashing:
		return i18n.Text{Ja: "ファイルを確認しています（ハッシュ計算）", En: "Checking the files (hashing)"}
	case StageUpload:
		return i18n.Text{Ja: "送信しています", En: "Sending"}
	}
	return i18n.Text{Ja: string(s), En: string(s)}
}

// SecretKind says which password a SecretRequest is for.
type SecretKind string

// Kinds of secrets.
const (
	// SecretP12Password opens a PKCS#12 certificate file (.p12/.pfx).
	SecretP12Password SecretKind = "p12-password"
	// SecretAccountPassword is an existing account's password; it is kept
	// in the keyring once the service accepted it.
	SecretAccountPassword SecretKind = "account-password"
	// SecretNewPassword is the password chosen for a new account (at least
	// MinLen characters).
	SecretNewPassword SecretKind = "new-password"
)

// SecretRequest is what Callbacks.Secret is told.
type SecretRequest struct {
	// Kind says which password is asked for.
	Kind SecretKind
	// Subject names what the secret opens: the PKCS#12 file's base name,
	// or the account ID.
	Subject string
	// Prompt says what to enter, for the dialog's label.
	Prompt i18n.Text
	// MinLen is the shortest acceptable secret in characters, 0 when any.
	MinLen int
}

func (cb Callbacks) progress(stage Stage, done, total int64) {
	if cb.Progress != nil {
		cb.Progress(stage, done, total)
	}
}
