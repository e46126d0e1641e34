package flow

import (
	"context"
	"crypto/rand"
	"crypto/x509"
	"encoding/hex"
	"fmt"
	"os"
	"path/filepath"
	"regexp"

	"github.com/shinsei-app/shinsei/internal/fsx"
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
	// PowerOfAttorney, when set, is the principal's power of attorney
	// package (SignPowerOfAttorney): the signer files as the proxy, the
	// package carries the principal's signature beside the proxy's, and
	// FillApplicant fills the applicant block from the principal's
	// certificate (see proxy.go for what is checked when).
	PowerOfAttorney string
	// account is the account the package will be sent from
	// (SignAndSubmit); the pre-check checks that it may send what the
	// certificate signs.
	account string
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
	// Timestamped is true when the signature carries a signature
	// time-stamp (CAdES-T). TimestampNote, when a time-stamp authority
	// was asked and could not give one, says why (a *Error around
	// signer.ErrTSAUnreachable or signer.ErrTSABadReply): the package is
	// signed and valid (CAdES-BES), and the time-stamp is added at submit
	// or with Timestamp. It is a note, never a failure of the signature.
	Timestamped   bool  `json:"timestamped"`
	TimestampNote error `json:"-"`
	// ValidationData is true when the signature carries the chain and the
	// OCSP responses or CRLs the pre-check obtained (with the time-stamp,
	// CAdES-B-LT): never for a My Number card, whose revocation data the
	// service adds on receipt (see validationData).
	ValidationData bool `json:"validation_data"`
	// PowerOfAttorney is the power of attorney the package carries, for a
	// proxy's application.
	PowerOfAttorney *PowerOfAttorney `json:"-"`
	// Written is the power of attorney SignPowerOfAttorney wrote.
	Written *submit.PowerOfAttorney `json:"-"`
	// supporting marks a package without a form (a power of attorney).
	supporting bool
}

// SignFilesRequest is what SignFiles signs: files as they are.
type SignFilesRequest struct {
	// Files are packaged in this order; the first is the form, in any
	// format. They are not checked against a procedure.
	Files []string
	// Credential is the key that signs.
	Credential CredentialChoice
	// Out is where the package is written. Its folder must exist and be
	// writable, and Out must not exist unless Overwrite.
	Out string
	// Overwrite replaces an existing file at Out; without it an existing
	// Out is refused before any PIN is asked (ErrOutExists).
	Overwrite bool
	// AcceptIndeterminate signs when the pre-check could not establish
	// the certificate's revocation status; without it
	// Callbacks.ConfirmSign is asked, and without that callback the use
	// case ends with ErrIndeterminate.
	AcceptIndeterminate bool
	// PowerOfAttorney, when set, is the principal's power of attorney
	// package: the signer files as the proxy (see proxy.go).
	PowerOfAttorney string
}

// FormFileName is the form's name inside a package Sign makes.
const FormFileName = "form.json"

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
	proc := req.Procedure
	if !proc.Level.NeedsSignature() {
		return nil, fmt.Errorf("%w: procedure %s takes the form unsigned (level %s)", ErrWrongLevel, proc.ID, proc.Level)
	}
	form := req.Form
	var poa *PowerOfAttorney
	if req.PowerOfAttorney != "" {
		var err error
		if poa, err = a.ReadPowerOfAttorney(ctx, req.PowerOfAttorney); err != nil {
			return nil, err
		}
	}
	var filled []string
	if poa != nil && req.FillApplicant {
		// A proxy's form names the principal: filled from the power of
		// attorney's signer, and checked whole before any PIN.
		form = cloneForm(req.Form)
		filled = FillApplicant(form, Prefill(poa.Principal), proc, false)
		if err := CheckForm(form, proc, len(req.Attachments)); err != nil {
			return nil, err
		}
	} else if req.FillApplicant {
		form = cloneForm(req.Form)
		if probs := ValidateFormToFill(form, proc, len(req.Attachments)); len(probs) > 0 {
			return nil, &FormError{Problems: probs}
		}
	} else if err := CheckForm(form, proc, len(req.Attachments)); err != nil {
		return nil, err
	}
	if poa != nil {
		if err := poa.checkFor(form, &proc); err != nil {
			return nil, err
		}
	}
	// Every input before any PIN is asked.
	for _, p := range req.Attachments {
		if err := checkInputFile(p); err != nil {
			return nil, err
		}
	}
	if pr := CheckAttachments(proc, form, req.Attachments); pr != nil {
		return nil, &FormError{Problems: []FieldProblem{*pr}}
	}
	if req.Out != "" {
		// The window's save dialog has asked about replacing a file.
		if err := checkOutput(req.Out, true); err != nil {
			return nil, err
		}
	}
	out := req.Out
	if out == "" {
		if err := a.needDataDir(); err != nil {
			return nil, err
		}
		dir := filepath.Join(a.cfg.DataDir, "signed")
		if err := os.MkdirAll(dir, 0o700); err != nil {
			return nil, &Error{Op: "sign", Err: err}
		}
		out = filepath.Join(dir, packageName(proc.ID, a))
	}
	work, err := a.privateTemp("sign")
	if err != nil {
		return nil, err
	}
	defer fsx.RemoveAll(work)
	signed := &Signed{Path: out, Procedure: proc, Form: form, Filled: filled, PowerOfAttorney: poa}
	_, err = a.useCredential(ctx, req.Credential, cb, signing{
		confirmRequired: true,
		check: func(cert *x509.Certificate) *Precheck {
			if req.FillApplicant && poa == nil {
				signed.Filled = FillApplicant(form, Prefill(cert), proc, false)
			}
			p := a.precheck(ctx, cert, form, &proc, len(req.Attachments))
			precheckAccount(p, cert, &proc, req.account)
			precheckAttachments(p, &proc, form, req.Attachments)
			if poa != nil {
				poa.adjust(p, cert)
			}
			p.markFilled(signed.Filled)
			return p
		},
		use: func(cred signer.Credential, p *Precheck) error {
			files, err := packageFiles(work, form, req.Attachments)
			if err != nil {
				return err
			}
			return signed.build(ctx, files, cred, p, a.tsa(ctx), cb)
		},
	})
	if err != nil {
		return nil, err
	}
	return signed, nil
}

