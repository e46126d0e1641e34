package flow

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"syscall"

	"github.com/shinsei-app/shinsei/internal/iox"
	"github.com/shinsei-app/shinsei/pkcs11"
	"github.com/shinsei-app/shinsei/submit"
)

// Errors of the checks made before any PIN or password is asked. The
// input-file ones serve every command that reads a file (verify too), so
// they say only what is wrong with the file; the others say that nothing
// was tried, so no try of a PIN was spent.
var (
	// ErrInputMissing: an input file does not exist.
	ErrInputMissing = errors.New("flow: the file does not exist")
	// ErrInputNotRegular: an input file is a directory, a FIFO, a device
	// or a socket, which is never opened for reading.
	ErrInputNotRegular = errors.New("flow: not a regular file (a folder, FIFO or device)")
	// ErrInputUnreadable: an input file cannot be read.
	ErrInputUnreadable = errors.New("flow: the file cannot be read")
	// ErrFormEmpty: the form to sign is empty.
	ErrFormEmpty = errors.New("flow: the form is empty; nothing was tried and no PIN try was spent")
	// ErrFormNotJSON: the form is a JSON form by its name or its first
	// character, but it does not parse.
	ErrFormNotJSON = errors.New("flow: the form is not valid JSON; nothing was tried and no PIN try was spent")
	// ErrOutDirMissing: the folder the package is to be written in does
	// not exist.
	ErrOutDirMissing = errors.New("flow: the output folder does not exist; nothing was tried and no PIN try was spent")
	// ErrOutDirNotWritable: the folder the package is to be written in
	// cannot be written.
	ErrOutDirNotWritable = errors.New("flow: the output folder cannot be written; nothing was tried and no PIN try was spent")
	// ErrOutExists: the package file already exists and overwriting it
	// was not asked for (SignFilesRequest.Overwrite).
	ErrOutExists = errors.New("flow: the output file already exists; nothing was tried and no PIN try was spent")
	// ErrNoSignatureCertificate: the card holds no signature certificate
	// (a child's My Number card), found before any PIN was asked. It is
	// returned together with pkcs11.ErrNoCertificate.
	ErrNoSignatureCertificate = errors.New("flow: the card holds no signature certificate; nothing was tried and no PIN try was spent")
	// ErrIndeterminate: the pre-check could not establish whether the
	// certificate is revoked, and signing anyway was not accepted
	// (SignFilesRequest.AcceptIndeterminate, or Callbacks.ConfirmSign).
	// Nothing was signed or written.
	ErrIndeterminate = errors.New("flow: the certificate's revocation status could not be established and signing anyway was not accepted; nothing was signed")
)

// inputError is a refused input file: the path as given and the reason.
func inputError(path string, err error) error {
	return &Error{Op: "sign", Err: fmt.Errorf("%s: %w", path, err)}
}

// CheckInputFile refuses, without blocking and without reading it, a file
// that cannot be an input: missing (ErrInputMissing), not a regular file
// such as a FIFO or a device (ErrInputNotRegular), or unreadable
// (ErrInputUnreadable). For a surface that opens a file itself (verify).
func CheckInputFile(path string) error { return checkInputFile(path) }

// checkInputFile makes sure path is a regular file this process can read,
// without ever blocking on it: it is looked at with Stat first, so a FIFO
// or a device is refused without being opened, and the readable check
// opens it non-blocking.
func checkInputFile(path string) error {
	fi, err := os.Stat(path)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return inputError(path, ErrInputMissing)
	case err != nil:
		return inputError(path, fmt.Errorf("%w: %w", ErrInputUnreadable, errors.Unwrap(err)))
	case !fi.Mode().IsRegular():
		return inputError(path, ErrInputNotRegular)
	}
	f, err := os.OpenFile(path, os.O_RDONLY|syscall.O_NONBLOCK, 0)
	if err != nil {
		return inputError(path, fmt.Errorf("%w: %w", ErrInputUnreadable, errors.Unwrap(err)))
	}
	defer f.Close()
	if fi, err := f.Stat(); err != nil || !fi.Mode().IsRegular() { // replaced since the Stat
		return inputError(path, ErrInputNotRegular)
	}
	var b [1]byte
	if _, err := f.Read(b[:]); err != nil && !errors.Is(err, io.EOF) {
		return inputError(path, fmt.Errorf("%w: %w", ErrInputUnreadable, err))
	}
	return nil
}

// checkOutput makes sure the package can be written at out: its folder
// exists and can be written, and out does not exist unless overwrite.
// The check writes and removes a small temporary file in the folder.
func checkOutput(out string, overwrite bool) error {
	return checkOutputIn(out, overwrite, nil)
}

