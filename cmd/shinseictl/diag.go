package main

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/shinsei-app/shinsei/diagnosis"
	"github.com/shinsei-app/shinsei/i18n"
	"github.com/shinsei-app/shinsei/internal/fsx"
	"github.com/shinsei-app/shinsei/pkcs11"
)

// diagView is diag's JSON document: the report, the exit code and where
// the bundle was written.
type diagView struct {
	*diagnosis.Report
	Failed   []diagnosis.SectionID `json:"failed"`
	Bundle   string                `json:"bundle,omitempty"`
	ExitCode int                   `json:"exit_code"`
}

// runDiag checks this computer for a help desk (diagnosis.Run): system,
// modules, readers, tokens and tries left, certificates, anchors, the
// service, the keyring, and apart from those the last errors. It never
// asks for a PIN. The report and the bundle are redacted unless
// --include-personal is given. It exits 3 when a part of the computer
// does not work now (a locked PIN included); the past errors never
// change the exit code, and its own verdict is never recorded as one.
func runDiag(ctx context.Context, std *stdio, args []string) error {
	fs := newFlags("diag")
	out := fs.String("out", "", "also write the report as a zip `BUNDLE.zip` to send to the help desk")
	service := fs.String("service", "", "check the service at `URL`: that its API answers, its TLS chain, the clock")
	var anchors, modules multiFlag
	fs.Var(&anchors, "anchor", "trust anchor `CERT` the service's chain is checked against (PEM or DER; repeatable)")
	fs.Var(&modules, "module", "PKCS#11 module `PATH` to check (repeatable; default: the known places)")
	personal := fs.Bool("include-personal", false, "add personal data, only when the help desk asks: the certificate holders' subjects (which may hold the name) in the report, "+
		"and the holders' certificates themselves in the bundle (which hold the name, address, birth date and sex); never PINs or passwords")
	asJSON := fs.Bool("json", false, "print one JSON document")
	operands, err := parse(fs, args, std.err)
	if err != nil {
		return err
	}
	if len(operands) > 0 {
		return usageError("diag takes no file arguments; give the bundle with --out", "diag: unexpected %q", operands[0])
	}
	lang := std.language()
	opts := diagnosis.Options{Anchors: anchors, ServiceURL: *service, IncludePersonal: *personal, Errors: errorLog()}
	for _, m := range modules {
		opts.Modules = append(opts.Modules, pkcs11.ModuleFile{Path: m})
	}
	r := diagnosis.Run(ctx, opts)
	if err := ctx.Err(); err != nil {
		return err
	}
	if *out != "" {
		if err := writeBundle(*out, r); err != nil {
			return &failure{code: exitUsage, err: fmt.Errorf("diag: writing the bundle: %w", err),
				hint: "check that the folder of --out exists and can be written to"}
		}
	}
	failed := r.Failed()
	var ids []diagnosis.SectionID
	var names []string
	for _, s := range failed {
		ids = append(ids, s.ID)
		names = append(names, s.ID.Title().In(lang))
	}
	var f *failure
	if len(failed) > 0 {
		f = &failure{code: exitEnvironment,
			err:  fmt.Errorf("diag: %s %s", strings.Join(names, ", "), pickLang(lang, "が動作していません", "do not work")),
			hint: failed[0].HelpDeskHint().In(lang), localized: true}
	}
	if *asJSON {
		v := diagView{Report: r, Failed: ids, Bundle: *out}
		if f != nil {
			v.ExitCode = f.code
		}
		if v.Failed == nil {
			v.Failed = []diagnosis.SectionID{}
		}
		writeJSON(std.out, v)
		if f == nil {
			return nil
		}
		fmt.Fprintln(std.err, "error:", f.err)
		fmt.Fprintln(std.err, "hint:", f.hint)
		return errSilent(f.code)
	}
	fmt.Fprint(std.out, r.Text(lang))
	if *out != "" {
		fmt.Fprintf(std.out, "\n%s %s\n", pickLang(lang, "診断結果を保存しました:", "bundle written to"), *out)
	}
	if f != nil {
		return f
	}
	return nil
}

func pickLang(lang i18n.Lang, ja, en string) string {
	if lang == i18n.Japanese {
		return ja
	}
	return en
}

// writeBundle writes the bundle next to path and renames it into place, so
// a half-written bundle never exists under that name; it is readable by
// the user only.
func writeBundle(path string, r *diagnosis.Report) (err error) {
	f, err := fsx.Create(path, 0o600)
	if err != nil {
		return err
	}
	defer f.Abort()
	if err = r.WriteBundle(f); err != nil {
		return err
	}
	return f.Commit()
}

// errorLog opens the log of the last errors diag shows; without a place
// for it (no home directory, $SHINSEI_ERROR_LOG=off) it is empty.
func errorLog() *diagnosis.ErrorLog {
	path, err := diagnosis.DefaultErrorLogPath()
	if err != nil {
		path = ""
	}
	l, _ := diagnosis.OpenErrorLog(path, 0) // a damaged log starts empty
	return l
}

// recordError keeps a failed command's error (redacted) in the log of the
// last errors that diag shows. Usage errors, reports that already said
// NOT VALID and diag's own verdict are not kept. It is best effort: a log
// that cannot be written never changes the command's outcome.
func recordError(command string, err error) {
	var s silent
	if err == nil || errors.As(err, &s) || command == diagnosis.DiagCommand {
		return
	}
	if f := explainErr(err); f.code == exitUsage {
		return
	}
	path, perr := diagnosis.DefaultErrorLogPath()
	if perr != nil || path == "" {
		return
	}
	if l, _ := diagnosis.OpenErrorLog(path, 0); l != nil {
		_ = l.Record(command, err)
	}
}
