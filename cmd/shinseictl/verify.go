package main

import (
	"context"
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"github.com/shinsei-app/shinsei/explain"
	"github.com/shinsei-app/shinsei/flow"
	"github.com/shinsei-app/shinsei/pades"
	"github.com/shinsei-app/shinsei/signer"
)

// runVerify verifies a package or a detached signature and exits 0 when
// everything is valid (integrity, every signature's certificate, every
// file covered), 1 on a definite failure, and 4 when something could not
// be decided (a time-stamp token, not validated yet). Conformance
// remarks are printed and do not change the exit code.
func runVerify(ctx context.Context, std *stdio, args []string) error {
	fs := newFlags("verify")
	trust := addTrustFlags(fs)
	detached := fs.String("detached", "", "verify this detached CMS/CAdES `SIG.p7s` over the CONTENT file given as argument")
	fs.Bool("offline", false, "use no network (a package's verification never does; a PDF's signers are then checked with --crl files and cached answers only)")
	requireRevocation := fs.Bool("require-revocation", false, "exit 4 unless the signer's revocation status is established (a package's signatures are checked only from the OCSP responses and CRLs they carry; a PDF's signers also by --crl files and their CRL and OCSP addresses; otherwise use 'shinseictl check' on the signer's certificate)")
	asJSON := fs.Bool("json", false, "print one JSON document")
	var crls multiFlag
	fs.Var(&crls, "crl", "PDF only: CRL `FILE` for the signers' revocation (PEM or DER; repeatable); a PDF's signers are also checked by their CRL and OCSP addresses unless --offline")
	var vaFiles multiFlag
	fs.Var(&vaFiles, "va", "trust the OCSP answers of the validation authority `CERT` (PEM or DER; repeatable) that a signature carries — the service's VA, whose answers it adds to JPKI signatures on receipt (default: the VA of the saved settings)")
	var saved settingsFlags
	saved.register(fs)
	operands, err := parse(fs, args, std.err)
	if err != nil {
		return err
	}
	if len(operands) != 1 {
		return usageError("give one package, or --detached SIG.p7s and one content file", "verify: want 1 file, got %d", len(operands))
	}
	// A FIFO or a device is refused at once, never opened for reading.
	for _, p := range append(operands, *detached) {
		if p == "" {
			continue
		}
		if err := flow.CheckInputFile(p); err != nil {
			return err
		}
	}
	opts := signer.VerifyOptions{}
	if opts.Roots, opts.Intermediates, opts.At, err = trust.load("verify"); err != nil {
		return err
	}
	if *detached == "" && flow.IsPDF(operands[0]) {
		popts := pades.Options{Roots: opts.Roots, Intermediates: opts.Intermediates, At: opts.At, RequireRevocation: *requireRevocation}
		if popts.Sources, err = revocationSources(ctx, crls, "", "", offlineFlag(fs), defaultCacheDir()); err != nil {
			return err
		}
		return verifyPDF(ctx, std, operands[0], popts, *asJSON, len(trust.anchors) == 0)
	}
	if opts.TrustedResponders, err = verifyVAs(std, vaFiles, &saved); err != nil {
		return err
	}
	var rep *signer.Report
	if *detached != "" {
		rep, err = verifyDetached(ctx, *detached, operands[0], opts)
	} else {
		rep, err = signer.Verify(ctx, operands[0], opts)
	}
	if err != nil {
		return err
	}
	if *asJSON {
		writeJSON(std.out, newVerifyView(rep))
	} else {
		printReport(std, operands[0], rep, len(trust.anchors) == 0)
	}
	switch rep.Outcome() {
	case signer.OutcomeInvalid:
		return errSilent(exitNegative)
	case signer.OutcomeUndecided:
		return errSilent(exitIndeterminate)
	}
	if *requireRevocation && (rep.Revocation == nil || !rep.Revocation.Check.OK) {
		return &failure{code: exitIndeterminate, err: errors.New("verify: the signer's revocation status was not established (the signature carries no validation data that establishes it)"),
			hint: "check the signer's certificate with 'shinseictl check --require-revocation', or leave out --require-revocation"}
	}
	return nil
}