// checkOutputIn is checkOutput; writable, when not nil, holds the folders
// already found writable, which are not tried again (a batch writes every
// package in one folder), and gets out's folder once it is.
func checkOutputIn(out string, overwrite bool, writable map[string]bool) error {
	dir := filepath.Dir(out)
	fi, err := os.Stat(dir)
	switch {
	case errors.Is(err, fs.ErrNotExist), err == nil && !fi.IsDir():
		return inputError(out, ErrOutDirMissing)
	case err != nil:
		return inputError(out, fmt.Errorf("%w: %w", ErrOutDirNotWritable, errors.Unwrap(err)))
	}
	if fi, err := os.Lstat(out); err == nil {
		if !overwrite || !fi.Mode().IsRegular() {
			return inputError(out, ErrOutExists)
		}
	} else if !errors.Is(err, fs.ErrNotExist) {
		return inputError(out, fmt.Errorf("%w: %w", ErrOutDirNotWritable, errors.Unwrap(err)))
	}
	if writable[dir] {
		return nil
	}
	if err := checkWritable(out); err != nil {
		return err
	}
	if writable != nil {
		writable[dir] = true
	}
	return nil
}

// checkWritable checks that a file can be made in the folder of out.
func checkWritable(out string) error {
	f, err := os.CreateTemp(filepath.Dir(out), ".shinsei-check-*")
	if err != nil {
		return inputError(out, fmt.Errorf("%w: %w", ErrOutDirNotWritable, errors.Unwrap(err)))
	}
	name := f.Name()
	f.Close()
	os.Remove(name)
	return nil
}

// jsonLike tells whether a form is meant as JSON: by its name, or by its
// first character that is not white space.
func jsonLike(path string, head []byte) bool {
	if strings.EqualFold(filepath.Ext(path), ".json") {
		return true
	}
	t := bytes.TrimLeft(head, " \t\r\n\ufeff")
	return len(t) > 0 && (t[0] == '{' || t[0] == '[')
}

// checkFormFile reads the form SignFiles signs first: an empty form is
// refused; a JSON form must parse (ErrFormNotJSON, or submit.ErrNotForm
// for JSON that is not a form document). It returns the parsed form, nil
// for a form in another format.
func checkFormFile(ctx context.Context, path string) (*submit.FormDocument, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	f, err := os.OpenFile(path, os.O_RDONLY|syscall.O_NONBLOCK, 0)
	if err != nil {
		return nil, inputError(path, fmt.Errorf("%w: %w", ErrInputUnreadable, errors.Unwrap(err)))
	}
	defer f.Close()
	head := make([]byte, 4096)
	n, err := io.ReadFull(f, head)
	complete := n < len(head)
	head = head[:n]
	if err != nil && !errors.Is(err, io.EOF) && !errors.Is(err, io.ErrUnexpectedEOF) {
		return nil, inputError(path, fmt.Errorf("%w: %w", ErrInputUnreadable, err))
	}
	if complete && len(bytes.TrimSpace(bytes.TrimPrefix(head, []byte("\ufeff")))) == 0 {
		return nil, inputError(path, ErrFormEmpty)
	}
	if !jsonLike(path, head) {
		return nil, nil
	}
	rest, err := iox.ReadAll(f, submit.MaxForm-int64(n))
	if errors.Is(err, iox.ErrTooLarge) {
		return nil, inputError(path, fmt.Errorf("larger than %d bytes: %w", submit.MaxForm, submit.ErrNotForm))
	}
	if err != nil {
		return nil, inputError(path, fmt.Errorf("%w: %w", ErrInputUnreadable, err))
	}
	data := append(head, rest...)
	if !json.Valid(data) {
		return nil, inputError(path, ErrFormNotJSON)
	}
	doc, err := ParseForm(data)
	if err != nil {
		return nil, inputError(path, Cause(err))
	}
	return doc, nil
}

// formProcedure returns the procedure the form names, from the service's
// catalogue; nil without a service, or when the service does not know it
// or cannot be asked (the pre-check then says what it could not check).
func (a *App) formProcedure(ctx context.Context, doc *submit.FormDocument) *submit.Procedure {
	if a.client == nil || doc == nil || doc.Procedure == "" {
		return nil
	}
	proc, err := a.client.Procedure(ctx, doc.Procedure)
	if err != nil {
		return nil
	}
	return proc
}

// lacksSignatureCertificate reports whether tok is a My Number card
// known, without a PIN, to hold no signature certificate. False when it
// cannot be told.
func (a *App) lacksSignatureCertificate(ctx context.Context, tok *pkcs11.Token) bool {
	info := tok.Info()
	if info.Policy != pkcs11.PolicyJPKISignature {
		return false
	}
	probe, ok := a.triesReader().(signatureCertificateProbe)
	if !ok {
		return false
	}
	has, err := probe.HasSignatureCertificate(ctx, info)
	return err == nil && !has
}

// signatureCertificateProbe is a TriesReader that can also tell, without
// a PIN, whether a My Number card holds a signature certificate
// (pcsc.JPKITries).
type signatureCertificateProbe interface {
	HasSignatureCertificate(ctx context.Context, tok pkcs11.TokenInfo) (bool, error)
}

// checkSignatureCertificate refuses, before any PIN is asked, a My Number
// card that holds no signature certificate. A token whose certificate
// cannot be looked for without a PIN is let through: the login finds out.
func (a *App) checkSignatureCertificate(ctx context.Context, tok *pkcs11.Token, choice CredentialChoice) error {
	if choice.KeyID != nil || !a.lacksSignatureCertificate(ctx, tok) {
		return nil
	}
	return &Error{Op: choice.String(), Err: fmt.Errorf("%w: %w", ErrNoSignatureCertificate, pkcs11.ErrNoCertificate)}
}
