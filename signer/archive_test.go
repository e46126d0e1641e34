package signer

import (
	"bytes"
	"context"
	"crypto/x509"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/shinsei-app/shinsei/internal/fsx/fsxtest"
	"github.com/shinsei-app/shinsei/sandbox/pki"
)

// archiveTSA issues a time-stamp authority valid from notBefore to
// notAfter and serves it with tokens dated by clock.
func archiveTSA(t *testing.T, name string, notBefore, notAfter time.Time, clock func() time.Time) (*pki.TSA, TSA) {
	t.Helper()
	cred, err := testFixtures(t).pki.Private.IssueTSA(name, notBefore, notAfter)
	if err != nil {
		t.Fatal(err)
	}
	return cred, TSA{URL: tsaServer(t, cred, clock).URL}
}

// archived builds the sample package signed by c, time-stamped by sig
// when given, and archived by arc.
func archived(t *testing.T, c *pki.Credential, sig *TSA, arc TSA) (string, *ArchiveResult) {
	t.Helper()
	pkg, _ := buildWith(t, c, sig)
	res, err := ArchivePackage(context.Background(), pkg, arc)
	if err != nil {
		t.Fatalf("archive: %v", err)
	}
	return pkg, res
}

func archiveResults(r *Report) []SignatureResult {
	var out []SignatureResult
	for _, s := range r.Signatures {
		if s.Kind == KindArchiveTimestamp {
			out = append(out, s)
		}
	}
	return out
}

func TestAnArchiveTimestampSealsEveryEntryAndVerifies(t *testing.T) {
	f := testFixtures(t)
	good, _ := testTSAs(t)
	pkg, res := archived(t, f.official, nil, TSA{URL: tsaServer(t, good, nil).URL})
	if res.Manifest != ArchiveManifestName || res.Token != "META-INF/timestamp001.tst" || res.Renamed != "" || res.Covered != 5 {
		t.Fatalf("archive result %+v", res)
	}
	entries := readEntries(t, pkg)
	manifest := entryData(t, entries, ArchiveManifestName)
	for _, e := range entries {
		if e.Name != "mimetype" && e.Name != ArchiveManifestName && e.Name != res.Token && !bytes.Contains(manifest, []byte(`URI="`+strings.ReplaceAll(e.Name, "住民票", "%E4%BD%8F%E6%B0%91%E7%A5%A8")+`"`)) {
			t.Errorf("the archive manifest does not seal %s", e.Name)
		}
	}
	if entries[0].Name != "mimetype" {
		t.Fatal("the mimetype is no longer first")
	}
	rep, err := Verify(context.Background(), pkg, f.opts())
	if err != nil {
		t.Fatal(err)
	}
	arcs := archiveResults(rep)
	if rep.Outcome() != OutcomeValid || len(arcs) != 1 || !arcs[0].Integrity.OK || !arcs[0].Certificate.OK || arcs[0].SigningTime == nil {
		t.Fatalf("want valid with one archive time-stamp that holds: %s %+v %+v", rep.Outcome(), arcs, rep.Undecided)
	}

	t.Run("openssl ts -verify accepts the token over the archive manifest's bytes", func(t *testing.T) {
		requireOpenSSL(t)
		dir := fsxtest.TempDir(t)
		data := writeFile(t, dir, "ASiCArchiveManifest.xml", manifest)
		tok := writeFile(t, dir, "timestamp001.tst", entryData(t, entries, res.Token))
		out := run(t, "openssl", "ts", "-verify", "-data", data, "-in", tok, "-token_in",
			"-CAfile", writePEM(t, dir, "root.pem", f.pki.Private.Cert), "-untrusted", writePEM(t, dir, "tsa.pem", good.Cert))
		if !strings.Contains(string(out), "Verification: OK") {
			t.Fatalf("openssl ts -verify: %s", out)
		}
	})

	t.Run("a renewal seals the previous archive manifest, renamed, and its token", func(t *testing.T) {
		again := filepath.Join(fsxtest.TempDir(t), "again.asice")
		data, _ := os.ReadFile(pkg)
		if err := os.WriteFile(again, data, 0o600); err != nil {
			t.Fatal(err)
		}
		res2, err := ArchivePackage(context.Background(), again, TSA{URL: tsaServer(t, good, nil).URL})
		if err != nil {
			t.Fatal(err)
		}
		if res2.Renamed != "META-INF/ASiCArchiveManifest001.xml" || res2.Token != "META-INF/timestamp002.tst" || res2.Covered != 7 {
			t.Fatalf("renewal %+v", res2)
		}
		es := readEntries(t, again)
		if !bytes.Equal(entryData(t, es, res2.Renamed), manifest) {
			t.Fatal("the previous archive manifest was changed, not only renamed")
		}
		if !bytes.Contains(entryData(t, es, ArchiveManifestName), []byte(`URI="META-INF/ASiCArchiveManifest001.xml" MimeType="text/xml" Rootfile="true"`)) {
			t.Fatal("the new archive manifest does not seal the previous one as its root")
		}
		rep, err := Verify(context.Background(), again, f.opts())
		if err != nil {
			t.Fatal(err)
		}
		if arcs := archiveResults(rep); rep.Outcome() != OutcomeValid || len(arcs) != 2 {
			t.Fatalf("want valid with two archive time-stamps: %s %+v", rep.Outcome(), arcs)
		}
	})
}

