package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"time"

	"github.com/shinsei-app/shinsei/flow"
	"github.com/shinsei-app/shinsei/signer"
)

// runVerify verifies a package or a detached signature and exits 0 when
// both integrity and certificate are good, 1 when either is not.
func runVerify(ctx context.Context, std *stdio, args []string) error {
	fs := newFlags("verify")
	trust := addTrustFlags(fs)
	detached := fs.String("detached", "", "verify this detached CMS/CAdES `SIG.p7s` over the CONTENT file given as argument")
	fs.Bool("offline", false, "use no network (verification currently never does)")
	requireRevocation := fs.Bool("require-revocation", false, "exit 4 unless the signer's revocation status is established (verify does not check revocation: use 'shinseictl check' on the signer's certificate)")
	asJSON := fs.Bool("json", false, "print one JSON document")
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
	if !rep.OK() {
		return errSilent(exitNegative)
	}
	if *requireRevocation {
		return &failure{code: exitIndeterminate, err: errors.New("verify: the signer's revocation status was not established (verify does not check revocation)"),
			hint: "check the signer's certificate with 'shinseictl check --require-revocation', or leave out --require-revocation"}
	}
	return nil
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
	fmt.Fprintf(w, "  certificate: %s\n", describeCheck(r.Certificate, ""))
	if r.Certificate.OK {
		fmt.Fprintln(w, "  revocation:  not checked (verify checks the signature, the path and the validity; 'shinseictl check' checks revocation)")
	}
	if noAnchor && !r.Certificate.OK {
		fmt.Fprintln(w, "               (no --anchor was given, so no certificate can be trusted)")
	}
	if len(r.Files) > 0 {
		fmt.Fprintln(w, "  files:")
		for _, f := range r.Files {
			role := ""
			if f.Form {
				role = " [form]"
			}
			fmt.Fprintf(w, "    %-15s %s%s (%d bytes)\n", f.Status, f.Name, role, f.Size)
		}
	}
	if r.OK() {
		fmt.Fprintln(w, "result: VALID")
	} else {
		fmt.Fprintln(w, "result: NOT VALID")
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
