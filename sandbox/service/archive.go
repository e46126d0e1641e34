package service

import (
	"context"
	"crypto"
	"crypto/sha256"
	"crypto/x509"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"net/http"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"time"

	"golang.org/x/crypto/ocsp"

	"github.com/shinsei-app/shinsei/certcheck"
	"github.com/shinsei-app/shinsei/internal/fsx"
	"github.com/shinsei-app/shinsei/sandbox/responder"
	"github.com/shinsei-app/shinsei/signer"
	"github.com/shinsei-app/shinsei/submit"
)

// The archive: every package the service receives is kept, as received
// plus what the service adds on receipt, in ArchiveDir(DBPath) as
// ARRIVAL.asice: for a JPKI signature its validation data from the VA
// (which only a registered verifier may obtain), and over the whole
// package an archive time-stamp (ETSI EN 319 162-1
// META-INF/ASiCArchiveManifest.xml and its RFC 3161 token from the
// time-stamp authority the service announces). The receipt carries the
// archived package's SHA-256. RenewArchives adds a new archive time-stamp
// over the previous one before its authority's certificate expires.

// ArchiveDir is where the service whose database is dbPath keeps the
// archived packages.
func ArchiveDir(dbPath string) string { return dbPath + "-archive" }

// ArchiveExt is the extension of an archived package (ARRIVAL.asice).
const ArchiveExt = ".asice"

// archivedFile is a package prepared for the archive in the incoming
// directory, until it is kept under its arrival number.
type archivedFile struct {
	path string
	// sum is the hex SHA-256 of the archived package, "" when no archive
	// time-stamp could be added (no authority, or none reached): the
	// package is kept without one, and RenewArchives adds it.
	sum string
}

func (a *archivedFile) discard() {
	if a != nil && a.path != "" {
		_ = os.Remove(a.path)
	}
}

// archiveCopy prepares the archived copy of a received package whose
// verification found v (nil when its signer was not checked): a copy,
// then the JPKI validation data, then the archive time-stamp. Only a
// failure to write is an error; an authority that does not answer leaves
// the copy without an archive time-stamp.
func (s *Service) archiveCopy(ctx context.Context, body *receivedBody, v *verifiedPackage) (*archivedFile, error) {
	a, err := copyBody(s.store.incoming, body.path)
	if err != nil {
		return nil, err
	}
	if err := s.addJPKIValidationData(ctx, a.path, v); err != nil {
		a.discard()
		return nil, err
	}
	if s.cfg.TSAURL == "" {
		return a, nil
	}
	if _, err := signer.ArchivePackage(ctx, a.path, signer.TSA{URL: s.cfg.TSAURL}); err != nil {
		if errors.Is(err, signer.ErrTSAUnreachable) || errors.Is(err, signer.ErrTSABadReply) {
			return a, nil
		}
		a.discard()
		return nil, err
	}
	sum, err := fileSHA256(a.path)
	if err != nil {
		a.discard()
		return nil, err
	}
	a.sum = sum
	return a, nil
}

// copyBody makes a copy of the received body at path in dir: a hard link
// where the file system allows (every later step writes a new file and
// renames it over the copy, so the body itself is never touched), or a
// copy of its bytes.
func copyBody(dir, path string) (*archivedFile, error) {
	f, err := os.CreateTemp(dir, "archive-*")
	if err != nil {
		return nil, err
	}
	a := &archivedFile{path: f.Name()}
	f.Close()
	if err := os.Remove(a.path); err == nil && os.Link(path, a.path) == nil {
		return a, nil
	}
	out, err := os.OpenFile(a.path, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, 0o600)
	if err != nil {
		return nil, err
	}
	in, err := os.Open(path)
	if err == nil {
		_, err = io.Copy(out, in)
		in.Close()
	}
	if cerr := out.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		a.discard()
		return nil, err
	}
	return a, nil
}

// keepArchive moves the prepared copy into the archive as arrival's.
func (s *Service) keepArchive(a *archivedFile, arrival string) error {
	if a == nil {
		return nil
	}
	if err := os.MkdirAll(s.store.archive, 0o700); err != nil {
		return err
	}
	if err := fsx.Install(a.path, filepath.Join(s.store.archive, arrival+ArchiveExt)); err != nil && !errors.Is(err, fsx.ErrDirNotSynced) {
		return err
	}
	a.path = ""
	return nil
}

func fileSHA256(path string) (string, error) {
	f, err := os.Open(path)
	if err != nil {
		return "", err
	}
	defer f.Close()
	h := sha256.New()
	if _, err := io.Copy(h, f); err != nil {
		return "", err
	}
	return hex.EncodeToString(h.Sum(nil)), nil
}