// verifyVAs returns the validation authorities whose OCSP answers a
// signature may carry: those named with --va, or else the VA of the
// saved settings (said in a note). The VA only vouches for revocation:
// it makes no certificate trusted.
func verifyVAs(std *stdio, files multiFlag, saved *settingsFlags) ([]*x509.Certificate, error) {
	if len(files) > 0 {
		return loadCertFiles(files)
	}
	s, err := saved.load("verify")
	if err != nil || s == nil {
		return nil, err
	}
	va, err := s.VA()
	if err != nil {
		return nil, s.usageErr("verify", err)
	}
	if va == nil {
		return nil, nil
	}
	fmt.Fprint(std.err, std.tr("note: 保存された設定（"+s.path+"）の検証局（VA）の応答を信頼します（使わない場合は --no-settings、別の検証局は --va CERT）。\n",
		"note: trusting the answers of the validation authority of the saved settings ("+s.path+"); --no-settings ignores it, --va CERT names another.\n"))
	return []*x509.Certificate{va}, nil
}

func verifyDetached(ctx context.Context, sigPath, contentPath string, opts signer.VerifyOptions) (*signer.Report, error) {
	sig, err := readInput(sigPath, signer.MaxDetachedContent)
	if err != nil {
		return nil, err
	}
	content, err := os.Open(contentPath)
	if err != nil {
		return nil, usageError("check the path of the signed content", "verify: %w", err)
	}
	defer content.Close()
	return signer.VerifyDetached(ctx, sig, content, opts)
}

func printReport(std *stdio, name string, r *signer.Report, noAnchor bool) {
	w := std.out
	fmt.Fprintln(w, name)
	fmt.Fprintf(w, "  signature:   %s\n", describeCheck(r.Integrity, r.Format))
	if r.Signer != nil {
		fmt.Fprintf(w, "  signer:      %s\n  issuer:      %s\n  valid:       %s to %s\n", r.Signer.Subject, r.Signer.Issuer,
			r.Signer.NotBefore.Format(time.DateOnly), r.Signer.NotAfter.Format(time.DateOnly))
	}
	if r.SigningTime != nil {
		fmt.Fprintf(w, "  signed at:   %s (as the signer claims)\n", r.SigningTime.Format(time.RFC3339))
	}
	for _, ts := range r.Timestamps {
		if ts.Check.OK {
			fmt.Fprintf(w, "  timestamp:   %s by %s (valid)\n", ts.Time.UTC().Format(time.RFC3339), ts.TSA)
		} else {
			fmt.Fprintf(w, "  timestamp:   not valid: %s — %s\n", ts.Check.Reason, ts.Check.Detail)
		}
	}
	fmt.Fprintf(w, "  certificate: %s\n", describeCheck(r.Certificate, ""))
	switch rv := r.Revocation; {
	case rv != nil && rv.Check.OK:
		fmt.Fprintf(w, "  revocation:  good at %s, checked from the validation data embedded in the signature (no network)\n", rv.At.UTC().Format(time.RFC3339))
		for _, p := range rv.Path {
			fmt.Fprintf(w, "               %s: %s by the embedded %s (%s to %s)\n", p.Certificate, p.Status, strings.ToUpper(p.Kind),
				p.ThisUpdate.UTC().Format(time.RFC3339), p.NextUpdate.UTC().Format(time.RFC3339))
		}
	case rv != nil && r.Certificate.OK:
		fmt.Fprintf(w, "  revocation:  not established — %s\n", rv.Check.Detail)
	case r.Certificate.OK:
		fmt.Fprintln(w, "  revocation:  not checked (verify checks the signature, the path and the validity, and revocation only from validation data a signature carries; 'shinseictl check' checks revocation)")
	}
	if noAnchor && !r.Certificate.OK {
		fmt.Fprintln(w, "               (no --anchor was given, so no certificate can be trusted)")
	}
	if len(r.Signatures) > 1 || len(r.Signatures) == 1 && (r.Signatures[0].Kind != signer.KindCAdES || r.Signatures[0].Name != "META-INF/signature001.p7s") {
		printSignatures(std, r.Signatures)
	} else {
		printExtras(w, "  ", r.Unsigned, r.OCSPResponses)
	}
	if len(r.Files) > 0 {
		fmt.Fprintln(w, "  files:")
		for _, f := range r.Files {
			role := ""
			if f.Form {
				role = " [form]"
			}
			cover := ""
			if len(r.Signatures) > 1 && len(f.Manifests) > 0 {
				cover = ", signed in " + strings.Join(f.Manifests, ", ")
			}
			fmt.Fprintf(w, "    %-15s %s%s (%d bytes%s)\n", f.Status, f.Name, role, f.Size, cover)
		}
	}
	for _, c := range r.Conformance {
		fmt.Fprintf(w, "  conformance: warning: %s — %s\n", c.Reason, c.Detail)
	}
	for _, u := range r.Undecided {
		fmt.Fprintf(w, "  undecided:   %s — %s\n", u.Reason, u.Detail)
	}
	switch r.Outcome() {
	case signer.OutcomeValid:
		fmt.Fprintln(w, "result: VALID")
	case signer.OutcomeUndecided:
		fmt.Fprintln(w, "result: UNDECIDED (nothing failed, but not everything could be verified)")
	default:
		fmt.Fprintln(w, "result: NOT VALID")
	}
}

