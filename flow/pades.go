package flow

import (
	"context"
	"crypto/x509"

	"github.com/shinsei-app/shinsei/pades"
	"github.com/shinsei-app/shinsei/signer"
)

// SignPDFRequest is what SignPDF signs.
type SignPDFRequest struct {
	// In is the PDF to sign; Out where the signed PDF is written. Out's
	// folder must exist and be writable, and Out must not exist unless
	// Overwrite (Out may then be In itself: it is replaced whole).
	In, Out   string
	Overwrite bool
	// Credential is the key that signs.
	Credential CredentialChoice
	// AcceptIndeterminate is as in SignFilesRequest.
	AcceptIndeterminate bool
	// Box, when set, makes the signature visible.
	Box *pades.Box
	// Reason and Location are written in the signature dictionary.
	Reason, Location string
}

// SignedPDF is a PDF signed by SignPDF.
type SignedPDF struct {
	Path string `json:"path"`
	Size int64  `json:"size"`
	// Level is pades.LevelBB or pades.LevelBT; Signatures counts the
	// signatures of the file, those it held before included.
	Level      string `json:"level"`
	Signatures int    `json:"signatures"`
	// Timestamped and TimestampNote are as in Signed: a time-stamp
	// authority that could not give a time-stamp leaves a PAdES-B-B
	// signature and a note (a *Error around signer.ErrTSAUnreachable or
	// signer.ErrTSABadReply), never a failure.
	Timestamped   bool  `json:"timestamped"`
	TimestampNote error `json:"-"`
	// Certificate is the signer's; Precheck the pre-check it passed.
	Certificate *x509.Certificate `json:"-"`
	Precheck    *Precheck         `json:"-"`
}

// SignPDF signs the PDF In with a PAdES signature (pades.Sign) into Out,
// keeping any signature In holds (an incremental update).
//
// It keeps the promises of SignFiles: before any PIN or password is
// asked, In is checked (a regular readable file that is a PDF the
// verifier reads: not encrypted, without JavaScript or launch actions),
// the box is on one of its pages and the texts can be written
// (pades.CheckSignable), and Out's folder (ErrOutExists unless Overwrite, …); then the
// credential is used as every signature uses it (useCredential: a
// locked PIN never asked for, one PIN entry, the same pre-check between
// the PIN and the signature, ErrIndeterminate unless accepted), and the
// key signs once. The signature time-stamp comes from the configured or
// announced authority (Config.TSAURL, the catalogue's). Nothing is
// written at Out unless the signed PDF is complete.
func (a *App) SignPDF(ctx context.Context, req SignPDFRequest, cb Callbacks) (*SignedPDF, error) {
	if req.Out == "" {
		return nil, &Error{Op: "sign: no output PDF given", Err: signer.ErrInvalidFile}
	}
	if err := checkInputFile(req.In); err != nil {
		return nil, err
	}
	opts := pades.SignOptions{Box: req.Box, Reason: req.Reason, Location: req.Location, Now: a.now}
	if err := pades.CheckSignable(ctx, req.In, opts); err != nil {
		return nil, &Error{Op: "sign " + req.In, Err: err}
	}
	if err := checkOutput(req.Out, req.Overwrite); err != nil {
		return nil, err
	}
	out := &SignedPDF{Path: req.Out}
	_, err := a.useCredential(ctx, req.Credential, cb, signing{
		checkCred: func(cred signer.Credential) *Precheck {
			return a.precheckSigner(ctx, cred, nil, nil, 0)
		},
		confirm: confirmIndeterminate(req.AcceptIndeterminate, cb),
		use: func(cred signer.Credential, p *Precheck) error {
			cb.progress(StageHashing, 0, 1)
			opts.TSA = a.tsa(ctx)
			res, err := pades.Sign(ctx, req.In, req.Out, cred, opts)
			if err != nil {
				return &Error{Op: "sign", Err: err}
			}
			cb.progress(StageHashing, 1, 1)
			out.Size, out.Level, out.Signatures, out.Timestamped = res.Size, res.Level, res.Signatures, res.Timestamped
			out.Certificate, out.Precheck = cred.Cert, p
			if res.TimestampErr != nil {
				out.TimestampNote = &Error{Op: "sign: time-stamp", Err: res.TimestampErr}
			}
			return nil
		},
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}
