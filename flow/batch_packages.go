package flow

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/shinsei-app/shinsei/submit"
)

// BatchPackage is a signed package offered for a batch filing
// (SubmitBatch), with the journal's receipt when the configured service
// already received the very same package (SHA-256): SubmitBatch would
// skip it.
type BatchPackage struct {
	Path   string
	SHA256 string
	// Received is the journal's receipt of the same package, if any.
	Received *submit.Record
	// Err is why the file cannot be filed (it cannot be read).
	Err error
}

// BatchPackages lists the signed packages (files ending in .asice) of
// folder dir, by name, each with its receipt when the service already
// received it, as a surface offers them to SubmitBatch. A folder that is
// missing or cannot be read is ErrInputMissing or ErrInputUnreadable.
func (a *App) BatchPackages(ctx context.Context, dir string) ([]BatchPackage, error) {
	entries, err := os.ReadDir(dir)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return nil, &Error{Op: "batch", Err: fmt.Errorf("%s: %w", dir, ErrInputMissing)}
	case err != nil:
		return nil, &Error{Op: "batch", Err: fmt.Errorf("%s: %w: %w", dir, ErrInputUnreadable, err)}
	}
	var out []BatchPackage
	for _, e := range entries {
		if e.IsDir() || !strings.EqualFold(filepath.Ext(e.Name()), ".asice") {
			continue
		}
		if err := ctx.Err(); err != nil {
			return nil, &Error{Op: "batch", Err: err}
		}
		out = append(out, a.BatchPackageOf(ctx, filepath.Join(dir, e.Name())))
	}
	slices.SortFunc(out, func(x, y BatchPackage) int { return strings.Compare(x.Path, y.Path) })
	return out, nil
}

// BatchPackageOf is BatchPackages for one file.
func (a *App) BatchPackageOf(ctx context.Context, path string) BatchPackage {
	p := BatchPackage{Path: path}
	sum, err := batchFileSHA256(ctx, path)
	if err != nil {
		p.Err = err
		return p
	}
	p.SHA256 = sum
	if r, ok := a.Received(sum); ok {
		p.Received = r
	}
	return p
}
