package flow

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"

	"github.com/shinsei-app/shinsei/pkcs11"
	"github.com/shinsei-app/shinsei/signer"
	"github.com/shinsei-app/shinsei/submit"
)

// ErrBatchNameTwice: two forms of a batch have the same name, so their
// packages would be written to the same file (DIR/<name>.asice). Nothing
// was tried and no PIN try was spent.
var ErrBatchNameTwice = errors.New("flow: two forms of the batch have the same name, so their packages would overwrite each other; nothing was tried and no PIN try was spent")

// BatchSignRequest is what SignBatch signs: each form into its own
// package.
type BatchSignRequest struct {
	// Forms are the form files, signed in this order. A form's package is
	// OutDir/<name>.asice, where <name> is the form's file name without
	// its extension; its attachments are the regular files of the folder
	// <name> beside the form, if there is one, in name order.
	Forms []string
	// OutDir is the folder the packages are written to; it must exist
	// and be writable.
	OutDir string
	// Credential is the key that signs every form.
	Credential CredentialChoice
	// Overwrite replaces existing packages; without it an existing one
	// refuses the batch before any PIN is asked (ErrOutExists).
	Overwrite bool
	// AcceptIndeterminate signs when the pre-check could not establish
	// the certificate's revocation status; without it
	// Callbacks.ConfirmSign is asked once for the batch, and without that
	// callback those forms end with ErrIndeterminate.
	AcceptIndeterminate bool
}

// BatchStatus is what became of one form of a batch.
type BatchStatus string

// Outcomes of a form in a batch.
const (
	// BatchSigned: the package was written.
	BatchSigned BatchStatus = "signed"
	// BatchRefused: the form was refused by the checks before the PIN,
	// or by its pre-check; nothing was written for it.
	BatchRefused BatchStatus = "refused"
	// BatchFailed: signing the form failed; nothing was written for it.
	BatchFailed BatchStatus = "failed"
	// BatchNotTried: the batch stopped before this form (an input of
	// another form refused, a PIN error, the card removed, cancelled).
	BatchNotTried BatchStatus = "not-signed"
)

// BatchItem is one form of a batch and its outcome.
type BatchItem struct {
	// Form is the form file as given; Package the package it is (or
	// would have been) signed into; Attachments the files of its folder.
	Form        string      `json:"form"`
	Package     string      `json:"package"`
	Attachments []string    `json:"attachments,omitempty"`
	Status      BatchStatus `json:"status"`
	// Signed is the signed package (BatchSigned).
	Signed *Signed `json:"-"`
	// Precheck is the form's pre-check, when it ran.
	Precheck *Precheck `json:"-"`
	// Err is why the form was not signed (BatchRefused, BatchFailed), or
	// for BatchNotTried the error that stopped the batch, if any.
	Err error `json:"-"`

	proc        *submit.Procedure
	form        *submit.FormDocument
	attachments int
}

// BatchResult is a batch's outcome: each form's, in order, and the
// counts.
type BatchResult struct {
	Items []BatchItem
	// Signed, Refused, Failed and NotTried count the items by status.
	Signed, Refused, Failed, NotTried int
	// Stopped is the error that stopped the batch before its end (the
	// credential could not be opened, a PIN error, the card removed,
	// cancelled); nil when every form was tried.
	Stopped error
}

func (r *BatchResult) count() {
	r.Signed, r.Refused, r.Failed, r.NotTried = 0, 0, 0, 0
	for _, it := range r.Items {
		switch it.Status {
		case BatchSigned:
			r.Signed++
		case BatchRefused:
			r.Refused++
		case BatchFailed:
			r.Failed++
		default:
			r.NotTried++
		}
	}
}

// BatchName is the name of a form's package and of its attachments
// folder: the form's file name without its extension.
func BatchName(form string) string {
	base := filepath.Base(form)
	return strings.TrimSuffix(base, filepath.Ext(base))
}

