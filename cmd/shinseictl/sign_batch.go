package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/shinsei-app/shinsei/explain"
	"github.com/shinsei-app/shinsei/flow"
)

// batchLine is one form's result line of sign --batch (a JSON Lines
// object with --json).
type batchLine struct {
	Form        string           `json:"form"`
	Package     string           `json:"package"`
	Status      flow.BatchStatus `json:"status"`
	Size        int64            `json:"size,omitempty"`
	Files       int              `json:"files,omitempty"`
	Attachments []string         `json:"attachments,omitempty"`
	Timestamped bool             `json:"timestamped,omitempty"`
	Precheck    string           `json:"precheck,omitempty"`
	Error       string           `json:"error,omitempty"`
	Hint        string           `json:"hint,omitempty"`
	ExitCode    int              `json:"exit_code"`
}

// batchSummary is the last line of sign --batch.
type batchSummary struct {
	Summary struct {
		Forms    int    `json:"forms"`
		Signed   int    `json:"signed"`
		Refused  int    `json:"refused"`
		Failed   int    `json:"failed"`
		NotTried int    `json:"not_signed"`
		OutDir   string `json:"out_dir"`
		Stopped  string `json:"stopped,omitempty"`
		ExitCode int    `json:"exit_code"`
	} `json:"summary"`
}

// batchRequest is what sign --batch was given besides the credential.
type batchRequest struct {
	forms               []string
	outDir              string
	force               bool
	acceptIndeterminate bool
	asJSON              bool
}

// checkBatchFlags refuses what sign --batch cannot do, before anything
// is opened.
func checkBatchFlags(batch bool, out, outDir string, forms []string) error {
	switch {
	case !batch:
		return usageError("--out-dir is for --batch: give --batch --out-dir DIR FORM..., or --out PKG.asice for one form", "sign: --out-dir without --batch")
	case out != "":
		return usageError("with --batch each form gets its own package in --out-dir: give --out-dir DIR, not --out", "sign: --out with --batch")
	case outDir == "":
		return usageError("give the folder to write the packages to with --out-dir DIR", "sign: --batch without --out-dir")
	case len(forms) == 0:
		return usageError("name the forms to sign; a form's attachments are the files of the folder of its name beside it", "sign: --batch without a form")
	}
	return nil
}

// signBatch signs each form into its own package in --out-dir with one
// unlock of the credential (flow.SignBatch), printing one result line per
// form as it is known (JSON Lines with --json) and a summary. The exit
// code is the worst of the forms' (DESIGN.md §4): 0 when every form was
// signed.
func signBatch(ctx context.Context, std *stdio, app *flow.App, cb flow.Callbacks, cf credentialFlags, choice flow.CredentialChoice, req batchRequest) error {
	lang := std.language()
	enc := json.NewEncoder(std.out)
	enc.SetEscapeHTML(false)
	worst := exitOK
	line := func(it flow.BatchItem) {
		l := batchLine{Form: it.Form, Package: it.Package, Status: it.Status, Attachments: it.Attachments}
		if it.Signed != nil {
			l.Size, l.Files, l.Timestamped = it.Signed.Size, len(it.Signed.Files), it.Signed.Timestamped
		}
		if it.Precheck != nil {
			l.Precheck = string(it.Precheck.Worst())
		}
		if it.Err != nil {
			l.ExitCode, l.Error, l.Hint = explained(cf.useError(it.Err), lang)
			worst = max(worst, l.ExitCode)
		}
		if req.asJSON {
			_ = enc.Encode(l)
			return
		}
		switch it.Status {
		case flow.BatchSigned:
			fmt.Fprintf(std.out, "signed      %s -> %s (%d bytes, %d files)\n", l.Form, l.Package, l.Size, l.Files)
		case flow.BatchNotTried:
			fmt.Fprintf(std.out, "not signed  %s\n", l.Form)
		default:
			fmt.Fprintf(std.out, "%-11s %s: %s\n", string(it.Status), l.Form, l.Error)
			if l.Hint != "" {
				fmt.Fprintf(std.out, "            hint: %s\n", l.Hint)
			}
			var pe *flow.PrecheckError
			if errors.As(it.Err, &pe) {
				printPrecheck(std.out, pe.Precheck, lang)
			}
		}
	}
	res, err := app.SignBatch(ctx, flow.BatchSignRequest{Forms: req.forms, OutDir: req.outDir, Credential: choice,
		Overwrite: req.force, AcceptIndeterminate: req.acceptIndeterminate}, cb, line)
	if res == nil {
		return cf.useError(err)
	}
	var s batchSummary
	s.Summary.Forms, s.Summary.Signed, s.Summary.Refused, s.Summary.Failed, s.Summary.NotTried = len(res.Items), res.Signed, res.Refused, res.Failed, res.NotTried
	s.Summary.OutDir = req.outDir
	var stopHint string
	if err != nil {
		var code int
		code, s.Summary.Stopped, stopHint = explained(cf.useError(err), lang)
		worst = max(worst, code)
	}
	s.Summary.ExitCode = worst
	if res.Signed > 0 {
		for _, it := range res.Items {
			if it.Signed != nil && it.Signed.Precheck != nil && it.Signed.Precheck.TrustNotChecked {
				fmt.Fprintf(std.err, "note: %s\n", flow.NotCheckedNote.In(lang))
				break
			}
		}
		for _, it := range res.Items {
			if it.Signed != nil && it.Signed.TimestampNote != nil {
				e := explain.Of(it.Signed.TimestampNote)
				fmt.Fprintf(std.err, "note: %s %s\n", e.Message.In(lang), e.CommandHint().In(lang))
				break
			}
		}
	}
	if req.asJSON {
		_ = enc.Encode(s)
	} else {
		fmt.Fprintf(std.out, std.tr("まとめて署名: %d件中 %d件署名、%d件不可、%d件失敗、%d件未署名（保存先 %s）\n",
			"batch: %d forms, %d signed, %d refused, %d failed, %d not signed (in %s)\n"),
			len(res.Items), res.Signed, res.Refused, res.Failed, res.NotTried, req.outDir)
		if s.Summary.Stopped != "" {
			fmt.Fprintf(std.err, "error: %s\n", s.Summary.Stopped)
			if stopHint != "" {
				fmt.Fprintf(std.err, "hint: %s\n", stopHint)
			}
		}
	}
	if worst != exitOK {
		return errSilent(worst)
	}
	return nil
}
