package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/shinsei-app/shinsei/flow"
	"github.com/shinsei-app/shinsei/submit"
)

// sessionError is fromFlow for the commands that log in with what the
// keyring keeps: a missing account is a usage error, and a password that
// is not kept is named with its account ("account ID: …", flow's words
// without its marker), as it always was.
func sessionError(app *flow.App, err error) error {
	var se *submit.SendError
	switch {
	case errors.Is(err, flow.ErrNoAccount):
		return noAccount(app.Client().BaseURL())
	case errors.Is(err, submit.ErrNotStored) && !errors.As(err, &se) && strings.HasPrefix(err.Error(), "flow: account "):
		return reworded{strings.TrimPrefix(err.Error(), "flow: "), err}
	}
	return fromFlow(err)
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
	operands, err := parse(fs, args, std.err)
	if err != nil {
		return err
	}
	switch {
	case *pending && len(operands) > 0:
		return usageError("give either a file or --pending", "submit: a file and --pending given")
	case !*pending && len(operands) != 1:
		return usageError("give one signed package (.asice) or form (.json), or --pending", "submit: want 1 file, got %d", len(operands))
	case *attempts < 1:
		return usageError("give --attempts 1 or more", "submit: --attempts %d", *attempts)
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
	if *pending {
		return flushPending(ctx, std, &o, app)
	}

	var proc *submit.Procedure
	cb := flow.Callbacks{Queued: func(it submit.Item, p submit.Procedure) {
		proc = &p
		if !o.asJSON {
			fmt.Fprintf(std.err, "queued %s in the outbox as %s; sending…\n", it.File, it.ID)
		}
	}}
	rec, err := app.Submit(ctx, flow.SubmitRequest{Path: operands[0], Account: *account}, cb)
	var le *flow.LevelError
	switch {
	case errors.As(err, &le) && !le.Signed:
		return usageError("sign it first: shinseictl sign --out PKG.asice (--p12 FILE | --module PATH) "+operands[0]+", then submit the package",
			"submit: procedure %s needs a signed package (level %s), and %s is an unsigned form", le.Procedure, le.Level, operands[0])
	case errors.As(err, &le):
		return usageError("submit the form itself (the JSON file), unsigned",
			"submit: procedure %s takes an unsigned form (level %s), and %s is a signed package", le.Procedure, le.Level, operands[0])
	case errors.Is(err, flow.ErrNotQueued):
		return &failure{code: exitEnvironment, err: peel(err), hint: "nothing was sent; check that the data directory can be written (--data-dir)"}
	case err != nil && rec == nil:
		return sessionError(app, err)
	}
	journal := app.Journal().Path()
	if o.asJSON {
		writeJSON(std.out, receiptView{Record: *rec, Title: proc.TitleJA, TitleEN: proc.TitleEN, Journal: journal})
	} else {
		printReceipt(std.out, rec, proc, journal)
	}
	return fromFlow(err) // a receipt that could not be journaled: shown, and reported
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
	if rec.InquiryNumber != "" {
		fmt.Fprintln(w, "  Keep both numbers: you need them to ask about this application.")
	} else {
		fmt.Fprintln(w, "  Keep the arrival number to ask about this application.")
	}
	fmt.Fprintf(w, "  Recorded in %s ('shinseictl receipts' lists it).\n", journal)
}

// flushPending sends the outbox's items for the service and reports each.
func flushPending(ctx context.Context, std *stdio, o *netOptions, app *flow.App) error {
	outs, err := app.SendPending(ctx)
	if err != nil {
		return fromFlow(err)
	}
	type view struct {
		ID      string         `json:"id"`
		File    string         `json:"file"`
		Outcome string         `json:"outcome"` // delivered, kept, refused, busy
		Receipt *submit.Record `json:"receipt,omitempty"`
		Error   string         `json:"error,omitempty"`
	}
	var views []view
	var worst error
	for _, out := range outs {
		v := view{ID: out.Item.ID, File: out.Item.File, Receipt: out.Record}
		var se *submit.SendError
		switch {
		case out.Err == nil:
			v.Outcome = "delivered"
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
				if worst == nil || explain(out.Err).code > explain(worst).code {
					worst = out.Err
				}
			}
		}
		views = append(views, v)
	}
	if o.asJSON {
		writeJSON(std.out, map[string]any{"results": views})
		if worst != nil {
			return errSilent(explain(worst).code)
		}
		return nil
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

// explainService gives the errors of talking to the service their exit
// codes and hints; nil when err is none of them.
func explainService(err error) *failure {
	var (
		se *submit.SendError
		te *submit.TLSError
		pe *submit.ProblemError
	)
	switch {
	case errors.As(err, &se) && se.Refused:
		f := explainProblem(err)
		f.hint += "; the package is kept among the refused items ('shinseictl receipts' shows them)"
		return f
	case errors.As(err, &se):
		code := exitEnvironment
		var ne *submit.NetError
		if errors.Is(err, submit.ErrBadReply) || (errors.As(err, &ne) && ne.Timeout) {
			code = exitIndeterminate // it may have arrived; the next run finds out without a duplicate
		}
		if f := explainService(se.Err); f != nil && f.code == exitNegative {
			code = exitNegative
			return &failure{code: code, err: err, hint: f.hint + "; the application is kept in the outbox: 'shinseictl submit --service URL --pending' sends it"}
		}
		return &failure{code: code, err: err,
			hint: "the application is kept in the outbox; run 'shinseictl submit --service URL --pending' to send it again (the same idempotency key prevents a double submission)"}
	case errors.As(err, &te):
		hints := map[submit.TLSFailure]string{
			submit.TLSUnknownAuthority:   "give the service's CA certificate with --anchor CERT (LGPKI application CA or the service's private CA); the check is never skipped",
			submit.TLSHostMismatch:       "use the host name the service's certificate is issued for in --service",
			submit.TLSCertificateInvalid: "the service's certificate is expired or unusable: check this computer's clock, else tell the service's operator",
			submit.TLSOldVersion:         "the service must offer TLS 1.2 or newer: tell its operator; Shinsei does not connect with older versions",
		}
		return &failure{code: exitNegative, err: err, hint: hints[te.Failure]}
	case errors.As(err, &pe):
		return explainProblem(err)
	case errors.Is(err, submit.ErrUnreachable):
		return &failure{code: exitEnvironment, err: err, hint: "check the network connection and the --service address, then try again"}
	case errors.Is(err, submit.ErrBadReply):
		return &failure{code: exitEnvironment, err: err, hint: "the service answered something unexpected: check that --service is the service's address"}
	case errors.Is(err, submit.ErrNoKeyring):
		return &failure{code: exitEnvironment, err: err, hint: "Shinsei keeps IDs and passwords only in the OS keyring: unlock or start it (Linux: GNOME Keyring or KWallet through the Secret Service on the D-Bus session)"}
	case errors.Is(err, submit.ErrNotStored):
		return &failure{code: exitEnvironment, err: err, hint: "log in first: shinseictl account login --service URL --account ID (or register with 'shinseictl account register')"}
	case errors.Is(err, submit.ErrSecretTooLarge):
		return &failure{code: exitUsage, err: err, hint: "use a shorter password"}
	case errors.Is(err, submit.ErrNotForm):
		return &failure{code: exitUsage, err: err, hint: "give a signed package (.asice made by 'shinseictl sign') or a JSON form whose \"procedure\" names the procedure"}
	}
	return nil
}

// reasonHints say what to do about each refusal.
var reasonHints = map[submit.Reason]string{
	submit.ReasonInvalidCredentials:   "check the account ID and password; several wrong passwords lock the account",
	submit.ReasonAccountLocked:        "the account is locked after too many wrong passwords: wait and try later, or ask the service's help desk",
	submit.ReasonRateLimited:          "the service asks to wait before trying again",
	submit.ReasonLoginRequired:        "log in first: shinseictl account login --service URL",
	submit.ReasonChallengeInvalid:     "run the command again: the challenge had expired",
	submit.ReasonSignatureRequired:    "this procedure needs a signed package: sign the form with 'shinseictl sign'",
	submit.ReasonSignatureInvalid:     "the package was altered or its signature is broken: sign the form again",
	submit.ReasonCertificateUntrusted: "sign with a My Number card or a commercial-registry certificate the service accepts",
	submit.ReasonCertificateExpired:   "the certificate has expired: renew it (My Number card: at the municipal office) and sign again",
	submit.ReasonCertificateRevoked:   "the certificate is revoked (a change of name or address revokes a My Number card's certificate): get a new one and sign again",
	submit.ReasonCertificateUnknown:   "the service could not establish the certificate's status: try again later",
	submit.ReasonWrongCertificateType: "this procedure is for another kind of applicant: sign with the right certificate (resident: My Number card; company: registry certificate)",
	submit.ReasonIdentityMismatch:     "the applicant data in the form must match the certificate's name, date of birth, sex and address",
	submit.ReasonSignerNotHolder:      "sign with the account holder's own certificate, or log in with the signer's account",
	submit.ReasonFormInvalid:          "correct the form and submit again",
	submit.ReasonBadRequest:           "correct the form and submit again",
	submit.ReasonTooLarge:             "the package is larger than the procedure allows: remove or shrink attachments",
	submit.ReasonUnsupportedMedia:     "submit a signed package for signature procedures and the JSON form for the others",
	submit.ReasonUnknownProcedure:     "check the procedure ID in the form",
	submit.ReasonNotFound:             "check the arrival number (and the inquiry number for an anonymous application)",
	submit.ReasonIdempotencyConflict:  "this application's key was used for other content: submit the file again as a new application",
}

func explainProblem(err error) *failure {
	var pe *submit.ProblemError
	errors.As(err, &pe)
	hint, ok := reasonHints[pe.Problem.Reason]
	switch {
	case pe.Status >= 500:
		return &failure{code: exitEnvironment, err: err, hint: "the service failed; try again later"}
	case pe.Problem.Reason == submit.ReasonRateLimited:
		if pe.RetryAfter > 0 {
			hint = fmt.Sprintf("the service asks to wait %s before trying again", pe.RetryAfter)
		}
		return &failure{code: exitEnvironment, err: err, hint: hint}
	case pe.Problem.Reason == submit.ReasonCertificateUnknown:
		return &failure{code: exitIndeterminate, err: err, hint: hint}
	case !ok:
		hint = "the service refused the request; its message says why"
	}
	if pe.Problem.MessageJA != "" {
		hint += " (" + pe.Problem.MessageJA + ")"
	}
	return &failure{code: exitNegative, err: err, hint: hint}
}
