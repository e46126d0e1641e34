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
)

// FormFileName is the form's name inside a package Sign makes.
const FormFileName = "form.json"

func (a *App) sign(ctx context.Context, req SignRequest, cb Callbacks) (*Signed, error) {
	proc := req.Procedure
	if !proc.Level.NeedsSignature() {
		return nil, fmt.Errorf("%w: procedure %s takes the form unsigned (level %s)", ErrWrongLevel, proc.ID, proc.Level)
	}
	if err := CheckForm(req.Form, proc, len(req.Attachments)); err != nil {
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
	formBytes, err := marshalForm(req.Form)
	if err != nil {
		return nil, err
	}
	work, err := a.privateTemp("sign")
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(work)
	formPath := filepath.Join(work, FormFileName)
	err = os.WriteFile(formPath, formBytes, 0o600)
	clear(formBytes)
	if err != nil {
		return nil, fmt.Errorf("flow: sign: %w", err)
	}
	files := []signer.File{{Name: FormFileName, Path: formPath}}
	for _, p := range req.Attachments {
		files = append(files, signer.File{Path: p})
	}
	signed := &Signed{Path: out, Procedure: proc, Form: req.Form}
	_, err = a.useCredential(ctx, req.Credential, cb, signing{
		confirmRequired: true,
		check: func(cert *x509.Certificate) *Precheck {
			return a.precheck(ctx, cert, req.Form, &proc, len(req.Attachments))
		},
		use: func(cred signer.Credential, p *Precheck) error {
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
