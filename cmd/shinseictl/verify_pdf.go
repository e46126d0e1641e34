package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"strings"
	"time"

	"github.com/shinsei-app/shinsei/pades"
)

// verifyPDF verifies every signature of a PDF and exits as verify does
// for a package: 0 all valid, 1 a definite failure, 4 undecided.
func verifyPDF(ctx context.Context, std *stdio, path string, opts pades.Options, asJSON, noAnchor bool) error {
	f, err := os.Open(path)
	if err != nil {
		return usageError("check the path of the PDF", "verify: %w", err)
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return usageError("check the path of the PDF", "verify: %w", err)
	}
	rep, err := pades.Verify(ctx, f, st.Size(), opts)
	if err != nil {
		return err
	}
	if asJSON {
		writeJSON(std.out, struct {
			Outcome string `json:"outcome"`
			*pades.Report
		}{rep.Outcome(), rep})
	} else {
		printPDFReport(std, path, rep, noAnchor)
	}
	switch rep.Outcome() {
	case pades.OutcomeInvalid:
		return errSilent(exitNegative)
	case pades.OutcomeUndecided:
		return errSilent(exitIndeterminate)
	}
	return nil
}

func printPDFReport(std *stdio, name string, r *pades.Report, noAnchor bool) {
	w := std.out
	fmt.Fprintln(w, name)
	fmt.Fprintf(w, "  signatures:  %d\n", len(r.Signatures))
	for i, s := range r.Signatures {
		fmt.Fprintf(w, "  signature %d: field %q (%s)\n", i+1, s.Field, s.SubFilter)
		docTS := s.SubFilter == pades.SubFilterDocTS
		if s.Signer != nil {
			who := s.Official
			if s.Organisation != "" {
				who += " — " + s.Organisation
			}
			label := "signer:     "
			if docTS {
				label = "authority:  "
			}
			fmt.Fprintf(w, "    %s %s\n    issuer:      %s\n", label, who, s.Signer.Issuer)
		}
		if docTS && s.ProvenTime != nil {
			fmt.Fprintf(w, "    existed by:  %s — the document existed no later than then (document time-stamp by %s)\n", s.ProvenTime.UTC().Format(time.RFC3339), s.ProvenBy)
		} else if s.ProvenTime != nil {
			fmt.Fprintf(w, "    signed by:   %s (time-stamp by %s)\n", s.ProvenTime.UTC().Format(time.RFC3339), s.ProvenBy)
		} else if s.SigningTime != nil {
			fmt.Fprintf(w, "    signed at:   %s (as the signer claims)\n", s.SigningTime.Format(time.RFC3339))
		}
		if s.WholeFile {
			fmt.Fprintf(w, "    covers:      the whole file (%d bytes) but the signature itself\n", r.Size)
		} else {
			fmt.Fprintf(w, "    covers:      the first %d of %d bytes (its revision); later revisions follow\n", s.Covered, r.Size)
		}
		for _, c := range s.Changes {
			verdict := "allowed"
			if !c.Allowed {
				verdict = "NOT ALLOWED"
			}
			fmt.Fprintf(w, "    changed after: %s (object %d): %s\n", c.Kind, c.Object, verdict)
		}
		fmt.Fprintf(w, "    integrity:   %s\n", describeCheck(s.Integrity, ""))
		fmt.Fprintf(w, "    certificate: %s\n", describeCheck(s.Certificate, string(s.Domain)))
		fmt.Fprintf(w, "    revocation:  %s\n", describeCheck(s.Revocation, ""))
		fmt.Fprintf(w, "    outcome:     %s\n", strings.ToUpper(s.Outcome()))
	}
	if noAnchor && r.Outcome() != pades.OutcomeValid {
		fmt.Fprintln(w, "  (no --anchor was given, so no certificate can be trusted)")
	}
	switch r.Outcome() {
	case pades.OutcomeValid:
		fmt.Fprintln(w, "result: VALID")
	case pades.OutcomeUndecided:
		fmt.Fprintln(w, "result: UNDECIDED (nothing failed, but not everything could be verified)")
	default:
		fmt.Fprintln(w, "result: NOT VALID")
	}
}

// offlineFlag reads verify's --offline.
func offlineFlag(fs interface{ Lookup(string) *flag.Flag }) bool {
	f := fs.Lookup("offline")
	return f != nil && f.Value.String() == "true"
}