// SignFiles signs files as they are into a package at Out, for a caller
// that prepared the form elsewhere (a batch filer, the command line).
//
// Before any PIN or password is asked, every input is checked: each file
// exists, is a regular file (a FIFO or a device is refused without being
// opened for reading) and can be read; the first file, the form, is not
// empty and, when it is JSON by its name or first character, parses, and
// is checked against its procedure's schema when the service's catalogue
// knows it; the folder of Out exists and can be written, and Out does not
// exist unless Overwrite; a My Number card without a signature
// certificate is refused. Each refusal is an error of this file
// (ErrInputMissing, ErrOutExists, …) and nothing was tried.
//
// The credential is then used as Sign uses it — a locked PIN is never
// asked for, the PIN is asked once (Callbacks.PIN) and never again, the
// final try only when the answer confirms it, and the token is closed
// and the PIN wiped whatever happens; a PKCS#12 file's password is asked
// through Callbacks.Secret. Between the PIN and the signature the
// certificate is pre-checked (precheckSigner): a red line ends it with a
// *PrecheckError, a revocation status that could not be established with
// ErrIndeterminate unless AcceptIndeterminate or Callbacks.ConfirmSign
// accepts it. Nothing is written at Out unless the package is complete.
// Signed.Precheck is the pre-check; Signed.Form the parsed JSON form, if
// any, and Signed.Procedure its procedure when the service knows it.
func (a *App) SignFiles(ctx context.Context, req SignFilesRequest, cb Callbacks) (*Signed, error) {
	if req.Out == "" {
		return nil, &Error{Op: "sign: no package path given", Err: signer.ErrInvalidFile}
	}
	for _, p := range req.Files {
		if err := checkInputFile(p); err != nil {
			return nil, err
		}
	}
	var form *submit.FormDocument
	if len(req.Files) > 0 {
		var err error
		if form, err = checkFormFile(ctx, req.Files[0]); err != nil {
			return nil, err
		}
	}
	if err := checkOutput(req.Out, req.Overwrite); err != nil {
		return nil, err
	}
	attachments := max(len(req.Files)-1, 0)
	proc := a.formProcedure(ctx, form)
	if proc != nil {
		if err := CheckForm(form, *proc, attachments); err != nil {
			return nil, &Error{Op: "sign", Err: err}
		}
		if pr := checkAttachments(*proc, fileSize(req.Files[0]), req.Files[1:]); pr != nil {
			return nil, &Error{Op: "sign", Err: &FormError{Problems: []FieldProblem{*pr}}}
		}
	}
	poa, err := a.proxyFor(ctx, req.PowerOfAttorney, form, proc)
	if err != nil {
		return nil, err
	}
	files := make([]signer.File, len(req.Files))
	for i, p := range req.Files {
		files[i] = signer.File{Path: p}
	}
	signed := &Signed{Path: req.Out, Form: form, PowerOfAttorney: poa}
	if proc != nil {
		signed.Procedure = *proc
	}
	_, err = a.useCredential(ctx, req.Credential, cb, signing{
		checkCred: func(cred signer.Credential) *Precheck {
			p := a.precheckSigner(ctx, cred, form, proc, attachments)
			if poa != nil {
				poa.adjust(p, cred.Cert)
			}
			return p
		},
		confirm: confirmIndeterminate(req.AcceptIndeterminate, cb),
		use: func(cred signer.Credential, p *Precheck) error {
			return signed.build(ctx, files, cred, p, a.tsa(ctx), cb)
		},
	})
	if err != nil {
		return nil, err
	}
	return signed, nil
}

