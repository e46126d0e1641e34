package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"strings"

	"github.com/shinsei-app/shinsei/explain"
	"github.com/shinsei-app/shinsei/flow"
	"github.com/shinsei-app/shinsei/i18n"
)

// Exit codes of the command-line contract (DESIGN.md §4).
const (
	exitOK            = 0
	exitNegative      = 1
	exitUsage         = 2
	exitEnvironment   = 3
	exitIndeterminate = 4
)

type stdio struct {
	in       io.Reader
	out, err io.Writer
	// lang is the language of messages and prompts: --lang, else the
	// locale's (run sets it; empty is English).
	lang i18n.Lang
}

// command runs one subcommand: it parses its own flags and returns nil, a
// *failure, or any other error (which explain turns into a failure).
type command func(ctx context.Context, std *stdio, args []string) error

var commands = map[string]command{
	"tokens":    runTokens,
	"sign":      runSign,
	"verify":    runVerify,
	"timestamp": runTimestamp,
	"check":     runCheck,

	"account":  runAccount,
	"submit":   runSubmit,
	"status":   runStatus,
	"withdraw": runWithdraw,
	"amend":    runAmend,
	"receipts": runReceipts,
	"diag":     runDiag,
}

// usages are the synopses of the commands, in the order help lists them.
var usages = [][2]string{
	{"tokens", "tokens [--module PATH] [--json]"},
	{"sign", "sign --out PKG.asice (--module PATH [--token LABEL] [--key-id HEX] | --p12 FILE) [--pin-stdin] [--allow-final-try] [--force] [--anchor CERT]... [--service URL [--service-anchor CERT]...] [--settings FILE | --no-settings] [--offline] [--accept-indeterminate] [--tsa URL] [--json] FORM [ATTACHMENT...]"},
	{"sign --power-of-attorney", "sign --power-of-attorney (--proxy NAME | --proxy-account ID) --procedure ID [--valid-until YYYY-MM-DD] --out POA.asice (--module PATH [--token LABEL] | --p12 FILE) [--pin-stdin] [--force] [--service URL] [--json]"},
	{"sign --proxy-for", "sign --proxy-for POA.asice --out PKG.asice (--module PATH [--token LABEL] | --p12 FILE) [the other flags of sign] FORM [ATTACHMENT...]"},
	{"sign --batch", "sign --batch --out-dir DIR (--module PATH [--token LABEL] [--key-id HEX] | --p12 FILE) [--pin-stdin] [--allow-final-try] [--force] [--anchor CERT]... [--service URL] [--json] FORM..."},
	{"check", "check [--anchor CERT]... [--intermediate CERT]... [--crl FILE]... [--ocsp-responder URL --responder-cert CERT] [--offline] [--require-revocation] [--at RFC3339] [--form FORM.json] [--json] CERT"},
	{"timestamp", "timestamp [--tsa URL] [--service URL [--service-anchor CERT]...] [--json] PKG.asice"},
	{"verify", "verify [--anchor CERT]... [--intermediate CERT]... [--at RFC3339] [--offline] [--require-revocation] [--json] (PKG.asice | --detached SIG.p7s CONTENT)"},
	{"account register", "account register [--service URL] [--anchor CERT]... [--settings FILE | --no-settings] (--p12 FILE | --module PATH [--token LABEL] [--key-id HEX]) [--pin-stdin] [--password-stdin] [--user-type resident|company] [--email ADDRESS] [--reset-password [--yes]] [--show-password] [--json]"},
	{"account login", "account login [--service URL] [--anchor CERT]... [--settings FILE | --no-settings] [--account ID] [--password-stdin | --p12 FILE | --module PATH ...] [--json]"},
	{"account logout", "account logout [--service URL] [--anchor CERT]... [--settings FILE | --no-settings] [--account ID] [--keep-password] [--json]"},
	{"submit", "submit [--service URL] [--anchor CERT]... [--settings FILE | --no-settings] [--account ID] [--password-stdin] [--data-dir DIR] [--json] (PKG.asice | FORM.json | --pending) [--again [--yes]]"},
	{"submit PKG...", "submit [--service URL] [--anchor CERT]... [--account ID] [--password-stdin] [--data-dir DIR] [--json] PKG.asice|FORM.json... (4 at a time; packages already received are skipped)"},
	{"status", "status [--service URL] [--anchor CERT]... [--settings FILE | --no-settings] [--inquiry NUMBER | --account ID] [--password-stdin] [--wait DURATION] [--json] ARRIVAL"},
	{"status --all", "status --all [--service URL] [--anchor CERT]... [--password-stdin] [--json] (every application of the receipts journal)"},
	{"withdraw", "withdraw [--service URL] [--anchor CERT]... [--settings FILE | --no-settings] [--inquiry NUMBER | --account ID] [--password-stdin] [--p12 FILE | --module PATH [--token LABEL] [--key-id HEX]] [--pin-stdin] [--reason TEXT] [--yes] [--data-dir DIR] [--json] ARRIVAL"},
	{"amend", "amend [--service URL] [--anchor CERT]... [--settings FILE | --no-settings] [--inquiry NUMBER | --account ID] [--password-stdin] [--p12 FILE | --module PATH [--token LABEL] [--key-id HEX]] [--pin-stdin] [--accept-indeterminate] [--data-dir DIR] [--json] ARRIVAL [FORM [ATTACHMENT...]]"},
	{"receipts", "receipts [--data-dir DIR] [--service URL] [--json | --csv]"},
	{"diag", "diag [--out BUNDLE.zip] [--service URL [--anchor CERT]...] [--module PATH]... [--include-personal] [--lang ja|en] [--json]"},
}

