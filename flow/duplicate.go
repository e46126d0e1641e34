package flow

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"os"

	"github.com/shinsei-app/shinsei/internal/iox"
	"github.com/shinsei-app/shinsei/submit"
)

// ErrAlreadyReceived is matched by *AlreadyReceivedError: the service
// already gave a receipt for the very same package, so it was not sent
// again (SubmitRequest.Again sends it anyway).
var ErrAlreadyReceived = errors.New("flow: this package was already received by the service; it was not sent again")

// AlreadyReceivedError reports a package the journal holds a receipt
// for: nothing was sent. It matches ErrAlreadyReceived.
type AlreadyReceivedError struct {
	// Record is the journal's receipt of the earlier submission.
	Record submit.Record
}

// Error names the arrival number that has the package.
func (e *AlreadyReceivedError) Error() string {
	return fmt.Sprintf("%v (arrival number %s, received %s)", ErrAlreadyReceived, e.Record.ArrivalNumber,
		e.Record.ReceivedAt.UTC().Format("2006-01-02 15:04:05Z"))
}

// Unwrap returns ErrAlreadyReceived.
func (e *AlreadyReceivedError) Unwrap() error { return ErrAlreadyReceived }

// fileSHA256 returns the hex SHA-256 of the file at path.
func fileSHA256(ctx context.Context, path string) (string, error) {
	f, err := os.Open(path)
	if err != nil {
		return "", err
	}
	defer f.Close()
	h := sha256.New()
	if _, err := io.Copy(h, iox.WithContext(ctx, f)); err != nil {
		return "", err
	}
	return hex.EncodeToString(h.Sum(nil)), nil
}

// Received returns the journal's receipt of a package with this SHA-256
// at the configured service, the latest one, if it has any.
func (a *App) Received(sha string) (*submit.Record, bool) {
	if a.journal == nil || a.client == nil {
		return nil, false
	}
	recs, err := a.journal.Receipts()
	if err != nil {
		return nil, false
	}
	for i := len(recs) - 1; i >= 0; i-- {
		if recs[i].Service == a.client.BaseURL() && recs[i].PackageSHA256 == sha {
			return &recs[i], true
		}
	}
	return nil, false
}

// queuedAs returns the outbox item waiting with a package of this
// SHA-256 for the configured service, if there is one.
func (a *App) queuedAs(sha string) (*submit.Item, bool) {
	items, err := a.outbox.Pending()
	if err != nil {
		return nil, false
	}
	for i := range items {
		if items[i].Service == a.client.BaseURL() && items[i].SHA256 == sha {
			return &items[i], true
		}
	}
	return nil, false
}