// printSignatures lists a package's signatures one by one, when there is
// more than the one Shinsei writes.
func printSignatures(std *stdio, sigs []signer.SignatureResult) {
	w := std.out
	fmt.Fprintf(w, "  signatures:  %d\n", len(sigs))
	for _, s := range sigs {
		kind := s.Format
		switch s.Kind {
		case signer.KindTimestamp:
			kind = "time-stamp token"
		case signer.KindArchiveTimestamp:
			kind = "archive time-stamp token"
		}
		fmt.Fprintf(w, "    %s over %s (%s)\n", s.Name, s.Manifest, kind)
		fmt.Fprintf(w, "      integrity:   %s\n", describeCheck(s.Integrity, ""))
		if s.Kind == signer.KindArchiveTimestamp {
			printArchiveMeaning(std, s)
		}
		if s.Signer != nil {
			fmt.Fprintf(w, "      signer:      %s\n", s.Signer.Subject)
		}
		if len(s.Covers) > 0 {
			fmt.Fprintf(w, "      covers:      %s\n", strings.Join(s.Covers, ", "))
		}
		if s.Kind != signer.KindCAdES && s.SigningTime != nil {
			fmt.Fprintf(w, "      time:        %s (as the time-stamp authority states)\n", s.SigningTime.Format(time.RFC3339))
		}
		if s.Kind != signer.KindCAdES && s.Certificate.Reason == signer.ReasonNotValidated {
			fmt.Fprintln(w, "      certificate: not validated (time-stamp authorities are checked with long-term signatures, not yet)")
		} else {
			fmt.Fprintf(w, "      certificate: %s\n", describeCheck(s.Certificate, ""))
		}
		printExtras(w, "      ", s.Unsigned, s.OCSPResponses)
	}
}

// printArchiveMeaning says, in the user's language, what an archive
// time-stamp that does not hold means and what to do (explain's row).
func printArchiveMeaning(std *stdio, s signer.SignatureResult) {
	reason := s.Integrity.Reason
	if s.Integrity.OK {
		reason = s.Certificate.Reason
	}
	if e, ok := explain.ArchiveReason(reason); ok {
		lang := std.language()
		fmt.Fprintf(std.out, "      meaning:     %s\n      hint:        %s\n", e.Message.In(lang), e.Hint.In(lang))
	}
}

// printExtras lists what a signature carries beyond CAdES-BES: kept and
// reported, not validated.
func printExtras(w io.Writer, indent string, unsigned []string, ocsp int) {
	if len(unsigned) > 0 {
		fmt.Fprintf(w, "%sunsigned:    %s (present, not validated)\n", indent, strings.Join(unsigned, ", "))
	}
	if ocsp > 0 {
		fmt.Fprintf(w, "%sOCSP:        %d response(s) carried in the signature (used for revocation, see above)\n", indent, ocsp)
	}
}

func describeCheck(c signer.Check, format string) string {
	s := "ok"
	if !c.OK {
		s = "FAILED: " + c.Reason
	}
	if format != "" {
		s += " (" + format + ")"
	}
	if c.Detail != "" {
		s += " — " + c.Detail
	}
	return s
}
