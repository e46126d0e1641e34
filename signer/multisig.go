package signer

import (
	"archive/zip"
	"context"
	"crypto/sha256"
	"fmt"
	"io"
	"os"
	"regexp"
	"slices"
	"strings"
	"time"
)

// Packages with several signatures (ETSI EN 319 162-1 §4.4.3): each
// signature is over its own manifest, META-INF/signatureNNN.p7s over
// META-INF/ASiCManifestNNN.xml. Build writes one when BuildOptions.Carry
// names signed packages: their files, manifests and signatures are copied
// unchanged (a manifest's bytes are what its signature signs, so only the
// manifest's own entry name may change), and the new signature gets the
// next free number; its manifest names the new files and, after them,
// every carried file, so the new signer signs what it carries too.

// carried is what Build copies from the packages of BuildOptions.Carry.
type carried struct {
	readers []*zip.ReadCloser
	files   []*zip.File // data files, in the carried packages' order
	// results describe files for BuildResult: their manifests by their
	// names in the new package.
	results []FileResult
	meta    []metaEntry // manifests (renamed) and signatures
	// sigName and manifestName are the new signature's entries.
	sigName, manifestName string
}

// metaEntry is a container entry copied as bytes.
type metaEntry struct {
	name string
	data []byte
}

func (c *carried) close() {
	if c == nil {
		return
	}
	for _, r := range c.readers {
		r.Close()
	}
}

var numberedSignature = regexp.MustCompile(`^META-INF/signature([0-9]{3})\.p7s$`)

// openCarried checks the packages to carry — each intact (integrity;
// certificates are not judged here), holding only CAdES signatures, no
// file of the same name as another — and opens them for copying. names
// are the new files' names (NFC), which carried files must not take.
func openCarried(ctx context.Context, paths []string, names []string) (_ *carried, err error) {
	c := &carried{}
	defer func() {
		if err != nil {
			c.close()
		}
	}()
	seen := map[string]bool{}
	for _, n := range names {
		seen[nameKey(n)] = true
	}
	sigs := map[string]bool{}
	manifests := map[string]bool{}
	for _, p := range paths {
		rep, err := Verify(ctx, p, VerifyOptions{})
		switch {
		case refused(err):
			return nil, err
		case err != nil:
			return nil, fmt.Errorf("%w: the package to carry %s: %w", ErrInvalidFile, p, err)
		case !rep.Integrity.OK:
			return nil, fmt.Errorf("%w: the package to carry %s is not intact (%s)", ErrInvalidFile, p, rep.Integrity.Reason)
		}
		for _, s := range rep.Signatures {
			if s.Kind != KindCAdES {
				return nil, fmt.Errorf("%w: the package to carry %s holds a time-stamp manifest; only signed manifests can be carried", ErrInvalidFile, p)
			}
		}
		zr, err := zip.OpenReader(p)
		if err != nil {
			return nil, fmt.Errorf("%w: the package to carry %s: %w", ErrInvalidFile, p, err)
		}
		c.readers = append(c.readers, zr)
		byName := map[string]*zip.File{}
		for _, f := range zr.File {
			byName[f.Name] = f
		}
		renamed := map[string]string{}
		for _, s := range rep.Signatures {
			renamed[s.Manifest] = s.Manifest
			if m := numberedSignature.FindStringSubmatch(s.Name); m != nil {
				renamed[s.Manifest] = metaInf + "ASiCManifest" + m[1] + ".xml"
			}
		}
		for _, fr := range rep.Files {
			if seen[nameKey(fr.Name)] {
				return nil, fmt.Errorf("%w: %q of the package to carry %s has the name of another file", ErrInvalidFile, fr.Name, p)
			}
			seen[nameKey(fr.Name)] = true
			c.files = append(c.files, byName[fr.Name])
			fr.Form = false
			fr.Manifests = slices.Clone(fr.Manifests)
			for i, m := range fr.Manifests {
				fr.Manifests[i] = renamed[m]
			}
			c.results = append(c.results, fr)
		}
		for _, s := range rep.Signatures {
			if sigs[s.Name] {
				return nil, fmt.Errorf("%w: the package to carry %s holds %s, as another carried package does", ErrInvalidFile, p, s.Name)
			}
			sigs[s.Name] = true
			sig, err := readMeta(ctx, byName[s.Name])
			if err != nil {
				return nil, err
			}
			manifest, err := readMeta(ctx, byName[s.Manifest])
			if err != nil {
				return nil, err
			}
			// The manifest takes its signature's number where it has one.
			name := renamed[s.Manifest]
			if manifests[name] {
				return nil, fmt.Errorf("%w: two carried manifests would be named %s", ErrInvalidFile, name)
			}
			manifests[name] = true
			c.meta = append(c.meta, metaEntry{name, manifest}, metaEntry{s.Name, sig})
		}
	}
	for n := 1; n <= maxManifests; n++ {
		sig := fmt.Sprintf("%ssignature%03d.p7s", metaInf, n)
		manifest := fmt.Sprintf("%sASiCManifest%03d.xml", metaInf, n)
		if !sigs[sig] && !manifests[manifest] {
			c.sigName, c.manifestName = sig, manifest
			break
		}
	}
	if c.sigName == "" {
		return nil, fmt.Errorf("%w: the carried packages hold too many signatures", ErrInvalidFile)
	}
	slices.SortFunc(c.meta, func(a, b metaEntry) int { return strings.Compare(a.name, b.name) })
	return c, nil
}

// writeFiles copies the carried data files into zw as stored entries,
// hashing them for the new manifest (manName); the carried package's own
// CRC is checked by the reader as the entry is read to its end. It
// returns the new manifest's entries and the files' results.
func (c *carried) writeFiles(ctx context.Context, zw *zip.Writer, now time.Time, manName string) ([]manifestEntry, []FileResult, error) {
	var entries []manifestEntry
	var results []FileResult
	for i, f := range c.files {
		h := sha256.New()
		w, err := zw.CreateRaw(storedHeader(f.Name, int64(f.UncompressedSize64), f.CRC32, now))
		if err != nil {
			return nil, nil, fmt.Errorf("signer: write package: %w", err)
		}
		n, err := readEntry(ctx, f, io.MultiWriter(w, h), maxEntrySize)
		switch {
		case refused(err):
			return nil, nil, err
		case err != nil:
			return nil, nil, fmt.Errorf("%w: carried file %q: %w", ErrInvalidFile, f.Name, err)
		case uint64(n) != f.UncompressedSize64:
			return nil, nil, fmt.Errorf("%w: carried file %q is not the size its header says", ErrInvalidFile, f.Name)
		}
		entries = append(entries, manifestEntry{Name: f.Name, MimeType: mimeType(f.Name), SHA256: h.Sum(nil)})
		fr := c.results[i]
		fr.Manifests = append(fr.Manifests, manName)
		results = append(results, fr)
	}
	return entries, results, nil
}

// writeMeta copies the carried manifests and signatures.
func (c *carried) writeMeta(zw *zip.Writer, now time.Time) error {
	for _, m := range c.meta {
		if err := writeSmall(zw, m.name, m.data, now); err != nil {
			return err
		}
	}
	return nil
}

// statCarry refuses a Carry path that is no regular file, before any key
// is used.
func statCarry(paths []string) error {
	for _, p := range paths {
		fi, err := os.Stat(p)
		switch {
		case err != nil:
			return fmt.Errorf("%w: the package to carry: %w", ErrInvalidFile, err)
		case !fi.Mode().IsRegular():
			return fmt.Errorf("%w: the package to carry %s is not a regular file", ErrInvalidFile, p)
		}
	}
	return nil
}
