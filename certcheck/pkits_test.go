//go:debug x509negativeserial=1

// PKITS 4.4.15 revokes a certificate with a negative serial number, which
// crypto/x509 refuses to parse unless x509negativeserial=1. The directive
// applies to this package's test binary only; the product rejects such a
// certificate as unreadable.

package certcheck_test

import (
	"context"
	"crypto/x509"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/shinsei-app/shinsei/certcheck"
)

// pkitsCase is one entry of cases.json (see shared/pkits/README.md).
type pkitsCase struct {
	ID                string   `json:"id"`
	Name              string   `json:"name"`
	EE                string   `json:"ee"`
	Intermediates     []string `json:"intermediates"`
	CRLs              []string `json:"crls"`
	RequireRevocation bool     `json:"require_revocation"`
	Expect            string   `json:"expect"`
	Reason            *string  `json:"reason"`
}

// pkitsDir is where the NIST PKITS data is: $SHINSEI_PKITS_DIR, or the
// steering repository's shared/pkits next to this checkout.
func pkitsDir(t testing.TB) string {
	t.Helper()
	dir := os.Getenv("SHINSEI_PKITS_DIR")
	if dir == "" {
		dir = filepath.Join("..", "..", "shared", "pkits")
	}
	if _, err := os.Stat(filepath.Join(dir, "cases.json")); err != nil {
		t.Skipf("PKITS data not found in %s (%v): set SHINSEI_PKITS_DIR to a directory holding certs/, crls/ and cases.json "+
			"— NIST PKITS from https://csrc.nist.gov/projects/pki-testing, or the steering repository's shared/pkits", dir, err)
	}
	return dir
}

func loadPKITSCases(t testing.TB, dir string) []pkitsCase {
	t.Helper()
	data, err := os.ReadFile(filepath.Join(dir, "cases.json"))
	if err != nil {
		t.Fatal(err)
	}
	var cases []pkitsCase
	if err := json.Unmarshal(data, &cases); err != nil {
		t.Fatalf("cases.json: %v", err)
	}
	return cases
}

func pkitsCert(dir, name string) (*x509.Certificate, error) {
	der, err := os.ReadFile(filepath.Join(dir, "certs", name))
	if err != nil {
		return nil, err
	}
	c, err := certcheck.ParseCertificate(der)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	return c, nil
}

// unsupportedPKITS are the DSA cases: crypto/x509 does not verify DSA.
var unsupportedPKITS = map[string]string{
	"40104": "DSA signatures", "40105": "DSA signatures", "40106": "DSA signatures",
}

// pkitsSection turns "40402" into "4.4".
func pkitsSection(id string) string {
	var major, minor int
	fmt.Sscanf(id[:1]+" "+id[1:3], "%d %d", &major, &minor)
	return fmt.Sprintf("%d.%d", major, minor)
}

// runPKITS validates one case's end entity with certcheck.Check: the
// trust anchor, the listed intermediates and a CRLSource holding the listed
// CRLs plus the trust anchor's own CRL (TrustAnchorRootCRL.crl is part of
// the anchor's data in every PKITS test: it covers the CAs the anchor
// issued, and cases.json lists only the CRLs below them).
func runPKITS(ctx context.Context, dir string, anchor *x509.Certificate, c pkitsCase) (*certcheck.Result, error) {
	ee, err := pkitsCert(dir, c.EE)
	if err != nil {
		return nil, err
	}
	var inter []*x509.Certificate
	for _, name := range c.Intermediates {
		ic, err := pkitsCert(dir, name)
		if err != nil {
			return nil, err
		}
		inter = append(inter, ic)
	}
	files := []string{filepath.Join(dir, "crls", "TrustAnchorRootCRL.crl")}
	for _, name := range c.CRLs {
		files = append(files, filepath.Join(dir, "crls", name))
	}
	src, err := certcheck.NewCRLSource(ctx, certcheck.CRLOptions{Files: files, Offline: true})
	if err != nil {
		return nil, err
	}
	return certcheck.Check(ctx, ee, certcheck.Options{
		Roots: []*x509.Certificate{anchor}, Intermediates: inter,
		Sources: []certcheck.Source{src}, RequireRevocation: c.RequireRevocation,
	}), nil
}

