package main

import (
	"context"
	"fmt"

	"github.com/shinsei-app/shinsei/flow"
	"github.com/shinsei-app/shinsei/submit"
)

// filedView is one package of submit PKG... in JSON.
type filedView struct {
	Path     string           `json:"path"`
	SHA256   string           `json:"package_sha256,omitempty"`
	Status   flow.FiledStatus `json:"status"`
	Receipt  *submit.Record   `json:"receipt,omitempty"`
	Error    string           `json:"error,omitempty"`
	Hint     string           `json:"hint,omitempty"`
	ExitCode int              `json:"exit_code"`
}

// submitBatch files several packages (flow.SubmitBatch, four at a time,
// those already received skipped), printing a line per package as its
// outcome is known and a summary; with --json one document at the end.
// The exit code is the worst of the packages'.
func submitBatch(ctx context.Context, std *stdio, o *netOptions, app *flow.App, req flow.BatchSubmitRequest, enter bool, prompts flow.Callbacks) error {
	var cb flow.Callbacks
	if enter {
		cb = prompts // without it no password is asked: exit 3, log in first
	}
	lang := std.language()
	view := func(f flow.Filed) filedView {
		v := filedView{Path: f.Path, SHA256: f.SHA256, Status: f.Status, Receipt: f.Record}
		if f.Err != nil {
			v.ExitCode, v.Error, v.Hint = explained(sessionError(app, f.Err), lang)
		}
		return v
	}
	filed, err := app.SubmitBatch(ctx, req, cb, func(f flow.Filed) {
		if o.asJSON {
			return
		}
		v := view(f)
		switch f.Status {
		case flow.FiledDelivered:
			fmt.Fprintf(std.out, "delivered      %s  到達番号 %s", v.Path, v.Receipt.ArrivalNumber)
			if v.Receipt.InquiryNumber != "" {
				fmt.Fprintf(std.out, "  問合せ番号 %s", v.Receipt.InquiryNumber)
			}
			fmt.Fprintln(std.out)
		case flow.FiledSkipped:
			if v.Receipt != nil {
				fmt.Fprintf(std.out, "skipped        %s  already received / 受付済み: 到達番号 %s\n", v.Path, v.Receipt.ArrivalNumber)
			} else {
				fmt.Fprintf(std.out, "skipped        %s  the same package is earlier in this batch\n", v.Path)
			}
		default:
			fmt.Fprintf(std.out, "%-14s %s: %s\n", string(f.Status), v.Path, v.Error)
			if v.Hint != "" {
				fmt.Fprintf(std.out, "               hint: %s\n", v.Hint)
			}
		}
	})
	if filed == nil {
		return sessionError(app, err)
	}
	views := make([]filedView, len(filed))
	worst := exitOK
	counts := map[flow.FiledStatus]int{}
	for i, f := range filed {
		views[i] = view(f)
		worst = max(worst, views[i].ExitCode)
		counts[f.Status]++
	}
	if err != nil {
		code, _, _ := explained(err, lang)
		worst = max(worst, code)
	}
	type summary struct {
		Packages     int    `json:"packages"`
		Delivered    int    `json:"delivered"`
		Skipped      int    `json:"skipped"`
		AlreadyFiled int    `json:"already_filed"`
		Failed       int    `json:"failed"`
		Journal      string `json:"journal"`
		ExitCode     int    `json:"exit_code"`
	}
	s := summary{Packages: len(filed), Delivered: counts[flow.FiledDelivered], Skipped: counts[flow.FiledSkipped],
		AlreadyFiled: counts[flow.FiledAlreadyFiled], Failed: counts[flow.FiledFailed], Journal: app.Journal().Path(), ExitCode: worst}
	if o.asJSON {
		writeJSON(std.out, map[string]any{"results": views, "summary": s})
	} else {
		fmt.Fprintf(std.out, std.tr("まとめて送信: %d件中 %d件受付、%d件は受付済みのため送信せず、%d件は申請済み、%d件失敗（受付記録 %s）\n",
			"submitted %d packages: %d delivered, %d skipped (already received), %d already filed, %d failed (receipts in %s)\n"),
			s.Packages, s.Delivered, s.Skipped, s.AlreadyFiled, s.Failed, s.Journal)
	}
	if worst != exitOK {
		return errSilent(worst)
	}
	return nil
}
