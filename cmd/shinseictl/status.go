package main

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/shinsei-app/shinsei/flow"
	"github.com/shinsei-app/shinsei/submit"
)

// statusLabels are the statuses in Japanese and English.
var statusLabels = map[submit.Status]string{
	submit.StatusReceived:  "到達 received",
	submit.StatusReviewing: "審査中 under review",
	submit.StatusCompleted: "完了 completed",
	submit.StatusReturned:  "差戻し returned for correction",

	submit.StatusWithdrawn:           "取下げ withdrawn",
	submit.StatusCorrectionRequested: "補正依頼 correction requested (see 'shinseictl amend ARRIVAL')",
}

// runStatus asks the service where an application is (diagnosis.Status): with
// the inquiry number (given, or found in the receipts journal), else as
// the logged-in owner. --wait polls until its status is settled
// (submit.Status.Settled).
func runStatus(ctx context.Context, std *stdio, args []string) error {
	fs := newFlags("status")
	var o netOptions
	o.register(fs)
	inquiry := fs.String("inquiry", "", "the inquiry `NUMBER` of an anonymous application (default: the one in the receipts journal)")
	account := fs.String("account", "", "ask as the owner, account `ID` (default: the account stored for the service)")
	wait := fs.Duration("wait", 0, "poll until the application is completed, returned or withdrawn, or a correction is requested, for at most this `DURATION`")
	interval := fs.Duration("interval", time.Minute, "time between inquiries with --wait")
	archived := fs.String("archived", "", "download the application's package as the service archived it (with the validation data and archive time-stamps it added) to `FILE`, instead of printing the status")
	passwordStdin := fs.Bool("password-stdin", false, "log in as the owner with the password read from standard input instead of the one kept in the keyring (no keyring needed)")
	all := fs.Bool("all", false, "ask about every application of the receipts journal for the service (4 at a time)")
	operands, err := parse(fs, args, std.err)
	if err != nil {
		return err
	}
	if *all {
		if len(operands) > 0 || *inquiry != "" || *account != "" || *wait > 0 {
			return usageError("--all asks about every receipt: give no arrival number, --inquiry, --account or --wait with it", "status: --all with an arrival number or a flag for one")
		}
		return statusAll(ctx, std, &o, *passwordStdin)
	}
	if len(operands) != 1 {
		return usageError("give the arrival number (到達番号) of the application", "status: want 1 arrival number, got %d", len(operands))
	}
	if *passwordStdin && *inquiry != "" {
		return usageError("an inquiry number needs no password: give --inquiry or --password-stdin", "status: --password-stdin with --inquiry")
	}
	if *archived != "" && *wait > 0 {
		return usageError("give either --archived FILE or --wait", "status: --archived with --wait")
	}
	q := flow.StatusQuery{Arrival: operands[0], InquiryNumber: *inquiry, Account: *account, EnterPassword: *passwordStdin}
	cfg := cliConfig()
	if err := o.configure("status", &cfg); err != nil {
		return err
	}
	app, err := statusApp(ctx, &o, cfg, q)
	if err != nil {
		return err
	}
	defer app.Close()
	sctx := ctx
	if *wait > 0 {
		q.Poll = &submit.PollOptions{Interval: *interval}
		var cancel context.CancelFunc
		sctx, cancel = context.WithTimeout(ctx, *wait)
		defer cancel()
	}
	p := newPrompter(std, false, *passwordStdin, false)
	defer p.wipe()
	var cb flow.Callbacks
	if *passwordStdin {
		cb = p.callbacks()
	}
	if *archived != "" {
		return printArchived(ctx, std, app, q, *archived, cb, o.asJSON)
	}
	st, err := app.StatusAsking(sctx, q, cb)
	if *wait > 0 && errors.Is(err, context.DeadlineExceeded) && ctx.Err() == nil {
		if st == nil {
			return &failure{code: exitIndeterminate, err: fmt.Errorf("status: no answer within %s", *wait), hint: "try again later"}
		}
		err = nil
	}
	if err != nil {
		return sessionError(app, err)
	}
	// Still under way after --wait is indeterminate, in JSON as in text.
	underway := *wait > 0 && !st.Status.Settled()
	if o.asJSON {
		writeJSON(std.out, st)
		if underway {
			return errSilent(exitIndeterminate)
		}
		return nil
	}
	label := statusLabels[st.Status]
	if label == "" {
		label = string(st.Status)
	}
	fmt.Fprintf(std.out, "到達番号 Arrival number: %s\n", st.ArrivalNumber)
	fmt.Fprintf(std.out, "  status:    %s\n", label)
	fmt.Fprintf(std.out, "  procedure: %s\n", st.Procedure)
	fmt.Fprintf(std.out, "  received:  %s\n", st.ReceivedAt.Local().Format("2006-01-02 15:04:05 MST"))
	if !st.UpdatedAt.IsZero() {
		fmt.Fprintf(std.out, "  updated:   %s\n", st.UpdatedAt.Local().Format("2006-01-02 15:04:05 MST"))
	}
	for _, n := range st.Notices {
		fmt.Fprintf(std.out, "  notice %s: %s / %s (%s)\n", n.ID, n.TitleJA, n.TitleEN, n.IssuedAt.Local().Format("2006-01-02"))
	}
	printSteps(std.out, st)
	if underway {
		return errSilent(exitIndeterminate)
	}
	return nil
}

// statusApp opens the App for status: with the receipts journal when the
// inquiry number may be found there, and without it when the journal
// cannot be opened (the owner's session is asked for then).
func statusApp(ctx context.Context, o *netOptions, cfg flow.Config, q flow.StatusQuery) (*flow.App, error) {
	if q.InquiryNumber == "" && q.Account == "" {
		if dir, err := o.dataDirPath(); err == nil {
			withJournal := cfg
			withJournal.DataDir = dir
			if app, err := flow.Open(ctx, withJournal); err == nil {
				return app, nil
			}
		}
	}
	return openApp(ctx, cfg)
}

// printArchived downloads the archived package (flow.ArchivedPackage)
// and says what it is.
func printArchived(ctx context.Context, std *stdio, app *flow.App, q flow.StatusQuery, out string, cb flow.Callbacks, asJSON bool) error {
	ar, err := app.ArchivedPackage(ctx, q, out, cb)
	if err != nil {
		return sessionError(app, err)
	}
	if asJSON {
		writeJSON(std.out, ar)
		return nil
	}
	fmt.Fprintf(std.out, "到達番号 Arrival number: %s\n", ar.Arrival)
	fmt.Fprintf(std.out, "  archived:  %s (%d bytes, SHA-256 %s)\n", ar.Path, ar.Size, ar.SHA256)
	switch {
	case ar.MatchesReceipt:
		fmt.Fprintln(std.out, "  receipt:   the archived package the receipt names")
	case ar.ReceiptSHA256 != "":
		fmt.Fprintf(std.out, "  receipt:   named SHA-256 %s (the service renewed its archive time-stamp since; check it with 'shinseictl verify')\n", ar.ReceiptSHA256)
	}
	return nil
}