// pkitsVerdict says whether a result is what PKITS expects. The mapping:
//
//   - expect "valid": Outcome Good, and every certificate but the anchor
//     has revocation status good (every case gives the CRLs that cover its
//     path, so an unknown status is a failure even where revocation is not
//     required).
//   - expect "invalid", reason "path": Outcome Bad for any reason but
//     revoked/on-hold; or, when the case requires revocation, Outcome
//     Indeterminate (ReasonRevocationUnknown) — a missing, forged, stale,
//     out-of-scope or otherwise unusable CRL leaves the status unknown, which
//     hard fail turns into a rejection.
//   - expect "invalid", reason "revoked": Outcome Bad with ReasonRevoked or
//     ReasonOnHold. One refinement: where the certificate PKITS revokes is
//     not on the path but is the CRL's own signer (4.4.21), the CRL cannot be
//     trusted, so the path's status is unknown; Outcome Indeterminate whose
//     detail names ErrCRLSignerRevoked counts as that revocation.
func pkitsVerdict(c pkitsCase, res *certcheck.Result) (bool, string) {
	got := fmt.Sprintf("%s/%s", res.Outcome, res.Reason)
	reason := ""
	if c.Reason != nil {
		reason = *c.Reason
	}
	switch {
	case c.Expect == "valid":
		if res.Outcome != certcheck.Good {
			return false, got + ": " + res.Detail + revocationDetails(res)
		}
		for _, cr := range res.Path[:len(res.Path)-1] {
			if cr.Revocation.Status != certcheck.StatusGood {
				return false, fmt.Sprintf("good, but %q has revocation status %s: %s", cr.Subject, cr.Revocation.Status, cr.Revocation.Detail)
			}
		}
		return true, got
	case reason == "revoked":
		if res.Outcome == certcheck.Bad && (res.Reason == certcheck.ReasonRevoked || res.Reason == certcheck.ReasonOnHold) {
			return true, got
		}
		if res.Outcome == certcheck.Indeterminate && strings.Contains(revocationDetails(res), certcheck.ErrCRLSignerRevoked.Error()) {
			return true, got + " (CRL signer revoked)"
		}
		return false, got + ": " + res.Detail + revocationDetails(res)
	default:
		switch {
		case res.Outcome == certcheck.Bad && res.Reason != certcheck.ReasonRevoked && res.Reason != certcheck.ReasonOnHold:
			return true, got
		case res.Outcome == certcheck.Indeterminate && c.RequireRevocation:
			return true, got
		}
		return false, got + ": " + res.Detail + revocationDetails(res)
	}
}

func revocationDetails(res *certcheck.Result) string {
	var b strings.Builder
	for _, cr := range res.Path {
		if cr.Revocation.Detail != "" {
			fmt.Fprintf(&b, " [%s: %s]", cr.Subject, cr.Revocation.Detail)
		}
	}
	return b.String()
}

func TestPKITS(t *testing.T) {
	dir := pkitsDir(t)
	cases := loadPKITSCases(t, dir)
	anchor, err := pkitsCert(dir, "TrustAnchorRootCertificate.crt")
	if err != nil {
		t.Fatal(err)
	}
	type tally struct{ pass, fail, unsupported int }
	sections := map[string]*tally{}
	var differ []string
	verbose := os.Getenv("SHINSEI_PKITS_VERBOSE") != "" // log every case's result and details
	for _, c := range cases {
		sec := pkitsSection(c.ID)
		if sections[sec] == nil {
			sections[sec] = &tally{}
		}
		if why, ok := unsupportedPKITS[c.ID]; ok {
			sections[sec].unsupported++
			t.Logf("%s %s: unsupported (%s), not counted", c.ID, c.Name, why)
			continue
		}
		res, err := runPKITS(t.Context(), dir, anchor, c)
		if err != nil {
			sections[sec].fail++
			differ = append(differ, fmt.Sprintf("%s %s: %v", c.ID, c.Name, err))
			continue
		}
		ok, got := pkitsVerdict(c, res)
		if !ok {
			sections[sec].fail++
			want := c.Expect
			if c.Reason != nil {
				want += "/" + *c.Reason
			}
			differ = append(differ, fmt.Sprintf("%s %s: want %s, got %s", c.ID, c.Name, want, got))
			continue
		}
		sections[sec].pass++
		if verbose {
			t.Logf("%s %s: %s%s", c.ID, c.Name, got, revocationDetails(res))
		}
	}
	keys := make([]string, 0, len(sections))
	for k := range sections {
		keys = append(keys, k)
	}
	sort.Slice(keys, func(i, j int) bool {
		var a1, a2, b1, b2 int
		fmt.Sscanf(keys[i], "%d.%d", &a1, &a2)
		fmt.Sscanf(keys[j], "%d.%d", &b1, &b2)
		return a1 < b1 || a1 == b1 && a2 < b2
	})
	var table strings.Builder
	table.WriteString("\nsection  pass  fail  unsupported\n")
	var all tally
	for _, k := range keys {
		s := sections[k]
		fmt.Fprintf(&table, "%-7s %5d %5d %12d\n", k, s.pass, s.fail, s.unsupported)
		all.pass, all.fail, all.unsupported = all.pass+s.pass, all.fail+s.fail, all.unsupported+s.unsupported
	}
	fmt.Fprintf(&table, "%-7s %5d %5d %12d", "total", all.pass, all.fail, all.unsupported)
	t.Log(table.String())
	if len(differ) > 0 {
		t.Errorf("%d PKITS cases differ from the expected result:\n%s", len(differ), strings.Join(differ, "\n"))
	}
}

// TestPKITSRevokedCRLSignerIsExplained checks the one "revoked" case whose
// revoked certificate is the CRL signer: the detail must say so.
func TestPKITSRevokedCRLSignerIsExplained(t *testing.T) {
	dir := pkitsDir(t)
	anchor, err := pkitsCert(dir, "TrustAnchorRootCertificate.crt")
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range loadPKITSCases(t, dir) {
		if c.ID != "40421" {
			continue
		}
		res, err := runPKITS(t.Context(), dir, anchor, c)
		if err != nil {
			t.Fatal(err)
		}
		leaf := res.Path[0].Revocation
		if res.Outcome != certcheck.Indeterminate || leaf.Status != certcheck.StatusUnknown ||
			!strings.Contains(leaf.Detail, certcheck.ErrCRLSignerRevoked.Error()) {
			t.Fatalf("got %s, leaf %s: %s", res.Outcome, leaf.Status, leaf.Detail)
		}
		return
	}
	t.Fatal("case 40421 not in cases.json")
}