// SignBatch signs each form into its own package with one unlock of the
// credential: a PKCS#12 file is opened once with one password; a card's
// PIN is asked once, kept in locked memory for the batch only and
// presented for each signature's context-specific login, and wiped when
// the batch ends, whichever way it ends.
//
// Every input of every form is checked before the PIN or password is
// asked, as SignFiles checks one (the form, its attachments folder, the
// package to write, the procedure's schema when the service knows it;
// two forms of the same name are refused with ErrBatchNameTwice): when
// any is refused, nothing is tried, each form's item says what was found,
// and the first refusal is returned. A locked PIN, a card without a
// signature certificate and an unconfirmed final try end the batch before
// any PIN is presented, as for one signature.
//
// While the PIN or password is asked, the forms and attachments are
// copied and hashed into their packages (temporary files in OutDir,
// BatchPrepareAhead at a time); a package not signed is removed,
// whichever way the batch ends.
//
// After the unlock each form is pre-checked against the certificate on
// its own (a red line refuses that form and the batch goes on; what does
// not depend on the form — the certificate's path and revocation, the
// service's answer — is established once for the batch), then signed; onItem, when set, is told each item as its outcome is known.
// The batch stops at the first error of the credential — a PIN the card
// refuses, a locked PIN, the card removed — or when ctx ends: the forms
// left are BatchNotTried and the PIN is never presented again. Such an
// error, or one of the unlock, is returned with the result (Stopped). A
// form that failed otherwise is only in its item.
func (a *App) SignBatch(ctx context.Context, req BatchSignRequest, cb Callbacks, onItem func(BatchItem)) (*BatchResult, error) {
	res := &BatchResult{Items: make([]BatchItem, len(req.Forms))}
	report := func(i int) {
		if onItem != nil {
			onItem(res.Items[i])
		}
	}
	if len(req.Forms) == 0 {
		return res, &Error{Op: "sign batch: no form given", Err: ErrInputMissing}
	}
	// The certificate's and the service's part of the pre-check is
	// established once for the batch (batch_memo.go).
	mctx := withBatchMemo(ctx)
	if a.client != nil {
		// The service's answer (reached, trusted, its clock) does not
		// depend on the forms nor on the credential: asked while the forms
		// are checked, the token opened and the PIN entered, so the first
		// form's pre-check finds it. The probe asks for the public
		// catalogue only; nothing of the forms or of the credential is
		// sent. A batch refused before the PIN stops it.
		pctx, cancel := context.WithCancel(mctx)
		probed := make(chan struct{})
		go func() {
			defer close(probed)
			a.probeServiceOnce(pctx)
		}()
		defer func() { cancel(); <-probed }()
	}
	// Every input of every form, before any PIN.
	var first error
	seen := map[string]int{}
	writable := map[string]bool{} // the output folder is tried once
	for i, form := range req.Forms {
		it := &res.Items[i]
		it.Form, it.Status = form, BatchNotTried
		name := BatchName(form)
		it.Package = filepath.Join(req.OutDir, name+".asice")
		key := strings.ToLower(name) // one file on a case-insensitive disk
		if j, ok := seen[key]; ok {
			it.Err = &Error{Op: "sign " + form, Err: fmt.Errorf("%w: %s and %s", ErrBatchNameTwice, req.Forms[j], form)}
		} else {
			seen[key] = i
			it.Err = a.checkBatchForm(ctx, it, req.Overwrite, writable)
		}
		if it.Err != nil {
			it.Status = BatchRefused
			if first == nil {
				first = it.Err
			}
		}
	}
	if first != nil {
		res.count()
		for i := range res.Items {
			report(i)
		}
		return res, first
	}

	var (
		asked, accepted bool
		stopped         error
	)
	confirmIndeterminate := func(ctx context.Context, p *Precheck) (bool, error) {
		if !p.RevocationUnknown() || req.AcceptIndeterminate {
			return true, nil
		}
		if !asked {
			asked = true
			if cb.ConfirmSign == nil {
				return false, nil
			}
			ok, err := cb.ConfirmSign(ctx, p)
			if err != nil {
				return false, err
			}
			accepted = ok
		}
		return accepted, nil
	}
	// The packages are prepared while the PIN is asked.
	prep := prepareBatch(mctx, res.Items)
	defer prep.stop()
	_, err := a.useCredential(ctx, req.Credential, prep.whilePrompting(cb), signing{
		// Each form is pre-checked on its own in use: the credential is
		// unlocked once for them all.
		use: func(cred signer.Credential, _ *Precheck) error {
			stopped = a.signBatchItems(mctx, res, prep, cred, confirmIndeterminate, report)
			return nil
		},
	})
	if err == nil {
		err = stopped
	}
	if err != nil {
		res.Stopped = err
		for i := range res.Items {
			// Those not reported yet: never tried.
			if it := &res.Items[i]; it.Status == BatchNotTried && it.Err == nil {
				it.Err = err
				report(i)
			}
		}
	}
	res.count()
	return res, err
}

