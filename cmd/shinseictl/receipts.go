package main

import (
	"context"
	"fmt"
	"strings"

	"github.com/shinsei-app/shinsei/flow"
	"github.com/shinsei-app/shinsei/submit"
)

type receiptsView struct {
	Receipts []submit.Record `json:"receipts"`
	Pending  []submit.Item   `json:"pending"`
	Refused  []submit.Item   `json:"refused"`
}

// runReceipts lists the receipts journal, and what waits in the outbox or
// was refused, with the service's reason (flow.Receipts, flow.Pending,
// flow.Refused).
func runReceipts(ctx context.Context, std *stdio, args []string) error {
	fs := newFlags("receipts")
	var o netOptions
	o.registerLocal(fs)
	service := fs.String("service", "", "list only this service's (`URL`)")
	asCSV := fs.Bool("csv", false, "write the receipts as CSV (a header row, then one row per receipt) for a spreadsheet")
	operands, err := parse(fs, args, std.err)
	if err != nil {
		return err
	}
	if len(operands) > 0 {
		return usageError("receipts takes no arguments", "receipts: unexpected %q", operands[0])
	}
	if *asCSV && o.asJSON {
		return usageError("give --csv or --json, not both", "receipts: --csv with --json")
	}
	cfg := cliConfig()
	if *service != "" {
		if _, err := submit.CanonicalURL(*service); err != nil {
			return usageError("give the service as https://host[:port]", "receipts: %w", err)
		}
		// The service only selects what is listed: nothing is asked of it.
		cfg.ServiceURL, cfg.ServiceSystemRoots = *service, true
	}
	if cfg.DataDir, err = o.dataDirPath(); err != nil {
		return err
	}
	app, err := openApp(ctx, cfg)
	if err != nil {
		return err
	}
	defer app.Close()
	var v receiptsView
	if v.Receipts, err = app.Receipts(); err != nil {
		return &failure{code: exitEnvironment, err: flow.Cause(err), hint: "check that the journal in the data directory can be read"}
	}
	if *asCSV {
		return flow.ReceiptsCSV(std.out, v.Receipts)
	}
	if v.Pending, err = app.Pending(); err == nil {
		v.Refused, err = app.Refused()
	}
	if err != nil {
		return &failure{code: exitEnvironment, err: flow.Cause(err), hint: "check that the data directory can be read"}
	}
	if o.asJSON {
		if v.Receipts == nil {
			v.Receipts = []submit.Record{}
		}
		if v.Pending == nil {
			v.Pending = []submit.Item{}
		}
		if v.Refused == nil {
			v.Refused = []submit.Item{}
		}
		writeJSON(std.out, v)
		return nil
	}
	w := std.out
	fmt.Fprintf(w, "receipts (%d)\n", len(v.Receipts))
	for _, r := range v.Receipts {
		fmt.Fprintf(w, "  %s  到達番号 %s", r.ReceivedAt.Local().Format("2006-01-02 15:04"), r.ArrivalNumber)
		if r.InquiryNumber != "" {
			fmt.Fprintf(w, "  問合せ番号 %s", r.InquiryNumber)
		}
		fmt.Fprintf(w, "  %s  %s  %s\n", r.Procedure, r.File, r.Service)
	}
	if len(v.Pending) > 0 {
		fmt.Fprintf(w, "pending in the outbox (%d): 'shinseictl submit --service URL --pending' sends them\n", len(v.Pending))
		for _, it := range v.Pending {
			fmt.Fprintf(w, "  %s  %s  %s  %d attempt(s)  %s\n", it.ID, it.Procedure, it.File, it.Attempts, it.Service)
			if it.LastError != "" {
				fmt.Fprintf(w, "    last error: %s\n", it.LastError)
			}
		}
	}
	if len(v.Refused) > 0 {
		fmt.Fprintf(w, "refused by the service (%d), kept in %s\n", len(v.Refused), app.Outbox().RefusedDir())
		for _, it := range v.Refused {
			fmt.Fprintf(w, "  %s  %s  %s  %s\n", it.ID, it.Procedure, it.File, it.Service)
			if it.Problem != nil {
				msg := strings.TrimSpace(it.Problem.MessageJA + " / " + it.Problem.MessageEN)
				fmt.Fprintf(w, "    reason: %s: %s\n", it.Problem.Reason, msg)
			}
		}
	}
	return nil
}
