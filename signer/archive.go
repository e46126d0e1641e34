package signer

import (
	"archive/zip"
	"context"
	"crypto/sha256"
	"errors"
	"fmt"
	"io"
	"os"
	"time"

	"github.com/digitorus/pkcs7"
	"github.com/digitorus/timestamp"

	"github.com/shinsei-app/shinsei/internal/fsx"
)

// Archive time-stamps (ETSI EN 319 162-1, ASiC-E with CAdES, long-term
// level): META-INF/ASiCArchiveManifest.xml names a time-stamp token
// (META-INF/timestampNNN.tst) with its SigReference and lists, with their
// digests, every other entry of the container — the data objects, the
// signatures, their manifests, and the archive manifests and tokens that
// came before. A renewal renames the current archive manifest to
// META-INF/ASiCArchiveManifestNNN.xml (its bytes, and so its token's
// imprint, unchanged) and writes a new ASiCArchiveManifest.xml that seals
// it, marked Rootfile, beside everything else: a chain in which each
// token proves the one before it existed while its authority was valid.
const (
	// ArchiveManifestName is the current archive manifest of a package.
	ArchiveManifestName = metaInf + "ASiCArchiveManifest.xml"
	timestampMime       = "application/vnd.etsi.timestamp-token"
	manifestMime        = "text/xml"
)

// ArchiveResult describes the archive time-stamp ArchivePackage added.
type ArchiveResult struct {
	// Manifest is the new archive manifest (ArchiveManifestName), Token
	// its time-stamp token's entry, Time the token's genTime and TSA its
	// authority's certificate subject.
	Manifest string
	Token    string
	Time     time.Time
	TSA      string
	// TSANotAfter is when the authority's certificate expires: the new
	// archive time-stamp must be renewed before then.
	TSANotAfter time.Time
	// Renamed is the name the previous archive manifest was given, empty
	// for the first archive time-stamp.
	Renamed string
	// Covered counts the entries the new manifest seals.
	Covered int
}

// ArchivePackage adds an archive time-stamp from tsa to the package at
// pkgPath: a new META-INF/ASiCArchiveManifest.xml over every entry but
// the mimetype (the previous archive manifest renamed and sealed with
// them), and its RFC 3161 token. The package is rewritten next to itself
// and renamed over it; every other entry is copied byte for byte, so
// signatures, manifests and earlier tokens stay valid. A package with no
// signature is ErrMalformed. Errors of the authority wrap
// ErrTSAUnreachable or ErrTSABadReply, and the package is then unchanged.
func ArchivePackage(ctx context.Context, pkgPath string, tsa TSA) (*ArchiveResult, error) {
	st, err := os.Stat(pkgPath)
	if err != nil {
		return nil, fmt.Errorf("signer: open package: %w", err)
	}
	f, err := os.Open(pkgPath)
	if err != nil {
		return nil, fmt.Errorf("signer: open package: %w", err)
	}
	defer f.Close()
	zr, err := openPackage(f, st.Size())
	if err != nil {
		return nil, err
	}
	names := map[string]bool{}
	signed := false
	for _, e := range zr.File {
		names[e.Name] = true
		signed = signed || isSignatureName(e.Name)
	}
	if !signed {
		return nil, fmt.Errorf("%w: no signature (META-INF/*signature*.p7s) to archive", ErrMalformed)
	}
	res := &ArchiveResult{Manifest: ArchiveManifestName, Token: nextFree(names, metaInf+"timestamp%03d.tst")}
	if names[ArchiveManifestName] {
		res.Renamed = nextFree(names, metaInf+"ASiCArchiveManifest%03d.xml")
	}
	var refs []manifestEntry
	for _, e := range zr.File {
		if isDir(e) || e.Name == mimetypeName {
			continue
		}
		h := sha256.New()
		if _, err := readEntry(ctx, e, h, maxEntrySize); err != nil {
			if refused(err) {
				return nil, err
			}
			return nil, fmt.Errorf("%w: %w", ErrMalformed, err)
		}
		name := e.Name
		if name == ArchiveManifestName {
			name = res.Renamed
		}
		refs = append(refs, manifestEntry{Name: name, MimeType: archiveMime(name), SHA256: h.Sum(nil), Root: name == res.Renamed})
	}
	manifest := marshalArchiveManifest(res.Token, refs)
	token, err := tsa.Stamp(ctx, manifest)
	if err != nil {
		return nil, err
	}
	res.Time, res.TSA, res.TSANotAfter = tokenInfo(token)
	res.Covered = len(refs)

	out, err := fsx.Create(pkgPath, st.Mode().Perm())
	if err != nil {
		return nil, fmt.Errorf("signer: rewrite package: %w", err)
	}
	defer out.Abort()
	zw := zip.NewWriter(out.File)
	for _, e := range zr.File {
		if e.Name != ArchiveManifestName {
			if err := zw.Copy(e); err != nil {
				return nil, fmt.Errorf("signer: rewrite package: %w", err)
			}
			continue
		}
		// The previous archive manifest under its new name, its bytes
		// as they were.
		fh := e.FileHeader
		fh.Name = res.Renamed
		w, err := zw.CreateRaw(&fh)
		if err == nil {
			var rc io.Reader
			if rc, err = e.OpenRaw(); err == nil {
				_, err = io.Copy(w, rc)
			}
		}
		if err != nil {
			return nil, fmt.Errorf("signer: rewrite package: %w", err)
		}
	}
	now := time.Now()
	if !res.Time.IsZero() {
		now = res.Time
	}
	if err := writeSmall(zw, ArchiveManifestName, manifest, now); err != nil {
		return nil, err
	}
	if err := writeSmall(zw, res.Token, token, now); err != nil {
		return nil, err
	}
	if err := zw.Close(); err != nil {
		return nil, fmt.Errorf("signer: rewrite package: %w", err)
	}
	// Closed before the rename: Windows refuses to replace a file that
	// is open.
	f.Close()
	if err := out.Commit(); err != nil && !errors.Is(err, fsx.ErrDirNotSynced) {
		return nil, fmt.Errorf("signer: rewrite package: %w", err)
	}
	return res, nil
}

