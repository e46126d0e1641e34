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

	"github.com/shinsei-app/shinsei/signer"
	"github.com/shinsei-app/shinsei/submit"
)

// FormFileName is the form's name inside a package Sign makes.
const FormFileName = "form.json"

func (a *App) sign(ctx context.Context, req SignRequest, cb Callbacks) (*Signed, error) {
	proc := req.Procedure
	if !proc.Level.NeedsSignature() {
		return nil, fmt.Errorf("%w: procedure %s takes the form unsigned (level %s)", ErrWrongLevel, proc.ID, proc.Level)
	}
	form := req.Form
	if req.FillApplicant {
		form = cloneForm(req.Form)
		if probs := ValidateFormToFill(form, proc, len(req.Attachments)); len(probs) > 0 {
			return nil, &FormError{Problems: probs}
		}
	} else if err := CheckForm(form, proc, len(req.Attachments)); err != nil {
		return nil, err
	}
	out := req.Out
	if out == "" {
		if err := a.needDataDir(); err != nil {
			return nil, err
		}
		dir := filepath.Join(a.cfg.DataDir, "signed")
		if err := os.MkdirAll(dir, 0o700); err != nil {
			return nil, fmt.Errorf("flow: sign: %w", err)
		}
		out = filepath.Join(dir, packageName(proc.ID, a))
	}
	work, err := a.privateTemp("sign")
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(work)
	signed := &Signed{Path: out, Procedure: proc, Form: form}
	_, err = a.useCredential(ctx, req.Credential, cb, signing{
		confirmRequired: true,
		check: func(cert *x509.Certificate) *Precheck {
			if req.FillApplicant {
				signed.Filled = FillApplicant(form, Prefill(cert), proc, false)
			}
			p := a.precheck(ctx, cert, form, &proc, len(req.Attachments))
			p.markFilled(signed.Filled)
			return p
		},
		use: func(cred signer.Credential, p *Precheck) error {
			files, err := packageFiles(work, form, req.Attachments)
			if err != nil {
				return err
			}
			res, err := signer.Build(ctx, out, files, cred, signer.BuildOptions{Progress: func(done, total int64) {
				cb.progress(StageHashing, done, total)
			}})
			if err != nil {
				return fmt.Errorf("flow: sign: %w", err)
			}
			signed.Certificate, signed.Precheck, signed.Files, signed.Size = cred.Cert, p, res.Files, res.Size
			return nil
		},
	})
	if err != nil {
		return nil, err
	}
	return signed, nil
}

func (a *App) signFiles(ctx context.Context, req SignFilesRequest, cb Callbacks) (*Signed, error) {
	if req.Out == "" {
		return nil, fmt.Errorf("flow: sign: no package path given: %w", signer.ErrInvalidFile)
	}
	files := make([]signer.File, len(req.Files))
	for i, p := range req.Files {
		files[i] = signer.File{Path: p}
	}
	signed := &Signed{Path: req.Out}
	_, err := a.useCredential(ctx, req.Credential, cb, signing{
		use: func(cred signer.Credential, _ *Precheck) error {
			res, err := signer.Build(ctx, req.Out, files, cred, signer.BuildOptions{Progress: func(done, total int64) {
				cb.progress(StageHashing, done, total)
			}})
			if err != nil {
				return fmt.Errorf("flow: sign: %w", err)
			}
			signed.Certificate, signed.Files, signed.Size = cred.Cert, res.Files, res.Size
			return nil
		},
	})
	if err != nil {
		return nil, err
	}
	return signed, nil
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
		return nil, fmt.Errorf("flow: sign: %w", err)
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
			return "", fmt.Errorf("flow: %s: %w", what, err)
		}
	}
	dir, err := os.MkdirTemp(parent, ".shinsei-"+what+"-")
	if err != nil {
		return "", fmt.Errorf("flow: %s: %w", what, err)
	}
	return dir, nil
}
