package signer

import (
	"archive/zip"
	"bytes"
	"context"
	"crypto"
	"fmt"
	"slices"
	"strings"
	"time"
)

// Reasons of an archive time-stamp that does not hold. Those about the
// package's entries fail the report's integrity (the package is not what
// was archived); those about the token leave the report undecided, as a
// signature-time-stamp that does not hold does.
const (
	// ReasonArchiveFileChanged: an entry differs from the digest the
	// archive manifest sealed.
	ReasonArchiveFileChanged = "archive-file-changed"
	// ReasonArchiveFileMissing: the archive manifest seals an entry that
	// is not in the package.
	ReasonArchiveFileMissing = "archive-file-missing"
	// ReasonArchiveFileUncovered: an entry of the package is not sealed
	// by the current archive manifest (added after the archive
	// time-stamp).
	ReasonArchiveFileUncovered = "archive-file-uncovered"
	// ReasonArchiveTimestampInvalid: the archive time-stamp token is
	// missing, does not parse, or its signature does not verify.
	ReasonArchiveTimestampInvalid = "archive-timestamp-invalid"
	// ReasonArchiveImprintMismatch: the token is over other data than its
	// archive manifest.
	ReasonArchiveImprintMismatch = "archive-timestamp-imprint-mismatch"
	// ReasonArchiveNotTSA: the token's signer has no id-kp-timeStamping.
	ReasonArchiveNotTSA = "archive-timestamp-not-tsa"
	// ReasonArchiveUntrusted: the authority does not chain to the anchors
	// at the time it is checked (now, or the time a later archive
	// time-stamp proves): the token proves nothing, and says nothing
	// against the package.
	ReasonArchiveUntrusted = "archive-timestamp-untrusted"
)

// ArchiveReasons lists every reason of an archive time-stamp.
var ArchiveReasons = []string{ReasonArchiveFileChanged, ReasonArchiveFileMissing, ReasonArchiveFileUncovered,
	ReasonArchiveTimestampInvalid, ReasonArchiveImprintMismatch, ReasonArchiveNotTSA, ReasonArchiveUntrusted}

// archiveOfToken maps the reasons of a token check to those of an
// archive time-stamp.
var archiveOfToken = map[string]string{
	ReasonTimestampInvalid:            ReasonArchiveTimestampInvalid,
	ReasonTimestampCertificateMissing: ReasonArchiveTimestampInvalid,
	ReasonTimestampImprintMismatch:    ReasonArchiveImprintMismatch,
	ReasonTimestampNotTSA:             ReasonArchiveNotTSA,
	ReasonTimestampUntrusted:          ReasonArchiveUntrusted,
}

// existence is a proof that an entry existed at a time: the genTime of
// an archive time-stamp that holds and seals it.
type existence struct {
	at time.Time
	by string
}

// archiveEvidence is what the archive time-stamps of a package hold.
type archiveEvidence struct {
	// results are the archive time-stamps' results by manifest name.
	results map[string]*SignatureResult
	// existed is the earliest proven existence of each sealed entry.
	existed map[string]existence
	// failures fail the package's integrity; undecided leave it open.
	failures  []Check
	undecided []Remark
}

// optsFor returns opts for the signature sig: its proven existence, when
// an archive time-stamp proves one, moves its checks back to that time.
func (ev *archiveEvidence) optsFor(sig string, opts VerifyOptions) VerifyOptions {
	if e, ok := ev.existed[sig]; ok {
		opts.existedAt, opts.existedBy = e.at, e.by
	}
	return opts
}

// archiveState is one archive manifest as its evidence is weighed.
type archiveState struct {
	name   string
	data   []byte
	parsed *parsedManifest
	result *SignatureResult
}

// isArchive reports whether a manifest is an archive manifest: one named
// so, or a time-stamp token's manifest that seals container entries.
func isArchive(name string, p *parsedManifest) bool {
	if !isTimestampName(p.SigRef) {
		return false
	}
	return isArchiveManifestName(name) || slices.ContainsFunc(p.Entries, func(e manifestEntry) bool { return reserved(e.Name) })
}

// chainOrder sorts archive manifests oldest first: the numbered ones by
// name, then the current ASiCArchiveManifest.xml.
func chainOrder(a, b *archiveState) int {
	switch {
	case a.name == ArchiveManifestName:
		return 1
	case b.name == ArchiveManifestName:
		return -1
	}
	return strings.Compare(a.name, b.name)
}