// checkBatchForm checks one form of a batch as SignFiles checks its
// inputs, filling in its attachments, form and procedure; a folder in
// writable was already found writable (checkOutputIn).
func (a *App) checkBatchForm(ctx context.Context, it *BatchItem, overwrite bool, writable map[string]bool) error {
	if err := checkInputFile(it.Form); err != nil {
		return err
	}
	form, err := checkFormFile(ctx, it.Form)
	if err != nil {
		return err
	}
	it.form = form
	if it.Attachments, err = batchAttachments(it.Form); err != nil {
		return err
	}
	for _, p := range it.Attachments {
		if err := checkInputFile(p); err != nil {
			return err
		}
	}
	if err := checkOutputIn(it.Package, overwrite, writable); err != nil {
		return err
	}
	it.attachments = len(it.Attachments)
	it.proc = a.formProcedure(ctx, form)
	if it.proc != nil {
		if err := CheckForm(form, *it.proc, it.attachments); err != nil {
			return &Error{Op: "sign " + it.Form, Err: err}
		}
		if pr := checkAttachments(*it.proc, fileSize(it.Form), it.Attachments); pr != nil {
			return &Error{Op: "sign " + it.Form, Err: &FormError{Problems: []FieldProblem{*pr}}}
		}
	}
	return nil
}

// batchAttachments lists the attachments of a batch's form: the entries
// of the folder of its name beside it, in name order, hidden files (a
// name starting with ".") left out. No folder means no attachments; an
// entry that is not a regular file is refused (ErrInputNotRegular), so
// nothing in the folder is silently left out.
func batchAttachments(form string) ([]string, error) {
	dir := filepath.Join(filepath.Dir(form), BatchName(form))
	fi, err := os.Stat(dir)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return nil, nil
	case err != nil:
		return nil, inputError(dir, fmt.Errorf("%w: %w", ErrInputUnreadable, errors.Unwrap(err)))
	case !fi.IsDir():
		return nil, nil
	}
	entries, err := os.ReadDir(dir)
	if err != nil {
		return nil, inputError(dir, fmt.Errorf("%w: %w", ErrInputUnreadable, errors.Unwrap(err)))
	}
	var files []string
	for _, e := range entries {
		if strings.HasPrefix(e.Name(), ".") {
			continue
		}
		files = append(files, filepath.Join(dir, e.Name()))
	}
	slices.Sort(files)
	return files, nil
}

// BatchSignAhead is how many packages of a batch are signed at a time:
// the card makes one signature at a time, and meanwhile the next
// package's CMS is built and the last package finished (their files were
// copied and hashed before, batch_prepare.go).
const BatchSignAhead = 3

