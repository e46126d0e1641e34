package main

import (
	"context"
	"crypto/x509"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/shinsei-app/shinsei/certcheck"
	"github.com/shinsei-app/shinsei/identity"
)

// maxForm bounds a form read for the identity check.
const maxForm = 4 << 20

type checkView struct {
	*certcheck.Result
	Identity *identity.Result `json:"identity,omitempty"`
	// IdentityUnreadable is set when --form was given and the
	// certificate's holder attributes could not be read, so the identity
	// was not compared (exit 4).
	IdentityUnreadable bool `json:"identity_unreadable,omitempty"`
}

// runCheck pre-checks a certificate: trust, validity, key usage, revocation
// and, with --form, the identity match. Exit 0 good, 1 bad, 4 indeterminate.
func runCheck(ctx context.Context, std *stdio, args []string) error {
	fs := newFlags("check")
	trust := addTrustFlags(fs)
	var crls multiFlag
	fs.Var(&crls, "crl", "CRL `FILE` to use (PEM or DER; repeatable)")
	responder := fs.String("ocsp-responder", "", "ask this OCSP responder or validation authority `URL` (needs --responder-cert)")
	responderCert := fs.String("responder-cert", "", "the responder's signing `CERT`, trusted directly")
	offline := fs.Bool("offline", false, "use no network: only --crl files and cached answers")
	require := fs.Bool("require-revocation", false, "fail (exit 4) when a certificate's revocation status cannot be established")
	form := fs.String("form", "", "compare the certificate's holder with the applicant block of this `FORM.json`")
	cacheDir := fs.String("cache-dir", defaultCacheDir(), "keep fetched CRLs and OCSP answers in `DIR` (empty: no disk cache)")
	asJSON := fs.Bool("json", false, "print one JSON document")
	operands, err := parse(fs, args, std.err)
	if err != nil {
		return err
	}
	if len(operands) != 1 {
		return usageError("give the certificate to check", "check: want 1 certificate, got %d", len(operands))
	}
	if (*responder == "") != (*responderCert == "") {
		return usageError("give --ocsp-responder URL together with --responder-cert CERT", "check: responder URL and certificate go together")
	}
	certs, err := loadCertFiles(operands)
	if err != nil {
		return err
	}
	leaf := certs[0]
	opts := certcheck.Options{RequireRevocation: *require}
	if opts.Roots, opts.Intermediates, opts.At, err = trust.load("check"); err != nil {
		return err
	}
	var applicant *identity.Applicant
	if *form != "" {
		if applicant, err = readApplicant(*form); err != nil {
			return err
		}
	}
	if opts.Sources, err = revocationSources(ctx, crls, *responder, *responderCert, *offline, *cacheDir); err != nil {
		return err
	}

	view := checkView{Result: certcheck.Check(ctx, leaf, opts)}
	if applicant != nil {
		view.Identity, view.IdentityUnreadable = matchIdentity(leaf, *applicant)
	}
	if *asJSON {
		writeJSON(std.out, view)
	} else {
		printCheck(std, view, len(trust.anchors) == 0)
	}
	switch {
	case view.Outcome == certcheck.Bad, view.Identity != nil && !view.Identity.OK():
		return errSilent(exitNegative)
	case view.Outcome == certcheck.Indeterminate, view.IdentityUnreadable:
		return errSilent(exitIndeterminate)
	}
	return nil
}

// revocationSources are the pre-check's sources (certcheck.Sources, in the
// app's order), with the VA given by --ocsp-responder as the authority.
func revocationSources(ctx context.Context, crls []string, responder, responderCert string, offline bool, cacheDir string) ([]certcheck.Source, error) {
	var authorities []certcheck.Source
	if responder != "" {
		certs, err := loadCertFiles([]string{responderCert})
		if err != nil {
			return nil, err
		}
		va, err := certcheck.NewVASource(certcheck.VAOptions{URL: responder, Responder: certs[0],
			OCSP: certcheck.OCSPOptions{Nonce: true, Offline: offline, CacheDir: subdir(cacheDir, "ocsp")}})
		if err != nil {
			return nil, usageError("give an http(s) URL and the responder's certificate", "check: %w", err)
		}
		authorities = append(authorities, va)
	}
	sources, err := certcheck.Sources(ctx, certcheck.SourcesOptions{CRLFiles: crls, Offline: offline, CacheDir: cacheDir, Authorities: authorities})
	if err != nil {
		return nil, usageError("give CRL files in PEM or DER form", "check: %w", err)
	}
	return sources, nil
}

