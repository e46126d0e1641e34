package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/shinsei-app/shinsei/explain"
	"github.com/shinsei-app/shinsei/flow"
	"github.com/shinsei-app/shinsei/submit"
)

// sessionError is accountError for the commands that log in with what the
// keyring keeps.
func sessionError(app *flow.App, err error) error {
	return accountError(err, app.Client().BaseURL())
}

// runSubmit queues a package or form in the outbox and sends it, or with
// --pending sends what earlier runs left there (flow.Submit,
// flow.SendPending).
func runSubmit(ctx context.Context, std *stdio, args []string) error {
	fs := newFlags("submit")
	var o netOptions
	o.register(fs)
	account := fs.String("account", "", "log in as account `ID` when the procedure needs it (default: the account stored for the service)")
	pending := fs.Bool("pending", false, "send the applications earlier runs left in the outbox for this service")
	attempts := fs.Int("attempts", submit.DefaultRetry.Attempts, "attempts per application in this run")
	again := fs.Bool("again", false, "file a package the receipts journal shows as already received once more (asked on a terminal; with --yes without one)")
	yes := fs.Bool("yes", false, "with --again: file it again without asking")
	passwordStdin := fs.Bool("password-stdin", false, "log in with the password read from standard input instead of the one kept in the keyring (no keyring needed)")
	operands, err := parse(fs, args, std.err)
	if err != nil {
		return err
	}
	switch {
	case *pending && len(operands) > 0:
		return usageError("give either a file or --pending", "submit: a file and --pending given")
	case len(operands) > 1 && *again:
		return usageError("--again is for one file: give it with that one package", "submit: --again with %d files", len(operands))
	case !*pending && len(operands) == 0:
		return usageError("give one signed package (.asice) or form (.json), or --pending", "submit: want 1 file, got %d", len(operands))
	case *attempts < 1:
		return usageError("give --attempts 1 or more", "submit: --attempts %d", *attempts)
	case *yes && !*again:
		return usageError("--yes confirms --again: give both, or neither", "submit: --yes without --again")
	case *pending && *again:
		return usageError("--again is for one file: the outbox is sent with --pending alone", "submit: --again with --pending")
	}
	cfg := cliConfig()
	if err := o.configure("submit", &cfg); err != nil {
		return err
	}
	if cfg.DataDir, err = o.dataDirPath(); err != nil {
		return err
	}
	cfg.Retry = submit.RetryPolicy{Attempts: *attempts, Base: time.Second, Max: 30 * time.Second}
	app, err := openApp(ctx, cfg)
	if err != nil {
		return err
	}
	defer app.Close()
	p := newPrompter(std, false, *passwordStdin, false)
	defer p.wipe()
	if *pending {
		return flushPending(ctx, std, &o, app, *passwordStdin, p.callbacks())
	}
	if len(operands) > 1 {
		return submitBatch(ctx, std, &o, app, flow.BatchSubmitRequest{Paths: operands, Account: *account, EnterPassword: *passwordStdin}, *passwordStdin, p.callbacks())
	}

	var proc *submit.Procedure
	var cb flow.Callbacks
	if *passwordStdin {
		cb = p.callbacks() // without it no password is asked: exit 3, log in first
	}
	cb.Queued = func(it submit.Item, p submit.Procedure) {
		proc = &p
		if !o.asJSON {
			fmt.Fprintf(std.err, "queued %s in the outbox as %s; sending…\n", it.File, it.ID)
		}
	}
	req := flow.SubmitRequest{Path: operands[0], Account: *account, EnterPassword: *passwordStdin}
	rec, err := app.Submit(ctx, req, cb)
	var ar *flow.AlreadyReceivedError
	if errors.As(err, &ar) && *again {
		if !*yes && !confirm(std, fmt.Sprintf("%s was already received (arrival number %s). File it once more, as a new application?", operands[0], ar.Record.ArrivalNumber)) {
			return usageError("to file it once more, confirm on a terminal or add --yes", "submit: %s was already received (arrival number %s); not sent again", operands[0], ar.Record.ArrivalNumber)
		}
		req.Again = true
		rec, err = app.Submit(ctx, req, cb)
	}
	if errors.As(err, &ar) {
		return alreadyReceived(std, o.asJSON, operands[0], ar, app.Journal().Path())
	}
	var af *flow.AlreadyFiledError
	if errors.As(err, &af) {
		return alreadyFiled(std, o.asJSON, operands[0], af)
	}
	var le *flow.LevelError
	switch {
	case errors.As(err, &le) && !le.Signed:
		return usageError("sign it first: shinseictl sign --out PKG.asice (--p12 FILE | --module PATH) "+operands[0]+", then submit the package",
			"submit: procedure %s needs a signed package (level %s), and %s is an unsigned form", le.Procedure, le.Level, operands[0])
	case errors.As(err, &le):
		return usageError("submit the form itself (the JSON file), unsigned",
			"submit: procedure %s takes an unsigned form (level %s), and %s is a signed package", le.Procedure, le.Level, operands[0])
	case errors.Is(err, flow.ErrNotQueued):
		return &failure{code: exitEnvironment, err: flow.Cause(err), hint: "nothing was sent; check that the data directory can be written (--data-dir)"}
	case err != nil && rec == nil:
		return sessionError(app, err)
	}
	journal := app.Journal().Path()
	if o.asJSON {
		writeJSON(std.out, receiptView{Record: *rec, Title: proc.TitleJA, TitleEN: proc.TitleEN, Journal: journal})
	} else {
		printReceipt(std.out, rec, proc, journal)
	}
	return err // a receipt that could not be journaled: shown, and reported
}