// signBatchItems pre-checks each form of the batch in order and signs
// its package, prepared by prep, with the unlocked credential, up to
// BatchSignAhead at a time. Each item is reported in the order of the
// forms. It returns the error that stopped the batch
// — one of the credential (a refused or locked PIN, the card gone) or of
// ctx — and nil when every form was tried; the forms left are
// BatchNotTried, and one already under way when the batch stopped is
// BatchNotTried too unless it was signed (the token never presents a PIN
// it saw refused: pkcs11.Key.SignContext).
func (a *App) signBatchItems(ctx context.Context, res *BatchResult, prep *preparing, cred signer.Credential, confirm func(context.Context, *Precheck) (bool, error), report func(int)) error {
	prep.start() // a credential unlocked without a prompt
	tsa := a.tsa(ctx)
	var (
		mu      sync.Mutex // guards the items' outcomes, done, next and stopped
		stopped error
		next    int
		wg      sync.WaitGroup
	)
	done := make([]bool, len(res.Items))
	// finish records item i's outcome and reports every item finished in
	// order up to the first still under way. Called with mu held.
	finish := func(i int) {
		done[i] = true
		for next < len(res.Items) && done[next] {
			if it := &res.Items[next]; it.Status == BatchNotTried && it.Err == nil {
				// Under way when the batch stopped: the forms before it
				// are reported, so the error that stopped it is known.
				it.Err = stopped
			}
			report(next)
			next++
		}
	}
	// build signs item i's package and records its outcome.
	build := func(i int) {
		it := &res.Items[i]
		signed := batchSigned(it)
		p, err := prep.take(ctx, i)
		if err == nil {
			err = signed.sign(ctx, p, cred, it.Precheck, tsa)
		}
		mu.Lock()
		defer mu.Unlock()
		switch {
		case err == nil:
			it.Status, it.Signed = BatchSigned, signed
		case errors.Is(err, pkcs11.ErrNotLoggedIn) && !errors.Is(err, pkcs11.ErrPINIncorrect):
			// The token dropped the PIN another form's signature saw
			// refused: this form was not tried. That form's error
			// stops the batch, when it comes.
			it.Status = BatchNotTried
			stopped = cmp.Or(stopped, error(&Error{Op: "sign " + it.Form, Err: Cause(err)}))
		case stopsBatch(ctx, err) && stopped != nil && !errors.Is(stopped, pkcs11.ErrNotLoggedIn):
			// Under way when another form stopped the batch.
			it.Status = BatchNotTried
		default:
			it.Status, it.Err = BatchFailed, &Error{Op: "sign " + it.Form, Err: Cause(err)}
			if stopsBatch(ctx, err) {
				stopped = it.Err
			}
		}
		finish(i)
	}
	// BatchSignAhead signers, each taking the next form pre-checked: a
	// goroutine kept for the batch, whose stack has grown once.
	jobs := make(chan int)
	for range min(BatchSignAhead, len(res.Items)) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range jobs {
				build(i)
			}
		}()
	}
	for i := range res.Items {
		it := &res.Items[i]
		mu.Lock()
		stop := stopped
		mu.Unlock()
		if stop == nil {
			stop = ctx.Err()
		}
		if stop != nil {
			mu.Lock()
			stopped = cmp.Or(stopped, stop)
			mu.Unlock()
			break
		}
		mu.Lock()
		sign, stop := a.precheckBatchItem(ctx, it, cred, confirm)
		if !sign || stop != nil {
			stopped = cmp.Or(stopped, stop)
			if stop == nil {
				finish(i)
			}
			mu.Unlock()
			if stop != nil {
				break
			}
			prep.discard(ctx, i)
			continue
		}
		mu.Unlock()
		jobs <- i
	}
	close(jobs)
	wg.Wait()
	mu.Lock()
	defer mu.Unlock()
	return stopped
}

// precheckBatchItem pre-checks one form of a batch against the unlocked
// credential and reports whether it may be signed. A refused form gets
// its outcome. The error is ctx's, which stops the batch.
func (a *App) precheckBatchItem(ctx context.Context, it *BatchItem, cred signer.Credential, confirm func(context.Context, *Precheck) (bool, error)) (bool, error) {
	p := a.precheckSigner(ctx, cred, it.form, it.proc, it.attachments)
	it.Precheck = p
	if err := ctx.Err(); err != nil {
		return false, err
	}
	if !p.OK() {
		it.Status, it.Err = BatchRefused, &Error{Op: "sign " + it.Form, Err: &PrecheckError{Precheck: p}}
		return false, nil
	}
	ok, err := confirm(ctx, p)
	switch {
	case err != nil:
		it.Status, it.Err = BatchRefused, err
		return false, nil
	case !ok:
		it.Status, it.Err = BatchRefused, &Error{Op: "sign " + it.Form, Err: ErrIndeterminate}
		return false, nil
	}
	return true, nil
}

// stopsBatch reports whether a signature's error must stop a batch: the
// credential can no longer be used (a PIN refused or locked, no login,
// the card removed) or the batch was cancelled.
func stopsBatch(ctx context.Context, err error) bool {
	return ctx.Err() != nil || errors.Is(err, context.Canceled) ||
		errors.Is(err, pkcs11.ErrPINIncorrect) || errors.Is(err, pkcs11.ErrPINLocked) ||
		errors.Is(err, pkcs11.ErrNotLoggedIn) || errors.Is(err, pkcs11.ErrCardRemoved)
}
