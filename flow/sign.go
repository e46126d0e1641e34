package flow

import (
	"context"
	"crypto/x509"

	"github.com/shinsei-app/shinsei/signer"
	"github.com/shinsei-app/shinsei/submit"
)

// SignRequest is what Sign signs.
type SignRequest struct {
	// Procedure is the procedure the form is for.
	Procedure submit.Procedure
	// Form is the completed form; it is checked against the procedure's
	// schema first, and signed as the package's first file.
	Form *submit.FormDocument
	// FillApplicant fills the form's empty applicant fields from the
	// signer's certificate once it is read — after the PIN, for a card met
	// for the first time — before the pre-check checks the whole form.
	// Until then the empty applicant fields are not counted as missing;
	// everything else in the form is checked before any PIN is asked.
	// Form itself is left as it was: Signed.Form is the form signed.
	FillApplicant bool
	// Attachments are files to sign with the form, by path.
	Attachments []string
	// Credential is the key that signs.
	Credential CredentialChoice
	// Out is where the package is written; empty means a new file in the
	// data directory's signed/ folder.
	Out string
}

// Signed is a signed application package, ready to submit.
type Signed struct {
	// Path is the package file.
	Path string `json:"path"`
	// Procedure and Form are what was signed.
	Procedure submit.Procedure     `json:"procedure"`
	Form      *submit.FormDocument `json:"-"`
	// Filled names the applicant fields filled from the certificate
	// (SignRequest.FillApplicant).
	Filled []string `json:"filled,omitempty"`
	// Certificate is the signer's certificate.
	Certificate *x509.Certificate `json:"-"`
	// Precheck is the pre-check the user confirmed.
	Precheck *Precheck `json:"-"`
	// Files are the packaged files, the form first; Size the package's.
	Files []signer.FileResult `json:"files"`
	Size  int64               `json:"size"`
}

// Sign signs the form and attachments for the procedure.
//
// With a token: the PIN status is read first — a locked PIN ends here
// with pkcs11.ErrPINLocked and no prompt; then the PIN is asked once
// (Callbacks.PIN), the token logged in, the signature certificate read
// (and kept in the keyring unless Config.DoNotKeepCertificates), the
// pre-check run and shown (Callbacks.ConfirmSign), and on the user's
// confirmation the package built, reusing that one PIN entry for the
// card's context-specific login; the token is closed and the PIN wiped
// whatever happens.
//
// With a PKCS#12 file: its password is asked (Callbacks.Secret), the file
// opened, then the same pre-check, confirmation and build.
//
// A form that does not fit the schema (*FormError), a red pre-check
// (*PrecheckError), the user declining (ErrDeclined) or cancelling ctx end
// it with nothing written: the package is built in a temporary file and
// renamed into place only when complete.
func (a *App) Sign(ctx context.Context, req SignRequest, cb Callbacks) (*Signed, error) {
	return a.sign(ctx, req, cb)
}

// SignFilesRequest is what SignFiles signs: files as they are.
type SignFilesRequest struct {
	// Files are packaged in this order; the first is the form, in any
	// format. They are not checked against a procedure.
	Files []string
	// Credential is the key that signs.
	Credential CredentialChoice
	// Out is where the package is written.
	Out string
}

// SignFiles signs files as they are into a package at Out, for a caller
// that prepared the form elsewhere (a batch filer, the command line):
// checking a form against its procedure belongs to the flow that prepares
// it, not to the signer. The credential is used as Sign uses it — a
// locked PIN is never asked for, the PIN is asked once (Callbacks.PIN)
// and never again, the final try only when the answer confirms it, and
// the token is closed and the PIN wiped whatever happens; a PKCS#12
// file's password is asked through Callbacks.Secret — but there is no
// pre-check and no Callbacks.ConfirmSign (Precheck can be run on the
// certificate beforehand, and the service verifies the package when it
// arrives). Nothing is written at Out unless the package is complete.
// The Signed package has no Procedure or Form.
func (a *App) SignFiles(ctx context.Context, req SignFilesRequest, cb Callbacks) (*Signed, error) {
	return a.signFiles(ctx, req, cb)
}