func synopsis(name string) string {
	for _, u := range usages {
		if u[0] == name {
			return u[1]
		}
	}
	return name
}

func run(ctx context.Context, args []string, std *stdio) int {
	lang, args, err := takeLang(args)
	std.lang = lang
	if wantsJSON(args) {
		std.out = &jsonOut{Writer: std.out}
	}
	if err != nil {
		return report(std, wantsJSON(args), err)
	}
	if len(args) == 0 || args[0] == "-h" || args[0] == "--help" || args[0] == "help" {
		usage(std.err)
		if len(args) == 0 {
			return exitUsage
		}
		return exitOK
	}
	if args[0] == "--version" || args[0] == "version" {
		printVersion(std.out)
		return exitOK
	}
	cmd, ok := commands[args[0]]
	if !ok {
		return report(std, wantsJSON(args), &failure{code: exitUsage,
			err: fmt.Errorf("%w %q", explain.ErrUnknownCommand, args[0]), hint: "run 'shinseictl help' to see the commands"})
	}
	err = cmd(ctx, std, args[1:])
	if err == nil {
		return exitOK
	}
	if errors.Is(err, flag.ErrHelp) {
		return exitOK
	}
	recordError(args[0], flow.Cause(err))
	return report(std, wantsJSON(args), err)
}

func usage(w io.Writer) {
	fmt.Fprintln(w, "usage: shinseictl COMMAND [FLAGS]\n\ncommands:")
	for _, u := range usages {
		fmt.Fprintln(w, "  shinseictl", u[1])
	}
	fmt.Fprintln(w, "  shinseictl --version")
	fmt.Fprintln(w, "\nevery command takes --lang ja|en (default: from LC_ALL, LC_MESSAGES or LANG)")
}

// failure is an error with its exit code and a hint that says what to do.
type failure struct {
	code int
	err  error
	hint string
	// localized is set when err's words and hint are already in the
	// command's language (diag's verdict).
	localized bool
}

func (f *failure) Error() string { return f.err.Error() }
func (f *failure) Unwrap() error { return f.err }

// usageError is a failure with exit code 2.
func usageError(hint, format string, a ...any) *failure {
	return &failure{code: exitUsage, err: fmt.Errorf(format, a...), hint: hint}
}

// report prints err as "error:" and "hint:" lines (or one JSON document with
// --json) and returns its exit code.
func report(std *stdio, asJSON bool, err error) int {
	var s silent
	if errors.As(err, &s) {
		return int(s)
	}
	code, msg, hint := explained(err, std.language())
	if jo, ok := std.out.(*jsonOut); asJSON && !(ok && jo.wrote) {
		writeJSON(std.out, map[string]any{"error": msg, "hint": hint, "exit_code": code})
	} else {
		fmt.Fprintln(std.err, "error:", msg)
		if hint != "" {
			fmt.Fprintln(std.err, "hint:", hint)
		}
	}
	return code
}

// jsonOut is standard output with --json: it knows whether the command
// has written its document, so that an error after it is told on
// standard error rather than as a second document.
type jsonOut struct {
	io.Writer
	wrote bool
}

func (j *jsonOut) Write(p []byte) (int, error) {
	j.wrote = j.wrote || len(p) > 0
	return j.Writer.Write(p)
}

func wantsJSON(args []string) bool {
	for _, a := range args {
		if a == "--json" || a == "-json" || a == "--json=true" {
			return true
		}
	}
	return false
}

func writeJSON(w io.Writer, v any) {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	_ = enc.Encode(v)
}

// newFlags returns a flag set that prints nothing by itself: parse turns
// its errors into usage failures and answers -h with the usage text.
func newFlags(name string) *flag.FlagSet {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	fs.Usage = func() {}
	// run has taken --lang already; it is here for -h to list.
	fs.String(langFlag, "", "messages and prompts in `ja` or en (default: from LC_ALL, LC_MESSAGES or LANG)")
	return fs
}

// parse parses args, flags and operands in any order (operands after "--"
// are taken as they are), and returns the operands. -h prints the
// command's usage and flags to w.
func parse(fs *flag.FlagSet, args []string, w io.Writer) ([]string, error) {
	var operands []string
	for {
		err := fs.Parse(args)
		if errors.Is(err, flag.ErrHelp) {
			fmt.Fprintln(w, "usage: shinseictl", synopsis(fs.Name()))
			fs.SetOutput(w)
			fs.PrintDefaults()
			return nil, err
		}
		if err != nil {
			return nil, usageError("run 'shinseictl "+fs.Name()+" -h' for its flags", "%s: %v", fs.Name(), err)
		}
		// fs.Parse drops a "--" it stops at; an operand stops it otherwise.
		rest := fs.Args()
		if len(rest) == 0 {
			return operands, nil
		}
		if len(args) > len(rest) && args[len(args)-len(rest)-1] == "--" {
			return append(operands, rest...), nil
		}
		operands, args = append(operands, rest[0]), rest[1:]
	}
}

// multiFlag collects a repeated flag.
type multiFlag []string

func (m *multiFlag) String() string     { return strings.Join(*m, ",") }
func (m *multiFlag) Set(v string) error { *m = append(*m, v); return nil }
