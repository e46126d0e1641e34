package flow

import (
	"context"
	"errors"
	"net/http"

	"github.com/shinsei-app/shinsei/signer"
)

// ErrNoTSA means no time-stamp authority is known: none configured
// (Config.TSAURL) and none announced by the service's catalogue.
var ErrNoTSA = errors.New("no time-stamp authority is configured or announced by the service")

// tsa returns the time-stamp authority to ask: the configuration's, or
// the one the service's catalogue announces; nil when there is none.
func (a *App) tsa(ctx context.Context) *signer.TSA {
	url := a.cfg.TSAURL
	if url == "" {
		if st := a.serviceTrust(ctx); st != nil {
			url = st.TSAURL
		}
	}
	if url == "" {
		return nil
	}
	return &signer.TSA{URL: url, Client: &http.Client{Transport: http.DefaultTransport}}
}

// stampBeforeSubmit adds a signature time-stamp to the signatures of the
// package at path that have none — a package signed while the
// authority could not be reached — before it is queued. It is best
// effort: without an authority, or with one that fails, the package is
// sent as it is (its signatures are valid without a time-stamp).
func (a *App) stampBeforeSubmit(ctx context.Context, path string) {
	if tsa := a.tsa(ctx); tsa != nil {
		_, _ = signer.TimestampPackage(ctx, path, *tsa)
	}
}

// Stamped is the outcome of Timestamp.
type Stamped struct {
	// Path is the package.
	Path string `json:"path"`
	// Added counts the signatures that got a time-stamp; 0 means all had
	// one already and the package was left as it was.
	Added int `json:"added"`
}

// Timestamp adds a signature time-stamp (CAdES-T) to every signature of
// the package at path that has none, from the configured or announced
// time-stamp authority: what a package signed while the authority was
// down gets later. The signatures are not touched, so they stay valid.
// Without an authority it ends with ErrNoTSA; an authority that cannot be
// reached or answers wrongly ends with signer.ErrTSAUnreachable or
// signer.ErrTSABadReply and the package unchanged.
func (a *App) Timestamp(ctx context.Context, path string) (*Stamped, error) {
	if err := checkInputFile(path); err != nil {
		return nil, err
	}
	tsa := a.tsa(ctx)
	if tsa == nil {
		return nil, &Error{Op: "timestamp", Err: ErrNoTSA}
	}
	n, err := signer.TimestampPackage(ctx, path, *tsa)
	if err != nil {
		return nil, &Error{Op: "timestamp", Err: err}
	}
	return &Stamped{Path: path, Added: n}, nil
}
