package signer

import (
	"archive/zip"
	"context"
	"encoding/asn1"
	"errors"
	"fmt"
	"os"

	"github.com/digitorus/pkcs7"

	"github.com/shinsei-app/shinsei/internal/fsx"
)

// ErrArchiveSealed means the package carries an archive time-stamp
// (META-INF/ASiCArchiveManifest*.xml), which seals every signature as it
// is: adding a signature time-stamp now would change a sealed signature,
// and the archive time-stamp would no longer hold (archive-file-changed).
// The package is left as it was; its archive time-stamp already proves
// when its signatures existed.
var ErrArchiveSealed = errors.New("signer: the package is sealed by an archive time-stamp; its signatures cannot be changed")

// TimestampPackage adds a signature-time-stamp token from tsa to every
// signature of the package at pkgPath that has none yet, and returns how
// many it added; 0 means every signature already had one, and the file is
// left as it was. A file with no signature is ErrMalformed. A package
// sealed by an archive time-stamp with a signature that has none is
// ErrArchiveSealed, before the authority is asked. The package is
// rewritten next to itself and renamed over it; the other entries are
// copied unchanged, so signatures and manifests stay valid. Errors of the
// authority wrap ErrTSAUnreachable or ErrTSABadReply, and the package is
// then unchanged.
func TimestampPackage(ctx context.Context, pkgPath string, tsa TSA) (int, error) {
	st, err := os.Stat(pkgPath)
	if err != nil {
		return 0, fmt.Errorf("signer: open package: %w", err)
	}
	zr, err := zip.OpenReader(pkgPath)
	if err != nil {
		return 0, fmt.Errorf("%w: %w", ErrMalformed, err)
	}
	defer zr.Close()
	unstamped := map[string][]byte{}
	var names []string
	signatures := 0
	sealedBy := ""
	for _, f := range zr.File {
		if isArchiveManifestName(f.Name) {
			sealedBy = f.Name
		}
		if !isSignatureName(f.Name) {
			continue
		}
		signatures++
		sig, err := readMeta(ctx, f)
		if err != nil {
			return 0, err
		}
		p7, err := parseSignature(sig)
		if err != nil {
			return 0, fmt.Errorf("%s: %w", f.Name, err)
		}
		if hasUnsigned(p7, oidSignatureTimeStampToken) {
			continue
		}
		unstamped[f.Name] = sig
		names = append(names, f.Name)
	}
	if signatures == 0 {
		return 0, fmt.Errorf("%w: no signature (META-INF/*signature*.p7s) to time-stamp", ErrMalformed)
	}
	if len(names) > 0 && sealedBy != "" {
		return 0, fmt.Errorf("%w: %s has no signature time-stamp and is sealed by %s", ErrArchiveSealed, names[0], sealedBy)
	}
	stamped := map[string][]byte{}
	for _, n := range names {
		out, err := StampSignature(ctx, unstamped[n], tsa)
		if err != nil {
			return 0, err
		}
		stamped[n] = out
	}
	if len(stamped) == 0 {
		return 0, nil
	}
	if err := rewriteEntries(zr, pkgPath, st.Mode().Perm(), stamped); err != nil {
		return 0, err
	}
	return len(stamped), nil
}

// hasUnsigned reports whether the (only) signer of p7 has an unsigned
// attribute of type oid.
func hasUnsigned(p7 *pkcs7.PKCS7, oid asn1.ObjectIdentifier) bool {
	for _, a := range p7.Signers[0].UnauthenticatedAttributes {
		if a.Type.Equal(oid) {
			return true
		}
	}
	return false
}

// rewriteEntries rewrites the package zr read from pkgPath with the
// entries named in changed replaced by their new bytes and every other
// entry copied unchanged, next to itself, renamed over it only when
// complete: on any error the package is as it was. zr is closed before
// the rename, as Windows refuses to replace a file that is open.
func rewriteEntries(zr *zip.ReadCloser, pkgPath string, perm os.FileMode, changed map[string][]byte) error {
	out, err := fsx.Create(pkgPath, perm)
	if err != nil {
		return fmt.Errorf("signer: rewrite package: %w", err)
	}
	defer out.Abort()
	zw := zip.NewWriter(out.File)
	for _, f := range zr.File {
		if data, ok := changed[f.Name]; ok {
			if err := writeSmall(zw, f.Name, data, f.Modified); err != nil {
				return err
			}
			continue
		}
		if err := zw.Copy(f); err != nil {
			return fmt.Errorf("signer: rewrite package: %w", err)
		}
	}
	if err := zw.Close(); err != nil {
		return fmt.Errorf("signer: rewrite package: %w", err)
	}
	zr.Close()
	if err := out.Commit(); err != nil && !errors.Is(err, fsx.ErrDirNotSynced) {
		return fmt.Errorf("signer: rewrite package: %w", err)
	}
	return nil
}
