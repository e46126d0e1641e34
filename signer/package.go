package signer

import (
	"archive/zip"
	"bytes"
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"math"
	"os"
	"slices"
	"strings"

	"github.com/shinsei-app/shinsei/internal/iox"
)

// Limits of the package reader. ZIP headers are only claims: every limit
// is also enforced on the bytes actually read.
const (
	maxEntries       = 4096
	maxEntrySize     = math.MaxUint32 // also the largest file Build accepts (no ZIP64)
	maxTotalSize     = 16 << 30
	maxRatio         = 100     // uncompressed:compressed, above ratioFloor
	ratioFloor       = 1 << 20 // small entries may compress better
	maxMetaSize      = 1 << 20 // the manifest and the signature
	maxManifests     = 64      // manifests, each verified with its signature
	maxDirectoryRead = 16 << 20
)

// Verify verifies the package at pkgPath: its structure, the CAdES-BES
// signature over the manifest, the signing-certificate-v2 attribute, the
// digest of every file and the signer's certificate path at opts.At.
func Verify(ctx context.Context, pkgPath string, opts VerifyOptions) (*Report, error) {
	f, err := os.Open(pkgPath)
	if err != nil {
		return nil, fmt.Errorf("signer: open package: %w", err)
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		return nil, fmt.Errorf("signer: open package: %w", err)
	}
	if !fi.Mode().IsRegular() {
		return nil, fmt.Errorf("%w: the package is not a regular file", ErrMalformed)
	}
	return verifyPackage(ctx, f, fi.Size(), opts)
}

// openPackage parses the ZIP directory under a read budget and refuses
// archives that are unsafe to process or extract.
func openPackage(ra io.ReaderAt, size int64) (*zip.Reader, error) {
	budget := &budgetReaderAt{r: ra, left: maxDirectoryRead}
	zr, err := zip.NewReader(budget, size)
	switch {
	case errors.Is(err, errBudget):
		return nil, fmt.Errorf("%w: ZIP directory over %d MiB", ErrTooLarge, maxDirectoryRead>>20)
	case err != nil && !errors.Is(err, zip.ErrInsecurePath): // names are checked below
		return nil, fmt.Errorf("%w: not a ZIP file: %w", ErrMalformed, err)
	}
	budget.left = math.MaxInt64 // the directory is read; entries have their own limits
	if len(zr.File) > maxEntries {
		return nil, fmt.Errorf("%w: %d entries, more than %d", ErrTooLarge, len(zr.File), maxEntries)
	}
	seen := make(map[string]bool, len(zr.File))
	var total uint64
	for _, f := range zr.File {
		name := f.Name
		if isDir(f) {
			name = strings.TrimSuffix(name, "/")
		}
		if err := checkName(name); err != nil {
			return nil, fmt.Errorf("%w: entry %q: %w", ErrMalformed, f.Name, err)
		}
		if seen[nameKey(name)] {
			return nil, fmt.Errorf("%w: entry %q: another entry has the same name, ignoring case and Unicode normalization", ErrMalformed, f.Name)
		}
		seen[nameKey(name)] = true
		switch mode := f.Mode(); {
		case mode&fs.ModeSymlink != 0:
			return nil, fmt.Errorf("%w: entry %q is a symbolic link", ErrMalformed, f.Name)
		case isDir(f) && (f.UncompressedSize64 != 0 || f.CompressedSize64 != 0):
			return nil, fmt.Errorf("%w: directory entry %q has content", ErrMalformed, f.Name)
		case !isDir(f) && !mode.IsRegular():
			return nil, fmt.Errorf("%w: entry %q is not a regular file", ErrMalformed, f.Name)
		case f.UncompressedSize64 > maxEntrySize || f.CompressedSize64 > maxEntrySize:
			return nil, fmt.Errorf("%w: entry %q is over %d bytes", ErrTooLarge, f.Name, uint64(maxEntrySize))
		case f.UncompressedSize64 > max(ratioFloor, maxRatio*f.CompressedSize64):
			return nil, fmt.Errorf("%w: entry %q expands more than %d:1", ErrTooLarge, f.Name, maxRatio)
		}
		if total += f.UncompressedSize64; total > maxTotalSize {
			return nil, fmt.Errorf("%w: entries total over %d GiB", ErrTooLarge, maxTotalSize>>30)
		}
	}
	return zr, nil
}

