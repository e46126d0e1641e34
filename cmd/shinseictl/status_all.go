package main

import (
	"context"
	"fmt"

	"github.com/shinsei-app/shinsei/flow"
	"github.com/shinsei-app/shinsei/submit"
)

// statusAllView is one application of status --all in JSON.
type statusAllView struct {
	ArrivalNumber string                    `json:"arrival_number"`
	Procedure     string                    `json:"procedure"`
	File          string                    `json:"file,omitempty"`
	Status        *submit.ApplicationStatus `json:"status,omitempty"`
	Error         string                    `json:"error,omitempty"`
	Hint          string                    `json:"hint,omitempty"`
	ExitCode      int                       `json:"exit_code"`
}

// statusAll asks the service about every application of the receipts
// journal (flow.StatusAll), a line per application and a summary; with
// --json one document. The exit code is the worst of the answers'.
func statusAll(ctx context.Context, std *stdio, o *netOptions, enter bool) error {
	cfg := cliConfig()
	if err := o.configure("status", &cfg); err != nil {
		return err
	}
	app, err := statusApp(ctx, o, cfg, flow.StatusQuery{})
	if err != nil {
		return err
	}
	defer app.Close()
	p := newPrompter(std, false, enter, false)
	defer p.wipe()
	var cb flow.Callbacks
	if enter {
		cb = p.callbacks()
	}
	lang := std.language()
	view := func(s flow.StatusOf) statusAllView {
		v := statusAllView{ArrivalNumber: s.Record.ArrivalNumber, Procedure: s.Record.Procedure, File: s.Record.File, Status: s.Status}
		if s.Err != nil {
			v.ExitCode, v.Error, v.Hint = explained(sessionError(app, s.Err), lang)
		}
		return v
	}
	all, err := app.StatusAll(ctx, enter, cb, func(s flow.StatusOf) {
		if o.asJSON {
			return
		}
		v := view(s)
		if s.Err != nil {
			fmt.Fprintf(std.out, "到達番号 %s  %s  %s: %s\n", v.ArrivalNumber, v.Procedure, v.File, v.Error)
			if v.Hint != "" {
				fmt.Fprintf(std.out, "  hint: %s\n", v.Hint)
			}
			return
		}
		label := statusLabels[s.Status.Status]
		if label == "" {
			label = string(s.Status.Status)
		}
		fmt.Fprintf(std.out, "到達番号 %s  %s  %s  %s\n", v.ArrivalNumber, label, v.Procedure, v.File)
	})
	if err != nil && all == nil {
		return sessionError(app, err)
	}
	worst, failed := exitOK, 0
	views := make([]statusAllView, len(all))
	counts := map[submit.Status]int{}
	for i, s := range all {
		views[i] = view(s)
		worst = max(worst, views[i].ExitCode)
		if s.Err != nil {
			failed++
		} else {
			counts[s.Status.Status]++
		}
	}
	if err != nil {
		code, _, _ := explained(err, lang)
		worst = max(worst, code)
	}
	if o.asJSON {
		writeJSON(std.out, map[string]any{"applications": views, "summary": map[string]any{
			"applications": len(all), "received": counts[submit.StatusReceived], "reviewing": counts[submit.StatusReviewing],
			"completed": counts[submit.StatusCompleted], "returned": counts[submit.StatusReturned], "not_answered": failed, "exit_code": worst}})
	} else {
		fmt.Fprintf(std.out, std.tr("%d件: 到達 %d、審査中 %d、完了 %d、差戻し %d、確認できず %d\n",
			"%d applications: %d received, %d under review, %d completed, %d returned, %d not answered\n"),
			len(all), counts[submit.StatusReceived], counts[submit.StatusReviewing], counts[submit.StatusCompleted], counts[submit.StatusReturned], failed)
	}
	if worst != exitOK {
		return errSilent(worst)
	}
	return nil
}