// jpkiValidationData gathers from the VA (the sandbox's VA responder, whose
// certificate signs the service's OCSP answers) the validation data of a
// JPKI signature: the signer's path, the VA's certificate, and the VA's
// OCSP answer about the signer's certificate now. Nil for any other
// signature: issuers that publish their revocation data let the client
// embed it when signing.
func (s *Service) jpkiValidationData(v *verifiedPackage) (*signer.ValidationData, error) {
	if v == nil || v.domain != certcheck.DomainJPKI || len(v.chain) < 2 {
		return nil, nil
	}
	leaf, issuer := v.chain[0], v.chain[1]
	req, err := ocsp.CreateRequest(leaf, issuer, &ocsp.RequestOptions{Hash: crypto.SHA256})
	if err != nil {
		return nil, fmt.Errorf("service: validation data: %w", err)
	}
	resp, err := responder.RespondVA(s.cfg.PKI, s.cfg.Registry, s.va, req)
	if err != nil {
		return nil, fmt.Errorf("service: validation data: %w", err)
	}
	certs := append(append([]*x509.Certificate{}, v.chain...), s.va.Cert)
	return &signer.ValidationData{Certs: certs, OCSPs: [][]byte{resp}}, nil
}

// addJPKIValidationData adds the VA's validation data to the JPKI
// signature of the package at path (the signature whose signer v
// verified), rewriting that entry when it changes.
func (s *Service) addJPKIValidationData(ctx context.Context, path string, v *verifiedPackage) error {
	vd, err := s.jpkiValidationData(v)
	if err != nil || vd == nil {
		return err
	}
	name := ""
	for _, sig := range v.report.Signatures {
		if sig.Kind == signer.KindCAdES && sig.Signer != nil && sig.Signer.Equal(v.report.Signer) {
			name = sig.Name
			break
		}
	}
	if name == "" {
		return nil
	}
	_, err = signer.AddPackageValidationData(ctx, path, *vd, name)
	return err
}

// Renewal is what RenewArchives did with one archived package.
type Renewal struct {
	// Path is the archived package; Arrival its arrival number.
	Path    string `json:"path"`
	Arrival string `json:"arrival_number"`
	// Expires is when the authority of its current archive time-stamp
	// expires (before the renewal), zero when it had none.
	Expires time.Time `json:"expires,omitzero"`
	// Renewed is true when a new archive time-stamp was added; Token,
	// Time and NewExpires describe it.
	Renewed    bool      `json:"renewed"`
	Token      string    `json:"token,omitempty"`
	Time       time.Time `json:"time,omitzero"`
	NewExpires time.Time `json:"new_expires,omitzero"`
	// Late is true when the previous authority had already expired at
	// the renewal: the new time-stamp cannot vouch for the old one, so
	// the chain proves nothing from before the renewal.
	Late bool `json:"late,omitempty"`
	// Err says why it could not be renewed.
	Err string `json:"error,omitempty"`
}

// RenewArchives adds an archive time-stamp from tsa to every archived
// package in dir (ArchiveDir) whose current archive time-stamp's
// authority expires within before of now — or that has none — covering
// the previous one (signer.ArchivePackage: the previous manifest renamed
// and sealed). Each package is rewritten atomically. It returns what it
// did with each package; the error is for a directory that cannot be
// read, or for the first package that could not be renewed (the others
// are still tried).
func RenewArchives(ctx context.Context, dir string, tsa signer.TSA, now time.Time, before time.Duration) ([]Renewal, error) {
	des, err := os.ReadDir(dir)
	if err != nil {
		return nil, fmt.Errorf("service: archive: %w", err)
	}
	var names []string
	for _, de := range des {
		if de.Type().IsRegular() && strings.HasSuffix(de.Name(), ArchiveExt) {
			names = append(names, de.Name())
		}
	}
	sort.Strings(names)
	var out []Renewal
	var first error
	for _, n := range names {
		if err := ctx.Err(); err != nil {
			return out, err
		}
		r := Renewal{Path: filepath.Join(dir, n), Arrival: strings.TrimSuffix(n, ArchiveExt)}
		cur, err := signer.CurrentArchive(ctx, r.Path)
		if err == nil && cur != nil {
			r.Expires = cur.TSANotAfter
		}
		if err == nil && (cur == nil || cur.TSANotAfter.IsZero() || !cur.TSANotAfter.After(now.Add(before))) {
			var res *signer.ArchiveResult
			if res, err = signer.ArchivePackage(ctx, r.Path, tsa); err == nil {
				r.Renewed, r.Token, r.Time, r.NewExpires = true, res.Token, res.Time, res.TSANotAfter
				r.Late = cur != nil && !cur.TSANotAfter.IsZero() && !res.Time.Before(cur.TSANotAfter)
			}
		}
		if err != nil {
			r.Err = err.Error()
			if first == nil {
				first = fmt.Errorf("service: archive %s: %w", n, err)
			}
		}
		out = append(out, r)
	}
	return out, first
}

// handleArchive answers GET /applications/{arrival}/archive: the package
// as the service archived it (with the validation data and archive
// time-stamps it added), to whoever may see the application's status.
// An application received without a signed package, or not archived, is
// not found.
func (s *Service) handleArchive(w http.ResponseWriter, r *http.Request) {
	a, p := s.authorizedApplication(r, r.PathValue("arrival"))
	if p != nil {
		writeProblem(w, p)
		return
	}
	f, err := os.Open(filepath.Join(s.store.archive, a.Arrival+ArchiveExt))
	switch {
	case errors.Is(err, fs.ErrNotExist):
		writeProblem(w, fail(submit.ReasonNotFound, "archived package"))
		return
	case err != nil:
		writeProblem(w, fail(submit.ReasonInternal, ""))
		return
	}
	defer f.Close()
	serveFile(w, f, submit.MediaASiCE, a.Arrival+ArchiveExt)
}