func isDir(f *zip.File) bool { return strings.HasSuffix(f.Name, "/") }

// checkMimetype asks for the mimetype entry first, at offset 0, stored,
// without extra field or data descriptor, holding the ASiC-E MIME type.
func checkMimetype(ra io.ReaderAt, zr *zip.Reader) Check {
	if !slices.ContainsFunc(zr.File, func(f *zip.File) bool { return f.Name == mimetypeName }) {
		return fail(ReasonMimetypeInvalid, "no mimetype entry")
	}
	if zr.File[0].Name != mimetypeName {
		return fail(ReasonMimetypeInvalid, "mimetype is not the first entry")
	}
	f := zr.File[0]
	if f.Method != zip.Store {
		return fail(ReasonMimetypeInvalid, "mimetype is compressed")
	}
	const headerLen = 30
	want := mimetypeName + mimetypeASiCE
	local := make([]byte, headerLen+len(want))
	if _, err := ra.ReadAt(local, 0); err != nil {
		return fail(ReasonMimetypeInvalid, "mimetype is not at the start of the package")
	}
	le := binary.LittleEndian
	switch {
	case le.Uint32(local) != 0x04034b50 || le.Uint16(local[8:]) != zip.Store || le.Uint16(local[26:]) != uint16(len(mimetypeName)):
		return fail(ReasonMimetypeInvalid, "mimetype is not at the start of the package")
	case le.Uint16(local[6:])&0x8 != 0:
		return fail(ReasonMimetypeInvalid, "mimetype has a data descriptor")
	case le.Uint16(local[28:]) != 0 || len(f.Extra) != 0:
		return fail(ReasonMimetypeInvalid, "mimetype has an extra field")
	case string(local[headerLen:]) != want || f.UncompressedSize64 != uint64(len(mimetypeASiCE)):
		return fail(ReasonMimetypeInvalid, "mimetype is not "+mimetypeASiCE)
	}
	if off, err := f.DataOffset(); err != nil || off != headerLen+int64(len(mimetypeName)) {
		return fail(ReasonMimetypeInvalid, "mimetype is not at the start of the package")
	}
	return Check{OK: true}
}

// readMeta reads the manifest or the signature into memory; a missing
// entry is nil.
func readMeta(ctx context.Context, f *zip.File) ([]byte, error) {
	if f == nil {
		return nil, nil
	}
	var b bytes.Buffer
	if _, err := readEntry(ctx, f, &b, maxMetaSize); err != nil {
		if refused(err) {
			return nil, err
		}
		return nil, fmt.Errorf("%w: entry %q: %w", ErrMalformed, f.Name, err)
	}
	return b.Bytes(), nil
}

// readEntry copies f's uncompressed bytes to w, refusing more than limit
// bytes or more than the ratio allows, whatever the headers say.
func readEntry(ctx context.Context, f *zip.File, w io.Writer, limit int64) (int64, error) {
	limit = min(limit, max(ratioFloor, maxRatio*int64(f.CompressedSize64)))
	rc, err := f.Open()
	if err != nil {
		return 0, fmt.Errorf("entry %q: %w", f.Name, err)
	}
	defer rc.Close()
	n, err := iox.Copy(w, iox.WithContext(ctx, rc), limit)
	if errors.Is(err, iox.ErrTooLarge) {
		return n, fmt.Errorf("%w: entry %q expands beyond %d bytes", ErrTooLarge, f.Name, limit)
	}
	return n, err
}

// refused reports whether err ends verification: a limit was hit or the
// context is done.
func refused(err error) bool {
	return errors.Is(err, ErrTooLarge) || errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded)
}

var errBudget = errors.New("read budget exhausted")

// budgetReaderAt fails reads once left bytes have been read.
type budgetReaderAt struct {
	r    io.ReaderAt
	left int64
}

func (b *budgetReaderAt) ReadAt(p []byte, off int64) (int, error) {
	if int64(len(p)) > b.left {
		return 0, errBudget
	}
	b.left -= int64(len(p))
	return b.r.ReadAt(p, off)
}
