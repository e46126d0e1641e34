package submit

import (
	"archive/zip"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"

	"github.com/shinsei-app/shinsei/internal/iox"
	"github.com/shinsei-app/shinsei/internal/jsonx"
	"github.com/shinsei-app/shinsei/signer"
)

// MaxForm bounds a form document, alone or inside a package.
const MaxForm = 1 << 20

// ErrNotForm means a file is neither a readable application package nor a
// form document naming its procedure.
var ErrNotForm = errors.New("submit: not an application package or form")

// Input is a file to submit, read and classified by ReadInput.
type Input struct {
	Path string
	// MediaType is MediaASiCE for a signed package, MediaJSON for a form.
	MediaType string
	// Form is the form: the file itself, or the package's form entry.
	Form FormDocument
	Size int64
}

// ReadInput reads the form of a file to submit: a signed package (its
// form entry, after the package passed signer's hardened reader and its
// integrity check) or a JSON form. The form must name its procedure.
// Errors wrap ErrNotForm, signer.ErrMalformed or signer.ErrTooLarge, or
// the operating system's error.
func ReadInput(ctx context.Context, path string) (*Input, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("submit: %w", err)
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		return nil, fmt.Errorf("submit: %w", err)
	}
	if !fi.Mode().IsRegular() {
		return nil, fmt.Errorf("%w: %s is not a regular file", ErrNotForm, path)
	}
	magic := make([]byte, 4)
	n, _ := io.ReadFull(f, magic)
	in := &Input{Path: path, Size: fi.Size()}
	var form []byte
	if n == 4 && bytes.Equal(magic, []byte("PK\x03\x04")) {
		in.MediaType = MediaASiCE
		form, _, err = ReadPackageForm(ctx, path)
	} else {
		in.MediaType = MediaJSON
		if fi.Size() > MaxForm {
			return nil, fmt.Errorf("%w: %s: a form is at most %d bytes", ErrNotForm, path, MaxForm)
		}
		form, err = io.ReadAll(io.NewSectionReader(f, 0, MaxForm))
	}
	if err != nil {
		return nil, err
	}
	if err := jsonx.CheckKeys(form); err != nil {
		return nil, fmt.Errorf("%w: %v", ErrNotForm, err)
	}
	if err := json.Unmarshal(form, &in.Form); err != nil {
		return nil, fmt.Errorf("%w: the form is not JSON: %v", ErrNotForm, err)
	}
	if in.Form.Procedure == "" {
		return nil, fmt.Errorf("%w: the form names no procedure", ErrNotForm)
	}
	return in, nil
}

// ReadPackageForm checks the package at path with signer.Verify
// (structure, manifest, digests, signature; no trust anchors, so the
// certificate is not judged here) and returns its form entry's bytes and
// the report. A package whose integrity fails is ErrNotForm.
func ReadPackageForm(ctx context.Context, path string) ([]byte, *signer.Report, error) {
	rep, err := signer.Verify(ctx, path, signer.VerifyOptions{})
	if err != nil {
		return nil, nil, fmt.Errorf("submit: %w", err)
	}
	if !rep.Integrity.OK {
		return nil, rep, fmt.Errorf("%w: the package's signature or contents do not verify (%s)", ErrNotForm, rep.Integrity.Reason)
	}
	name := ""
	for _, fr := range rep.Files {
		if fr.Form {
			name = fr.Name
		}
	}
	if name == "" {
		return nil, rep, fmt.Errorf("%w: the package marks no form", ErrNotForm)
	}
	zr, err := zip.OpenReader(path)
	if err != nil {
		return nil, rep, fmt.Errorf("%w: %v", signer.ErrMalformed, err)
	}
	defer zr.Close()
	for _, e := range zr.File {
		if e.Name != name {
			continue
		}
		rc, err := e.Open()
		if err != nil {
			return nil, rep, fmt.Errorf("%w: %v", signer.ErrMalformed, err)
		}
		defer rc.Close()
		data, err := iox.ReadAll(rc, MaxForm)
		if errors.Is(err, iox.ErrTooLarge) {
			return nil, rep, fmt.Errorf("%w: the form is larger than %d bytes", signer.ErrTooLarge, MaxForm)
		}
		if err != nil {
			return nil, rep, fmt.Errorf("%w: %v", signer.ErrMalformed, err)
		}
		return data, rep, nil
	}
	return nil, rep, fmt.Errorf("%w: the form entry is missing", ErrNotForm)
}