// nextFree returns the first of pattern's names (numbered from 1) that
// is not among names.
func nextFree(names map[string]bool, pattern string) string {
	for i := 1; ; i++ {
		if n := fmt.Sprintf(pattern, i); !names[n] {
			return n
		}
	}
}

// archiveMime is the MIME type an archive manifest gives an entry.
func archiveMime(name string) string {
	switch {
	case isManifestName(name) || isArchiveManifestName(name):
		return manifestMime
	case isSignatureName(name):
		return signatureMime
	case isTimestampName(name):
		return timestampMime
	}
	return mimeType(name)
}

// marshalArchiveManifest writes an ASiCArchiveManifest naming token and
// sealing refs (SHA-256): an ASiCManifest whose SigReference is the token.
func marshalArchiveManifest(token string, refs []manifestEntry) []byte {
	return writeManifest(token, timestampMime, refs)
}

// tokenInfo reads a time-stamp token's genTime, its authority's subject
// and when the authority's certificate expires (zero values for what it
// does not tell).
func tokenInfo(token []byte) (genTime time.Time, tsa string, notAfter time.Time) {
	ts, err := timestamp.Parse(token)
	if err != nil {
		return
	}
	genTime = ts.Time
	if p7, err := pkcs7.Parse(token); err == nil {
		if c := p7.GetOnlySigner(); c != nil {
			tsa, notAfter = c.Subject.String(), c.NotAfter
		}
	}
	return
}

// CurrentArchive describes the package's current archive time-stamp
// (META-INF/ASiCArchiveManifest.xml and the token it names): its token's
// entry, genTime, authority and when the authority's certificate
// expires. It is nil when the package has none. Nothing is verified
// here: Verify does that.
func CurrentArchive(ctx context.Context, pkgPath string) (*ArchiveResult, error) {
	f, err := os.Open(pkgPath)
	if err != nil {
		return nil, fmt.Errorf("signer: open package: %w", err)
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return nil, fmt.Errorf("signer: open package: %w", err)
	}
	zr, err := openPackage(f, st.Size())
	if err != nil {
		return nil, err
	}
	byName := map[string]*zip.File{}
	for _, e := range zr.File {
		byName[e.Name] = e
	}
	m := byName[ArchiveManifestName]
	if m == nil {
		return nil, nil
	}
	data, err := readMeta(ctx, m)
	if err != nil {
		return nil, err
	}
	p, err := parseManifest(data)
	if err != nil {
		return nil, fmt.Errorf("%w: %s: %w", ErrMalformed, ArchiveManifestName, err)
	}
	res := &ArchiveResult{Manifest: ArchiveManifestName, Token: p.SigRef, Covered: len(p.Entries)}
	tok, err := readMeta(ctx, byName[p.SigRef])
	if err != nil {
		return nil, err
	}
	res.Time, res.TSA, res.TSANotAfter = tokenInfo(tok)
	return res, nil
}
