package flow

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"io"

	"github.com/shinsei-app/shinsei/internal/fsx"
)

// Archived is what ArchivedPackage downloaded.
type Archived struct {
	// Path is the file written; Arrival the application's arrival
	// number.
	Path    string `json:"path"`
	Arrival string `json:"arrival_number"`
	// Size and SHA256 (hex) describe the package downloaded.
	Size   int64  `json:"size"`
	SHA256 string `json:"sha256"`
	// ReceiptSHA256 is the archived package's SHA-256 the receipt named
	// (from the receipts journal), empty when the journal has none;
	// MatchesReceipt is true when the download is that package. A
	// renewal of its archive time-stamp at the service changes the
	// package, so a difference is not by itself a fault: verify it.
	ReceiptSHA256  string `json:"receipt_sha256,omitempty"`
	MatchesReceipt bool   `json:"matches_receipt"`
}

// ArchivedPackage downloads to out the package the service archived for
// the application q.Arrival — the package as sent, with the validation
// data and archive time-stamps the service added — proving the right to
// it as Status does (the inquiry number, given or from the journal, or
// the owner's session). The file is written whole or not at all. An
// application without an archived package ends with the service's
// not-found.
func (a *App) ArchivedPackage(ctx context.Context, q StatusQuery, out string, cb Callbacks) (*Archived, error) {
	if err := a.needService(); err != nil {
		return nil, err
	}
	auth, _, err := a.auth(ctx, q, cb)
	if err != nil {
		return nil, err
	}
	f, err := fsx.Create(out, 0o600)
	if err != nil {
		return nil, &Error{Op: "archived package", Err: err}
	}
	defer f.Abort()
	h := sha256.New()
	n, err := a.client.ArchivedPackage(ctx, q.Arrival, auth, io.MultiWriter(f.File, h))
	if err != nil {
		return nil, &Error{Op: "archived package of " + q.Arrival, Err: err}
	}
	if err := f.Commit(); err != nil && !errors.Is(err, fsx.ErrDirNotSynced) {
		return nil, &Error{Op: "archived package", Err: err}
	}
	res := &Archived{Path: out, Arrival: q.Arrival, Size: n, SHA256: hex.EncodeToString(h.Sum(nil))}
	if rec, ok := a.record(q.Arrival); ok {
		res.ReceiptSHA256 = rec.ArchivedSHA256
		res.MatchesReceipt = rec.ArchivedSHA256 != "" && rec.ArchivedSHA256 == res.SHA256
	}
	return res, nil
}
