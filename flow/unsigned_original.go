package flow

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"

	"github.com/shinsei-app/shinsei/internal/fsx"
	"github.com/shinsei-app/shinsei/internal/iox"
	"github.com/shinsei-app/shinsei/submit"
)

// The form of an unsigned application (levels none and idpw) is kept as
// it was filed, where the packages of signed applications are kept: the
// data directory's signed/ folder (mode 0700, the files 0600, private to
// the user as the receipts journal is). A correction request (補正依頼)
// then opens it as it opens the form of a signed package (OriginalForm),
// found the same way, by the receipt's SHA-256 of the body sent. A copy
// is dropped when its filing is cancelled or refused for good, as the
// outbox drops the application.

// ErrOriginalNotKept: this computer keeps no form of the application
// (filed elsewhere, or before forms were kept), so there is nothing to
// start an amendment from.
var ErrOriginalNotKept = errors.New("flow: the form of the application is not kept on this computer")

// WriteOriginalForm writes the form last filed for application arrival
// (OriginalForm) to out, private to the user (0600), for the applicant to
// correct and file with Amend. Before anything is read: out's folder
// exists and out does not unless overwrite (ErrOutExists). A form this
// computer does not keep is ErrOriginalNotKept, and nothing is written.
func (a *App) WriteOriginalForm(ctx context.Context, arrival, out string, overwrite bool) (*submit.FormDocument, error) {
	if err := checkOutput(out, overwrite); err != nil {
		return nil, err
	}
	doc, err := a.OriginalForm(ctx, arrival)
	switch {
	case err != nil:
		return nil, err
	case doc == nil:
		return nil, &Error{Op: "original form of " + arrival, Err: ErrOriginalNotKept}
	}
	data, err := marshalForm(doc)
	if err != nil {
		return nil, err
	}
	if err := fsx.WriteFile(out, data, 0o600); err != nil && !errors.Is(err, fsx.ErrDirNotSynced) {
		return nil, &Error{Op: "original form of " + arrival, Err: err}
	}
	return doc, nil
}

// keptFormExt is the extension of a kept unsigned form.
const keptFormExt = ".json"

// keepUnsignedForm copies the unsigned form at path — the very body sent
// — into the signed/ folder, named as Sign names a package but .json, and
// returns it: the copy's path and the body's SHA-256. Keeping it is best
// effort (path "" when it could not be written): without it an amendment
// starts from an empty form.
func (a *App) keepUnsignedForm(path, procedure string) keptUnsigned {
	if a.cfg.DataDir == "" {
		return keptUnsigned{}
	}
	f, err := os.Open(path)
	if err != nil {
		return keptUnsigned{}
	}
	data, err := iox.ReadAll(f, submit.MaxForm)
	f.Close()
	if err != nil {
		return keptUnsigned{}
	}
	dir := filepath.Join(a.cfg.DataDir, "signed")
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return keptUnsigned{}
	}
	kept := filepath.Join(dir, strings.TrimSuffix(packageName(procedure, a), ".asice")+keptFormExt)
	if err := fsx.WriteFile(kept, data, 0o600); err != nil && !errors.Is(err, fsx.ErrDirNotSynced) {
		return keptUnsigned{}
	}
	return keptUnsigned{path: kept, sha: sha256Hex(data)}
}

// keptUnsigned is an unsigned form kept at filing: its copy and the
// SHA-256 of the body sent.
type keptUnsigned struct{ path, sha string }

// drop removes the copy; nothing when none was kept.
func (k keptUnsigned) drop() {
	if k.path != "" {
		_ = os.Remove(k.path) // one left over only keeps what was sent, private to the user
	}
}

// dropUnlessFiled removes the copy after a filing that failed, unless
// the application is still waiting in the outbox (sent later, with the
// same key) or a receipt holds the same body: a copy is kept only for an
// application the service received or may yet receive.
func (a *App) dropUnlessFiled(k keptUnsigned, err error) {
	if err == nil || k.path == "" {
		return
	}
	if _, queued := a.queuedAs(k.sha); queued {
		return
	}
	if _, received := a.Received(k.sha); received {
		return
	}
	k.drop()
}

// keptForm reads the kept unsigned form at path when it is the body
// whose SHA-256 is sha; nil otherwise.
func keptForm(ctx context.Context, path, sha string) *submit.FormDocument {
	if ctx.Err() != nil {
		return nil
	}
	f, err := os.Open(path)
	if err != nil {
		return nil
	}
	data, err := iox.ReadAll(f, submit.MaxForm)
	f.Close()
	if err != nil || sha256Hex(data) != sha {
		return nil
	}
	doc, err := ParseForm(data)
	if err != nil {
		return nil
	}
	return doc
}