func defaultCacheDir() string {
	dir, err := os.UserCacheDir()
	if err != nil {
		return ""
	}
	return filepath.Join(dir, "shinsei", "revocation")
}

func subdir(dir, name string) string {
	if dir == "" {
		return ""
	}
	return filepath.Join(dir, name)
}

// readApplicant reads the applicant block of a form: the "applicant"
// object of a form document, or a document that is the block itself.
func readApplicant(path string) (*identity.Applicant, error) {
	data, err := readInput(path, maxForm)
	if err != nil {
		return nil, err
	}
	var doc struct {
		Applicant *identity.Applicant `json:"applicant"`
	}
	if err := json.Unmarshal(data, &doc); err != nil {
		return nil, usageError("give the form as JSON with an \"applicant\" block", "check: %s: %w", path, err)
	}
	if doc.Applicant != nil {
		return doc.Applicant, nil
	}
	var a identity.Applicant
	if err := json.Unmarshal(data, &a); err != nil {
		return nil, usageError("give the form as JSON with an \"applicant\" block", "check: %s: %w", path, err)
	}
	return &a, nil
}

// matchIdentity compares the certificate's holder with the applicant: the
// four attributes of a JPKI certificate, or a registry certificate's
// corporate attributes. A certificate that is neither gives nil; one that
// carries the attributes but whose attributes cannot be read (flags that
// do not fit the name, a bad date of birth, …) gives unreadable.
func matchIdentity(cert *x509.Certificate, a identity.Applicant) (_ *identity.Result, unreadable bool) {
	h, err := identity.HolderOf(cert)
	if err != nil {
		neither := errors.Is(err, identity.ErrNotJPKI) && errors.Is(err, identity.ErrNotCorporate)
		return nil, !neither
	}
	r := h.Match(a)
	return &r, false
}

func printCheck(std *stdio, v checkView, noAnchor bool) {
	w := std.out
	lang := string(std.language())
	fmt.Fprintf(w, "result: %s", strings.ToUpper(string(v.Outcome)))
	if v.Reason != "" {
		fmt.Fprintf(w, " (%s)", v.Reason)
	}
	fmt.Fprintln(w)
	if v.Detail != "" {
		fmt.Fprintf(w, "  %s\n", v.Detail)
	}
	if noAnchor && v.Reason == certcheck.ReasonUntrusted {
		fmt.Fprintln(w, "  (no --anchor was given, so no certificate can be trusted)")
	}
	for i, c := range v.Path {
		fmt.Fprintf(w, "  [%d] %s\n      valid %s to %s\n", i, c.Subject, c.NotBefore.Format(time.DateOnly), c.NotAfter.Format(time.DateOnly))
		r := c.Revocation
		line := "      revocation: " + string(r.Status)
		if r.Reason != "" {
			line += " (" + r.Reason + ", " + r.RevokedAt.Format(time.RFC3339) + ")"
		}
		if r.Source != "" {
			line += " by " + r.Source
		}
		if r.Detail != "" {
			line += " — " + r.Detail
		}
		fmt.Fprintln(w, line)
	}
	if v.IdentityUnreadable {
		fmt.Fprintln(w, "identity: NOT CHECKED: the certificate's holder attributes (name, address, …) cannot be read, so the form's applicant block was not compared")
	}
	if v.Identity != nil {
		fmt.Fprintf(w, "identity: %s\n", v.Identity.Overall)
		for _, f := range v.Identity.Fields {
			fmt.Fprintf(w, "  %-12s %s\n", f.Field, f.Explain(lang))
		}
	}
}