// confirmIndeterminate is the confirmation of a signature of files as
// they are (SignFiles, SignPDF): none when the pre-check established
// the revocation status or accept is set; otherwise Callbacks.ConfirmSign,
// and without that callback ErrIndeterminate.
func confirmIndeterminate(accept bool, cb Callbacks) func(ctx context.Context, p *Precheck) (bool, error) {
	return func(ctx context.Context, p *Precheck) (bool, error) {
		if !p.RevocationUnknown() || accept {
			return true, nil
		}
		if cb.ConfirmSign == nil {
			return false, &Error{Op: "sign", Err: ErrIndeterminate}
		}
		return cb.ConfirmSign(ctx, p)
	}
}

// build signs files with cred into the package at s.Path, reporting the
// hashing through cb, and records what was signed and its pre-check p.
func (s *Signed) build(ctx context.Context, files []signer.File, cred signer.Credential, p *Precheck, tsa *signer.TSA, cb Callbacks) error {
	prep, err := s.prepare(ctx, files, cb)
	if err != nil {
		return err
	}
	return s.sign(ctx, prep, cred, p, tsa)
}

// prepare writes files into the package at s.Path up to its signature,
// reporting the hashing through cb.
func (s *Signed) prepare(ctx context.Context, files []signer.File, cb Callbacks) (*signer.Prepared, error) {
	opts := signer.BuildOptions{Supporting: s.supporting}
	if s.PowerOfAttorney != nil {
		opts.Carry = []string{s.PowerOfAttorney.Path}
	}
	opts.Progress = func(done, total int64) { cb.progress(StageHashing, done, total) }
	prep, err := signer.Prepare(ctx, s.Path, files, opts)
	if err != nil {
		return nil, &Error{Op: "sign", Err: err}
	}
	return prep, nil
}

// sign signs the prepared package with cred and records what was signed
// and its pre-check p.
func (s *Signed) sign(ctx context.Context, prep *signer.Prepared, cred signer.Credential, p *Precheck, tsa *signer.TSA) error {
	res, err := prep.Sign(ctx, cred, signer.SignOptions{TSA: tsa, ValidationData: validationData(p)})
	if err != nil {
		return &Error{Op: "sign", Err: err}
	}
	s.Certificate, s.Precheck, s.Files, s.Size = cred.Cert, p, res.Files, res.Size
	s.Timestamped, s.ValidationData = res.Timestamped, res.ValidationData
	if res.TimestampErr != nil {
		s.TimestampNote = &Error{Op: "sign: time-stamp", Err: res.TimestampErr}
	}
	return nil
}

// packageFiles writes the form into the working directory and lists
// the package's files: the form first, then the attachments.
func packageFiles(work string, form *submit.FormDocument, attachments []string) ([]signer.File, error) {
	formBytes, err := marshalForm(form)
	if err != nil {
		return nil, err
	}
	formPath := filepath.Join(work, FormFileName)
	err = os.WriteFile(formPath, formBytes, 0o600)
	clear(formBytes)
	if err != nil {
		return nil, &Error{Op: "sign", Err: err}
	}
	files := []signer.File{{Name: FormFileName, Path: formPath}}
	for _, p := range attachments {
		files = append(files, signer.File{Path: p})
	}
	return files, nil
}

var unsafeName = regexp.MustCompile(`[^A-Za-z0-9_-]+`)

// packageName is a new package file's name: the procedure and the time.
func packageName(procedure string, a *App) string {
	var b [4]byte
	rand.Read(b[:])
	return unsafeName.ReplaceAllString(procedure, "_") + "-" + a.now().UTC().Format("20060102T150405Z") + "-" + hex.EncodeToString(b[:]) + ".asice"
}

// privateTemp makes a private working directory (mode 0700) in the data
// directory, or the system's temporary directory without one; the caller
// removes it.
func (a *App) privateTemp(what string) (string, error) {
	parent := ""
	if a.cfg.DataDir != "" {
		parent = filepath.Join(a.cfg.DataDir, "tmp")
		if err := os.MkdirAll(parent, 0o700); err != nil {
			return "", &Error{Op: what, Err: err}
		}
	}
	dir, err := os.MkdirTemp(parent, ".shinsei-"+what+"-")
	if err != nil {
		return "", &Error{Op: what, Err: err}
	}
	return dir, nil
}