func TestArchiveTimestampsThatDoNotHoldHaveTheirOwnResult(t *testing.T) {
	f := testFixtures(t)
	good, noEKU := testTSAs(t)
	arc := TSA{URL: tsaServer(t, good, nil).URL}
	pkg, res := archived(t, f.official, nil, arc)
	other, _ := archived(t, f.corporate, nil, arc)
	notTSA, _ := archived(t, f.official, nil, TSA{URL: tsaServer(t, noEKU, nil).URL})
	_, token := tokenOf(t, func() string { p, _ := buildWith(t, f.official, &arc); return p }())
	tests := []struct {
		name      string
		pkg       string
		invalid   bool // the package fails; otherwise it is undecided
		reason    string
		arcReason string
	}{
		{"a signature changed since the archive time-stamp is a changed entry", rewrite(t, pkg, func(es []entry) []entry {
			for i := range es {
				if es[i].Name == signatureName {
					sig, err := AddSignatureTimestamp(es[i].Data, token)
					if err != nil {
						t.Fatal(err)
					}
					es[i].Data = sig
				}
			}
			return es
		}), true, ReasonArchiveFileChanged, ReasonArchiveFileChanged},
		{"an entry sealed and removed since is a missing entry", rewrite(t, pkg, func(es []entry) []entry {
			return slices.DeleteFunc(es, func(e entry) bool { return e.Name == "photos/id.jpg" })
		}), true, ReasonArchiveFileMissing, ReasonArchiveFileMissing},
		{"an entry added after the archive time-stamp is not covered", rewrite(t, pkg, func(es []entry) []entry {
			return append(es, entry{"META-INF/ASiCManifest002.xml", entryData(t, es, manifestName)})
		}), true, ReasonArchiveFileUncovered, ReasonArchiveFileUncovered},
		{"a token over another package's archive manifest is over other data", rewrite(t, pkg, func(es []entry) []entry {
			for i := range es {
				if es[i].Name == res.Token {
					es[i].Data = entryData(t, readEntries(t, other), res.Token)
				}
			}
			return es
		}), false, "", ReasonArchiveImprintMismatch},
		{"a token by a certificate without id-kp-timeStamping is not by a time-stamp authority", notTSA, false, "", ReasonArchiveNotTSA},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rep, err := Verify(context.Background(), tt.pkg, f.opts())
			if err != nil {
				t.Fatal(err)
			}
			arcs := archiveResults(rep)
			if len(arcs) != 1 || arcs[0].Integrity.Reason != tt.arcReason {
				t.Fatalf("want the archive time-stamp to fail with %s, got %+v", tt.arcReason, arcs)
			}
			switch {
			case tt.invalid && (rep.Outcome() != OutcomeInvalid || rep.Integrity.Reason != tt.reason):
				t.Fatalf("want invalid (%s), got %s %+v", tt.reason, rep.Outcome(), rep.Integrity)
			case !tt.invalid && (rep.Outcome() != OutcomeUndecided || !slices.ContainsFunc(rep.Undecided, func(u Remark) bool { return u.Reason == tt.arcReason })):
				t.Fatalf("want undecided (%s), got %s %+v", tt.arcReason, rep.Outcome(), rep.Undecided)
			}
			if !tt.invalid && rep.ProvenTime != nil {
				t.Fatalf("an archive time-stamp that does not hold proves nothing: %v", rep.ProvenTime)
			}
		})
	}
	t.Run("an archive time-stamp by an authority the anchors do not name proves nothing and fails nothing", func(t *testing.T) {
		opts := f.opts()
		opts.Roots = []*x509.Certificate{f.pki.LGPKIRoot.Cert}
		rep, err := Verify(context.Background(), pkg, opts)
		if err != nil {
			t.Fatal(err)
		}
		arcs := archiveResults(rep)
		if rep.Outcome() != OutcomeValid || len(arcs) != 1 || arcs[0].Certificate.Reason != ReasonArchiveUntrusted || rep.ProvenTime != nil {
			t.Fatalf("got %s %+v", rep.Outcome(), arcs)
		}
	})
}