// verifyArchives weighs the package's archive time-stamps, newest first:
// each token is checked over its manifest, and its authority at the time
// the next newer time-stamp proves the token existed (at opts.At, or now,
// for the newest); every entry it seals must be unchanged, and the newest
// must seal every entry but the mimetype and itself. A token that holds
// proves its entries existed at its genTime.
func verifyArchives(ctx context.Context, zr *zip.Reader, byName map[string]*zip.File, opts VerifyOptions) (*archiveEvidence, error) {
	ev := &archiveEvidence{results: map[string]*SignatureResult{}, existed: map[string]existence{}}
	var arcs []*archiveState
	for _, f := range zr.File {
		if !isManifestName(f.Name) && !isArchiveManifestName(f.Name) {
			continue
		}
		data, err := readMeta(ctx, f)
		if err != nil {
			return nil, err
		}
		p, perr := parseManifest(data)
		if perr != nil || !isArchive(f.Name, p) {
			continue // judged as a manifest by verifyPackage
		}
		arcs = append(arcs, &archiveState{name: f.Name, data: data, parsed: p})
	}
	if len(arcs) == 0 {
		return ev, nil
	}
	slices.SortFunc(arcs, chainOrder)
	digests := map[string][]byte{} // name + hash → digest, each entry read once per hash
	digest := func(f *zip.File, h crypto.Hash) ([]byte, error) {
		key := fmt.Sprintf("%s\x00%d", f.Name, h)
		if d, ok := digests[key]; ok {
			return d, nil
		}
		hh := h.New()
		if _, err := readEntry(ctx, f, hh, maxEntrySize); err != nil {
			if refused(err) {
				return nil, err
			}
			digests[key] = nil // unreadable: differs from any digest
			return nil, nil
		}
		digests[key] = hh.Sum(nil)
		return digests[key], nil
	}
	at := opts.At
	if at.IsZero() {
		at = time.Now()
	}
	for i := len(arcs) - 1; i >= 0; i-- {
		a := arcs[i]
		sr := &SignatureResult{Name: a.parsed.SigRef, Manifest: a.name, Kind: KindArchiveTimestamp, Format: "RFC 3161",
			Certificate: Check{Reason: ReasonCertificateNotChecked}}
		for _, e := range a.parsed.Entries {
			sr.Covers = append(sr.Covers, e.Name)
		}
		a.result, ev.results[a.name] = sr, sr
		// The entries it seals.
		sr.Integrity = Check{OK: true}
		for _, e := range a.parsed.Entries {
			f := byName[e.Name]
			if f == nil || isDir(f) {
				sr.Integrity = fail(ReasonArchiveFileMissing, fmt.Sprintf("%s seals %q, which is not in the package", a.name, e.Name))
				break
			}
			d, err := digest(f, e.Hash)
			if err != nil {
				return nil, err
			}
			if !bytes.Equal(d, e.Digest) {
				sr.Integrity = fail(ReasonArchiveFileChanged, fmt.Sprintf("%s seals %q, which has changed since", a.name, e.Name))
				break
			}
		}
		if sr.Integrity.OK && i == len(arcs)-1 {
			sealed := map[string]bool{a.name: true, a.parsed.SigRef: true, mimetypeName: true}
			for _, e := range a.parsed.Entries {
				sealed[e.Name] = true
			}
			for _, f := range zr.File {
				if !sealed[f.Name] && !isDir(f) {
					sr.Integrity = fail(ReasonArchiveFileUncovered, fmt.Sprintf("%q is not sealed by %s (added after its archive time-stamp)", f.Name, a.name))
					break
				}
			}
		}
		if !sr.Integrity.OK {
			ev.failures = append(ev.failures, sr.Integrity)
			continue
		}
		// The token, its authority checked when the newer time-stamps
		// prove it existed.
		tf := byName[a.parsed.SigRef]
		if tf == nil {
			sr.Integrity = fail(ReasonArchiveTimestampInvalid, fmt.Sprintf("%s names %s, which is not in the package", a.name, a.parsed.SigRef))
			ev.undecided = append(ev.undecided, Remark{Reason: sr.Integrity.Reason, Detail: sr.Integrity.Detail})
			continue
		}
		tok, err := readMeta(ctx, tf)
		if err != nil {
			return nil, err
		}
		checkAt := at
		if e, ok := ev.existed[a.parsed.SigRef]; ok && e.at.Before(checkAt) {
			checkAt = e.at
		}
		ts := checkTimestamp(tok, a.data, opts, checkAt)
		if !ts.Time.IsZero() {
			t := ts.Time
			sr.SigningTime = &t
		}
		reason := archiveOfToken[ts.Check.Reason]
		switch {
		case ts.Check.OK:
			sr.Certificate = Check{OK: true, Detail: fmt.Sprintf("time-stamp authority %s, valid at %s", ts.TSA, checkAt.UTC().Format(time.RFC3339))}
		case reason == ReasonArchiveUntrusted:
			sr.Certificate = fail(reason, ts.Check.Detail)
		case reason == ReasonArchiveImprintMismatch:
			sr.Integrity = fail(reason, a.name+" is not what "+a.parsed.SigRef+" time-stamped")
		default:
			sr.Integrity = fail(reason, a.parsed.SigRef+": "+ts.Check.Detail)
		}
		if !sr.Integrity.OK {
			ev.undecided = append(ev.undecided, Remark{Reason: sr.Integrity.Reason, Detail: "archive time-stamp: " + sr.Integrity.Detail})
			continue
		}
		if !ts.Check.OK {
			continue
		}
		by := ts.TSA
		for _, e := range a.parsed.Entries {
			if old, ok := ev.existed[e.Name]; !ok || ts.Time.Before(old.at) {
				ev.existed[e.Name] = existence{at: ts.Time, by: by}
			}
		}
	}
	return ev, nil
}