// alreadyReceived says which arrival number has a package that was not
// sent again (exit 0: nothing filed twice).
func alreadyReceived(std *stdio, asJSON bool, file string, ar *flow.AlreadyReceivedError, journal string) error {
	rec := ar.Record
	if asJSON {
		writeJSON(std.out, map[string]any{"already_received": true, "sent": false, "receipt": rec, "journal": journal})
		return nil
	}
	fmt.Fprintf(std.out, "already received / 受付済みです: %s was not sent again.\n", file)
	fmt.Fprintf(std.out, "  到達番号   Arrival number:   %s\n", rec.ArrivalNumber)
	fmt.Fprintf(std.out, "  received:  %s\n", rec.ReceivedAt.Local().Format("2006-01-02 15:04:05 MST"))
	fmt.Fprintf(std.out, "  (SHA-256 %s, recorded in %s)\n", rec.PackageSHA256, journal)
	fmt.Fprintln(std.err, "hint:", explainErr(ar).hint)
	return nil
}

// receiptView is the JSON form of a delivered application.
type receiptView struct {
	submit.Record
	Title   string `json:"title_ja,omitempty"`
	TitleEN string `json:"title_en,omitempty"`
	Journal string `json:"journal"`
}

// printReceipt shows the numbers the applicant must keep, large and clear.
func printReceipt(w io.Writer, rec *submit.Record, proc *submit.Procedure, journal string) {
	bar := strings.Repeat("=", 64)
	fmt.Fprintln(w, bar)
	fmt.Fprintln(w, "  RECEIVED / 受付されました")
	fmt.Fprintln(w)
	fmt.Fprintf(w, "  到達番号   Arrival number:   %s\n", rec.ArrivalNumber)
	if rec.InquiryNumber != "" {
		fmt.Fprintf(w, "  問合せ番号 Inquiry number:   %s\n", rec.InquiryNumber)
	}
	fmt.Fprintln(w, bar)
	if proc != nil {
		fmt.Fprintf(w, "  procedure: %s  %s / %s\n", proc.ID, proc.TitleJA, proc.TitleEN)
	} else {
		fmt.Fprintf(w, "  procedure: %s\n", rec.Procedure)
	}
	fmt.Fprintf(w, "  received:  %s\n", rec.ReceivedAt.Local().Format("2006-01-02 15:04:05 MST"))
	fmt.Fprintf(w, "  file:      %s (SHA-256 %s)\n", rec.File, rec.PackageSHA256)
	if rec.ArchivedSHA256 != "" {
		fmt.Fprintf(w, "  archived:  SHA-256 %s (with the service's archive timestamp)\n", rec.ArchivedSHA256)
	}
	if rec.InquiryNumber != "" {
		fmt.Fprintln(w, "  Keep both numbers: you need them to ask about this application.")
	} else {
		fmt.Fprintln(w, "  Keep the arrival number to ask about this application.")
	}
	fmt.Fprintf(w, "  Recorded in %s ('shinseictl receipts' lists it).\n", journal)
}

// flushPending sends the outbox's items for the service and reports each.
func flushPending(ctx context.Context, std *stdio, o *netOptions, app *flow.App, enter bool, cb flow.Callbacks) error {
	var outs []submit.Outcome
	var err error
	if enter {
		outs, err = app.SendPendingEnteringPassword(ctx, cb)
	} else {
		outs, err = app.SendPending(ctx)
	}
	if err != nil {
		return err
	}
	type view struct {
		ID      string         `json:"id"`
		File    string         `json:"file"`
		Outcome string         `json:"outcome"` // delivered, already-filed, kept, refused, busy
		Receipt *submit.Record `json:"receipt,omitempty"`
		Error   string         `json:"error,omitempty"`
		// Arrival is an already-filed item's earlier arrival number, when
		// the service told it.
		Arrival string `json:"arrival_number,omitempty"`
	}
	var views []view
	var worst error
	for _, out := range outs {
		v := view{ID: out.Item.ID, File: out.Item.File, Receipt: out.Record}
		var se *submit.SendError
		var af *flow.AlreadyFiledError
		switch {
		case out.Err == nil:
			v.Outcome = "delivered"
		case errors.As(out.Err, &af):
			v.Outcome, v.Arrival = "already-filed", af.ArrivalNumber
		case errors.Is(out.Err, submit.ErrBusy):
			v.Outcome = "busy"
		case errors.Is(out.Err, submit.ErrNoItem):
			v.Outcome = "gone"
		case errors.As(out.Err, &se) && se.Refused:
			v.Outcome = "refused"
		default:
			v.Outcome = "kept"
		}
		if out.Err != nil {
			v.Error = out.Err.Error()
			if v.Outcome == "refused" || v.Outcome == "kept" {
				if worst == nil || explain.Of(out.Err).Class > explain.Of(worst).Class {
					worst = out.Err
				}
			}
		}
		views = append(views, v)
	}
	partial := app.PartialRemoved()
	if o.asJSON {
		writeJSON(std.out, map[string]any{"results": views, "partial_copies_removed": partial})
		if worst != nil {
			return errSilent(int(explain.Of(worst).Class))
		}
		return nil
	}
	if partial > 0 {
		fmt.Fprintf(std.out, "removed %d partial outbox copy(ies) left by an interrupted submit (never sent; the original files are untouched)\n", partial)
	}
	if len(views) == 0 {
		fmt.Fprintln(std.out, "nothing pending for", app.Client().BaseURL())
	}
	for i, v := range views {
		switch v.Outcome {
		case "delivered":
			printReceipt(std.out, outs[i].Record, nil, app.Journal().Path())
		default:
			fmt.Fprintf(std.out, "%s  %s: %s\n  %s\n", v.ID, v.File, v.Outcome, v.Error)
		}
	}
	return worst
}
