package flow

import (
	"context"
	"crypto/x509"
	"time"

	"github.com/shinsei-app/shinsei/certcheck"
	"github.com/shinsei-app/shinsei/signer"
)

// NoticeRef names an official notice: a package file already on disk
// (Path), or a notice of an application to download from the service
// (Arrival and ID).
type NoticeRef struct {
	// Path is a notice package on disk.
	Path string
	// Arrival is the application's arrival number, ID the notice's (as
	// RefreshStatus lists them).
	Arrival string
	ID      string
}

// NoticeReport is the verification of an official notice, its three
// questions answered apart: is it intact, is the signer's certificate a
// trusted official (LGPKI) one valid now, and is it revoked.
type NoticeReport struct {
	// Path is the notice package verified (downloaded into the data
	// directory's notices/ folder when fetched).
	Path string `json:"path"`
	// Integrity: the package is unaltered and its signature valid.
	// Certificate: the signer's certificate is a trusted official one,
	// valid now. Revocation: it is not revoked.
	Integrity   Finding `json:"integrity"`
	Certificate Finding `json:"certificate"`
	Revocation  Finding `json:"revocation"`
	// Signer is the signer's certificate; Official its holder's post or
	// name as the certificate gives it.
	Signer   *x509.Certificate `json:"-"`
	Official string            `json:"official,omitempty"`
	// Domain is the PKI the signer's path ends in (LGPKI expected).
	Domain certcheck.Domain `json:"domain,omitempty"`
	// SigningTime is what the signer claims, for display only.
	SigningTime *time.Time `json:"signing_time,omitempty"`
	// Files are the package's files as verified.
	Files []signer.FileResult `json:"files,omitempty"`
	// Report and Check are the underlying results.
	Report *signer.Report    `json:"-"`
	Check  *certcheck.Result `json:"-"`
}

// OK reports whether nothing is red.
func (r *NoticeReport) OK() bool {
	return r != nil && r.Integrity.Level != Red && r.Certificate.Level != Red && r.Revocation.Level != Red
}

// VerifyNotice verifies an official notice: the package's integrity, the
// signer's certificate against the trust anchors, and its revocation,
// reported apart. A notice named by arrival and ID is downloaded first
// (as the application's owner, or with its inquiry number). The error is
// only for a notice that cannot be read or fetched at all.
func (a *App) VerifyNotice(ctx context.Context, ref NoticeRef) (*NoticeReport, error) {
	return a.verifyNotice(ctx, ref)
}
