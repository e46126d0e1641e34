package main

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/shinsei-app/shinsei/submit"
)

// statusLabels are the statuses in Japanese and English.
var statusLabels = map[submit.Status]string{
	submit.StatusReceived:  "到達 received",
	submit.StatusReviewing: "審査中 under review",
	submit.StatusCompleted: "完了 completed",
	submit.StatusReturned:  "差戻し returned for correction",
}

// runStatus asks the service where an application is: with the inquiry
// number (given, or found in the receipts journal), else as the logged-in
// owner. --wait polls until it is completed or returned.
func runStatus(ctx context.Context, std *stdio, args []string) error {
	fs := newFlags("status")
	var o netOptions
	o.register(fs)
	inquiry := fs.String("inquiry", "", "the inquiry `NUMBER` of an anonymous application (default: the one in the receipts journal)")
	account := fs.String("account", "", "ask as the owner, account `ID` (default: the account stored for the service)")
	wait := fs.Duration("wait", 0, "poll until the application is completed or returned, for at most this `DURATION`")
	interval := fs.Duration("interval", time.Minute, "time between inquiries with --wait")
	operands, err := parse(fs, args, std.err)
	if err != nil {
		return err
	}
	if len(operands) != 1 {
		return usageError("give the arrival number (到達番号) of the application", "status: want 1 arrival number, got %d", len(operands))
	}
	arrival := operands[0]
	c, err := o.client("status")
	if err != nil {
		return err
	}
	auth := submit.Auth{InquiryNumber: *inquiry}
	if auth.InquiryNumber == "" && *account == "" {
		auth.InquiryNumber = journalInquiry(&o, c.BaseURL(), arrival)
	}
	var creds *submit.Credentials
	acc := ""
	if auth.InquiryNumber == "" {
		if creds, err = submit.NewCredentials(nil, c.BaseURL()); err != nil {
			return err
		}
		if acc, err = resolveAccount(ctx, creds, *account); err != nil {
			return err
		}
		if auth.Token, err = sessionToken(ctx, c, creds, acc, false); err != nil {
			return err
		}
	}
	ask := func(ctx context.Context) (*submit.ApplicationStatus, error) {
		if *wait > 0 {
			wctx, cancel := context.WithTimeout(ctx, *wait)
			defer cancel()
			st, err := c.Poll(wctx, arrival, auth, submit.PollOptions{Interval: *interval})
			if errors.Is(err, context.DeadlineExceeded) && ctx.Err() == nil {
				if st == nil {
					return nil, &failure{code: exitIndeterminate, err: fmt.Errorf("status: no answer within %s", *wait), hint: "try again later"}
				}
				return st, nil
			}
			return st, err
		}
		return c.Status(ctx, arrival, auth)
	}
	st, err := ask(ctx)
	if submit.IsReason(err, submit.ReasonLoginRequired) && creds != nil {
		if auth.Token, err = sessionToken(ctx, c, creds, acc, true); err != nil {
			return err
		}
		st, err = ask(ctx)
	}
	if err != nil {
		return err
	}
	if o.asJSON {
		writeJSON(std.out, st)
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
	if *wait > 0 && st.Status != submit.StatusCompleted && st.Status != submit.StatusReturned {
		return errSilent(exitIndeterminate)
	}
	return nil
}

// journalInquiry finds the inquiry number of an anonymous application in
// the receipts journal; "" when there is none (or no journal).
func journalInquiry(o *netOptions, service, arrival string) string {
	_, j, err := o.store()
	if err != nil {
		return ""
	}
	recs, err := j.Receipts()
	if err != nil {
		return ""
	}
	for _, r := range recs {
		if r.Service == service && r.ArrivalNumber == arrival {
			return r.InquiryNumber
		}
	}
	return ""
}