func TestAnArchiveTimestampKeepsAPackageValidAfterItsTimestampAuthorityExpired(t *testing.T) {
	f := testFixtures(t)
	now := time.Now()
	expiry := f.official.Cert.NotAfter
	// The signature's authority expires in a month, long before the
	// signer's certificate.
	_, sigTSA := archiveTSA(t, "Signature TSA", now.Add(-time.Hour), now.Add(30*24*time.Hour), nil)
	later := expiry.Add(365 * 24 * time.Hour)
	// The archive's first authority expires a year before the check; a
	// renewal before then by a second one covers it.
	first := later.Add(-365 * 24 * time.Hour).Add(-24 * time.Hour)
	_, arcTSA := archiveTSA(t, "Archive TSA 1", now.Add(-time.Hour), first, nil)
	renewedAt := first.Add(-30 * 24 * time.Hour)
	_, renewTSA := archiveTSA(t, "Archive TSA 2", now.Add(-time.Hour), later.Add(10*365*24*time.Hour), func() time.Time { return renewedAt })

	plain, _ := buildWith(t, f.official, &sigTSA)
	once, _ := archived(t, f.official, &sigTSA, arcTSA)
	renewed := filepath.Join(fsxtest.TempDir(t), "renewed.asice")
	data, _ := os.ReadFile(once)
	if err := os.WriteFile(renewed, data, 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := ArchivePackage(context.Background(), renewed, renewTSA); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name    string
		pkg     string
		at      time.Time
		outcome string
		reason  string
		proven  bool
	}{
		{"a time-stamped package is valid while its time-stamp authority is", plain, now.Add(24 * time.Hour), OutcomeValid, "", true},
		{"after the time-stamp authority and the signer's certificate expired, a package without an archive time-stamp is invalid", plain, later, OutcomeInvalid, "expired", false},
		{"an archive time-stamp from before the expiry keeps it valid while the archive's authority is valid", once, first.Add(-24 * time.Hour), OutcomeValid, "", true},
		{"once the archive's authority expired too, an archive time-stamp not renewed proves nothing", once, later, OutcomeInvalid, "expired", false},
		{"a renewed archive time-stamp keeps it valid after both authorities expired", renewed, later, OutcomeValid, "", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			opts := f.opts()
			opts.At = tt.at
			rep, err := Verify(context.Background(), tt.pkg, opts)
			if err != nil {
				t.Fatal(err)
			}
			if rep.Outcome() != tt.outcome || rep.Certificate.Reason != tt.reason || (rep.ProvenTime != nil) != tt.proven {
				t.Fatalf("got %s %+v proven %v, want %s %q; timestamps %+v; archives %+v", rep.Outcome(), rep.Certificate, rep.ProvenTime,
					tt.outcome, tt.reason, rep.Timestamps, archiveResults(rep))
			}
			if tt.proven && (rep.ProvenTime.After(now.Add(time.Minute)) || !strings.Contains(rep.Certificate.Detail, "signed no later than")) {
				t.Fatalf("the signature's own time-stamp is the proof: %v %q", rep.ProvenTime, rep.Certificate.Detail)
			}
		})
	}
}

func TestAnArchiveTimestampAloneProvesWhenAPlainSignatureExisted(t *testing.T) {
	f := testFixtures(t)
	now := time.Now()
	later := f.official.Cert.NotAfter.Add(365 * 24 * time.Hour)
	_, arc := archiveTSA(t, "Archive TSA", now.Add(-time.Hour), later.Add(365*24*time.Hour), nil)
	plain, _ := buildWith(t, f.official, nil)
	pkg, res := archived(t, f.official, nil, arc)
	tests := []struct {
		name    string
		pkg     string
		outcome string
		detail  string
	}{
		{"a plain signature archived before its certificate expired is valid after, checked at the archive's time", pkg, OutcomeValid, "(archive timestamp by CN=Archive TSA"},
		{"the same signature not archived is invalid after expiry", plain, OutcomeInvalid, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			opts := f.opts()
			opts.At = later
			rep, err := Verify(context.Background(), tt.pkg, opts)
			if err != nil {
				t.Fatal(err)
			}
			if rep.Outcome() != tt.outcome || !strings.Contains(rep.Certificate.Detail, tt.detail) {
				t.Fatalf("got %s %+v", rep.Outcome(), rep.Certificate)
			}
			if tt.outcome == OutcomeValid && (rep.ProvenTime == nil || rep.ProvenTime.Sub(res.Time).Abs() > time.Second) {
				t.Fatalf("proven %v, want the archive's time %v", rep.ProvenTime, res.Time)
			}
		})
	}
}
